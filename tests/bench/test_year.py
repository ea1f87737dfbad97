"""The year simulation (bench/year.py): its measurements on small delivery logs made by hand,
with known answers, and a short world played against the real bot."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.year import run_year, section
from bench.year_metrics import (
    Delivery,
    IdeaLife,
    Log,
    Move,
    Period,
    Staff,
    forgotten,
    load,
    promises,
    promises_in,
    silences,
)
from bench.year_world import build_world
from bot.calendar import STOCKHOLM, WorkingCalendar

CAL = WorkingCalendar()
TERMINAL = ("implemented", "spread", "referred", "closed")
END = datetime(2028, 6, 30, tzinfo=UTC)
ANNA = "console:anna"
MARIA = "console:c1"


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=STOCKHOLM).astimezone(UTC)


def test_a_silence_of_eleven_working_days_across_christmas() -> None:
    # Monday 20 December → Friday 7 January: Julafton, Nyårsafton and Trettondedag are no
    # working days, so 18 calendar days are 11 working days.
    submitted, heard = at(2027, 12, 20), at(2028, 1, 7)
    assert CAL.working_days_between(submitted, heard) == 11
    log = Log(
        deliveries=(
            Delivery(heard, ANNA, "stage", "Hej Anna! …", 1),
            Delivery(at(2028, 1, 3), MARIA, "reminder_idle", "Hej Maria …", 1),  # not the giver
            Delivery(at(2028, 1, 4), ANNA, "stage", "about another idea", 2),
        ),
        ideas=(IdeaLife(1, ANNA, submitted, (Move(at(2028, 1, 10), "closed", "skäl"),)),),
    )
    (silence,) = silences(log, TERMINAL, END, CAL)
    assert (silence.working_days, silence.calendar_days) == (11, 18)
    assert (silence.start, silence.end) == (submitted, heard)


def test_the_silence_ends_when_the_idea_does_or_the_year() -> None:
    submitted = at(2027, 3, 1)
    log = Log(
        deliveries=(),
        ideas=(
            IdeaLife(1, ANNA, submitted, (Move(at(2027, 3, 8), "closed", "skäl"),)),
            IdeaLife(2, ANNA, submitted),
        ),
    )
    first, second = silences(log, TERMINAL, at(2027, 3, 15), CAL)
    assert first.working_days == 5  # Monday to Monday
    assert second.working_days == 10  # open until the year ended


def test_a_promise_kept_on_its_due_day_and_one_a_day_late() -> None:
    # "inom en vecka" on Monday 1 March: due at the end of Monday 8 March.
    promised = "Hej Anna! En idéslussare hör av sig till dig inom en vecka."
    log = Log(
        deliveries=(
            Delivery(at(2027, 3, 1), ANNA, "confirmation", promised, 1),
            Delivery(at(2027, 3, 8, 16), ANNA, "stage", "Bedömning …", 1),  # on the due day
            Delivery(at(2027, 3, 1), ANNA, "confirmation", promised, 2),
            Delivery(at(2027, 3, 9, 9), ANNA, "stage", "Bedömning …", 2),  # a day late
            Delivery(at(2027, 3, 1), ANNA, "confirmation", promised, 3),
            Delivery(at(2027, 3, 5), ANNA, "reminder_giver", "Din idé finns kvar.", 3),
        ),
        ideas=tuple(IdeaLife(n, ANNA, at(2027, 3, 1)) for n in (1, 2, 3)),
    )
    found = promises(log, END, CAL)
    assert (found.made, found.kept_any, found.kept_coordinator) == (3, 2, 1)
    assert [p.idea_id for p in found.broken] == [2]
    assert found.broken[0].due == datetime(2027, 3, 8, 23, 59, 59, tzinfo=STOCKHOLM)


def test_the_promises_in_a_text() -> None:
    def due(text: str) -> list[datetime]:
        return [d for _, d in promises_in(Delivery(at(2027, 3, 1), ANNA, "stage", text, 1), CAL)]

    end_of = lambda days: CAL.end_of_working_days(at(2027, 3, 1), days)  # noqa: E731
    assert due("Du hör av oss igen inom två veckor.") == [end_of(10)]
    assert due("Maria berättar hur testet går, senast om en månad.") == [end_of(20)]
    assert due("You will hear from us again within two weeks.") == [end_of(10)]
    assert due("Vi tittar på den igen inom tre månader.") == [end_of(60)]
    assert due("Maria skriver till dig senast fredag 14 maj.") == [
        datetime(2027, 5, 14, 23, 59, 59, tzinfo=STOCKHOLM)
    ]
    assert due("Maria will write to you by Friday 14 May.") == [
        datetime(2027, 5, 14, 23, 59, 59, tzinfo=STOCKHOLM)
    ]
    assert due("Har du fler idéer? Skriv till mig när som helst.") == []


def test_a_promise_due_after_the_year_is_not_counted() -> None:
    log = Log(
        deliveries=(Delivery(at(2027, 6, 28), ANNA, "stage", "… inom tre månader.", 1),),
        ideas=(IdeaLife(1, ANNA, at(2027, 6, 1)),),
    )
    found = promises(log, at(2027, 7, 30), CAL)
    assert (found.made, found.open_at_end) == (0, 1)


def test_forgotten_is_over_sixty_working_days_without_a_move_unless_parked_with_a_reason() -> None:
    start = at(2027, 1, 11)
    log = Log(
        deliveries=(),
        ideas=(
            IdeaLife(1, ANNA, start),  # never moved
            IdeaLife(2, ANNA, start, (Move(at(2027, 1, 12), "parked", "Väntar på budget."),)),
            IdeaLife(3, ANNA, start, (Move(at(2027, 1, 12), "parked", None),)),
            IdeaLife(4, ANNA, start, (Move(at(2027, 1, 12), "closed", "skäl"),)),
        ),
    )
    assert forgotten(log, TERMINAL, at(2027, 6, 1), CAL) == [1, 3]
    assert forgotten(log, TERMINAL, CAL.add_working_days(start, 60), CAL) == []


def test_messages_to_coordinators_per_week_on_holiday_and_after_leaving() -> None:
    olle = "console:c2"
    staff = Staff(
        coordinators=(MARIA, olle),
        admins=("console:admin",),
        holidays={MARIA: (Period(at(2027, 7, 5, 0), at(2027, 7, 10, 0)),)},
        left_at={olle: at(2027, 7, 7, 17)},
    )
    log = Log(
        deliveries=(
            Delivery(at(2027, 7, 1), MARIA, "new_idea", "…", 1),
            Delivery(at(2027, 7, 6), MARIA, "reminder_idle", "…", 1),  # on holiday
            Delivery(at(2027, 7, 6), olle, "new_idea", "…", 1),
            Delivery(at(2027, 7, 6), olle, "giver_message", "Men varför?", 1),  # from a person
            Delivery(at(2027, 7, 6), "console:admin", "reminder_escalation", "…", 1),
        ),
        ideas=(),
        # After leaving: the first is the attempt that tells the bot (the platform refuses
        # it), the second was written once the bot could know.
        undelivered=((at(2027, 7, 8), olle, "digest"), (at(2027, 7, 9), olle, "digest")),
        # An escalation is news carried by the admin's digest.
        news=((at(2027, 7, 6), "console:admin", "escalation", 1),),
        refused={olle: at(2027, 7, 8)},
    )
    found = load(log, staff, at(2027, 7, 1), at(2027, 7, 11), CAL)
    assert (found.on_holiday, found.after_leaving, found.from_people) == (1, 1, 1)
    assert found.after_leaving_unknowable == 1
    assert (found.worst, found.escalations, found.escalations_worst_week) == (1, 2, 2)
    assert found.by_kind == {"new_idea": 2, "reminder_idle": 1}
    # Two ISO weeks (26 and 27) for each of the two: 4 coordinator-weeks, 3 messages.
    assert (found.weeks, found.mean) == (4, 0.75)
    assert (found.reminders_mean, found.reminders_worst) == (0.25, 1)


async def test_a_short_world_runs_through_the_real_bot() -> None:
    world = build_world(3, days=28, ideas=15)  # four weeks: 20 working days
    result = await run_year(world, with_bot=True)
    assert result.stats.submitted == 15 and result.stats.intake_failed == 0
    assert result.report.ideas == 15
    assert result.report.moves > 0  # coordinators moved ideas through the bot
    # Coordinators hear of new ideas in their daily digest, not one message an idea.
    assert result.report.load.by_kind.get("digest", 0) > 0
    assert "new_idea" not in result.report.load.by_kind
    assert result.stats.commands["flytta"] + result.stats.commands["avsluta"] > 0
    text = section(3, "python -m bench.year --seed 3 --days 28 --ideas 15", result, None)
    for metric in (
        "longest silence",
        "silence over 10",
        "promises",
        "forgotten",
        "per coordinator per week",
        "holiday they had announced",
        "after leaving",
        "escalations",
        "Machine:",
        "| goal |",
    ):
        assert metric in text, metric


async def test_the_baseline_runs_the_same_world_without_reminders() -> None:
    world = build_world(3, days=14, ideas=6)
    result = await run_year(world, with_bot=False)
    assert result.stats.submitted == 6
    assert result.report.load.escalations == 0
