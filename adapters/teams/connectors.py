"""Bot Connector clients made once and reused.

botbuilder builds a new `ConnectorClient` and a new user-token client for every turn and
every proactive send. Each one builds an msrest configuration whose retry policy alone costs
about 10 ms of CPU (msrest computes its list of retryable status codes with a quadratic
list comprehension), so a bot spends most of a turn building clients it just built. This
wrapper around the SDK's authentication keeps one client per app id, serviceUrl and
audience (a handful in practice; bounded anyway) and one user-token client per app id.
Clients are safe to share: msrest keeps one HTTP session per worker thread.

Clients for proactive messages get no SDK retries (the dispatcher decides when to try
again, honouring Retry-After); clients for replies within a turn keep the SDK's retries.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

MAX_CLIENTS = 32
PROACTIVE_TIMEOUT_SECONDS = 30


def _app_id(claims_identity: ClaimsIdentity) -> str:
    claims = claims_identity.claims or {}
    return (
        claims.get(AuthenticationConstants.AUDIENCE_CLAIM)
        or claims.get(AuthenticationConstants.APP_ID_CLAIM)
        or ""
    )


class _ClientCache:
    def __init__(self, *, retries: int | None, timeout: int | None) -> None:
        self.retries = retries
        self.timeout = timeout
        self._clients: OrderedDict[tuple[str, str, str | None], ConnectorClient] = OrderedDict()

    async def get(
        self, inner: ConnectorFactory, app_id: str, service_url: str, audience: str | None
    ) -> ConnectorClient:
        key = (app_id, service_url, audience)
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
            return client
        client = await inner.create(service_url, audience)
        # Before the first request: msrest reads these when it opens a session.
        if self.retries is not None:
            client.config.retry_policy.retries = self.retries
        if self.timeout is not None:
            client.config.connection.timeout = self.timeout
        self._clients[key] = client
        if len(self._clients) > MAX_CLIENTS:
            self._clients.popitem(last=False)
        return client


class _CachedConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, cache: _ClientCache, app_id: str) -> None:
        self._inner = inner
        self._cache = cache
        self._app_id = app_id

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        return await self._cache.get(self._inner, self._app_id, service_url, audience)


class ReusingAuthentication(BotFrameworkAuthentication):
    """The SDK's authentication, with its clients reused instead of rebuilt."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._reply_clients = _ClientCache(retries=None, timeout=None)
        self._proactive_clients = _ClientCache(retries=0, timeout=PROACTIVE_TIMEOUT_SECONDS)
        self._token_clients: dict[str, UserTokenClient] = {}

    async def authenticate_request(
        self, activity: Activity, auth_header: str | None
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachedConnectorFactory(
                result.connector_factory, self._reply_clients, _app_id(result.claims_identity)
            )
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        """Used for proactive messages (`continue_conversation`)."""
        return _CachedConnectorFactory(
            self._inner.create_connector_factory(claims_identity),
            self._proactive_clients,
            _app_id(claims_identity),
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = _app_id(claims_identity)
        client = self._token_clients.get(app_id)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._token_clients[app_id] = client
        return client

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        audience: str = self._inner.get_originating_audience()
        return audience

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
