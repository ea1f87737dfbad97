"""Slack: the Events API over HTTP (POST /slack/events) or Socket Mode, the /idea command,
buttons, the App Home tab and DMs for proactive messages. Everything Slack lives here.

This module is what the core loads to learn about Slack (`SlackPlatform`, named in
pyproject.toml); it imports no Slack SDK. The SDK comes in with `mount`, for a configured
Slack only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from adapters.slack.config import EVENTS_PATH, SlackConfig, from_env
from bot.ports import RECIPIENT, FoundByEmail, FoundPerson, Host, Platform, RateRule, Window

if TYPE_CHECKING:
    from adapters.slack.sender import SlackSender

PLATFORM = "slack"

__all__ = ["PLATFORM", "SlackConfig", "SlackPlatform", "from_env"]


class SlackPlatform(Platform):
    name = PLATFORM
    display_name = "Slack"
    routes = (EVENTS_PATH,)
    # chat.postMessage: about one message per second per channel.
    rate_limits = (RateRule(RECIPIENT, (Window(1, 1.0),)),)
    # With `should_escape: true` on /idea (manifest.yml) a mention arrives as
    # `<@U024BE7LH|anna>`, already the core's `<@id>` form (adapters/slack/markup.py).
    mention_syntax = "<@U024BE7LH|anna>"
    # Exports and personal data are uploaded to the person's DM (adapters/slack/files.py).
    carries_files = True
    settings_hint = "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (Slack)"

    def __init__(self, config: SlackConfig) -> None:
        self.config = config

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SlackPlatform | None:
        config = from_env(environ)
        return None if config is None else cls(config)

    async def mount(self, host: Host) -> SlackSender:
        """Add Slack to the server: the events route (or a Socket Mode connection) and the
        start/stop hooks; return the Sender the dispatcher uses for Slack DMs."""
        import aiohttp

        from adapters.slack.adapter import API_TIMEOUT_SECONDS, SlackAdapter

        config = self.config
        # One connection pool for every Slack call; its timeout is the one the SDK clients use.
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=API_TIMEOUT_SECONDS))
        adapter = SlackAdapter(host, config, session=session)
        host.add_service(adapter)
        if config.socket_mode:
            socket_mode = SocketMode(adapter)
            host.add_service(socket_mode)

            async def stop_taking_events(app: Any) -> None:
                # Like the closed HTTP port: nothing new comes in while running turns finish.
                await socket_mode.stop()

            host.on_shutdown(stop_taking_events)
        else:
            host.add_route("POST", EVENTS_PATH, adapter.handle_http)
        return adapter.sender

    async def doctor(self) -> tuple[list[str], list[str]]:
        """`idesluss doctor`: is the bot token accepted (auth.test)? (fine lines, problems)"""
        import aiohttp
        from slack_sdk.errors import SlackApiError
        from slack_sdk.web.async_client import AsyncWebClient

        from adapters.slack.adapter import API_TIMEOUT_SECONDS

        config = self.config
        mode = "Socket Mode" if config.socket_mode else f"HTTP events at {EVENTS_PATH}"
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
                    f"Slack cannot be reached at {config.api_url} ({type(exc).__name__}): "
                    "check the server's outbound HTTPS access (and SLACK_API_URL if you set it)"
                ]
        team = answer.get("team") or answer.get("team_id") or "?"
        user = answer.get("user") or answer.get("user_id") or "?"
        return [f"Slack: token accepted (workspace {team}, bot user {user}); {mode}"], []

    async def find_by_email(self, addresses: Sequence[str]) -> FoundByEmail:
        """`idesluss doctor`: users.lookupByEmail for each address (adapters/slack/directory.py)."""
        import aiohttp
        from slack_sdk.web.async_client import AsyncWebClient

        from adapters.slack.adapter import API_TIMEOUT_SECONDS
        from adapters.slack.directory import MAX_LOOKUPS, look_up

        async with aiohttp.ClientSession() as session:
            client = AsyncWebClient(
                token=self.config.bot_token,
                base_url=self.config.api_url,
                session=session,
                timeout=API_TIMEOUT_SECONDS,
            )
            lookups = await look_up(client, addresses[:MAX_LOOKUPS])
        problem = None
        if lookups.stopped == "missing_scope":
            problem = (
                "Slack: looking people up by e-mail needs the scope users:read.email; add it "
                "under OAuth & Permissions (or from manifest.yml) and reinstall the app"
            )
        elif lookups.stopped is not None:
            problem = f"Slack: users.lookupByEmail stopped ({lookups.stopped}); run doctor again"
        elif len(addresses) > MAX_LOOKUPS:
            problem = f"Slack: only the first {MAX_LOOKUPS} addresses were looked up this time"
        found = {
            a: FoundPerson(f.user_id, f.name, {"user": f.user_id}) for a, f in lookups.found.items()
        }
        return FoundByEmail(found, problem)


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
        # slack_bolt leaves connect_async/close_async unannotated.
        await self.handler.connect_async()  # type: ignore[no-untyped-call]
        self._open = True

    async def stop(self) -> None:
        if self._open:
            self._open = False
            await self.handler.close_async()  # type: ignore[no-untyped-call]
