"""`snooze N <working days> [reason]` for coordinators and `outbox` for admins, as
transcripts: what they answer, what they store, and who is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.app import IdeaBot
from storage.models import Idea, IdeaEvent, OutboxMessage
from tests.bot.ideas import run_sweep
from tests.chat import Chat


async def _idea_and_events(db) -> tuple:
    async with db.transaction() as session:
        idea = await session.get(Idea, 1)
        events = await session.scalar(select(func.count()).select_from(IdeaEvent))
        return idea.snoozed_until, idea.next_due_at, events


async def test_a_coordinator_snoozes_an_idea_and_is_told_when_reminders_resume(
    maria_anna, db
) -> None:
    maria, _ = maria_anna
    await maria.says("/idea pausa 1 3 dagar Väntar på svar från IT")
    maria.hears(
        "Klart: inga påminnelser om idé 1 ”Tryggare tunnlar” på 3 arbetsdagar.",
        "De börjar igen 2026-06-18.",
        "Idégivaren får fortfarande höra av oss som vanligt.",
    )
    async with db.transaction() as session:
        idea = await session.get(Idea, 1)
        assert idea.snoozed_until is not None
        assert idea.snoozed_until.astimezone().date().isoformat() == "2026-06-18"
        [event] = (
            await session.execute(select(IdeaEvent).where(IdeaEvent.kind == "snoozed"))
        ).scalars()
        assert event.text == "Väntar på svar från IT"
        assert event.data["days"] == 3
    # The reason is in the idea's history, for coordinators.
    await maria.says("visa 1")
    maria.hears("Maria: pausade påminnelserna till 2026-06-18 – ”Väntar på svar från IT”")


async def test_snooze_in_english_without_a_reason(bot: IdeaBot, maria_anna, db) -> None:
    maria, _ = maria_anna
    await maria.says("/idea snooze 1 1")
    maria.hears("Klart: inga påminnelser om idé 1 ”Tryggare tunnlar” på 1 arbetsdag.")
    async with db.transaction() as session:
        [event] = (
            await session.execute(select(IdeaEvent).where(IdeaEvent.kind == "snoozed"))
        ).scalars()
        assert event.text is None


async def test_snooze_answers_in_english_to_an_english_coordinator(db, clock, settings) -> None:
    bot = IdeaBot(db, settings=settings, clock=clock)
    from tests.bot.ideas import submit_idea

    anna = Chat(bot, user="anna", name="Anna Andersson", locale="en-GB")
    await submit_idea(anna, "Safer tunnels", lang="en", workplace="Culture")
    maria = Chat(bot, user="maria", name="Maria", locale="en-GB")
    await maria.says("/idea snooze 1 2 working days waiting for IT")
    maria.hears(
        "Done: no reminders about idea 1 “Safer tunnels” for 2 working days.",
        "They start again on 2026-06-17.",
    )
    async with db.transaction() as session:
        event = (
            await session.execute(select(IdeaEvent).where(IdeaEvent.kind == "snoozed"))
        ).scalar_one()
        assert event.text == "waiting for IT"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("snooze", "Vilken idé menar du? Skriv idéns nummer.\nSå här: pausa 12 5 [skäl]"),
        ("snooze 1", "Hur många arbetsdagar ska påminnelserna vänta?"),
        ("snooze 1 fem", "”fem” är inget antal arbetsdagar. Skriv ett tal från 1 till 250."),
        ("snooze 1 0", "”0” är inget antal arbetsdagar."),
        ("snooze 1 251", "”251” är inget antal arbetsdagar."),
        ("snooze 1 -3", "”-3” är inget antal arbetsdagar."),
        ("snooze tolv 3", "”tolv” är inget idénummer."),
        ("snooze 99 3", "Jag hittar ingen idé med nummer 99."),
    ],
)
async def test_snooze_mistakes_are_explained_and_change_nothing(
    command: str, answer: str, maria_anna, db
) -> None:
    maria, _ = maria_anna
    before = await _idea_and_events(db)
    await maria.says(f"/idea {command}")
    maria.hears(answer)
    assert await _idea_and_events(db) == before


async def test_a_finished_idea_has_nothing_to_snooze(maria_anna, db) -> None:
    maria, _ = maria_anna
    await maria.says("/idea close 1 Det finns redan.")
    before = await _idea_and_events(db)
    await maria.says("/idea snooze 1 3")
    maria.hears("Idé 1 är i steget Avslutad, som inte har några påminnelser att pausa.")
    assert await _idea_and_events(db) == before


async def test_an_idea_giver_may_not_snooze(maria_anna, db) -> None:
    _, anna = maria_anna
    before = await _idea_and_events(db)
    await anna.says("/idea snooze 1 3 tröttnat")
    anna.hears("Det där kan bara idéslussare göra.")
    assert await _idea_and_events(db) == before


# ── outbox ─────────────────────────────────────────────────────────────────────────────


async def test_an_admin_sees_the_outbox_without_what_the_messages_say(admin_bot, db) -> None:
    from tests.bot.ideas import submit_idea

    anna = Chat(admin_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar", idea="Hemlig plan med lampor.")
    maria = Chat(admin_bot, user="maria", name="Maria")
    await maria.says("hej")
    await maria.says("/idea advance 1 Vi tittar på den")
    await run_sweep(admin_bot)  # the digests: after Anna's message in the outbox
    async with db.transaction() as session:
        rows = list(await session.execute(select(OutboxMessage).order_by(OutboxMessage.id)))
        failed = rows[0][0]
        failed.status = "failed"
        failed.attempts = 8
        failed.last_error = "slack: ratelimited"
        delivered = rows[-1][0]
        delivered.status = "sent"
        delivered.sent_at = datetime(2026, 6, 15, 7, 5, tzinfo=UTC)
    boss = Chat(admin_bot, user="boss", name="Boss")
    await boss.says("/idea utkorg")
    boss.hears(
        "Utkorgen: 0 väntar, 1 skickade, 1 gick inte fram, 0 stoppade.",
        "Senast misslyckade:",
        f"• meddelande {failed.id} (stage, idé 1), 8 försök: slack: ratelimited",
    )
    boss.does_not_hear("Tryggare tunnlar", "Hemlig plan", "Vi tittar på den", "Anna")
    await boss.says("/idea outbox")
    boss.hears("Utkorgen:")


async def test_an_empty_outbox(admin_bot) -> None:
    boss = Chat(admin_bot, user="boss", name="Boss", locale="en-GB")
    await boss.says("outbox")
    boss.hears(
        "The outbox: 0 waiting, 0 sent, 0 could not be delivered, 0 withdrawn.",
        "No messages have failed.",
    )


@pytest.mark.parametrize("user", ["maria", "anna"])
async def test_only_admins_see_the_outbox(admin_bot, user: str) -> None:
    someone = Chat(admin_bot, user=user, name=user.title())
    await someone.says("/idea outbox")
    someone.hears("Det där kan bara en administratör göra.")
    someone.does_not_hear("Utkorgen")


async def test_outbox_takes_no_words_after_it(admin_bot) -> None:
    boss = Chat(admin_bot, user="boss", name="Boss")
    await boss.says("/idea outbox all")
    boss.hears("Jag förstod inte ”all” efter kommandot.\nSå här: utkorg")


async def test_help_names_snooze_for_coordinators_and_outbox_for_admins(admin_bot) -> None:
    maria = Chat(admin_bot, user="maria", name="Maria")
    await maria.says("/idea help")
    maria.hears("pausa 12 5 [skäl]")
    maria.does_not_hear("utkorg")
    boss = Chat(admin_bot, user="boss", name="Boss", locale="en-GB")
    await boss.says("/idea help")
    boss.hears("outbox – how the outgoing messages are doing")
