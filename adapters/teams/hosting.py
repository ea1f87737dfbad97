"""Hosting Teams on the server: botbuilder's CloudAdapter with our authentication, the
`POST /api/messages` route and the sender for proactive messages."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from adapters.teams.config import TeamsConfig, TeamsConfigError
from adapters.teams.connectors import ReusingAuthentication
from adapters.teams.credentials import BotCredentialsFactory
from adapters.teams.endpoint import TeamsEndpoint
from adapters.teams.sender import TeamsSender

log = logging.getLogger(__name__)
ROUTE = "/api/messages"


def _sdk_configuration(config: TeamsConfig) -> SimpleNamespace:
    """The configuration object `ConfigurationBotFrameworkAuthentication` reads. All URLs
    are given explicitly (public Azure values unless overridden), which selects the SDK's
    parameterised authentication: the same code path in production and in the tests."""
    return SimpleNamespace(
        APP_ID=config.app_id,
        APP_PASSWORD=config.app_password,
        APP_TYPE=config.app_type,
        APP_TENANTID=config.tenant_id,
        VALIDATE_AUTHORITY=True,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=config.authority,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=config.token_issuer,
        OAUTH_URL=AuthenticationConstants.OAUTH_URL,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=config.openid_metadata_url,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=(
            AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
        ),
        CALLER_ID=CallerIdConstants.public_azure_channel,
    )


async def _fetch_signing_keys(metadata_url: str) -> None:
    """botbuilder fetches the channel's signing keys with blocking HTTP calls, inside the
    event loop, on the first request (and again daily). Fetch them in a worker thread at
    start-up instead, so the first person's message does not stall every other one."""

    def fetch() -> None:
        # The SDK's own cache object, so validation finds the keys already there.
        metadata = JwtTokenExtractor.get_open_id_metadata(metadata_url)
        asyncio.run(metadata._refresh())

    try:
        await asyncio.to_thread(fetch)
    except Exception as exc:  # the first request will try again
        log.warning("could not fetch the Bot Framework signing keys yet: %s", type(exc).__name__)


def mount_teams(app: web.Application, bot: Any, config: TeamsConfig) -> TeamsSender:
    """Add `POST /api/messages` for `bot` and return the sender for proactive messages."""
    if not config.authenticated:
        if not config.insecure_local:
            raise TeamsConfigError("MICROSOFT_APP_ID is missing")
        log.warning(
            "TEAMS ENDPOINT WITHOUT AUTHENTICATION (IDESLUSS_TEAMS_INSECURE_LOCAL=1): anyone "
            "who can reach %s can act as any Teams user. Use this only on your own machine "
            "with the Bot Framework Emulator, never on a network.",
            ROUTE,
        )
    authentication = ReusingAuthentication(
        ConfigurationBotFrameworkAuthentication(
            _sdk_configuration(config), credentials_factory=BotCredentialsFactory(config)
        )
    )
    adapter = CloudAdapter(authentication)
    endpoint = TeamsEndpoint(adapter, authentication, bot)
    app.router.add_post(ROUTE, endpoint.handle)
    if config.authenticated:
        app.on_startup.append(lambda _app: _fetch_signing_keys(config.openid_metadata_url))
    return TeamsSender(adapter, config.app_id)
