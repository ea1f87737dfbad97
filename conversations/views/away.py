"""The words around people being away and ideas changing hands: `borta` / `tillbaka`, what
an idea giver hears while their coordinator is away or after a hand-over, `coordinator
remove` asking to whom the ideas go, and a stale "I'll take it" button asking first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from conversations.i18n import DATE_LOCALES, tr, tr_n
from conversations.reply import Choice, Reply


def long_day(day: date, lang: str, *, with_year: bool = False) -> str:
    """A day as people say it: "10 augusti" / "10 August" (with the year when it is not
    this year's)."""
    pattern = "d MMMM y" if with_year else "d MMMM"
    return format_date(day, format=pattern, locale=DATE_LOCALES.get(lang, "sv_SE"))


@dataclass(frozen=True)
class Day:
    """A day in the municipality's time zone, and whether it is in another year than now."""

    day: date
    other_year: bool = False

    def say(self, lang: str) -> str:
        return long_day(self.day, lang, with_year=self.other_year)


# ── `borta` / `tillbaka` ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AwayDone:
    """An absence stored: from now (`start` None) or planned ahead."""

    name: str | None  # the coordinator's first name
    until: Day  # the day they are back
    start: Day | None  # None: from now
    stand_in: str | None  # None: the other coordinators
    givers: int  # givers told now (from now only)
    stand_in_away: bool = False  # the stand-in is away for some of the time too
    replaced: int = 0  # earlier absences in the same time, taken back
    alone: bool = False  # no other coordinator is here to take the news meanwhile


def away_done_reply(lang: str, view: AwayDone) -> Reply:
    until = view.until.say(lang)
    if view.start is None:
        text = tr(lang, "away.done", first_name=view.name, until=until)
    else:
        text = tr(lang, "away.planned", start=view.start.say(lang), until=until)
    if view.alone and not view.stand_in:
        text += " " + tr(lang, "away.who.alone")
    else:
        who = view.stand_in or tr(lang, "away.the_others")
        text += " " + tr(lang, "away.who", who=who)
    if view.start is None:
        if view.givers:
            text += " " + tr_n(lang, "away.givers_told", view.givers)
    else:
        text += " " + tr(lang, "away.givers_later")
    if view.stand_in_away:
        text += "\n\n" + tr(lang, "away.stand_in_away", stand_in=view.stand_in or "")
    if view.replaced:
        text += "\n\n" + tr(lang, "away.replaced")
    text += "\n\n" + tr(lang, "away.how_back")
    return Reply(text)


@dataclass(frozen=True)
class AwayPeriod:
    start: Day | None  # None: it has begun
    until: Day
    stand_in: str | None


@dataclass(frozen=True)
class AwayStatus:
    periods: tuple[AwayPeriod, ...]  # now and ahead, soonest first


def away_status_reply(lang: str, view: AwayStatus) -> Reply:
    if not view.periods:
        return Reply(tr(lang, "away.status.none"))
    lines = []
    for period in view.periods:
        who = period.stand_in or tr(lang, "away.the_others")
        if period.start is None:
            lines.append(tr(lang, "away.status.now", until=period.until.say(lang), who=who))
        else:
            lines.append(
                tr(
                    lang,
                    "away.status.planned",
                    start=period.start.say(lang),
                    until=period.until.say(lang),
                    who=who,
                )
            )
    lines.append(tr(lang, "away.status.hint"))
    return Reply("\n".join(lines))


@dataclass(frozen=True)
class AwayRefused:
    """Nothing was stored, and why."""

    # "past": the end has been; "end_before_start"; "too_far": more than a year ahead;
    # "stand_in_self"; "stand_in_not_coordinator"
    why: str
    day: Day | None = None  # the day in question
    start: Day | None = None
    person: str | None = None  # the stand-in as written


def away_refused_reply(lang: str, view: AwayRefused) -> Reply:
    values: dict[str, str] = {"person": view.person or ""}
    if view.day is not None:
        values["day"] = view.day.say(lang)
    if view.start is not None:
        values["start"] = view.start.say(lang)
    return Reply(tr(lang, f"away.refused.{view.why}", **values))


@dataclass(frozen=True)
class AwayCancelled:
    count: int  # absences taken back


def away_cancelled_reply(lang: str, view: AwayCancelled) -> Reply:
    if not view.count:
        return Reply(tr(lang, "away.cancel.none"))
    return Reply(tr_n(lang, "away.cancel.done", view.count))


@dataclass(frozen=True)
class WhileAway:
    """What happened to an idea of theirs while they were away."""

    number: int
    title: str
    events: int


@dataclass(frozen=True)
class Back:
    name: str | None
    since: Day | None  # when the absence began; None: they were not away
    ideas: tuple[WhileAway, ...] = ()  # their ideas that had news meanwhile
    new_ideas: int = 0  # ideas submitted meanwhile
    planned: AwayPeriod | None = None  # not away: the next planned absence, if any


MAX_BACK_LINES = 8


def back_reply(lang: str, view: Back) -> Reply:
    if view.since is None:
        text = tr(lang, "away.back.not_away")
        if view.planned is not None and view.planned.start is not None:
            text += " " + tr(
                lang,
                "away.back.planned",
                start=view.planned.start.say(lang),
                until=view.planned.until.say(lang),
            )
        return Reply(text)
    lines = [tr(lang, "away.back.done", first_name=view.name)]
    if view.ideas:
        lines.append(tr(lang, "away.back.since", since=view.since.say(lang)))
        for idea in view.ideas[:MAX_BACK_LINES]:
            events = tr_n(lang, "away.back.events", idea.events)
            lines.append(
                tr(lang, "away.back.idea", number=idea.number, title=idea.title, events=events)
            )
        if len(view.ideas) > MAX_BACK_LINES:
            lines.append(tr(lang, "away.back.more", more=len(view.ideas) - MAX_BACK_LINES))
    else:
        lines.append(tr(lang, "away.back.quiet"))
    if view.new_ideas:
        lines.append(tr_n(lang, "away.back.new_ideas", view.new_ideas))
    return Reply("\n".join(lines))


# ── what the idea giver hears ──────────────────────────────────────────────────────────


@dataclass(frozen=True)
class GiverAway:
    """Their coordinator is away: who has the idea meanwhile."""

    name: str | None  # the giver's first name
    title: str
    coordinator: str  # the one away (first name)
    until: Day
    stand_in: str | None  # None: the other coordinators
    alone: bool = False  # nobody else is here: the idea waits for the coordinator


def giver_away_message(lang: str, view: GiverAway) -> Reply:
    # Never "the other coordinators" when there are none: the idea then waits, and says so.
    key = (
        "away.giver" if view.stand_in else "away.giver.alone" if view.alone else "away.giver.others"
    )
    return Reply(
        tr(
            lang,
            key,
            first_name=view.name,
            coordinator=view.coordinator,
            until=view.until.say(lang),
            stand_in=view.stand_in or "",
            title=view.title,
        )
    )


@dataclass(frozen=True)
class GiverNewCoordinator:
    """Their idea has a new coordinator (a hand-over, or taken over)."""

    name: str | None
    number: int
    title: str
    coordinator: str  # the new one (first name)


def giver_new_coordinator_message(lang: str, view: GiverNewCoordinator) -> Reply:
    return Reply(
        tr(
            lang,
            "handover.giver",
            first_name=view.name,
            coordinator=view.coordinator,
            title=view.title,
            number=view.number,
        )
    )


# ── hand-overs ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class HandoverQuestion:
    """`coordinator remove X` where X has open ideas: to whom do they go? Nothing is
    removed until it is answered; the values are the buttons' (bot/questions.py)."""

    person: str  # the one removed
    count: int  # their open ideas
    to: tuple[tuple[str, str], ...]  # (value, name): "to <name>" buttons
    spread: str | None  # "spread them" (None: only one other coordinator)
    cancel: str


def handover_question_reply(lang: str, view: HandoverQuestion) -> Reply:
    text = tr_n(lang, "handover.ask", view.count, person=view.person)
    choices = [
        Choice(value, tr(lang, "handover.choice.to", person=person)) for value, person in view.to
    ]
    if view.spread is not None:
        choices.append(Choice(view.spread, tr(lang, "handover.choice.spread")))
    choices.append(Choice(view.cancel, tr(lang, "choice.cancel")))
    return Reply(text, choices=tuple(choices))


@dataclass(frozen=True)
class HandedOver:
    person: str  # the one removed
    given: tuple[tuple[str, int], ...]  # (name, how many ideas) per new coordinator
    told: int  # idea givers told


def handed_over_reply(lang: str, view: HandedOver) -> Reply:
    total = sum(count for _, count in view.given)
    shares = ", ".join(
        tr_n(lang, "handover.share", count, person=person) for person, count in view.given
    )
    text = tr_n(lang, "handover.done", total, person=view.person, shares=shares)
    if view.told:
        text += " " + tr_n(lang, "handover.told", view.told)
    return Reply(text)


@dataclass(frozen=True)
class HandoverRefused:
    # "nobody": no other coordinator to give them to; "not_coordinator": the one named is
    # none; "same": the one named is the one removed
    why: str
    person: str  # the one removed
    target: str = ""  # the one named


def handover_refused_reply(lang: str, view: HandoverRefused) -> Reply:
    return Reply(tr(lang, f"handover.refused.{view.why}", person=view.person, target=view.target))


@dataclass(frozen=True)
class TakeOverQuestion:
    """A stale "I'll take it" on an idea someone else has: ask first."""

    number: int
    title: str
    holder: str  # who has it
    yes: str
    no: str


def take_over_question_reply(lang: str, view: TakeOverQuestion) -> Reply:
    text = tr(lang, "handover.take_over.ask", number=view.number, title=view.title,
              person=view.holder)  # fmt: skip
    return Reply(
        text,
        choices=(
            Choice(view.yes, tr(lang, "handover.take_over.yes")),
            Choice(view.no, tr(lang, "choice.no")),
        ),
    )


def taken_from_note(lang: str, holder: str) -> str:
    """Said after "Klart: Maria tar hand om idé 12": whom it was taken from."""
    return tr(lang, "handover.taken_from", person=holder)


def taken_over_notice(lang: str, *, name: str | None, actor: str, number: int, title: str) -> str:
    """To the coordinator who had the idea: someone took it over."""
    return tr(
        lang, "handover.taken_notice", first_name=name, actor=actor, number=number, title=title
    )
