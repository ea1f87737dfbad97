"""The report's definitions on a few rows made by hand, with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.calendar import DEFAULT_CALENDAR, STOCKHOLM
from bot.process import default_process
from bot.report.figures import ReportPeriod, compute, nearest_rank
from storage.report import IdeaFacts, PromiseFacts, ReportRows, StageEvent

PROCESS = default_process()
JUNE = ReportPeriod(date(2026, 6, 1), date(2026, 6, 30))
NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)


def at(day: int, hour: int = 10, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=STOCKHOLM).astimezone(UTC)


def idea(number: int, giver: int, submitted: datetime, **values: object) -> IdeaFacts:
    fields: dict[str, object] = {
        "assignee": None,
        "stage": "submitted",
        "administration": None,
        "first_response_at": None,
        "response_due_at": None,
        "satisfaction": None,
    } | values
    return IdeaFacts(number, giver, submitted_at=submitted, **fields)  # type: ignore[arg-type]


def submitted(number: int, moment: datetime, event: int) -> StageEvent:
    return StageEvent(event, number, "submitted", None, "submitted", moment, None, False)


def test_the_period_is_whole_days_in_swedish_time() -> None:
    assert JUNE.start == datetime(2026, 5, 31, 22, tzinfo=UTC)  # midnight, summer time
    assert JUNE.end == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert at(30, 23) in JUNE and at(1, 0) in JUNE and at(1, 0, month=7) not in JUNE
    with pytest.raises(ValueError, match="ends"):
        ReportPeriod(date(2026, 6, 2), date(2026, 6, 1))


def test_the_90th_percentile_is_by_nearest_rank() -> None:
    assert nearest_rank(list(range(1, 11)), 90) == 9
    assert nearest_rank([5], 90) == 5
    assert nearest_rank([1, 2], 90) == 2
    assert nearest_rank([3, 1, 2, 10, 4, 5, 6, 7, 8, 9, 11], 90) == 10


def test_an_undone_move_is_no_stage_reached_and_no_stay() -> None:
    ideas = [idea(1, 1, at(1), stage="assessment")]
    events = [
        submitted(1, at(1), 1),
        StageEvent(2, 1, "stage", "submitted", "parked", at(3), 2 * 86400, True),
        StageEvent(3, 1, "undo", "parked", "submitted", at(3, 11), None, False),
        StageEvent(4, 1, "stage", "submitted", "assessment", at(8), 7 * 86400, False),
    ]
    figures = compute(ReportRows(ideas, events, []), PROCESS, DEFAULT_CALENDAR, JUNE, now=NOW)
    reached = {row.stage: row.reached for row in (*figures.funnel, *figures.off_line)}
    assert reached["parked"] == 0 and reached["assessment"] == 1
    (stay,) = figures.stage_times
    # Monday 1 June → Monday 8 June: five working days (6 June, national day, is a Saturday).
    assert (stay.stage, stay.stays, stay.median, stay.p90) == ("submitted", 1, 5, 5)


def test_a_promise_is_kept_only_by_news_in_time() -> None:
    ideas = [idea(1, 1, at(1))]
    events = [submitted(1, at(1), 1)]
    due = at(5, 23)
    promises = [
        PromiseFacts(1, at(1), due, "kept", at(4)),  # in time
        PromiseFacts(1, at(1), due, "kept", due + timedelta(hours=1)),  # late: not kept
        PromiseFacts(1, at(1), due, "broken", due),
        PromiseFacts(1, at(1), due, "replaced", at(3)),  # a new date: neither
        PromiseFacts(1, at(1), due, "open", None),  # past due, never settled: not kept
        PromiseFacts(1, at(1), at(9, month=7), "open", None),  # in July: not the period's
    ]
    figures = compute(ReportRows(ideas, events, promises), PROCESS, DEFAULT_CALENDAR, JUNE, now=NOW)
    (row,) = figures.promises
    assert (row.stage, row.kept, row.not_kept) == ("submitted", 1, 3)


def test_a_repeat_giver_comes_back_after_the_first_answer() -> None:
    ideas = [
        # Giver 1: first idea answered on 3 June; a second before the answer, a third after.
        idea(1, 1, at(1), first_response_at=at(3)),
        idea(2, 1, at(2)),
        idea(3, 1, at(10)),
        # Giver 2: answered in June, nothing more.
        idea(4, 2, at(1), first_response_at=at(4)),
        # Giver 3: first idea in May, answered in May: not this period's.
        idea(5, 3, at(20, month=5), first_response_at=at(25, month=5)),
        idea(6, 3, at(12)),
        # Giver 4: never answered.
        idea(7, 4, at(2)),
    ]
    events = [submitted(i.id, i.submitted_at, i.id) for i in ideas]
    figures = compute(ReportRows(ideas, events, []), PROCESS, DEFAULT_CALENDAR, JUNE, now=NOW)
    assert figures.first_handled == 2
    assert figures.further_ideas == (1, 1, 0, 0)


def test_nothing_in_the_period_is_no_figure_at_all() -> None:
    figures = compute(ReportRows([], [], []), PROCESS, DEFAULT_CALENDAR, JUNE, now=NOW)
    assert figures.submitted == 0 and figures.stage_times == () and figures.promises == ()
    assert figures.per_administration == () and figures.load == () and figures.open_now == 0
    assert [n for _, n in figures.per_month] == [0]


def test_the_municipalitys_own_words_are_escaped_in_the_page() -> None:
    """An administration's name comes from the organisation file: it is text, never markup."""
    from bot.report.render_html import render_html

    hostile = '<img src=x onerror="alert(1)">&'
    ideas = [idea(1, 1, at(1), administration=hostile)]
    figures = compute(
        ReportRows(ideas, [submitted(1, at(1), 1)], []), PROCESS, DEFAULT_CALENDAR, JUNE, now=NOW
    )
    page = render_html(figures, PROCESS, "sv").decode("utf-8")
    assert hostile not in page and "<img" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;" in page
