"""Every number in the report is the same figure as `stats` (storage/ideas.py, the chat's
`statistik`) and the export (bot/export.py) give on the same database. The numbers are
read back from the rendered HTML's tables and headline, not from the report's own objects;
where `stats` has no such figure, it is computed here again from the export's rows (and,
for promises, which the export does not carry, from the stored promises)."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser

from bot.calendar import DEFAULT_CALENDAR, STOCKHOLM
from bot.export import collect
from bot.process import default_process
from bot.report import report_for
from bot.report.figures import AGE_BUCKETS
from storage.ideas import stats
from storage.promises import promises_of
from tests.report.conftest import YEAR
from tests.report.world import REPORT_MOMENT, seed_year

PROCESS = default_process()
CAL = DEFAULT_CALENDAR
NOW = REPORT_MOMENT
TERMINAL = set(PROCESS.terminal_stages)
IMPLEMENTED = {s for s in PROCESS.main_line if s in TERMINAL}


class Tables(HTMLParser):
    """The rendered report's headline (dt → dd) and each chart's table rows, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.key: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self._chart: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_body = False
        self._dt: str | None = None
        self._tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "figure" and values.get("data-chart"):
            self._chart = values["data-chart"]
            self.tables.setdefault(str(self._chart), [])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag in ("dt", "dd"):
            self._tag, self._cell = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._chart:
            self.tables[self._chart].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "dt" and self._cell is not None:
            self._dt, self._cell = "".join(self._cell), None
        elif tag == "dd" and self._cell is not None and self._dt:
            self.key[self._dt] = "".join(self._cell)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def value(cell: str) -> float:
    """An English number cell: 1,234 · 4.5 · 71%."""
    return float(cell.replace(",", "").rstrip("%"))


def numbers(rows: list[list[str]]) -> list[tuple[str, ...]]:
    return [(row[0], *(str(value(c)) for c in row[1:])) for row in rows]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def replay(history: list[dict]) -> tuple[list, list, list]:
    """An idea's path from its exported history: the stages it is in (with when it came),
    its finished stays, and its stage after each event. An undo takes back the latest
    move, and the stay that move ended."""
    path: list[tuple[str, datetime]] = []
    stays: list[tuple[str, datetime, datetime]] = []
    timeline: list[tuple[datetime, str]] = []
    for event in history:
        at = moment(event["event_at"])
        if event["event"] == "submitted":
            path = [(event["to_stage"], at)]
        elif event["event"] == "stage":
            stays.append((path[-1][0], path[-1][1], at))
            path.append((event["to_stage"], at))
        elif event["event"] == "undo":
            stays.pop()
            path.pop()
        else:
            continue
        timeline.append((at, path[-1][0]))
    return path, stays, timeline


def name(stage: str) -> str:
    return PROCESS.stage_name(stage, "en")


async def test_every_number_equals_stats_and_the_export(db) -> None:
    world = await seed_year(db, ideas=70, givers=30, seed=7)
    assert world.undone and world.broken  # the year has slips and broken promises
    html = (await report_for(db, YEAR, "en", now=NOW)).decode("utf-8")
    parsed = Tables()
    parsed.feed(html)
    tables, key = parsed.tables, parsed.key
    async with db.read() as session:
        figures = await stats(session, now=NOW, since=YEAR.start, until=YEAR.end)
        ideas = await collect(session)
        promised = {
            i["number"]: [
                (p.made_at, p.due_at, p.status, p.settled_at)
                for p in await promises_of(session, i["number"])
            ]
            for i in ideas
        }
    lives = {i["number"]: replay(i["history"]) for i in ideas}
    in_year = [i for i in ideas if YEAR.start <= moment(i["submitted_at"]) < YEAR.end]
    assert len(in_year) == len(ideas) == 70

    # The headline: `stats`' counts per stage and its first-answer figure.
    per_stage = figures.per_stage
    open_now = [i for i in ideas if i["stage"] not in TERMINAL]
    assert key["Ideas submitted in the period"] == str(sum(per_stage.values()))
    assert key["Of them decided (in a final stage now)"] == str(
        sum(n for s, n in per_stage.items() if s in TERMINAL)
    )
    assert key["Of them implemented"] == str(sum(per_stage.get(s, 0) for s in IMPLEMENTED))
    share = round(100 * figures.answered_in_time / figures.answer_due)
    assert key["Got their first answer in time"] == (
        f"{share}% ({figures.answered_in_time} of {figures.answer_due})"
    )
    assert key["Open ideas on 2026-12-01"] == str(len(open_now))

    # The funnel: ever reached (from the export's history), there now (`stats`).
    reached = Counter(s for i in in_year for s in {stage for stage, _ in lives[i["number"]][0]})
    order = [*PROCESS.main_line, *(s for s in PROCESS.stages if s not in PROCESS.main_line)]
    assert numbers(tables["funnel"]) == [
        (name(s), str(float(reached[s])), str(float(per_stage.get(s, 0)))) for s in order
    ]

    # Ideas per month (the export's submission moments, in Swedish time).
    months = Counter(moment(i["submitted_at"]).astimezone(STOCKHOLM).month for i in in_year)
    assert [value(row[1]) for row in tables["months"]] == [months[m] for m in range(1, 13)]

    # Per administration: `stats`' counts, the export's stages (and the seeded truth).
    admins: dict[str | None, list[dict]] = {}
    for idea in in_year:
        assert idea["administration"] == world.administration[idea["number"]]
        admins.setdefault(idea["administration"], []).append(idea)
    shown = {
        (None if row[0] == "Administration not given" else row[0]): tuple(map(value, row[1:]))
        for row in tables["administrations"]
    }
    assert {admin: ideas for admin, (ideas, _, _) in shown.items()} == dict(
        figures.per_administration
    )
    assert shown == {
        admin: (
            len(group),
            sum(i["stage"] in IMPLEMENTED for i in group),
            sum(i["stage"] not in TERMINAL for i in group),
        )
        for admin, group in admins.items()
    }

    # Time in each stage, in working days, for the stays that ended in the year.
    stays: dict[str, list[int]] = {}
    for _path, finished, _ in lives.values():
        for stage, entered, left in finished:
            if YEAR.start <= left < YEAR.end:
                stays.setdefault(stage, []).append(CAL.working_days_between(entered, left))
    assert {row[0]: tuple(map(value, row[1:])) for row in tables["stage_times"]} == {
        name(stage): (
            len(days),
            statistics.median(days),
            sorted(days)[math.ceil(0.9 * len(days)) - 1],
        )
        for stage, days in stays.items()
    }

    # Promises kept, per the stage the idea was in when each was made.
    kept: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    for number, made in promised.items():
        timeline = lives[number][2]
        for made_at, due, status, settled_at in made:
            if not YEAR.start <= due < YEAR.end or status == "replaced":
                continue
            if status == "open" and due >= NOW:
                continue
            stage = [s for at, s in timeline if at <= made_at][-1]
            good = status == "kept" and settled_at is not None and settled_at <= due
            (kept if good else missed)[stage] += 1
    assert {row[0]: tuple(map(value, row[1:])) for row in tables["promises"]} == {
        name(s): (kept[s], missed[s], round(100 * kept[s] / (kept[s] + missed[s])))
        for s in set(kept) | set(missed)
    }

    # Satisfaction: `stats`' distribution; the not implemented ones from the export.
    unrewarded = Counter(
        i["satisfaction"] for i in in_year if i["satisfaction"] and i["stage"] not in IMPLEMENTED
    )
    assert [tuple(map(value, row)) for row in tables["satisfaction"]] == [
        (s, figures.satisfaction.get(s, 0), unrewarded[s]) for s in range(1, 6)
    ]

    # Repeat givers: a giver's first idea answered (its first move) in the year, and how
    # many ideas they gave after that answer.
    by_giver: dict[str, list[dict]] = {}
    for idea in ideas:
        by_giver.setdefault(idea["idea_giver"], []).append(idea)
    further = [0, 0, 0, 0]
    for own in by_giver.values():
        own.sort(key=lambda i: (moment(i["submitted_at"]), i["number"]))
        path = lives[own[0]["number"]][0]
        if len(path) < 2 or not YEAR.start <= path[1][1] < YEAR.end:
            continue
        answered = path[1][1]
        later = sum(1 for i in own[1:] if answered < moment(i["submitted_at"]) < YEAR.end)
        further[min(later, 3)] += 1
    assert [value(row[1]) for row in tables["repeat"]] == further
    assert sum(further) > 5 and sum(further[1:]) > 0

    # Open ideas by age today, and per coordinator (by count, never by name).
    ages = [CAL.working_days_between(moment(i["submitted_at"]), NOW) for i in open_now]
    assert [value(row[1]) for row in tables["open"]] == [
        sum(1 for a in ages if low <= a and (high is None or a <= high))
        for low, high in AGE_BUCKETS
    ]
    load = Counter(i["assignee"] for i in open_now if i["assignee"])
    expected = [
        (f"Coordinator {n}", float(count))
        for n, count in enumerate(sorted(load.values(), reverse=True), start=1)
    ]
    if any(i["assignee"] is None for i in open_now):
        expected.append(("No coordinator yet", float(sum(i["assignee"] is None for i in open_now))))
    assert [(row[0], value(row[1])) for row in tables["load"]] == expected
