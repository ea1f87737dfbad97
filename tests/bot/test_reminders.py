"""Reminders: idle ideas, escalation, the idea giver's "still with us", parked check-ins and
the nudge to finish a started idea — on Swedish working days, exactly once."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import IdeaBot
from bot.calendar import WorkingCalendar
from bot.clock import FrozenClock
from bot.config import Settings
from bot.dispatcher import Dispatcher, replies_from_payload
from bot.reminders import ReminderPolicy, mark_activity, reschedule, schedule, sweep
from storage.database import Database
from storage.ideas import create_idea
from storage.models import CoordinatorNews, Dialogue, Idea, OutboxMessage
from storage.people import upsert_person
from tests.bot.test_intake_transcripts import describe_tunnels_idea
from tests.chat import Chat
from tests.fakes.senders import FakeSender

SE = ZoneInfo("Europe/Stockholm")
cal = WorkingCalendar()
policy = ReminderPolicy.default()
ANSWERS = {
    "title": "Tryggare tunnlar",
    "need": "Många är rädda i tunnlarna.",
    "idea": "Bättre belysning.",
    "benefit": "Invånarna.",
}


def at(m: int, d: int, hh: int = 9, mm: int = 0, y: int = 2026) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SE)


def team_settings(platform: str = "console", admins: bool = True) -> Settings:
    return Settings(
        coordinators=frozenset({f"{platform}:maria", f"{platform}:olle"}),
        admins=frozenset({f"{platform}:boss"}) if admins else frozenset(),
    )


async def someone(db: Database, user: str, name: str, now: datetime, platform="console") -> int:
    async with db.transaction() as session:
        person = await upsert_person(
            session, platform, user, now=now, display_name=name, address={"user": user}
        )
        return person.id


async def team(db: Database, now: datetime, platform: str = "console") -> dict[str, int]:
    return {
        "maria": await someone(db, "maria", "Maria Svensson", now, platform),
        "olle": await someone(db, "olle", "Olle Berg", now, platform),
        "boss": await someone(db, "boss", "Kim Chef", now, platform),
        "anna": await someone(db, "anna", "Anna Andersson", now, platform),
    }


async def new_idea(
    db: Database,
    giver: int,
    now: datetime,
    *,
    stage: str = "submitted",
    assignee: int | None = None,
    title: str = "Tryggare tunnlar",
) -> int:
    async with db.transaction() as session:
        from storage.models import Person

        person = await session.get(Person, giver)
        idea = await create_idea(
            session, person, {**ANSWERS, "title": title}, language="sv", now=now, stage=stage
        )
        idea.assignee_id = assignee
        mark_activity(idea, now, policy, cal)
        return idea.id


async def activity(db: Database, idea_id: int, now: datetime) -> None:
    async with db.transaction() as session:
        mark_activity(await session.get(Idea, idea_id), now, policy, cal)


async def news(db: Database) -> list[tuple[str, int, int | None]]:
    """The coordinators' news for their digests: (kind, recipient, idea)."""
    async with db.transaction() as session:
        rows = await session.execute(select(CoordinatorNews).order_by(CoordinatorNews.id))
        return [(n.kind, n.recipient_id, n.idea_id) for n in rows.scalars()]


async def outbox(db: Database) -> list[tuple[str, int, str]]:
    """The reminders in the outbox (the coordinators' new-idea notice is not one)."""
    async with db.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind != "new_idea")
        rows = (await session.execute(query.order_by(OutboxMessage.id))).scalars()
        return [(r.kind, r.recipient_id, replies_from_payload(r.payload)[0].text) for r in rows]


async def test_the_thursday_before_midsommar_idea_is_first_reminded_the_friday_after(
    db: Database, clock: FrozenClock
) -> None:
    settings = Settings(coordinators=frozenset({"console:maria"}))
    bot = IdeaBot(db, settings=settings, clock=clock)
    clock.set(at(6, 18, 10))  # Thursday; Midsommarafton is tomorrow
    maria = await someone(db, "maria", "Maria Svensson", clock.now())
    anna = Chat(bot, user="anna", name="Anna Andersson")
    await describe_tunnels_idea(anna)
    await anna.clicks("Skicka in")
    anna.hears("har kommit fram och har nummer 1")
    await sweep(db, at(6, 18, 10), settings=settings)  # the new idea's digest
    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
    # The receipt promised an answer within 5 working days: Mon 22 … Fri 26 June. Maria is
    # asked two working days before, on Wednesday morning.
    assert idea.next_due_at == at(6, 24, 8)
    report = await sweep(db, at(6, 24, 8), settings=settings)
    assert ("promise_warn", maria, 1) in await news(db)
    [digest] = [m for m in report.messages if m.kind == "digest"]
    assert "idégivaren har vårt löfte om besked senast fredag 26 juni" in digest.text
    # 5 working days: the idle reminder, in the next day's digest.
    await sweep(db, at(6, 26, 10), settings=settings)
    assert ("idle", maria, 1) in await news(db)
    [(_, recipient, text)] = [r for r in await outbox(db) if r[0] == "digest"][-1:]
    assert recipient == maria and "inget har hänt på 5 arbetsdagar (Inkommen)" in text


async def test_activity_restarts_the_idle_count(db: Database) -> None:
    people = await team(db, at(9, 7))
    idea = await new_idea(db, people["anna"], at(9, 7))  # Monday
    await activity(db, idea, at(9, 11, 14))  # Friday: a note

    await sweep(db, at(9, 14, 9), settings=team_settings())  # 5 days after the submission
    assert [k for k, _, _ in await news(db)] == []
    await sweep(db, at(9, 18, 13, 59), settings=team_settings())
    assert [k for k, _, _ in await news(db)] == []
    await sweep(db, at(9, 18, 14), settings=team_settings())  # 5 days after the note
    assert [k for k, _, _ in await news(db)] == ["idle", "idle"]


async def test_unassigned_ideas_remind_every_coordinator_assigned_ones_the_assignee(
    db: Database,
) -> None:
    people = await team(db, at(9, 7))
    free = await new_idea(db, people["anna"], at(9, 7), title="Utan ansvarig")
    marias = await new_idea(db, people["anna"], at(9, 7), title="Marias", assignee=people["maria"])
    await sweep(db, at(9, 14, 9), settings=team_settings())
    assert sorted((r, i) for _, r, i in await news(db)) == sorted(
        [(people["maria"], free), (people["olle"], free), (people["maria"], marias)]
    )
    # One digest each: Maria's has both ideas.
    digests = {r: t for k, r, t in await outbox(db) if k == "digest"}
    assert "Marias" in digests[people["maria"]] and "Utan ansvarig" in digests[people["maria"]]
    assert "Marias" not in digests[people["olle"]]


async def test_escalation_after_the_second_threshold(db: Database) -> None:
    people = await team(db, at(9, 7))
    await new_idea(db, people["anna"], at(9, 7), assignee=people["maria"])
    await sweep(db, at(9, 14, 9), settings=team_settings())
    await sweep(db, at(9, 18, 9), settings=team_settings())
    assert [k for k, _, _ in await news(db)] == ["idle"]

    await sweep(db, at(9, 21, 9), settings=team_settings())  # 10 working days
    assert ("escalation", people["boss"], 1) in await news(db)
    kind, recipient, text = (await outbox(db))[-1]
    assert (kind, recipient) == ("digest", people["boss"])
    assert "Hej Kim!" in text and "har stått still i 10 arbetsdagar" in text
    assert "hos Maria Svensson" in text


async def test_without_admins_the_escalation_goes_to_the_coordinators(db: Database) -> None:
    people = await team(db, at(9, 7))
    await new_idea(db, people["anna"], at(9, 7))
    await sweep(db, at(9, 21, 9), settings=team_settings(admins=False))
    escalations = [r for k, r, _ in await news(db) if k == "escalation"]
    assert sorted(escalations) == sorted([people["maria"], people["olle"]])
    # The idle reminder and the escalation of one idea: one line in one digest each.
    digests = [(r, t) for k, r, t in await outbox(db) if k == "digest"]
    assert sorted(r for r, _ in digests) == sorted([people["maria"], people["olle"]])
    assert all(t.count("Tryggare tunnlar") == 1 for _, t in digests)
    assert "hos Idéslussarna" in digests[0][1]


async def test_the_idea_giver_hears_the_idea_is_still_alive(db: Database) -> None:
    people = await team(db, at(9, 7))
    await new_idea(db, people["anna"], at(9, 7), assignee=people["maria"])
    for day in (14, 17, 18):  # idle passes; 10 working days is Mon 21 Sep
        await sweep(db, at(9, day, 9), settings=team_settings())
    assert not any(k == "reminder_giver" for k, _, _ in await outbox(db))

    await sweep(db, at(9, 21, 8), settings=team_settings())  # at the opening of that day
    [(_, recipient, text)] = [r for r in await outbox(db) if r[0] == "reminder_giver"]
    assert recipient == people["anna"]
    assert text == (
        "Hej Anna! Din idé ”Tryggare tunnlar” finns kvar hos oss, i steget Inkommen, och "
        "Maria Svensson har hand om den. Inget nytt har hänt ännu. Du hör av oss igen senast "
        "måndag 5 oktober."
    )
    # And again after another 10 working days of silence, not before.
    await sweep(db, at(10, 2, 9), settings=team_settings())
    assert sum(k == "reminder_giver" for k, _, _ in await outbox(db)) == 1
    await sweep(db, at(10, 5, 8), settings=team_settings())
    assert sum(k == "reminder_giver" for k, _, _ in await outbox(db)) == 2


async def test_the_idea_giver_hears_in_english_when_the_idea_was_in_english(
    db: Database,
) -> None:
    people = await team(db, at(9, 7))
    async with db.transaction() as session:
        from storage.models import Person

        idea = await create_idea(
            session,
            await session.get(Person, people["anna"]),
            ANSWERS,
            language="en",
            stage="submitted",
            now=at(9, 7),
        )
        mark_activity(idea, at(9, 7), policy, cal)
    await sweep(db, at(9, 21, 9), settings=team_settings())
    [giver_text] = [text for k, _, text in await outbox(db) if k == "reminder_giver"]
    assert giver_text == (
        "Hi Anna! Your idea “Tryggare tunnlar” is still with us, in the stage Submitted, "
        "looked after by the coordinators. Nothing new has happened yet. You will hear from "
        "us again by Monday 5 October."
    )


async def test_parked_ideas_get_a_check_in_instead_of_reminders(db: Database) -> None:
    people = await team(db, at(1, 12, y=2026))
    await new_idea(db, people["anna"], at(1, 12), stage="parked", assignee=people["maria"])
    await sweep(db, at(3, 2), settings=team_settings())  # 35 working days
    # (2 March is a month's first working day: the admin's monthly figures go too.)
    kinds = {k for k, _, _ in await outbox(db) if k != "monthly_digest"}
    assert kinds == {"reminder_giver"}  # the latest silence
    await sweep(db, at(4, 7, 16), settings=team_settings())
    assert not any(k == "parked" for k, _, _ in await news(db))
    await sweep(db, at(4, 8, 9), settings=team_settings())  # 60 working days, past Easter
    kinds = [(k, r) for k, r, _ in await news(db)]
    assert ("parked", people["maria"]) in kinds
    assert not any(k in ("idle", "escalation") for k, _ in kinds)
    [text] = [t for k, _, t in await outbox(db) if k == "digest"]
    assert "vilande i 60 arbetsdagar" in text


async def test_finished_ideas_are_never_reminded(db: Database) -> None:
    people = await team(db, at(9, 7))
    idea = await new_idea(db, people["anna"], at(9, 7), stage="closed")
    async with db.transaction() as session:
        assert (await session.get(Idea, idea)).next_due_at is None
    await sweep(db, at(12, 1), settings=team_settings())
    # (Only the admin's monthly figures: 1 December is a month's first working day.)
    assert [row for row in await outbox(db) if row[0] != "monthly_digest"] == []


async def test_a_snooze_holds_back_coordinator_reminders_but_not_the_giver(
    db: Database,
) -> None:
    people = await team(db, at(9, 7))
    idea_id = await new_idea(db, people["anna"], at(9, 7), assignee=people["maria"])
    async with db.transaction() as session:
        idea = await session.get(Idea, idea_id)
        idea.snoozed_until = at(10, 5, 8)
        reschedule(idea, at(9, 8), policy, cal)
    await sweep(db, at(9, 28, 9), settings=team_settings())
    assert [k for k, _, _ in await outbox(db)] == ["reminder_giver"]
    assert await news(db) == []
    await sweep(db, at(10, 5, 8), settings=team_settings())
    assert sorted(k for k, _, _ in await news(db)) == ["escalation", "idle"]
    assert sorted(k for k, _, _ in await outbox(db)) == ["digest", "digest", "reminder_giver"]


async def test_the_nudge_comes_once_after_a_working_day(
    db: Database, bot: IdeaBot, clock: FrozenClock, anna: Chat
) -> None:
    clock.set(at(6, 18, 15))  # Thursday before Midsommar
    await anna.says("Hej!")
    await anna.says("Tryggare tunnlar")
    anna.hears("Vilket behov")

    await sweep(db, at(6, 19, 16))  # Midsommarafton: not a working day yet
    await sweep(db, at(6, 22, 14, 59))
    assert await outbox(db) == []
    await sweep(db, at(6, 22, 15))
    [(kind, _, text)] = await outbox(db)
    assert kind == "reminder_nudge"
    assert text.startswith("Hej Anna! Du började berätta om en idé men vi blev inte klara.")
    for day in (23, 24, 29):
        await sweep(db, at(6, day, 10))
    assert len(await outbox(db)) == 1

    # She comes back, answers, and goes quiet again: one more nudge for that silence.
    clock.set(at(6, 30, 10))
    await anna.says("Många är rädda i gångtunnlarna på kvällen.")
    anna.hears("Hur skulle idén fungera?")
    async with db.transaction() as session:
        assert (await session.execute(select(Dialogue))).scalar_one().nudged_at is None
    await sweep(db, at(7, 1, 10))
    assert [k for k, _, _ in await outbox(db)] == ["reminder_nudge", "reminder_nudge"]


async def test_a_reminder_due_at_22_is_delivered_at_8_the_next_working_day(
    db: Database, clock: FrozenClock
) -> None:
    people = await team(db, at(6, 10, 22), platform="fake")
    await new_idea(db, people["anna"], at(6, 10, 22), assignee=people["maria"])  # Wed 22:00
    due = at(6, 17, 22)
    await sweep(db, due, settings=team_settings("fake"))  # the idle news, out of hours
    due = at(6, 18, 8)  # the digest goes at the opening
    settings = team_settings("fake")
    clock.set(at(6, 17, 22))
    sender = FakeSender(now=clock.now)
    dispatcher = Dispatcher(db, [sender], clock=clock, settings=settings)
    await dispatcher.run_until_idle()
    assert sender.delivered == []
    clock.set(at(6, 18, 7, 59))
    await dispatcher.run_until_idle()
    assert sender.delivered == []
    await sweep(db, due, settings=settings)
    await dispatcher.run_until_idle()
    assert sender.delivered == []
    clock.set(at(6, 18, 8))
    await dispatcher.run_until_idle()
    [delivery] = sender.delivered
    assert delivery.at == at(6, 18, 8) and delivery.address == {"user": "maria"}
    assert "Tryggare tunnlar" in delivery.texts[0]


async def test_the_sweep_run_twice_writes_each_reminder_once(db: Database) -> None:
    people = await team(db, at(9, 7))
    for n in range(7):
        await new_idea(db, people["anna"], at(9, 7) + timedelta(minutes=n), title=f"Idé {n}")
    first = await sweep(db, at(9, 14, 10), settings=team_settings(), batch_size=3)
    again = await sweep(db, at(9, 14, 10), settings=team_settings(), batch_size=3)
    later = await sweep(db, at(9, 15, 10), settings=team_settings(), batch_size=3)
    assert first.news == 14 and first.ideas == 7  # two coordinators each
    assert [m.kind for m in first.messages] == ["digest", "digest"]  # one each
    assert again.messages == [] and again.news == 0 and later.messages == []
    assert len(await news(db)) == 14 and len(await outbox(db)) == 2


async def test_a_dry_run_changes_nothing(db: Database) -> None:
    people = await team(db, at(9, 7))
    await new_idea(db, people["anna"], at(9, 7))
    dry = await sweep(db, at(9, 14, 10), settings=team_settings(), dry_run=True)
    assert {(m.kind, m.recipient) for m in dry.messages} == {
        ("digest", "Maria Svensson"),
        ("digest", "Olle Berg"),
    }
    assert await outbox(db) == [] and await news(db) == []
    real = await sweep(db, at(9, 14, 10), settings=team_settings())
    assert [m.text for m in real.messages] == [m.text for m in dry.messages]


async def test_coordinators_who_never_talked_to_the_bot_are_skipped(db: Database) -> None:
    anna = await someone(db, "anna", "Anna Andersson", at(9, 7))
    await new_idea(db, anna, at(9, 7))
    report = await sweep(db, at(9, 14, 10), settings=team_settings())
    assert report.messages == [] and report.ideas == 1


async def test_two_sweeps_and_two_dispatchers_at_once_deliver_exactly_once(
    database_url: str, db: Database
) -> None:
    clock = FrozenClock(at(9, 7))
    people = await team(db, clock.now(), platform="fake")
    for n in range(40):
        await new_idea(
            db,
            people["anna"],
            at(9, 7) + timedelta(minutes=n),
            assignee=people["maria"] if n % 2 else None,
            title=f"Idé {n}",
        )
    clock.set(at(9, 28, 10))  # idle, escalation and the giver's message are all due
    settings = team_settings("fake")
    sender = FakeSender(now=clock.now)
    other = Database(database_url)
    try:
        dispatchers = [
            Dispatcher(d, [sender], clock=clock, settings=settings, rng=random.Random(n))
            for n, d in enumerate((db, other))
        ]
        await asyncio.gather(
            sweep(db, clock.now(), settings=settings, batch_size=7),
            sweep(other, clock.now(), settings=settings, batch_size=7),
            *(d.run_until_idle() for d in dispatchers),
        )
        await asyncio.gather(*(d.run_until_idle() for d in dispatchers))
    finally:
        await other.close()

    # One digest each to Maria, Olle and the admin; per idea the giver's message to Anna.
    expected = 3 + 40
    texts = [(d.address["user"], d.texts[0]) for d in sender.delivered]
    assert len(texts) == expected
    assert len(set(texts)) == expected  # no message twice
    assert len(await outbox(db)) == expected


def test_repeating_reminders_catch_up_with_the_latest_only() -> None:
    # The server was down for weeks: one idle reminder, not three.
    dues = schedule("submitted", at(9, 7), at(11, 20), policy, cal)
    idle = [d for d in dues if d.kind == "idle"]
    assert [d.repetition for d in idle] == [10, 11]
    assert idle[0].at <= at(11, 20) < idle[1].at
    # The giver's silence: one "still with us" from the moment they last heard.
    [giver] = [d for d in dues if d.kind == "giver"]
    assert giver.at == at(9, 21, 8)


@pytest.mark.parametrize("stage", ["implemented", "spread", "referred", "closed"])
def test_terminal_stages_have_no_schedule(stage: str) -> None:
    assert schedule(stage, at(9, 7), at(12, 1), policy, cal) == []


def test_the_policy_reads_a_process_like_object() -> None:
    class Namespace:
        def __init__(self, **kw) -> None:
            self.__dict__.update(kw)

    process = Namespace(
        max_silence_days=7,
        stages={
            "new": Namespace(
                names={"sv": "Ny", "en": "New"},
                terminal=False,
                idle_days=2,
                escalate_days=4,
                check_in_days=None,
            )
        },
    )
    read = ReminderPolicy.from_process(process)
    assert read.max_silence_days == 7
    assert read.stage("new").idle_days == 2 and read.stage("new").name("en") == "New"


async def test_snoozing_keeps_the_reason_and_resumes_on_the_right_morning(db: Database) -> None:
    from bot.reminders import snooze_idea
    from storage.models import IdeaEvent, Person

    people = await team(db, at(6, 10))
    idea_id = await new_idea(db, people["anna"], at(6, 10), assignee=people["maria"])
    async with db.transaction() as session:
        idea = await session.get(Idea, idea_id)
        until = await snooze_idea(
            session,
            idea,
            days=3,
            reason="Väntar på budgetbeslut",
            actor=await session.get(Person, people["maria"]),
            now=at(6, 16, 15),  # Tuesday afternoon
            policy=policy,
            calendar=cal,
        )
    # Three working days: Wed 17, Thu 18, (Midsommarafton off) Mon 22 → from 08:00 that day.
    assert until == at(6, 22, 8)
    async with db.transaction() as session:
        event = (
            await session.execute(select(IdeaEvent).where(IdeaEvent.kind == "snoozed"))
        ).scalar_one()
        assert event.text == "Väntar på budgetbeslut" and event.data["days"] == 3
        # First the new promise's warning, two working days before the date Anna was given.
        assert (await session.get(Idea, idea_id)).next_due_at == at(6, 17, 8)
    # The reason went to Anna, with the new date.
    [(kind, recipient, text)] = await outbox(db)
    assert (kind, recipient) == ("snoozed", people["anna"])
    assert "Maria behöver lite mer tid" in text and "”Väntar på budgetbeslut”" in text
    await sweep(db, at(6, 18, 9), settings=team_settings())  # the idle reminder was due 17 Jun
    assert [k for k, _, _ in await news(db)] == ["promise_warn"]
    await sweep(db, at(6, 22, 8), settings=team_settings())
    assert [k for k, _, _ in await news(db)] == ["promise_warn", "idle"]
    with pytest.raises(ValueError, match="at least one working day"):
        async with db.transaction() as session:
            await snooze_idea(
                session,
                await session.get(Idea, idea_id),
                days=0,
                reason=None,
                actor=None,
                now=at(6, 22, 9),
            )
