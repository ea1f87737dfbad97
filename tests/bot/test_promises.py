"""Promises the bot makes to idea givers, their silence, and the coordinators' one digest a
day — as transcripts on a frozen clock that travels."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import IdeaBot
from bot.calendar import WorkingCalendar
from bot.clock import FrozenClock
from bot.config import Settings
from bot.dispatcher import replies_from_payload
from bot.process import ProcessError, load_process
from bot.reminders import sweep
from storage.absences import add_absence
from storage.models import CoordinatorNews, Idea, IdeaEvent, OutboxMessage, Promise
from storage.people import upsert_person
from tests.bot.ideas import submit_idea
from tests.chat import Chat

SE = ZoneInfo("Europe/Stockholm")
cal = WorkingCalendar()


def at(m: int, d: int, hh: int = 9, mm: int = 0, y: int = 2026) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SE)


def two_coordinators(admins: bool = False) -> Settings:
    return Settings(
        coordinators=frozenset({"console:maria", "console:olle"}),
        admins=frozenset({"console:boss"}) if admins else frozenset(),
    )


@pytest.fixture
def team_bot(db, clock) -> IdeaBot:
    return IdeaBot(db, settings=two_coordinators(), clock=clock)


async def travel(bot: IdeaBot, when: datetime):
    """The clock moves to `when` and the sweep runs, as the scheduler would."""
    bot.clock.set(when)
    return await sweep(bot.db, when, settings=bot.settings)


async def sent_to(db, user: str) -> list[tuple[str, str]]:
    """(kind, text) of every outbox message to `user`, in order."""
    async with db.transaction() as session:
        from storage.models import Person

        rows = await session.execute(
            select(OutboxMessage)
            .join(Person, Person.id == OutboxMessage.recipient_id)
            .where(Person.platform_user_id == user)
            .order_by(OutboxMessage.id)
        )
        return [(r.kind, replies_from_payload(r.payload)[0].text) for r in rows.scalars()]


async def promises(db) -> list[tuple[str, str, str]]:
    async with db.transaction() as session:
        rows = await session.execute(select(Promise).order_by(Promise.id))
        return [(p.kind, p.status, cal.local(p.due_at).date().isoformat()) for p in rows.scalars()]


async def coordinators_here(bot: IdeaBot) -> tuple[Chat, Chat]:
    maria = Chat(bot, user="maria", name="Maria Svensson")
    olle = Chat(bot, user="olle", name="Olle Berg")
    await maria.says("hjälp")
    await olle.says("hjälp")
    return maria, olle


# ── item 1: promises are stored, and kept by the next message ─────────────────────────────


async def test_the_receipt_and_every_move_are_promises_kept_by_the_next_message(
    team_bot: IdeaBot, db
) -> None:
    maria, _ = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")  # Monday 15 June: "inom en vecka"
    assert await promises(db) == [("first", "open", "2026-06-23")]  # Midsommarafton is off
    await maria.says("flytta 1 bedömning")  # "inom två veckor"
    assert await promises(db) == [
        ("first", "kept", "2026-06-23"),
        ("stage", "open", "2026-06-30"),
    ]
    await maria.says("parkera 1 Vi väntar på budgeten")  # "inom tre månader": 60 working days
    assert (await promises(db))[-1] == ("stage", "open", "2026-09-08")


# ── item 4: a note is no news to the giver ────────────────────────────────────────────────


async def test_a_note_or_an_assignment_does_not_restart_the_givers_silence(
    team_bot: IdeaBot, db
) -> None:
    maria, _ = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("flytta 1 bedömning")
    await maria.says("flytta 1 prövas")  # "senast om en månad": 20 working days
    await anna.receives()
    team_bot.clock.set(at(6, 22, 10))
    await maria.says("notera 1 Väntar på besked från fastighet")
    await maria.says("tilldela 1 me")
    # Ten working days after the move (Midsommarafton off): Anna hears from the bot itself,
    # at the opening of that day, and is told when she hears from us next.
    await travel(team_bot, at(6, 30, 7, 59))
    assert [k for k, _ in await sent_to(db, "anna") if k.startswith("reminder")] == []
    await travel(team_bot, at(6, 30, 8, 0))
    said = await anna.receives()
    assert "Din idé ”Tryggare tunnlar” finns kvar hos oss, i steget Prövas" in said
    assert "Maria Svensson har hand om den" in said
    # The next time we write: the day the month's promise falls due, ten working days on.
    assert "Du hör av oss igen senast tisdag 14 juli." in said
    # The month's promise still stands: the bot's note does not answer it.
    assert (await promises(db))[-1][1] == "open"


# ── item 2: the coordinator is asked before a promise falls due ───────────────────────────


async def test_before_a_promise_falls_due_the_coordinator_is_asked_with_buttons(
    team_bot: IdeaBot, db
) -> None:
    maria, olle = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await travel(team_bot, at(6, 15, 9, 15))
    said = await maria.receives()  # the new idea, in the day's digest
    assert "1 ”Tryggare tunnlar” – ny idé från Anna Andersson (Kultur och fritid)" in said
    # Two working days before Tuesday 23 June (Midsommarafton off): Thursday morning.
    await travel(team_bot, at(6, 17, 16))
    assert await maria.receives() == ""
    await travel(team_bot, at(6, 18, 8))
    said = await maria.receives()
    assert said.startswith("Hej Maria! Det här väntar på dig i dag (1 idé):")
    assert "idégivaren har vårt löfte om besked senast tisdag 23 juni" in said
    assert "”skriv 1 …” till idégivaren" in said and "”tilldela 1 @namn”" in said
    # Keep the promise (write), take the idea, or ask for time; "visa 1" is typed.
    assert maria.buttons() == ["Skriv 1", "Ta 1", "Pausa 1"]
    assert "idégivaren har vårt löfte" in await olle.receives()  # nobody has it: both
    await olle.clicks("Pausa 1")
    olle.hears("Hur länge ska idé 1 ”Tryggare tunnlar” vänta, och varför?")
    async with db.transaction() as session:
        assert (await session.get(Idea, 1)).snoozed_until is None  # the button only asks
    await maria.clicks("Ta 1")
    async with db.transaction() as session:
        assert (await session.get(Idea, 1)).assignee_id is not None


# ── item 2: the honest note when a promise passes ─────────────────────────────────────────


async def test_when_a_promise_passes_the_giver_hears_an_honest_note_and_a_real_date(
    team_bot: IdeaBot, db
) -> None:
    maria, _ = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("tilldela 1 me")
    await anna.receives()
    await travel(team_bot, at(6, 23, 14, 59))
    assert await anna.receives() == ""
    await travel(team_bot, at(6, 23, 15, 0))
    said = await anna.receives()
    assert said == (
        "Hej Anna! Vi lovade att höra av oss om ”Tryggare tunnlar” i dag. Maria har inte "
        "hunnit än – förlåt för det. Du hör av oss igen senast tisdag 30 juni."
    )
    assert await promises(db) == [
        ("first", "broken", "2026-06-23"),
        ("renewed", "open", "2026-06-30"),
    ]
    await travel(team_bot, at(6, 23, 16, 0))  # a sweep again: nothing twice
    assert await anna.receives() == ""
    # Maria moves it before the new date: the renewed promise is kept, by her.
    team_bot.clock.set(at(6, 25, 10))
    await maria.says("flytta 1 bedömning")
    async with db.transaction() as session:
        kept = (await session.execute(select(Promise).where(Promise.kind == "renewed"))).scalar()
        assert (kept.status, kept.kept_by) == ("kept", "coordinator")


async def test_the_honest_note_names_whoever_answers_while_the_coordinator_is_away(
    team_bot: IdeaBot, db
) -> None:
    maria, _ = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("tilldela 1 me")
    await travel(team_bot, at(6, 16, 9))
    await maria.says("borta till 2026-08-10 ersättare @olle")
    await anna.receives()
    await travel(team_bot, at(6, 23, 15, 0))
    assert await anna.receives() == (
        "Hej Anna! Vi lovade att höra av oss om ”Tryggare tunnlar” i dag. Olle har inte "
        "hunnit än – förlåt för det. Du hör av oss igen senast tisdag 30 juni."
    )


async def test_the_honest_note_in_english_names_the_day(db, clock) -> None:
    bot = IdeaBot(db, settings=two_coordinators(), clock=clock)
    anna = Chat(bot, user="anna", name="Anna Andersson", language="en")
    await submit_idea(anna, "Safer tunnels", lang="en")
    await anna.receives()
    await travel(bot, at(6, 23, 15, 0))
    assert await anna.receives() == (
        "Hi Anna! We promised to get back to you about “Safer tunnels” today. We have not "
        "managed to yet – we are sorry. You will hear from us again by Tuesday 30 June."
    )


# ── item 4: no gap over the maximum, summer and Christmas included ────────────────────────


async def test_a_parked_idea_over_summer_and_christmas_never_leaves_the_giver_silent(
    team_bot: IdeaBot, db
) -> None:
    maria, _ = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("parkera 1 Ingen budget i år")
    day = at(6, 15, 8).date()
    while day < at(1, 20, y=2027).date():  # weeks 27–32, Christmas and New Year
        for hour, minute in ((8, 0), (11, 0), (15, 0)):
            await travel(team_bot, datetime(day.year, day.month, day.day, hour, minute, tzinfo=SE))
        day += timedelta(days=1)
    from storage.models import Person

    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(OutboxMessage)
                .join(Person, Person.id == OutboxMessage.recipient_id)
                .where(OutboxMessage.idea_id == 1, Person.platform_user_id == "anna")
                .order_by(OutboxMessage.id)
            )
        ).scalars()
        moments = [at(6, 15)] + [cal.next_office_moment(r.not_before) for r in rows]
    gaps = [cal.working_days_between(a, b) for a, b in pairwise(moments)]
    assert len(moments) > 15
    assert max(gaps) <= 10, gaps
    assert all(cal.is_office_moment(m) for m in moments[1:])
    # One message a day at most, never both a "still with us" and a promise's note.
    days = [cal.local(m).date() for m in moments[1:]]
    assert len(days) == len(set(days))


# ── item 5: one digest a day, one line per idea ───────────────────────────────────────────


async def test_twelve_due_ideas_come_as_one_digest_that_day(team_bot: IdeaBot, db) -> None:
    maria, _ = await coordinators_here(team_bot)
    titles = ("Tunnlar", "Cyklar", "Lunch", "Parkering", "Bibliotek", "Snöröjning", "Lekplats",
              "Belysning", "Kaffe", "Skyltar", "Bänkar", "Vatten")  # fmt: skip
    for n, title in enumerate(titles):
        giver = Chat(team_bot, user=f"giver{n}", name=f"Givare {title}")
        await submit_idea(giver, f"Bättre {title.lower()}")
        await maria.says(f"tilldela {n + 1} me")
    await travel(team_bot, at(6, 15, 10))
    await maria.receives()
    await travel(team_bot, at(6, 18, 8))  # every promise's warning and idle reminder
    said = await maria.receives()
    assert said.count("Hej Maria!") == 1
    assert said.startswith("Hej Maria! Det här väntar på dig i dag (12 idéer):")
    assert said.count("•") == 12
    # Five ideas with buttons, three each: show, write and snooze (all are Maria's).
    assert len(maria.buttons()) == 15
    shown = maria.buttons()
    for first in range(0, 15, 3):
        number = shown[first].removeprefix("Visa ")
        assert shown[first : first + 3] == [f"Visa {number}", f"Skriv {number}", f"Pausa {number}"]
    for hour in (10, 13, 16):
        await travel(team_bot, at(6, 18, hour))
    assert await maria.receives() == ""  # one digest that day, whatever comes later
    kinds = [k for k, _ in await sent_to(db, "maria")]
    assert kinds.count("digest") == 2  # 15 June (new ideas) and 18 June


async def test_a_reminder_and_an_escalation_about_one_idea_are_one_line(db, clock) -> None:
    bot = IdeaBot(db, settings=Settings(coordinators=frozenset({"console:maria"})), clock=clock)
    maria = Chat(bot, user="maria", name="Maria Svensson")
    await maria.says("hjälp")
    anna = Chat(bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("tilldela 1 me")
    await maria.says("flytta 1 bedömning")  # idle after 10, escalation after 20
    await travel(bot, at(6, 15, 10))
    await maria.receives()
    await travel(bot, at(7, 14, 9))  # 20 working days: idle (the second) and escalation
    said = await maria.receives()
    assert said.count("”Tryggare tunnlar”") == 1
    assert "har stått still i 20 arbetsdagar i steget Bedömning" in said
    assert "inget har hänt på 20 arbetsdagar (Bedömning)" in said
    assert len([k for k, _ in await sent_to(db, "maria") if k == "digest"]) <= 4


async def test_idle_reminders_repeat_so_no_idea_is_forgotten(team_bot: IdeaBot, db) -> None:
    maria, _ = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("tilldela 1 me")
    await maria.says("flytta 1 bedömning")  # idle_days 10
    for week in range(14):  # every Monday and Thursday for 14 weeks
        monday = at(6, 22) + timedelta(weeks=week)
        await travel(team_bot, monday)
        await travel(team_bot, monday + timedelta(days=3))
    async with db.transaction() as session:
        idle = (
            await session.execute(select(CoordinatorNews).where(CoordinatorNews.kind == "idle"))
        ).scalars()
        assert len(list(idle)) >= 6  # every 10 working days, not once


async def test_news_for_a_coordinator_who_is_away_goes_to_the_one_who_is_here(
    team_bot: IdeaBot, db
) -> None:
    maria, olle = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("tilldela 1 me")
    await travel(team_bot, at(6, 15, 10))
    await maria.receives()
    await olle.receives()
    async with db.transaction() as session:
        person = await upsert_person(session, "console", "maria", now=at(6, 16))
        await add_absence(session, person.id, starts_at=at(6, 16), ends_at=at(8, 10),
                          stand_in_id=None, now=at(6, 16))  # fmt: skip
    await travel(team_bot, at(6, 18, 8))
    assert await maria.receives() == ""
    assert "idégivaren har vårt löfte om besked senast tisdag 23 juni" in await olle.receives()


async def test_a_dry_run_reports_the_digest_and_writes_nothing(team_bot: IdeaBot, db) -> None:
    await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    team_bot.clock.set(at(6, 15, 10))
    report = await sweep(db, at(6, 15, 10), settings=team_bot.settings, dry_run=True)
    assert [m.kind for m in report.messages] == ["digest", "digest"]
    assert "ny idé" in report.messages[0].text
    assert [k for k, _ in await sent_to(db, "maria")] == []


# ── item 2: a snooze's reason reaches the giver ───────────────────────────────────────────


async def test_a_snooze_with_a_reason_tells_the_giver_and_promises_a_new_date(
    team_bot: IdeaBot, db
) -> None:
    maria, _ = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await anna.receives()
    await maria.says("pausa 1 5 Vi väntar på besked från fastighetsavdelningen")
    maria.hears(
        "Klart: inga påminnelser om idé 1 ”Tryggare tunnlar” på 5 arbetsdagar.",
        "Anna får läsa skälet och hör av oss senast tisdag 23 juni.",
    )
    assert await anna.receives() == (
        "Hej Anna! Maria behöver lite mer tid för din idé ”Tryggare tunnlar”: ”Vi väntar på "
        "besked från fastighetsavdelningen”. Du hör av oss senast tisdag 23 juni."
    )
    assert await promises(db) == [
        ("first", "kept", "2026-06-23"),
        ("snooze", "open", "2026-06-23"),
    ]


@pytest.mark.parametrize(
    "typed, heard",
    [
        ("pausa 1 0 Vänta", "0"),
        ("pausa 1", "arbetsdagar"),
        ("pausa 1 fem Vänta", "fem"),
        ("pausa 1 999 Vänta", "999"),
    ],
)
async def test_a_snooze_that_cannot_be_done_is_explained_and_nothing_changes(
    team_bot: IdeaBot, db, typed: str, heard: str
) -> None:
    maria, _ = await coordinators_here(team_bot)
    anna = Chat(team_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await anna.receives()
    await maria.says(typed)
    maria.hears(heard, "pausa 12 5")
    assert await anna.receives() == ""
    async with db.transaction() as session:
        assert (await session.get(Idea, 1)).snoozed_until is None
        snoozes = await session.execute(select(IdeaEvent).where(IdeaEvent.kind == "snoozed"))
        assert list(snoozes.scalars()) == []
    assert await promises(db) == [("first", "open", "2026-06-23")]


# ── the process file ──────────────────────────────────────────────────────────────────────


def _process_with(tmp_path, old: str, new: str):
    from bot.process import DEFAULT_PROCESS_PATH

    text = DEFAULT_PROCESS_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "process.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_process_promises_what_its_texts_say() -> None:
    process = load_process()
    days = {s.id: s.promise_days for s in process.stages.values()}
    assert days == {
        "submitted": 5, "assessment": 10, "testing": 20, "development": 20,
        "implemented": None, "spread": None, "parked": 60, "referred": None, "closed": None,
    }  # fmt: skip
    assert process.max_silence_days == 10 and process.promise_warn_days == 2


def test_a_terminal_stage_cannot_promise(tmp_path) -> None:
    path = _process_with(tmp_path, "[stages.closed]\n", "[stages.closed]\npromise_days = 5\n")
    with pytest.raises(ProcessError, match=r"stages\.closed\.promise_days.*terminal stage"):
        load_process(path)


def test_a_promise_shorter_than_its_warning_is_refused(tmp_path) -> None:
    path = _process_with(tmp_path, "promise_days = 5\n", "promise_days = 2\n")
    with pytest.raises(ProcessError, match=r"must be more than process\.promise_warn_days"):
        load_process(path)


def test_a_bad_maximum_silence_is_refused(tmp_path) -> None:
    path = _process_with(tmp_path, "max_silence_days = 10", "max_silence_days = 0")
    with pytest.raises(ProcessError, match=r"max_silence_days.*must be a whole number"):
        load_process(path)


async def test_the_old_name_of_the_maximum_is_still_read(tmp_path) -> None:
    path = _process_with(tmp_path, "max_silence_days = 10", "giver_update_days = 8")
    assert load_process(path).max_silence_days == 8
    both = _process_with(
        tmp_path, "max_silence_days = 10", "max_silence_days = 10\ngiver_update_days = 8"
    )
    with pytest.raises(ProcessError, match="old name"):
        load_process(both)


async def test_the_frozen_clock_is_the_bots(clock: FrozenClock) -> None:
    assert clock.now() == at(6, 15)
