"""A stretch of time people name in a command — `statistik 2026`, `statistik januari`,
`statistik mars 2025`, `statistik 2026-03`, `stats last month` — read without knowing the
date (a command's reader is pure), then made into moments in Swedish time when the command
runs. Also the month before a moment, for the admins' monthly digest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.calendar import STOCKHOLM

MONTHS = {
    **{name: number for number, name in enumerate(
        ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
         "september", "oktober", "november", "december"), start=1)},
    **{name: number for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"), start=1)},
}  # fmt: skip
# Three letters are enough: "jan", "okt", "dec" (and "sept").
MONTHS |= {name[:3]: number for name, number in list(MONTHS.items())} | {"sept": 9}
RELATIVE = {
    "förra månaden": "last_month",
    "förra månad": "last_month",
    "last month": "last_month",
    "denna månad": "this_month",
    "den här månaden": "this_month",
    "this month": "this_month",
    "i år": "this_year",
    "this year": "this_year",
    "förra året": "last_year",
    "last year": "last_year",
}
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class PeriodWords:
    """What was written: a year, a month (of `year`, or of this year), or a relative one."""

    year: int | None = None
    month: int | None = None
    relative: str | None = None


@dataclass(frozen=True)
class Period:
    """From `start` up to (not including) `end`; a whole month or a whole year."""

    start: datetime
    end: datetime
    year: int
    month: int | None = None


def read_period(text: str) -> PeriodWords | None:
    """The period the words name, or None when they name none."""
    said = " ".join(text.casefold().replace(".", " ").split())
    if said in RELATIVE:
        return PeriodWords(relative=RELATIVE[said])
    if match := _YEAR_MONTH.match(said):
        year, month = int(match.group(1)), int(match.group(2))
        return PeriodWords(year, month) if _year(year) and 1 <= month <= 12 else None
    words = said.split()
    if len(words) == 1 and words[0].isascii() and words[0].isdigit():
        return PeriodWords(int(words[0])) if _year(int(words[0])) else None
    if 1 <= len(words) <= 2 and words[0] in MONTHS:
        if len(words) == 1:
            return PeriodWords(month=MONTHS[words[0]])
        if words[1].isascii() and words[1].isdigit() and _year(int(words[1])):
            return PeriodWords(int(words[1]), MONTHS[words[0]])
    return None


def _year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def resolve(words: PeriodWords, now: datetime) -> Period:
    """The moments the words mean, seen from `now` ("januari": this year's January)."""
    local = now.astimezone(STOCKHOLM)
    if words.relative == "last_month":
        return month_before(now)
    if words.relative == "this_month":
        return month_period(local.year, local.month)
    if words.relative in ("this_year", "last_year"):
        return year_period(local.year - (words.relative == "last_year"))
    year = words.year if words.year is not None else local.year
    return month_period(year, words.month) if words.month else year_period(year)


def month_period(year: int, month: int) -> Period:
    start = datetime(year, month, 1, tzinfo=STOCKHOLM)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=STOCKHOLM)
    return Period(start, end, year, month)


def year_period(year: int) -> Period:
    return Period(
        datetime(year, 1, 1, tzinfo=STOCKHOLM), datetime(year + 1, 1, 1, tzinfo=STOCKHOLM), year
    )


def month_before(now: datetime) -> Period:
    """The whole calendar month before the one `now` is in (Swedish time)."""
    local = now.astimezone(STOCKHOLM)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return month_period(year, month)
