"""Slack: the Events API over HTTP (POST /slack/events) or Socket Mode, the /idea command,
buttons, the App Home tab and DMs for proactive messages. Everything Slack lives here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from adapters.slack.config import SlackConfig, from_env

if TYPE_CHECKING:
    from adapters.slack.sender import SlackSender
    from bot.app import IdeaBot

PLATFORM = "slack"

__all__ = ["PLATFORM", "SlackConfig", "doctor", "from_env", "mount"]


async def mount(app: web.Application, bot: IdeaBot, config: SlackConfig) -> SlackSender:
    """Add Slack to the server: the events route (or a Socket Mode connection) and the
    start/stop hooks; return the Sender the dispatcher uses for Slack DMs."""
    import aiohttp

    from adapters.slack.adapter import API_TIMEOUT_SECONDS, EVENTS_PATH, SlackAdapter
    from bot.server import INBOX, INFLIGHT, add_service

    # One connection pool for every Slack call; its timeout is the one the SDK clients use.
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=API_TIMEOUT_SECONDS))
    adapter = SlackAdapter(bot, config, session=session, inflight=app[INFLIGHT], inbox=app[INBOX])
    add_service(app, adapter)
    if config.socket_mode:
        socket_mode = SocketMode(adapter)
        add_service(app, socket_mode)

        async def stop_taking_events(app: web.Application) -> None:
            # Like the closed HTTP port: nothing new comes in while running turns finish.
            await socket_mode.stop()

        app.on_shutdown.append(stop_taking_events)
    else:
        app.router.add_post(EVENTS_PATH, adapter.handle_http)
    return adapter.sender


async def doctor(config: SlackConfig) -> tuple[list[str], list[str]]:
    """`idesluss doctor`: is the bot token accepted (auth.test)? (fine lines, problems)"""
    import aiohttp
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.adapter import API_TIMEOUT_SECONDS

    mode = "Socket Mode" if config.socket_mode else "HTTP events at /slack/events"
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(
            token=config.bot_token,
            base_url=config.api_url,
            session=session,
            timeout=API_TIMEOUT_SECONDS,
        )
        try:
            answer = await client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error") or f"HTTP {exc.response.status_code}"
            return [], [
                f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token "
                "(xoxb-…) again from OAuth & Permissions, and reinstall the app if it was "
                "removed from the workspace"
            ]
        except Exception as exc:
            return [], [
                f"Slack cannot be reached at {config.api_url} ({type(exc).__name__}): check "
                "the server's outbound HTTPS access (and SLACK_API_URL if you set it)"
            ]
    team = answer.get("team") or answer.get("team_id") or "?"
    user = answer.get("user") or answer.get("user_id") or "?"
    return [f"Slack: token accepted (workspace {team}, bot user {user}); {mode}"], []


class SocketMode:
    """The Socket Mode connection: Slack pushes the same payloads over a WebSocket the app
    opens itself, so no public URL is needed."""

    name = "slack socket mode"

    def __init__(self, adapter: Any) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self.handler = AsyncSocketModeHandler(
            adapter.bolt,
            app_token=adapter.config.app_token,
            web_client=adapter.web_client(None),
        )
        self._open = False

    async def start(self) -> None:
        await self.handler.connect_async()
        self._open = True

    async def stop(self) -> None:
        if self._open:
            self._open = False
            await self.handler.close_async()
