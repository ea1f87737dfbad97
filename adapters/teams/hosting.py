"""Hosting Teams on the server: botbuilder's CloudAdapter with our authentication (its
token validation with our key source and checks, see signing_keys.py and inbound.py), the
`POST /api/messages` route and the sender for proactive messages."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from adapters.teams import ROUTE
from adapters.teams.config import (
    MULTI_TENANT,
    MULTI_TENANT_WARNING,
    TeamsConfig,
    TeamsConfigError,
)
from adapters.teams.credentials import BotCredentialsFactory, TokenRefresher
from adapters.teams.endpoint import TeamsEndpoint
from adapters.teams.files import TeamsFiles
from adapters.teams.inbound import ChannelAuthentication
from adapters.teams.sender import TeamsSender
from adapters.teams.signing_keys import NoSigningKeys, SigningKeys
from bot.ports import Host

log = logging.getLogger(__name__)


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


def _clock_seconds(bot: Any) -> Callable[[], float]:
    """The bot's injected clock, in seconds (tests move it); the monotonic clock without."""
    clock = getattr(bot, "clock", None)
    if clock is None or not callable(getattr(clock, "now", None)):
        return time.monotonic
    return lambda: clock.now().timestamp()


def _install_signing_keys(host: Host, config: TeamsConfig) -> SigningKeys:
    """Put our non-blocking key source where botbuilder's token validation looks for its
    own (see signing_keys.py): for the channel's metadata URL, and a refusing one for the
    Emulator's, whose tokens are refused before they get there anyway."""
    keys = SigningKeys(config.openid_metadata_url, now=_clock_seconds(host.bot))
    JwtTokenExtractor.metadataCache[config.openid_metadata_url] = keys
    emulator_url = AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
    if emulator_url != config.openid_metadata_url:
        JwtTokenExtractor.metadataCache[emulator_url] = NoSigningKeys(emulator_url)
    # Fetched in the background: a slow or hung metadata host delays neither the start
    # (the port opens at once) nor the stop (the fetch is cancelled).
    host.on_startup(keys.start)
    host.on_cleanup(keys.close)
    return keys


def mount_teams(host: Host, config: TeamsConfig) -> TeamsSender:
    """Add `POST /api/messages` for the host's bot and return the sender for proactive
    messages."""
    if not config.authenticated:
        if not config.insecure_local:
            raise TeamsConfigError("MICROSOFT_APP_ID is missing")
        log.warning(
            "TEAMS ENDPOINT WITHOUT AUTHENTICATION (IDESLUSS_TEAMS_INSECURE_LOCAL=1): anyone "
            "who can reach %s can act as any Teams user. Use this only on your own machine "
            "with the Bot Framework Emulator, never on a network.",
            ROUTE,
        )
    if config.authenticated and config.app_type == MULTI_TENANT:
        log.warning(MULTI_TENANT_WARNING)
    if config.authenticated and config.tenant_allow_list is None:
        log.warning(
            "Teams accepts activities from any tenant: set MICROSOFT_ALLOWED_TENANTS to the "
            "tenant ids of the organisations the bot serves."
        )
    credentials = BotCredentialsFactory(config)
    authentication = ChannelAuthentication(
        ConfigurationBotFrameworkAuthentication(
            _sdk_configuration(config), credentials_factory=credentials
        ),
        config,
    )
    if config.authenticated:
        host.add_service(TokenRefresher(credentials))
    adapter = CloudAdapter(authentication)
    sender = TeamsSender(adapter, config.app_id)
    files = TeamsFiles(host.bot)
    host.on_cleanup(files.close)
    endpoint = TeamsEndpoint(
        adapter, authentication, host.bot, inbox=host.inbox, sender=sender, files=files
    )
    host.add_route("POST", ROUTE, endpoint.handle)
    if config.authenticated:
        _install_signing_keys(host, config)
    return sender
