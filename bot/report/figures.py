"""The steering group's figures, computed from the rows storage/report.py reads (pure: no
database, no clock, no drawing). Every number the report shows is made here, once, from the
stored history; where there is nothing to count, the figure is empty and the report says so.

What each figure counts (the report's own notes say the same to its readers):

- **The period's ideas**: ideas submitted from the first day to the last, inclusive, in
  Swedish time. The funnel, the months, the administrations and satisfaction are about them.
- **Funnel**: how many of them ever reached each stage of the process's main line (a move a
  coordinator undid does not count), and how many are in each stage now.
- **Time in a stage**: the stays that ended in the period (a move out of the stage, not
  undone), in working days (bot/calendar.py) from entering the stage to leaving it; the
  median, and the 90th percentile by nearest rank (the smallest stay that at least 90 % of
  the stays are no longer than).
- **Promises**: those that fell due in the period. Kept: a message reached the giver before
  the due moment. Not kept: broken, kept late, or still open after the due moment. A promise
  replaced by a newer one (a snooze's new date) is neither and is left out. Per the stage the
  idea was in when the promise was made.
- **Repeat givers**: people whose first idea ever was *handled* in the period: it got its
  first response (the first move by a coordinator, or a coordinator's first written answer:
  `ideas.first_response_at`). Came back: they submitted another idea after that moment and
  before the period's end.
- **Open ideas and the coordinators' load**: every idea not in a terminal stage at the moment
  the report is made (a snapshot, whatever the period), by age in working days since it was
  submitted, and per assignee. Coordinators are numbered by how many ideas they have, most
  first, never named: the numbers change from one report to the next on purpose, so that a
  report does not follow a person.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.calendar import STOCKHOLM, WorkingCalendar
from bot.process import Process
from storage.report import IdeaFacts, PromiseFacts, ReportRows, StageEvent

SCORES = (1, 2, 3, 4, 5)
# Open ideas by age in working days since submission: (first day, last day or None).
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 5), (6, 20), (21, 60), (61, None))
# Further ideas of a giver after their first was handled: 0, 1, 2, 3 or more.
FURTHER_BUCKETS = 4


@dataclass(frozen=True)
class ReportPeriod:
    """From `first` to `last`, both days included, in Swedish time."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")

    @classmethod
    def between(cls, start: datetime, end: datetime) -> ReportPeriod:
        """The days from `start` up to (not including) `end`, midnights in Swedish time
        (what `stats 2026` or `stats januari` names: bot/periods.py)."""
        last = end.astimezone(STOCKHOLM) - timedelta(microseconds=1)
        return cls(start.astimezone(STOCKHOLM).date(), last.date())

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), STOCKHOLM).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period (midnight after its last day)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), STOCKHOLM).astimezone(UTC)

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end

    @property
    def slug(self) -> str:
        return f"{self.first.isoformat()}--{self.last.isoformat()}"


@dataclass(frozen=True)
class StageCount:
    stage: str  # the stage's id in the process file
    reached: int  # the period's ideas that were ever there
    now: int  # the period's ideas there now


@dataclass(frozen=True)
class AdministrationRow:
    administration: str | None  # None: not placed in the organisation
    ideas: int
    implemented: int
    open: int


@dataclass(frozen=True)
class StageTime:
    stage: str
    stays: int
    median: float  # working days
    p90: int  # working days


@dataclass(frozen=True)
class PromiseRow:
    stage: str
    kept: int
    not_kept: int

    @property
    def due(self) -> int:
        return self.kept + self.not_kept


@dataclass(frozen=True)
class Figures:
    period: ReportPeriod
    made_at: datetime  # the moment of the snapshot of open ideas
    submitted: int
    decided: int  # of the period's ideas: in a terminal stage now
    implemented: int  # in a terminal stage of the main line now
    funnel: tuple[StageCount, ...]  # the main line, in order
    off_line: tuple[StageCount, ...]  # the other stages (parked, referred, closed)
    per_month: tuple[tuple[date, int], ...]  # the first day of each month of the period
    per_administration: tuple[AdministrationRow, ...]  # most ideas first, unplaced last
    stage_times: tuple[StageTime, ...]  # stages with stays, in process order
    first_answer_in_time: int  # as `stats`: answered by the promised first response time
    first_answer_due: int
    promises: tuple[PromiseRow, ...]  # stages with promises due, in process order
    satisfaction: dict[int, int]  # score → answers, every score 1–5
    satisfaction_not_implemented: dict[int, int]
    first_handled: int  # givers whose first idea was handled in the period
    further_ideas: tuple[int, ...]  # of them, how many gave 0, 1, 2, 3+ further ideas
    open_by_age: tuple[int, ...]  # per AGE_BUCKETS
    load: tuple[int, ...]  # open ideas per coordinator, most first
    unassigned: int  # open ideas nobody has

    @property
    def came_back(self) -> int:
        return sum(self.further_ideas[1:])

    @property
    def open_now(self) -> int:
        return sum(self.open_by_age)


def compute(
    rows: ReportRows,
    process: Process,
    calendar: WorkingCalendar,
    period: ReportPeriod,
    *,
    now: datetime,
) -> Figures:
    cohort = [idea for idea in rows.ideas if idea.submitted_at in period]
    terminal = set(process.terminal_stages)
    done = frozenset(process.implemented_stages)
    history: dict[int, list[StageEvent]] = defaultdict(list)
    for event in rows.events:
        history[event.idea].append(event)

    reached = Counter(stage for idea in cohort for stage in _path(history[idea.id]))
    current = Counter(idea.stage for idea in cohort)
    funnel = tuple(StageCount(s, reached[s], current[s]) for s in process.main_line)
    off_line = tuple(
        StageCount(s, reached[s], current[s]) for s in process.stages if s not in process.main_line
    )

    months = Counter(_month(idea.submitted_at) for idea in cohort)
    per_month = tuple((month, months[month]) for month in _months(period))

    by_admin: dict[str | None, list[IdeaFacts]] = defaultdict(list)
    for idea in cohort:
        by_admin[idea.administration].append(idea)
    per_administration = tuple(
        sorted(
            (
                AdministrationRow(
                    name,
                    len(ideas),
                    sum(i.stage in done for i in ideas),
                    sum(i.stage not in terminal for i in ideas),
                )
                for name, ideas in by_admin.items()
            ),
            key=lambda row: (row.administration is None, -row.ideas, row.administration or ""),
        )
    )

    stays: dict[str, list[int]] = defaultdict(list)
    for event in rows.events:
        if (
            event.kind == "stage"
            and not event.undone
            and event.from_stage is not None
            and event.seconds_in_stage is not None
            and event.at in period
        ):
            entered = event.at - timedelta(seconds=event.seconds_in_stage)
            stays[event.from_stage].append(calendar.working_days_between(entered, event.at))
    stage_times = tuple(
        StageTime(s, len(stays[s]), statistics.median(stays[s]), nearest_rank(stays[s], 90))
        for s in _in_process_order(process, stays)
    )

    in_time = sum(
        1
        for i in cohort
        if i.first_response_at and i.response_due_at and i.first_response_at <= i.response_due_at
    )
    answer_due = sum(
        1
        for i in cohort
        if i.first_response_at is not None
        or (i.response_due_at is not None and i.response_due_at < now)
    )

    promises = _promises(rows.promises, history, process, period, now)

    satisfaction = Counter(i.satisfaction for i in cohort if i.satisfaction in SCORES)
    unrewarded = Counter(
        i.satisfaction for i in cohort if i.satisfaction in SCORES and i.stage not in done
    )

    handled, further = _repeat_givers(rows.ideas, period)
    open_ideas = [i for i in rows.ideas if i.stage not in terminal and i.submitted_at < now]
    ages = [calendar.working_days_between(i.submitted_at, now) for i in open_ideas]
    open_by_age = tuple(
        sum(1 for age in ages if low <= age and (high is None or age <= high))
        for low, high in AGE_BUCKETS
    )
    per_assignee = Counter(i.assignee for i in open_ideas if i.assignee is not None)
    load = tuple(sorted(per_assignee.values(), reverse=True))

    return Figures(
        period=period,
        made_at=now,
        submitted=len(cohort),
        decided=sum(i.stage in terminal for i in cohort),
        implemented=sum(i.stage in done for i in cohort),
        funnel=funnel,
        off_line=off_line,
        per_month=per_month,
        per_administration=per_administration,
        stage_times=stage_times,
        first_answer_in_time=in_time,
        first_answer_due=answer_due,
        promises=promises,
        satisfaction={s: satisfaction[s] for s in SCORES},
        satisfaction_not_implemented={s: unrewarded[s] for s in SCORES},
        first_handled=handled,
        further_ideas=further,
        open_by_age=open_by_age,
        load=load,
        unassigned=sum(1 for i in open_ideas if i.assignee is None),
    )


def nearest_rank(values: list[int], percent: int) -> int:
    """The `percent`th percentile by nearest rank: the smallest value that at least
    `percent` % of the values are no greater than."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def _path(events: list[StageEvent]) -> set[str]:
    """The stages an idea was in, its undone moves left out."""
    return {
        e.to_stage
        for e in events
        if e.to_stage is not None and e.kind in ("submitted", "stage") and not e.undone
    }


def stage_at(events: list[StageEvent], moment: datetime) -> str | None:
    """The stage an idea was in at `moment` (just after whatever happened then): every
    submission, move and undo leaves it in its `to_stage`."""
    stage = None
    for event in events:
        if event.at > moment:
            break
        stage = event.to_stage or stage
    return stage


def _promises(
    promises: list[PromiseFacts],
    history: dict[int, list[StageEvent]],
    process: Process,
    period: ReportPeriod,
    now: datetime,
) -> tuple[PromiseRow, ...]:
    kept: Counter[str] = Counter()
    not_kept: Counter[str] = Counter()
    for made in promises:
        if made.due_at not in period or made.status == "replaced":
            continue
        if made.status == "open" and made.due_at >= now:
            continue  # not due yet: neither kept nor broken
        stage = stage_at(history[made.idea], made.made_at) or process.first_stage
        in_time = (
            made.status == "kept" and made.settled_at is not None and made.settled_at <= made.due_at
        )
        (kept if in_time else not_kept)[stage] += 1
    stages = set(kept) | set(not_kept)
    return tuple(PromiseRow(s, kept[s], not_kept[s]) for s in _in_process_order(process, stages))


def _repeat_givers(ideas: list[IdeaFacts], period: ReportPeriod) -> tuple[int, tuple[int, ...]]:
    by_giver: dict[int, list[IdeaFacts]] = defaultdict(list)
    for idea in ideas:
        by_giver[idea.giver].append(idea)
    further = [0] * FURTHER_BUCKETS
    handled = 0
    for own in by_giver.values():
        own.sort(key=lambda i: (i.submitted_at, i.id))
        handled_at = own[0].first_response_at
        if handled_at is None or handled_at not in period:
            continue
        handled += 1
        later = sum(1 for i in own[1:] if handled_at < i.submitted_at < period.end)
        further[min(later, FURTHER_BUCKETS - 1)] += 1
    return handled, tuple(further)


def _in_process_order(process: Process, stages: Iterable[str]) -> list[str]:
    """The stages given, in the process file's order; stages since removed from the file
    (old history) after them, by id."""
    wanted = set(stages)
    known = [s for s in process.stages if s in wanted]
    return known + sorted(wanted - set(known))


def _month(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date().replace(day=1)


def _months(period: ReportPeriod) -> list[date]:
    month, months = period.first.replace(day=1), []
    while month <= period.last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months
