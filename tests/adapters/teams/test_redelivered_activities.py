"""Teams activities go through the inbox like Slack's deliveries: an activity sent again
(the same id in the same conversation) runs once, one person's activities run in the order
written, and an activity whose turn could not run in its request is answered later, in the
same conversation, by whichever replica runs it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.app import IdeaBot
from bot.server import INFLIGHT, inbox_of
from storage.database import Database
from storage.models import Idea, IdeaEvent, InboxItem
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.harness import TeamsUser
from tests.chat import ANSWERS_TO_SUMMARY


async def submit(anna: TeamsUser) -> None:
    await anna.says("Hej!")
    for answer in ANSWERS_TO_SUMMARY:
        await anna.says(answer)
    await anna.clicks("Skicka in")
    anna.hears("nummer 1")


async def test_an_activity_sent_three_times_runs_once(
    teams: TeamsServer, anna: TeamsUser, maria: TeamsUser, db: Database
) -> None:
    await submit(anna)
    note = maria._activity("message", text="notera 1 Ringde fastighet", textFormat="plain")
    answers = []
    for _ in range(3):  # the channel service resends when it did not get our answer in time
        status, _, sent = await teams.channel.post(note)
        assert status == 200
        answers.extend(sent)
    async with db.transaction() as session:
        notes = await session.scalar(
            select(func.count()).select_from(IdeaEvent).where(IdeaEvent.kind == "note")
        )
    assert notes == 1
    assert len(answers) == 1  # Maria is answered once


async def test_the_same_activity_id_in_another_conversation_is_another_activity(
    teams: TeamsServer, anna: TeamsUser, maria: TeamsUser
) -> None:
    """Teams' activity ids are unique only within a conversation."""
    first = anna._activity("message", text="Hej!", textFormat="plain")
    second = maria._activity("message", text="hjälp", textFormat="plain", id=first["id"])
    for activity in (first, second):
        status, _, sent = await teams.channel.post(activity)
        assert status == 200 and sent


async def test_an_activity_whose_turn_failed_is_answered_later_in_its_conversation(
    teams: TeamsServer,
    anna: TeamsUser,
    teams_bot: IdeaBot,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The database fails while Anna's title is handled: her words are kept (Teams got its
    200), and the next run of her queue answers her in her chat, in order."""
    await anna.says("Hej!")
    real = teams_bot.run_turn

    async def database_away(session: Any, incoming: Any) -> Any:
        raise OperationalError("SELECT", {}, ConnectionError("gone"))

    monkeypatch.setattr(teams_bot, "run_turn", database_away)
    assert await anna.says("Tryggare tunnlar") == []  # nothing to say yet, nothing lost
    monkeypatch.setattr(teams_bot, "run_turn", real)

    before = len(teams.channel.connector.sent)
    await inbox_of_server(teams).run("msteams", anna.user_id)  # recovery, or her next message
    assert await teams.server.app[INFLIGHT].drain(10)  # and the marks of what was posted
    later = teams.channel.connector.sent[before:]
    assert any("Vilket behov" in sent.text for sent in later), [s.text for s in later]
    assert all(sent.conversation_id == anna.conversation_id for sent in later)
    async with db.transaction() as session:
        statuses = (await session.execute(select(InboxItem.status))).scalars().all()
        assert await session.scalar(select(func.count()).select_from(Idea)) == 0
    assert set(statuses) == {"posted"}


def inbox_of_server(teams: TeamsServer):
    return inbox_of(teams.server.app, None)  # type: ignore[arg-type]
