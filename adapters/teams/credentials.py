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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time

from botframework.connector.auth import (
    AuthenticationConstants,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from msal import ConfidentialClientApplication
from msrest.authentication import Authentication

from adapters.teams.config import PUBLIC_LOGIN_URL, TeamsConfig

log = logging.getLogger(__name__)

# Entra ID answers in well under a second; past this, the fetch gives up (and is tried again).
TOKEN_TIMEOUT_SECONDS = 10
# Fetch a new token this long before the one held expires (Entra ID tokens last about an hour).
REFRESH_BEFORE_SECONDS = 10 * 60
# How often the refresher looks whether a token is due.
REFRESH_EVERY_SECONDS = 60


class BotCredentials(MicrosoftAppCredentials):
    """Client-credentials tokens for one app id and audience, from one MSAL cache."""

    def __init__(self, config: TeamsConfig, oauth_scope: str) -> None:
        super().__init__(config.app_id, config.app_password, oauth_scope=oauth_scope)
        self.oauth_endpoint = config.authority
        public = config.login_url.rstrip("/") == PUBLIC_LOGIN_URL.rstrip("/")
        self._validate_authority = public
        self._msal: ConfidentialClientApplication | None = None
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
        scope = self.oauth_scope
        if not scope.endswith("/.default"):
            scope += "/.default"
        with self._fetching:
            if self._msal is None:
                self._msal = ConfidentialClientApplication(
                    client_id=self.microsoft_app_id,
                    client_credential=self.microsoft_app_password,
                    authority=self.oauth_endpoint,
                    validate_authority=self._validate_authority,
                    instance_discovery=None if self._validate_authority else False,
                    timeout=TOKEN_TIMEOUT_SECONDS,
                )
            # MSAL answers from its cache while the token is fresh.
            result = self._msal.acquire_token_for_client(scopes=[scope])
            if "access_token" not in result:
                raise PermissionError(
                    f"Entra ID gave the bot no token: {result.get('error', 'unknown error')} "
                    "(check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TYPE)"
                )
            self._token = result["access_token"]
            self._expires_at = time.monotonic() + float(result.get("expires_in") or 3600)
            return self._token

    def _expiring(self, within: float) -> bool:
        return time.monotonic() > self._expires_at - within


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
            credentials = self._by_scope[scope] = BotCredentials(self.config, scope)
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
