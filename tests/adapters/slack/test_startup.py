"""Start-up: the bot token is checked with Slack once; a refused token stops the server, an
unreachable Slack does not."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestServer

import adapters.slack
from adapters.registry import ConfiguredPlatform, PlatformConfigError
from adapters.slack.config import SlackConfig
from bot.app import IdeaBot
from bot.server import build_app
from tests.fakes.slack_api import FakeSlackApi


async def test_a_token_slack_refuses_stops_the_server_from_starting(
    slack_bot: IdeaBot, slack_api: FakeSlackApi
) -> None:
    slack_api.fail("auth.test", error="invalid_auth")
    config = SlackConfig(bot_token="xoxb-wrong", signing_secret="s", api_url=slack_api.url)
    app = await build_app(
        slack_bot, [ConfiguredPlatform("slack", adapters.slack, config)], close_database=False
    )
    server = TestServer(app, host="127.0.0.1")
    with pytest.raises(PlatformConfigError, match="Slack refused SLACK_BOT_TOKEN: invalid_auth"):
        await server.start_server()
    await server.close()


async def test_slack_being_unreachable_at_start_is_only_a_warning(
    slack_bot: IdeaBot, slack_api: FakeSlackApi, caplog
) -> None:
    slack_api.fail("auth.test", status=503, error="service_unavailable")
    config = SlackConfig(bot_token="xoxb-test", signing_secret="s", api_url=slack_api.url)
    app = await build_app(
        slack_bot, [ConfiguredPlatform("slack", adapters.slack, config)], close_database=False
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    await server.close()
    assert "auth.test failed" in caplog.text
