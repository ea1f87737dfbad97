"""When the database cannot keep a delivery, Slack is not told it arrived: an event gets an
error so that Slack sends it again; a slash command (which Slack never resends) is answered
with a plain "try again" instead of silence."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from bot.inbox import Inbox
from bot.server import INBOX
from tests.adapters.slack.conftest import COORDINATOR, SlackSide


@pytest.fixture
def database_away(slack: SlackSide, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(self: Inbox, delivery: object) -> bool:
        raise OperationalError("INSERT", {}, ConnectionError("the database is away"))

    monkeypatch.setattr(Inbox, "accept", refuse)
    assert isinstance(slack.app[INBOX], Inbox)


async def test_an_event_that_cannot_be_kept_is_not_acknowledged(
    slack: SlackSide, database_away: None
) -> None:
    status = await slack.message("UANNA", "Hej!")
    assert status >= 500  # Slack retries: the message is not lost
    await slack.settle()
    assert slack.api.calls_to("chat.postMessage") == []


async def test_a_command_that_cannot_be_kept_says_try_again(
    slack: SlackSide, database_away: None
) -> None:
    status, body = await slack.deliver(
        slack.command_body(COORDINATOR, "lista"),
        content_type="application/x-www-form-urlencoded",
    )
    assert status == 200
    assert "Försök igen om en liten stund" in body
