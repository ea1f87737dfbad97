"""The shipped app manifests ask for what the adapter uses, and no more: manifest.yml for
the Events API over HTTP, manifest-socket-mode.yml for Socket Mode, the same app but where
Socket Mode needs them to differ (socket_mode_enabled, no request URLs)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

import adapters.slack
from adapters.slack.adapter import EVENTS_PATH

HERE = Path(adapters.slack.__file__).parent
MANIFEST = HERE / "manifest.yml"
SOCKET_MODE_MANIFEST = HERE / "manifest-socket-mode.yml"


def load(path: Path) -> dict[str, Any]:
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(manifest, dict)
    return manifest


@pytest.mark.parametrize("path", [MANIFEST, SOCKET_MODE_MANIFEST], ids=lambda p: p.name)
def test_the_manifest_declares_scopes_events_command_and_tabs(path: Path) -> None:
    manifest = load(path)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "chat:write",
        "im:history",
        "im:write",
        "files:write",
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
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/idea" and command["should_escape"] is True
    assert command["usage_hint"]
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]


def test_the_http_manifest_sends_everything_to_the_events_path() -> None:
    manifest = load(MANIFEST)
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    [command] = manifest["features"]["slash_commands"]
    for url in (
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ):
        assert url.startswith("https://") and url.endswith(EVENTS_PATH)


def test_the_socket_mode_manifest_has_socket_mode_on_and_no_request_urls() -> None:
    manifest = load(SOCKET_MODE_MANIFEST)
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    # Slack's manifest schema: with Socket Mode the URLs are optional (and would be unused).
    assert "request_url" not in settings["event_subscriptions"]
    assert "request_url" not in settings["interactivity"]
    assert all("url" not in command for command in manifest["features"]["slash_commands"])


def test_the_two_manifests_differ_only_where_socket_mode_needs_it() -> None:
    """A scope, event or text added to one manifest must be added to the other."""
    http = copy.deepcopy(load(MANIFEST))
    del http["settings"]["event_subscriptions"]["request_url"]
    del http["settings"]["interactivity"]["request_url"]
    for command in http["features"]["slash_commands"]:
        del command["url"]
    http["settings"]["socket_mode_enabled"] = True
    assert http == load(SOCKET_MODE_MANIFEST), (
        "manifest.yml and manifest-socket-mode.yml disagree: make the same change in both"
    )
