"""Socket Mode (SLACK_APP_TOKEN set): the same listeners, fed over a WebSocket the app opens
itself; no HTTP endpoint for Slack is mounted."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.slack import SlackPlatform
from adapters.slack.config import SlackConfig
from bot.app import IdeaBot
from bot.server import INFLIGHT, build_app
from tests.adapters.slack.conftest import SlackSide
from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
async def socket_server(
    slack_bot: IdeaBot, slack_api: FakeSlackApi
) -> AsyncIterator[tuple[TestServer, object]]:
    config = SlackConfig(bot_token="xoxb-test", app_token="xapp-test", api_url=slack_api.url)
    app = await build_app(slack_bot, [SlackPlatform(config)], close_database=False)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, app
    slack_api.release()
    await server.close()


async def test_a_message_over_socket_mode_is_acknowledged_and_answered(
    socket_server, slack_api: FakeSlackApi
) -> None:
    server, app = socket_server
    await slack_api.wait_for_socket()
    assert slack_api.calls_to("apps.connections.open")[0].headers["Authorization"] == (
        "Bearer xapp-test"
    )
    side = SlackSide(app, server, slack_api)
    body = json.loads(side.event_body(side.dm_event("UANNA", "Hej")))
    await side.close()
    envelope = await slack_api.push_socket_event(body)
    assert (await slack_api.wait_for_ack(envelope))["envelope_id"] == envelope
    assert await app[INFLIGHT].drain(10)
    [reply] = slack_api.calls_to("chat.postMessage")
    assert reply.params["channel"] == "DANNA" and "Hej Anna!" in reply.text


async def test_socket_mode_mounts_no_http_endpoint_for_slack(socket_server) -> None:
    server, _ = socket_server
    url = f"http://127.0.0.1:{server.port}/slack/events"
    async with aiohttp.ClientSession() as http, http.post(url, data=b"{}") as response:
        assert response.status in (404, 405)
