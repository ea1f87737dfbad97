"""The shipped app manifest asks for what the adapter uses, and no more."""

from __future__ import annotations

from pathlib import Path

import yaml

import adapters.slack
from adapters.slack.adapter import EVENTS_PATH

MANIFEST = Path(adapters.slack.__file__).parent / "manifest.yml"


def test_the_manifest_declares_scopes_events_command_and_tabs() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "chat:write",
        "im:history",
        "im:write",
        "commands",
        "users:read",
        "users:read.email",
        "app_mentions:read",
    }
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "message.im",
        "app_mention",
        "app_home_opened",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/idea" and command["should_escape"] is True
    assert command["usage_hint"]
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]
    for url in (
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ):
        assert url.endswith(EVENTS_PATH)
