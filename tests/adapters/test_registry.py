"""The server finds each platform from its own environment variables."""

from __future__ import annotations

import pytest

from bot.platforms import configured_platforms
from bot.ports import PlatformConfigError

SLACK = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "s3cret"}
TEAMS = {
    "MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000001",
    "MICROSOFT_APP_PASSWORD": "pw",
    "MICROSOFT_APP_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47",
}


def test_nothing_configured_mounts_nothing() -> None:
    assert configured_platforms({}) == []


@pytest.mark.parametrize(
    ("env", "names"),
    [(SLACK, ["slack"]), (TEAMS, ["msteams"]), ({**SLACK, **TEAMS}, ["slack", "msteams"])],
)
def test_each_configured_platform_is_found(env: dict[str, str], names: list[str]) -> None:
    assert [platform.name for platform in configured_platforms(env)] == names


def test_half_configurations_of_both_platforms_are_reported_together() -> None:
    env = {"SLACK_SIGNING_SECRET": "s3cret", "MICROSOFT_APP_ID": "00000000-0000-0000-0000-1"}
    with pytest.raises(PlatformConfigError) as refused:
        configured_platforms(env)
    message = str(refused.value)
    assert "SLACK_BOT_TOKEN" in message and "MICROSOFT_APP_PASSWORD" in message
