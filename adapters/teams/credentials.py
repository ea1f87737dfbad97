"""The bot's own credentials for calls to the Bot Connector, with one token cache.

botbuilder asks its credentials factory for new credentials on every turn and every
proactive send, and its `MicrosoftAppCredentials` keeps the MSAL token cache on the object:
left alone, every message would fetch a fresh token from Entra ID. This factory hands out
one credentials object per audience, so a token is fetched once and reused until MSAL
decides it is close to expiry. It also honours the configured authority (another cloud, or
a local fake in the tests), which `MicrosoftAppCredentials` cannot be told about.

botbuilder asks for the token synchronously, inside the event loop, on every call to the
Bot Connector. A fetch from Entra ID there would stop every turn and health check for as long
as Entra ID takes (MSAL has no timeout of its own). So the token is fetched in a thread:
when credentials are handed out and, by `TokenRefresher`, well before it expires; the
synchronous call only reads what was fetched. It fetches itself (with a timeout) only if no
token could be fetched beforehand.

Two kinds of credentials share that: a client secret (`SingleTenant`, and `MultiTenant` for
old registrations), through MSAL's `ConfidentialClientApplication` against the bot's tenant;
and a user-assigned managed identity (`UserAssignedMSI`), through MSAL's
`ManagedIdentityClient`, which asks the Azure host: App Service's `IDENTITY_ENDPOINT` (with
`IDENTITY_HEADER`) where those are set, else the instance metadata service (IMDS,
169.254.169.254; `AZURE_POD_IDENTITY_AUTHORITY_HOST` moves it). botframework-connector's own
`ManagedIdentityAppCredentials` does the same MSAL call, but synchronously on every send and
without a timeout, so it is not used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import Any

import requests
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from msal import (
    ConfidentialClientApplication,
    ManagedIdentityClient,
    TokenCache,
    UserAssignedManagedIdentity,
)
from msrest.authentication import Authentication

from adapters.teams.config import PUBLIC_LOGIN_URL, TeamsConfig

log = logging.getLogger(__name__)

# Entra ID answers in well under a second; past this, the fetch gives up (and is tried again).
TOKEN_TIMEOUT_SECONDS = 10
# Fetch a new token this long before the one held expires (Entra ID tokens last about an hour).
REFRESH_BEFORE_SECONDS = 10 * 60
# How often the refresher looks whether a token is due.
REFRESH_EVERY_SECONDS = 60


class BotCredentials(AppCredentials):
    """A token for one app id and audience, fetched ahead of time (see the module
    docstring). Subclasses say how a token is acquired."""

    # Who hands out the tokens, and what to check when none comes (named in the error).
    source = "Entra ID"
    settings = "MICROSOFT_APP_ID and MICROSOFT_APP_TYPE"

    def __init__(self, config: TeamsConfig, oauth_scope: str) -> None:
        super().__init__(app_id=config.app_id, oauth_scope=oauth_scope)
        self.oauth_endpoint = config.authority
        self._token: str | None = None
        self._expires_at = 0.0  # time.monotonic()
        self._fetching = threading.Lock()

    def get_access_token(self, force_refresh: bool = False) -> str:
        """The token fetched beforehand (see the module docstring); fetched here only when
        there is none, or when botbuilder insists (`force_refresh`)."""
        if not force_refresh and self._token is not None and not self._expiring(60):
            return self._token
        return self.fetch()

    def due(self) -> bool:
        """No token yet, or it expires within REFRESH_BEFORE_SECONDS."""
        return self._token is None or self._expiring(REFRESH_BEFORE_SECONDS)

    async def refresh(self) -> None:
        """Fetch a new token in a thread, so the event loop never waits for Entra ID."""
        await asyncio.to_thread(self.fetch)

    def fetch(self) -> str:
        with self._fetching:
            # MSAL answers from its cache while the token is fresh.
            result = self._acquire()
            if "access_token" not in result:
                raise PermissionError(
                    f"{self.source} gave the bot no token: {result.get('error', 'unknown error')} "
                    f"(check {self.settings})"
                )
            self._token = str(result["access_token"])
            self._expires_at = time.monotonic() + float(result.get("expires_in") or 3600)
            return self._token

    def _acquire(self) -> dict[str, Any]:
        raise NotImplementedError

    def _expiring(self, within: float) -> bool:
        return time.monotonic() > self._expires_at - within


class SecretCredentials(BotCredentials):
    """Client-credentials tokens for an app registration with a client secret, from the
    configured authority (the bot's own tenant for SingleTenant)."""

    settings = (
        "MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TYPE and MICROSOFT_APP_TENANT_ID"
    )

    def __init__(self, config: TeamsConfig, oauth_scope: str) -> None:
        super().__init__(config, oauth_scope)
        self.microsoft_app_password = config.app_password
        self._validate_authority = config.login_url.rstrip("/") == PUBLIC_LOGIN_URL.rstrip("/")
        self._msal: ConfidentialClientApplication | None = None

    def _acquire(self) -> dict[str, Any]:
        scope = self.oauth_scope
        if not scope.endswith("/.default"):
            scope += "/.default"
        if self._msal is None:
            self._msal = ConfidentialClientApplication(
                client_id=self.microsoft_app_id,
                client_credential=self.microsoft_app_password,
                authority=self.oauth_endpoint,
                validate_authority=self._validate_authority,
                instance_discovery=None if self._validate_authority else False,
                timeout=TOKEN_TIMEOUT_SECONDS,
            )
        result: dict[str, Any] = self._msal.acquire_token_for_client(scopes=[scope])
        return result


class _SessionWithTimeout(requests.Session):
    """MSAL's managed identity client takes a requests session and sets no timeout of its
    own; an identity endpoint that never answers must not hold a thread for ever."""

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", TOKEN_TIMEOUT_SECONDS)
        return super().request(method, url, *args, **kwargs)


class ManagedIdentityCredentials(BotCredentials):
    """Tokens for a user-assigned managed identity (its client id is the bot's app id),
    from the Azure host's identity endpoint; there is no secret."""

    source = "The managed identity endpoint"
    settings = (
        "MICROSOFT_APP_ID, the managed identity's client id, and that the identity is "
        "assigned to this App Service, container or VM"
    )

    def __init__(self, config: TeamsConfig, oauth_scope: str) -> None:
        super().__init__(config, oauth_scope)
        self._msal: ManagedIdentityClient | None = None

    def _acquire(self) -> dict[str, Any]:
        # The identity endpoints take a resource, not a scope.
        resource = self.oauth_scope.removesuffix("/.default")
        if self._msal is None:
            self._msal = ManagedIdentityClient(
                UserAssignedManagedIdentity(client_id=self.microsoft_app_id),
                http_client=_SessionWithTimeout(),
                token_cache=TokenCache(),
            )
        result: dict[str, Any] = self._msal.acquire_token_for_client(resource=resource)
        return result


class BotCredentialsFactory(ServiceClientCredentialsFactory):
    def __init__(self, config: TeamsConfig) -> None:
        self.config = config
        self._by_scope: dict[str, BotCredentials] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(self.config.app_id) and app_id == self.config.app_id

    async def is_authentication_disabled(self) -> bool:
        return not self.config.app_id

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        if await self.is_authentication_disabled():
            empty: Authentication = MicrosoftAppCredentials.empty()
            return empty
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("credentials asked for another app id than the bot's")
        scope = oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        credentials = self._by_scope.get(scope)
        if credentials is None:
            kind = ManagedIdentityCredentials if self.config.managed_identity else SecretCredentials
            credentials = self._by_scope[scope] = kind(self.config, scope)
        if credentials.due():
            await credentials.refresh()  # in a thread: the loop goes on meanwhile
        return credentials

    def all(self) -> list[BotCredentials]:
        return list(self._by_scope.values())


class TokenRefresher:
    """Keeps every token the bot uses fetched ahead of its expiry, in a thread, so that a
    send from the event loop never waits for Entra ID (botbuilder reuses its connector
    clients, so credentials are not always asked for again before a send)."""

    name = "teams token refresher"

    def __init__(self, factory: BotCredentialsFactory, every: float = REFRESH_EVERY_SECONDS):
        self.factory = factory
        self.every = every
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def refresh_due(self) -> None:
        for credentials in self.factory.all():
            if credentials.due():
                try:
                    await credentials.refresh()
                except Exception as exc:  # tried again next round; sends fetch if need be
                    log.warning("teams: could not refresh the bot's token: %s", type(exc).__name__)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            await self.refresh_due()
