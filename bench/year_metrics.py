"""What the year simulation measures, from what was delivered (pure: a delivery log in, numbers
out). `bench/year.py` reads the log from the database after the run (`read_log`) and hands it
here; the tests hand in small logs made by hand.

- **silence**: for each idea, from submission until it reached a terminal stage (or the year
  ended), the longest gap between two messages to its giver about it, in working days (and in
  calendar days);
- **promises**: every time phrase in a delivered message to a giver ("inom en vecka", "senast
  fredag 14 augusti", "within two weeks", …) is a promise, kept when another message about the
  same idea reached the giver by its due time — by any message, and by one a coordinator caused;
- **forgotten**: ideas that rested over 60 working days in an open stage without a move, not
  parked with a reason;
- **load**: messages from the bot to each coordinator per ISO week, by kind (a person's words
  relayed through the bot are counted apart, as "from people"); messages that reached a
  coordinator on holiday or after leaving; escalations to the admin.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.calendar import DEFAULT_CALENDAR, WorkingCalendar

# ── the kinds, in one place ──────────────────────────────────────────────────────────────
# Messages a coordinator caused that answer the giver: a move's message, an undo's correction,
# a coordinator's own words (`skriv`), a snooze's reason. (The news of an absence or a
# hand-over is a message about the idea, but answers no promise: any message, not these.)
COORDINATOR_KINDS = frozenset({"stage", "correction", "coordinator_message", "snoozed"})
# A person's words relayed to a coordinator: not the bot talking ("from people").
FROM_PEOPLE_KINDS = frozenset({"giver_message"})
# Escalations (to the admin).
ESCALATION_KINDS = frozenset({"reminder_escalation", "escalation"})
# The idea's confirmation in the turn that submitted it (not an outbox row: the simulation
# records it from the turn's reply, it is the first promise a giver hears).
CONFIRMATION = "confirmation"

FORGOTTEN_DAYS = 60
PARK_STAGE = "parked"


@dataclass(frozen=True)
class Delivery:
    sent_at: datetime
    recipient: str  # qualified id, "console:e017"
    kind: str
    text: str
    idea_id: int | None = None


@dataclass(frozen=True)
class Move:
    at: datetime
    stage: str
    text: str | None = None  # the note/reason given with the move


@dataclass(frozen=True)
class IdeaLife:
    id: int
    giver: str
    submitted_at: datetime
    moves: tuple[Move, ...] = ()  # stage changes after submission, in order


@dataclass(frozen=True)
class Log:
    deliveries: tuple[Delivery, ...]
    ideas: tuple[IdeaLife, ...]
    # Written rows that never arrived (e.g. to someone unreachable): (created_at, recipient, kind).
    undelivered: tuple[tuple[datetime, str, str], ...] = ()
    # News kept for digests (coordinator_news): (created_at, recipient, kind, idea_id).
    news: tuple[tuple[datetime, str, str, int | None], ...] = ()
    # When the bot could first know someone is unreachable: the platform refused a delivery.
    refused: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Staff:
    """The coordinators as the world knows them: holidays, and when one left."""

    coordinators: tuple[str, ...]
    admins: tuple[str, ...] = ()
    holidays: Mapping[str, tuple[Period, ...]] = field(default_factory=dict)
    left_at: Mapping[str, datetime] = field(default_factory=dict)


# ── silence ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Silence:
    idea_id: int
    working_days: int
    calendar_days: int
    start: datetime
    end: datetime


def _percentile(values: Sequence[int], share: float) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def silences(
    log: Log, terminal: Iterable[str], end: datetime, cal: WorkingCalendar = DEFAULT_CALENDAR
) -> list[Silence]:
    """The longest silence each idea's giver lived through while it was open."""
    terminal = frozenset(terminal)
    heard: dict[int, list[datetime]] = defaultdict(list)
    givers = {life.id: life.giver for life in log.ideas}
    for d in log.deliveries:
        if d.idea_id is not None and givers.get(d.idea_id) == d.recipient:
            heard[d.idea_id].append(d.sent_at)
    found = []
    for life in log.ideas:
        if life.submitted_at >= end:
            continue
        closed = next((m.at for m in life.moves if m.stage in terminal), None)
        stop = min(closed or end, end)
        points = [life.submitted_at]
        points += sorted(t for t in heard[life.id] if life.submitted_at < t <= stop)
        points.append(stop)
        best = max(
            itertools.pairwise(points),
            key=lambda ab: (cal.working_days_between(ab[0], ab[1]), ab[1] - ab[0]),
        )
        found.append(
            Silence(
                life.id,
                cal.working_days_between(*best),
                (cal.local(best[1]).date() - cal.local(best[0]).date()).days,
                *best,
            )
        )
    return found


# ── promises ─────────────────────────────────────────────────────────────────────────────

# Phrase → working days (the due time is the end of that working day).
_SPANS = (
    (r"inom tre månader|within three months", 60),
    (r"senast om en månad|inom en månad|within a month", 20),
    (r"inom två veckor|within two weeks", 10),
    (r"inom en vecka|within a week", 5),
)
_SV_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
_EN_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_WEEKDAYS = "måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag"
_EN_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_DATED = re.compile(
    rf"(?:senast|by)\s+(?:(?:{_WEEKDAYS}|{_EN_WEEKDAYS})(?:en)?\s+)?(?:den\s+)?"
    rf"(\d{{1,2}})(?:\.|st|nd|rd|th)?\s+({'|'.join(_SV_MONTHS + _EN_MONTHS)})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Promise:
    idea_id: int
    giver: str
    made_at: datetime
    due: datetime
    phrase: str


def promises_in(d: Delivery, cal: WorkingCalendar = DEFAULT_CALENDAR) -> list[tuple[str, datetime]]:
    """Each time promise in a message: (the phrase, when it falls due)."""
    text = d.text.casefold()
    found: list[tuple[str, datetime]] = []
    for match in _DATED.finditer(text):
        day, month_word = int(match.group(1)), match.group(2).casefold()
        months = _SV_MONTHS if month_word in _SV_MONTHS else _EN_MONTHS
        month = months.index(month_word) + 1
        sent = cal.local(d.sent_at).date()
        year = sent.year + (1 if month < sent.month - 1 else 0)
        try:
            target = date(year, month, day)
        except ValueError:
            continue
        due = datetime.combine(target, time(23, 59, 59), cal.local(d.sent_at).tzinfo)
        found.append((match.group(0), due))
    for pattern, days in _SPANS:
        for match in re.finditer(pattern, text):
            found.append((match.group(0), cal.end_of_working_days(d.sent_at, days)))
        text = re.sub(pattern, " ", text)  # "senast om en månad" is one promise, not two
    return found


@dataclass(frozen=True)
class PromiseReport:
    made: int
    kept_any: int
    kept_coordinator: int
    open_at_end: int  # due after the year ended: not counted either way
    broken: tuple[Promise, ...] = ()

    def share(self, kept: int) -> float | None:
        return None if not self.made else kept / self.made


def promises(log: Log, end: datetime, cal: WorkingCalendar = DEFAULT_CALENDAR) -> PromiseReport:
    givers = {life.id: life.giver for life in log.ideas}
    to_giver: dict[int, list[Delivery]] = defaultdict(list)
    for d in sorted(log.deliveries, key=lambda d: d.sent_at):
        if d.idea_id is not None and givers.get(d.idea_id) == d.recipient:
            to_giver[d.idea_id].append(d)
    made = kept_any = kept_coord = still_open = 0
    broken: list[Promise] = []
    for idea_id, messages in to_giver.items():
        for i, d in enumerate(messages):
            for phrase, due in promises_in(d, cal):
                later = [m for m in messages[i + 1 :] if d.sent_at < m.sent_at <= due]
                if due > end and not later:
                    still_open += 1
                    continue
                made += 1
                if later:
                    kept_any += 1
                else:
                    broken.append(Promise(idea_id, d.recipient, d.sent_at, due, phrase))
                if any(m.kind in COORDINATOR_KINDS for m in later):
                    kept_coord += 1
    return PromiseReport(made, kept_any, kept_coord, still_open, tuple(broken))


# ── forgotten ideas ──────────────────────────────────────────────────────────────────────


def forgotten(
    log: Log,
    terminal: Iterable[str],
    end: datetime,
    cal: WorkingCalendar = DEFAULT_CALENDAR,
    days: int = FORGOTTEN_DAYS,
) -> list[int]:
    """Ideas that rested over `days` working days in an open stage without a move (a parked
    idea with a reason is resting on purpose)."""
    terminal = frozenset(terminal)
    found = []
    for life in log.ideas:
        stage, since, reason = "submitted", life.submitted_at, None
        for move in (*life.moves, None):
            until = move.at if move is not None else end
            on_purpose = stage == PARK_STAGE and bool(reason)
            if (
                stage not in terminal
                and not on_purpose
                and cal.working_days_between(since, min(until, end)) > days
            ):
                found.append(life.id)
                break
            if move is None:
                break
            stage, since, reason = move.stage, move.at, move.text
    return found


# ── the coordinators' side ───────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Load:
    weeks: int  # coordinator-weeks counted (while in service)
    mean: float
    worst: int
    worst_who: str | None
    by_kind: Mapping[str, int]
    from_people: int
    on_holiday: int
    after_leaving: int  # delivered after they left, or written after the bot could know
    escalations: int
    escalations_worst_week: int
    # Reminders alone (kinds `reminder_*`, the "reminders per coordinator per week").
    reminders_mean: float = 0.0
    reminders_worst: int = 0
    # Written after they left but before any delivery to them had failed (the attempt that
    # tells the bot the account is gone): not counted in after_leaving.
    after_leaving_unknowable: int = 0


def _week(cal: WorkingCalendar, moment: datetime) -> tuple[int, int]:
    iso = cal.local(moment).isocalendar()
    return iso[0], iso[1]


def load(
    log: Log, staff: Staff, start: datetime, end: datetime,
    cal: WorkingCalendar = DEFAULT_CALENDAR,
) -> Load:  # fmt: skip
    per_week: Counter[tuple[str, tuple[int, int]]] = Counter()
    reminders: Counter[tuple[str, tuple[int, int]]] = Counter()
    by_kind: Counter[str] = Counter()
    from_people = on_holiday = after = 0
    coordinators = set(staff.coordinators)
    for d in log.deliveries:
        if d.recipient not in coordinators:
            continue
        if d.kind in FROM_PEOPLE_KINDS:
            from_people += 1
        else:
            per_week[(d.recipient, _week(cal, d.sent_at))] += 1
            by_kind[d.kind] += 1
            if d.kind.startswith("reminder_"):
                reminders[(d.recipient, _week(cal, d.sent_at))] += 1
        left = staff.left_at.get(d.recipient)
        if left is not None and d.sent_at >= left:
            after += 1
        elif any(d.sent_at in p for p in staff.holidays.get(d.recipient, ())):
            on_holiday += 1
    unknowable = 0
    for created, recipient, _kind in log.undelivered:
        left = staff.left_at.get(recipient)
        if left is None or created < left:
            continue
        known = log.refused.get(recipient)
        if known is not None and created > known:
            after += 1
        else:
            unknowable += 1
    weeks: list[tuple[int, int]] = []
    day = cal.local(start).date()
    while day <= cal.local(end).date():
        iso = day.isocalendar()
        if (iso[0], iso[1]) not in weeks:
            weeks.append((iso[0], iso[1]))
        day += timedelta(days=1)
    counted = [
        (who, week)
        for who in staff.coordinators
        for week in weeks
        if who not in staff.left_at or week <= _week(cal, staff.left_at[who])
    ]
    worst = max(counted, key=lambda key: per_week[key], default=None)
    # Escalations are news carried by the admin's digest (one piece per idea and repetition),
    # or, from older bots, messages of their own.
    escalations: Counter[tuple[int, int]] = Counter(
        _week(cal, d.sent_at)
        for d in log.deliveries
        if d.kind in ESCALATION_KINDS and d.recipient in staff.admins
    )
    escalations.update(
        _week(cal, created)
        for created, recipient, kind, _idea in log.news
        if kind in ESCALATION_KINDS and recipient in staff.admins
    )
    return Load(
        weeks=len(counted),
        mean=sum(per_week[key] for key in counted) / len(counted) if counted else 0.0,
        worst=per_week[worst] if worst else 0,
        worst_who=worst[0] if worst else None,
        by_kind=dict(by_kind),
        from_people=from_people,
        on_holiday=on_holiday,
        after_leaving=after,
        escalations=sum(escalations.values()),
        escalations_worst_week=max(escalations.values(), default=0),
        reminders_mean=sum(reminders[key] for key in counted) / len(counted) if counted else 0.0,
        reminders_worst=max((reminders[key] for key in counted), default=0),
        after_leaving_unknowable=unknowable,
    )


# ── the report ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Report:
    ideas: int
    silence_max: int
    silence_p95: int
    silence_p50: int
    silence_calendar_max: int
    silence_over_10: int
    silence_over_15: int
    promises: PromiseReport
    forgotten: int
    load: Load
    moves: int  # stage moves made through the bot
    worst_silence: Silence | None = None


def report(
    log: Log, staff: Staff, terminal: Iterable[str], start: datetime, end: datetime,
    cal: WorkingCalendar = DEFAULT_CALENDAR,
) -> Report:  # fmt: skip
    terminal = frozenset(terminal)
    quiet = silences(log, terminal, end, cal)
    days = [s.working_days for s in quiet]
    return Report(
        ideas=len(quiet),
        silence_max=max(days, default=0),
        silence_p95=_percentile(days, 0.95),
        silence_p50=_percentile(days, 0.50),
        silence_calendar_max=max((s.calendar_days for s in quiet), default=0),
        silence_over_10=sum(d > 10 for d in days),
        silence_over_15=sum(d > 15 for d in days),
        promises=promises(log, end, cal),
        forgotten=len(forgotten(log, terminal, end, cal)),
        load=load(log, staff, start, end, cal),
        moves=sum(len(life.moves) for life in log.ideas),
        worst_silence=max(quiet, key=lambda s: s.working_days, default=None),
    )


def _pct(part: int, whole: int) -> str:
    return "–" if not whole else f"{100 * part / whole:.0f} %"


def table(with_bot: Report | None, without: Report | None) -> str:
    """The markdown table: a row per metric, columns with the bot | without | goal."""

    def cells(fn: object) -> list[str]:
        return [fn(r) if r is not None else "–" for r in (with_bot, without)]  # type: ignore[operator]

    rows: list[tuple[str, list[str], str]] = [
        (
            "longest silence an idea giver lived through (no message about their open idea), "
            "working days: max / p95 / p50",
            cells(
                lambda r: (
                    f"**{r.silence_max}** / {r.silence_p95} / {r.silence_p50} "
                    f"({r.silence_calendar_max} calendar days max)"
                )
            ),
            "max ≤ 10",
        ),
        (
            "ideas with a silence over 10 / over 15 working days",
            cells(lambda r: f"{r.silence_over_10} / {r.silence_over_15} (of {r.ideas})"),
            "0",
        ),
        (
            "promises in the bot's messages kept by any message / by a coordinator",
            cells(
                lambda r: (
                    f"**{_pct(r.promises.kept_any, r.promises.made)}** / "
                    f"{_pct(r.promises.kept_coordinator, r.promises.made)} "
                    f"(of {r.promises.made})"
                )
            ),
            "≥ 95 %",
        ),
        (
            "forgotten: ideas over 60 working days without a move, not parked with a reason",
            cells(lambda r: str(r.forgotten)),
            "0",
        ),
        (
            "messages from the bot per coordinator per week: mean / worst week",
            cells(lambda r: f"{r.load.mean:.1f} / **{r.load.worst}**"),
            "worst ≤ 5",
        ),
        (
            "of them reminders (`reminder_*`): mean / worst week",
            cells(lambda r: f"{r.load.reminders_mean:.1f} / {r.load.reminders_worst}"),
            "",
        ),
        (
            "messages that reached a coordinator on a holiday they had announced (`borta till`)"
            " / after leaving (delivered, or written once a delivery to them had failed)",
            cells(
                lambda r: (
                    f"{r.load.on_holiday} / {r.load.after_leaving}"
                    + (
                        f" (+{r.load.after_leaving_unknowable} written before the bot could know)"
                        if r.load.after_leaving_unknowable
                        else ""
                    )
                )
            ),
            "0 / 0",
        ),
        (
            "giver replies relayed to a coordinator (from people)",
            cells(lambda r: str(r.load.from_people)),
            "",
        ),
        (
            "escalations to the admin / worst week",
            cells(lambda r: f"{r.load.escalations} / {r.load.escalations_worst_week}"),
            "",
        ),
        ("stage moves made by coordinators", cells(lambda r: str(r.moves)), ""),
    ]
    out = ["| | with the bot | without | goal |", "|---|---|---|---|"]
    out += [f"| {name} | {a} | {b} | {goal} |" for name, (a, b), goal in rows]
    return "\n".join(out)


def kinds_table(with_bot: Report | None, without: Report | None) -> str:
    kinds = sorted(
        set(with_bot.load.by_kind if with_bot else ())
        | set(without.load.by_kind if without else ())
    )
    out = ["| messages to coordinators by kind | with the bot | without |", "|---|---:|---:|"]
    for kind in kinds:
        a = with_bot.load.by_kind.get(kind, 0) if with_bot else "–"
        b = without.load.by_kind.get(kind, 0) if without else "–"
        out.append(f"| `{kind}` | {a} | {b} |")
    return "\n".join(out)
