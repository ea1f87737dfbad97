"""`borta` / `away` and `tillbaka` / `back`: a coordinator says when they are away, and who
stands in (bot/away.py does the rest)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot import away
from bot.availability import team
from bot.calendar import STOCKHOLM
from bot.commands.handlers import CommandContext, qualify
from bot.commands.registry import COORDINATOR, CommandSet
from bot.commands.syntax import NoArgs, ParseError, no_args, read_person, shorten
from bot.process import Process
from bot.roles import is_coordinator
from conversations.reply import Reply
from conversations.views.away import (
    AwayCancelled,
    AwayDone,
    AwayPeriod,
    AwayRefused,
    AwayStatus,
    Back,
    Day,
    WhileAway,
    away_cancelled_reply,
    away_done_reply,
    away_refused_reply,
    away_status_reply,
    back_reply,
)
from storage.absences import absences_of
from storage.people import first_name, get_person, upsert_person

commands = CommandSet()

# An absence further ahead than this is a typo of the year, not a plan.
FURTHEST = timedelta(days=400)
MONTHS = {
    **dict.fromkeys(("januari", "jan", "january"), 1),
    **dict.fromkeys(("februari", "feb", "february"), 2),
    **dict.fromkeys(("mars", "mar", "march"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("maj", "may"), 5),
    **dict.fromkeys(("juni", "jun", "june"), 6),
    **dict.fromkeys(("juli", "jul", "july"), 7),
    **dict.fromkeys(("augusti", "aug", "august"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "okt", "oct", "october"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
WEEKDAYS = {
    **dict.fromkeys(("måndag", "mandag", "monday", "mån", "mon"), 0),
    **dict.fromkeys(("tisdag", "tuesday", "tis", "tue"), 1),
    **dict.fromkeys(("onsdag", "wednesday", "ons", "wed"), 2),
    **dict.fromkeys(("torsdag", "thursday", "tors", "thu"), 3),
    **dict.fromkeys(("fredag", "friday", "fre", "fri"), 4),
    **dict.fromkeys(("lördag", "lordag", "saturday", "lör", "sat"), 5),
    **dict.fromkeys(("söndag", "sondag", "sunday", "sön", "sun"), 6),
}
RELATIVE = {
    **dict.fromkeys(("idag", "i dag", "today", "nu", "now"), 0),
    **dict.fromkeys(("imorgon", "i morgon", "imorn", "tomorrow"), 1),
}
UNTIL_WORDS = ("till och med", "t.o.m.", "tills", "till", "until", "to", "through")
FROM_WORDS = ("från och med", "fr.o.m.", "från", "fran", "from")
STAND_IN_WORDS = (
    "ersättare", "ersattare", "ersätts av", "vikarie", "stand-in", "standin", "stand in",
    "covered by", "cover",
)  # fmt: skip
CANCEL_WORDS = ("avbryt", "ångra", "angra", "av", "cancel", "off", "inte")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\.?\s+([a-zåäö]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})(?:[/-](\d{4}))?$")
# "till och med 6 augusti" / "t.o.m." / "through": the day named is the last day away.
_INCLUSIVE = re.compile(r"\s(?:till och med|t\.o\.m\.|through)\s")
_SEPARATOR = re.compile(r"\s+(?:till och med|tills|till|until|to|through|–|—|-)\s+|\s*[–—]\s*")


@dataclass(frozen=True)
class DayWords:
    """A day as written, resolved against the clock by the handler."""

    written: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # "måndag": the next one after today
    offset: int | None = None  # "idag" 0, "imorgon" 1


def read_day(text: str) -> DayWords | None:
    """ISO (2027-08-10), "10 augusti [2027]", "August 10", "10/8", a weekday, idag/imorgon."""
    said = text.casefold().strip(" .,")
    if said in RELATIVE:
        return DayWords(text, offset=RELATIVE[said])
    if said in WEEKDAYS:
        return DayWords(text, weekday=WEEKDAYS[said])
    if match := _ISO.match(said):
        return DayWords(text, int(match[1]), int(match[2]), int(match[3]))
    if (match := _DAY_MONTH.match(said)) and match[2] in MONTHS:
        return DayWords(text, _year(match[3]), MONTHS[match[2]], int(match[1]))
    if (match := _MONTH_DAY.match(said)) and match[1] in MONTHS:
        return DayWords(text, _year(match[3]), MONTHS[match[1]], int(match[2]))
    if match := _SLASH.match(said):  # Swedish order: day/month
        return DayWords(text, _year(match[3]), int(match[2]), int(match[1]))
    return None


def _year(digits: str | None) -> int | None:
    return int(digits) if digits else None


def resolve(words: DayWords, today: date) -> date | None:
    """The day meant, seen from `today`; None: no such day (31 juni)."""
    if words.offset is not None:
        return today + timedelta(days=words.offset)
    if words.weekday is not None:
        return today + timedelta(days=(words.weekday - today.weekday() - 1) % 7 + 1)
    assert words.month is not None and words.day is not None
    try:
        if words.year is not None:
            return date(words.year, words.month, words.day)
        meant = date(today.year, words.month, words.day)
        # No year: the next such day ("till 10 januari" in December is next year's).
        return meant if meant >= today else date(today.year + 1, words.month, words.day)
    except ValueError:
        return None


@dataclass(frozen=True)
class AwayArgs:
    action: str = "show"  # "show", "cancel" or "set"
    until: DayWords | None = None
    start: DayWords | None = None  # None: from now
    stand_in: str | None = None  # "@per", "slack:U1" …
    inclusive: bool = False  # "till och med X": X is the last day away (back the day after)


def _strip_word(text: str, words: tuple[str, ...]) -> tuple[bool, str]:
    lowered = text.casefold()
    for word in sorted(words, key=len, reverse=True):
        if lowered == word or lowered.startswith(word + " "):
            return True, text[len(word) :].strip()
    return False, text


def _read_away(rest: str, _process: Process) -> AwayArgs | ParseError:
    rest = rest.strip()
    if not rest:
        return AwayArgs()
    if rest.casefold() in CANCEL_WORDS:
        return AwayArgs("cancel")
    # The stand-in: "ersättare @per" / "stand-in @per", or a person at the end.
    stand_in = None
    lowered = rest.casefold()
    for word in sorted(STAND_IN_WORDS, key=len, reverse=True):
        at = lowered.rfind(" " + word)
        if at >= 0:
            person, after = read_person(rest[at + len(word) + 1 :].strip(" :"))
            if person is None or person == "me" or after:
                return ParseError("away.parse.needs_stand_in", {}, "away")
            stand_in, rest = person, rest[:at].strip(" ,")
            break
    else:
        head, _, last = rest.rpartition(" ")
        person, after = read_person(last)
        if head and person is not None and person != "me" and not after:
            stand_in, rest = person, head.strip(" ,")
    # The days: "till X", "X till Y", "från X till Y", or a day alone (the end).
    starts, body = _strip_word(rest, FROM_WORDS)
    inclusive = bool(_INCLUSIVE.search(" " + body.casefold()))
    until_first, body = _strip_word(body, UNTIL_WORDS)
    if until_first:
        start_text, end_text = None, body
    else:
        parts = _SEPARATOR.split(body, maxsplit=1)
        if len(parts) == 2:
            start_text, end_text = parts[0], parts[1]
        elif starts:
            return ParseError("away.parse.needs_until", {}, "away")
        else:
            start_text, end_text = None, body
    if not end_text.strip():
        return ParseError("away.parse.needs_until", {}, "away")
    until = read_day(end_text)
    if until is None:
        return ParseError("away.parse.bad_date", {"word": shorten(end_text, 30)}, "away")
    start = None
    if start_text is not None:
        start = read_day(start_text)
        if start is None:
            return ParseError("away.parse.bad_date", {"word": shorten(start_text, 30)}, "away")
    return AwayArgs("set", until=until, start=start, stand_in=stand_in, inclusive=inclusive)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=STOCKHOLM)


@commands.command(
    "away",
    sv=("borta", "ledig"),
    en=("away",),
    role=COORDINATOR,
    read=_read_away,
    help=((COORDINATOR, "help.away"),),
)
async def _away(ctx: CommandContext, args: AwayArgs) -> list[Reply]:
    now = ctx.now
    if args.action == "show":
        return [away_status_reply(ctx.lang, AwayStatus(await _periods(ctx)))]
    if args.action == "cancel":
        count = await away.cancel_planned(ctx.session, ctx.person, now)
        return [away_cancelled_reply(ctx.lang, AwayCancelled(count))]
    assert args.until is not None
    today = now.astimezone(STOCKHOLM).date()
    end_day = resolve(args.until, today)
    if end_day is None:
        return [_refused(ctx, "no_such_day", person=args.until.written)]
    start_day = resolve(args.start, today) if args.start is not None else None
    if args.start is not None and start_day is None:
        return [_refused(ctx, "no_such_day", person=args.start.written)]
    ends_at = _midnight(end_day + timedelta(days=1) if args.inclusive else end_day)
    if ends_at <= now:
        return [_refused(ctx, "past", day=away.day_of(ends_at, now))]
    if ends_at - now > FURTHEST:
        return [_refused(ctx, "too_far", day=away.day_of(ends_at, now))]
    starts_at = now
    if start_day is not None and _midnight(start_day) > now:
        starts_at = _midnight(start_day)
    if start_day is not None and start_day >= end_day:
        return [
            _refused(
                ctx,
                "end_before_start",
                day=away.day_of(ends_at, now),
                start=away.day_of(_midnight(start_day), now),
            )
        ]
    stand_in = None
    if args.stand_in is not None:
        qualified = qualify(ctx.person, args.stand_in)
        if qualified == ctx.person.qualified_id:
            return [_refused(ctx, "stand_in_self")]
        if not await is_coordinator(ctx.session, ctx.settings, qualified):
            return [_refused(ctx, "stand_in_not_coordinator", person=qualified)]
        platform, _, user_id = qualified.partition(":")
        stand_in = await upsert_person(ctx.session, platform, user_id, now=now, lock=False)
    stand_in_away = False
    if stand_in is not None:
        stand_in_away = any(
            other.starts_at < ends_at and other.ends_at > starts_at
            for other in await absences_of(ctx.session, stand_in.id, now)
        )
    began = await away.go_away(
        ctx.session,
        ctx.settings,
        ctx.process,
        ctx.person,
        starts_at=starts_at,
        ends_at=ends_at,
        stand_in=stand_in,
        now=now,
    )
    crew = await team(ctx.session, ctx.settings, now)
    view = AwayDone(
        name=first_name(ctx.person.display_name),
        until=away.day_of(ends_at, now),
        start=away.day_of(starts_at, now) if starts_at > now else None,
        stand_in=away.name_of(stand_in) if stand_in else None,
        givers=began.told,
        stand_in_away=stand_in_away,
        replaced=began.replaced,
        alone=stand_in is None and not any(p.id != ctx.person.id for p in crew.here),
    )
    return [away_done_reply(ctx.lang, view)]


def _refused(
    ctx: CommandContext,
    why: str,
    *,
    day: Day | None = None,
    start: Day | None = None,
    person: str | None = None,
) -> Reply:
    return away_refused_reply(ctx.lang, AwayRefused(why, day=day, start=start, person=person))


async def _periods(ctx: CommandContext) -> tuple[AwayPeriod, ...]:
    periods = []
    for absence in await absences_of(ctx.session, ctx.person.id, ctx.now):
        stand_in = (
            await get_person(ctx.session, absence.stand_in_id) if absence.stand_in_id else None
        )
        periods.append(
            AwayPeriod(
                start=away.day_of(absence.starts_at, ctx.now)
                if absence.starts_at > ctx.now
                else None,
                until=away.day_of(absence.ends_at, ctx.now),
                stand_in=away.name_of(stand_in) if stand_in else None,
            )
        )
    return tuple(periods)


@commands.command(
    "back",
    sv=("tillbaka",),
    en=("back",),
    role=COORDINATOR,
    read=no_args("back"),
    help=((COORDINATOR, "help.back"),),
)
async def _back(ctx: CommandContext, _: NoArgs) -> list[Reply]:
    came = await away.come_back(ctx.session, ctx.process, ctx.person, ctx.now)
    if came.absence is None:
        periods = await _periods(ctx)
        return [back_reply(ctx.lang, Back(None, None, planned=periods[0] if periods else None))]
    view = Back(
        name=first_name(ctx.person.display_name),
        since=away.day_of(came.absence.starts_at, ctx.now),
        ideas=tuple(WhileAway(idea.id, idea.title, count) for idea, count in came.ideas),
        new_ideas=came.new_ideas,
    )
    return [back_reply(ctx.lang, view)]
