"""Slack's settings: absent means not mounted, half a configuration is an error that says
what is missing."""

from __future__ import annotations

import pytest

from adapters.slack.config import DEFAULT_API_URL, SlackConfig, from_env
from bot.platforms import configured_platforms
from bot.ports import PlatformConfigError

HTTP = {"SLACK_SIGNING_SECRET": "secret", "SLACK_BOT_TOKEN": "xoxb-1-2"}


def test_no_slack_settings_means_no_slack() -> None:
    assert from_env({}) is None
    assert from_env({"SLACK_API_URL": "http://127.0.0.1:9/api/"}) is None
    assert configured_platforms({}) == []


def test_signing_secret_and_bot_token_mean_the_events_api_over_http() -> None:
    config = from_env(HTTP)
    assert config == SlackConfig(bot_token="xoxb-1-2", signing_secret="secret")
    assert not config.socket_mode and config.api_url == DEFAULT_API_URL
    [platform] = configured_platforms(HTTP)
    assert (platform.name, platform.config) == ("slack", config)


def test_an_app_token_means_socket_mode_and_no_signing_secret_is_needed() -> None:
    config = from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert config is not None and config.socket_mode


def test_the_api_url_can_point_elsewhere() -> None:
    config = from_env({**HTTP, "SLACK_API_URL": "http://127.0.0.1:8123/api"})
    assert config is not None and config.api_url == "http://127.0.0.1:8123/api/"


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"SLACK_SIGNING_SECRET": "secret"}, "SLACK_BOT_TOKEN is missing"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is missing"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN is missing"),
        ({**HTTP, "SLACK_BOT_TOKEN": "xapp-1"}, "must be a bot token starting with xoxb-"),
        ({**HTTP, "SLACK_APP_TOKEN": "xoxb-1"}, "must be an app-level token starting with xapp-"),
        ({**HTTP, "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL must be an http(s) address"),
    ],
)
def test_half_a_configuration_says_what_is_missing(environ: dict, says: str) -> None:
    with pytest.raises(PlatformConfigError) as raised:
        configured_platforms(environ)
    assert says in str(raised.value)
    assert str(raised.value).startswith("Slack is only partly configured")


def test_secrets_never_appear_in_the_configuration_repr() -> None:
    config = from_env({**HTTP, "SLACK_SIGNING_SECRET": "hemlig-nyckel"})
    assert "hemlig" not in repr(config) and "xoxb" not in repr(config)
