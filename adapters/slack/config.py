"""Slack settings, read from the environment by the Slack adapter itself (the core never
knows these names). Documented in README.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.ports import PlatformConfigError

DEFAULT_API_URL = "https://slack.com/api/"
# Events, the /idea command and button clicks all come here (Bolt's default: one URL).
EVENTS_PATH = "/slack/events"
CREDENTIALS = ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str | None = None
    app_token: str | None = None  # set: Socket Mode instead of the public HTTP endpoint
    api_url: str = DEFAULT_API_URL

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    def __repr__(self) -> str:  # never print secrets, not even in a traceback
        mode = "socket" if self.socket_mode else "http"
        return f"SlackConfig(mode={mode!r}, api_url={self.api_url!r})"


def from_env(environ: Mapping[str, str]) -> SlackConfig | None:
    """None when no Slack credential is set; PlatformConfigError when only some are."""
    values = {name: (environ.get(name) or "").strip() for name in CREDENTIALS}
    if not any(values.values()):
        return None
    bot_token = values["SLACK_BOT_TOKEN"]
    signing_secret = values["SLACK_SIGNING_SECRET"] or None
    app_token = values["SLACK_APP_TOKEN"] or None
    problems = []
    if not bot_token:
        problems.append(
            "SLACK_BOT_TOKEN is missing (the Bot User OAuth Token, xoxb-…, under "
            "OAuth & Permissions in the Slack app's settings)"
        )
    elif not bot_token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    if app_token is None and signing_secret is None:
        problems.append(
            "SLACK_SIGNING_SECRET is missing (Basic Information → App Credentials); it is "
            "needed to check that requests come from Slack. For Socket Mode set "
            "SLACK_APP_TOKEN (xapp-…) instead"
        )
    if app_token is not None and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    api_url = _api_url(environ.get("SLACK_API_URL"), problems)
    if problems:
        raise PlatformConfigError("Slack is only partly configured: " + "; ".join(problems) + ".")
    return SlackConfig(
        bot_token=bot_token, signing_secret=signing_secret, app_token=app_token, api_url=api_url
    )


def _api_url(raw: str | None, problems: list[str]) -> str:
    url = (raw or "").strip() or DEFAULT_API_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"SLACK_API_URL must be an http(s) address, e.g. {DEFAULT_API_URL}")
    return url if url.endswith("/") else url + "/"
