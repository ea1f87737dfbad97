"""Start-up: the bot token is checked with Slack once; a refused token stops the server, an
unreachable Slack does not; `idesluss serve` hosts Slack configured by the environment."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.slack import SlackPlatform
from adapters.slack.config import SlackConfig
from bot.app import IdeaBot
from bot.ports import PlatformConfigError
from bot.server import build_app
from tests.adapters.slack.conftest import SECRET, signed_headers
from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[3]


async def test_a_token_slack_refuses_stops_the_server_from_starting(
    slack_bot: IdeaBot, slack_api: FakeSlackApi
) -> None:
    slack_api.fail("auth.test", error="invalid_auth")
    config = SlackConfig(bot_token="xoxb-wrong", signing_secret="s", api_url=slack_api.url)
    app = await build_app(slack_bot, [SlackPlatform(config)], close_database=False)
    server = TestServer(app, host="127.0.0.1")
    with pytest.raises(PlatformConfigError, match="Slack refused SLACK_BOT_TOKEN: invalid_auth"):
        await server.start_server()
    await server.close()


async def test_slack_being_unreachable_at_start_is_only_a_warning(
    slack_bot: IdeaBot, slack_api: FakeSlackApi, caplog
) -> None:
    slack_api.fail("auth.test", status=503, error="service_unavailable")
    config = SlackConfig(bot_token="xoxb-test", signing_secret="s", api_url=slack_api.url)
    app = await build_app(slack_bot, [SlackPlatform(config)], close_database=False)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    await server.close()
    assert "auth.test failed" in caplog.text


async def test_idesluss_serve_hosts_slack_from_the_environment(
    slack_api: FakeSlackApi, tmp_path
) -> None:
    """The real command, as an IT person runs it: settings from the environment, a signed
    DM answered through the (fake) Web API, SIGTERM stops it cleanly."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack_api.url,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
        cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with aiohttp.ClientSession() as http:
            await _until_healthy(http, port)
            body = json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T0TEAM",
                    "event_id": "Ev1",
                    "event": {
                        "type": "message",
                        "channel_type": "im",
                        "channel": "DANNA",
                        "user": "UANNA",
                        "text": "Hej",
                    },
                }
            ).encode()
            headers = {"Content-Type": "application/json", **signed_headers(body)}
            url = f"http://127.0.0.1:{port}/slack/events"
            async with http.post(url, data=body, headers=headers) as response:
                assert response.status == 200
            async with http.get(f"{slack_api.base}/_posted/DANNA/1") as response:
                assert (await response.json())["posted"] == 1
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            _, err = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    assert "Hej Anna!" in slack_api.calls_to("chat.postMessage")[0].text
    assert b"Traceback" not in err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _until_healthy(http: aiohttp.ClientSession, port: int) -> None:
    async with asyncio.timeout(30):
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)  # waiting for another process to start listening
