"""An over-large body is refused before it is parsed or its signature is checked."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Person
from tests.adapters.slack.conftest import SlackSide


async def test_a_two_megabyte_body_is_refused_with_413_before_parsing(slack: SlackSide, db) -> None:
    huge = slack.event_body(slack.dm_event("UANNA", "x" * 2_000_000))
    status, text = await slack.deliver(huge)  # validly signed, still refused
    assert status == 413 and "Traceback" not in text
    await slack.settle()
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0
    assert [m for m in slack.api.methods() if m != "auth.test"] == []


async def test_a_body_just_under_the_limit_is_read(slack: SlackSide, db) -> None:
    status, _ = await slack.deliver(slack.event_body(slack.dm_event("UANNA", "x" * 900_000)))
    assert status == 200
