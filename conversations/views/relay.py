"""The words of the relay between an idea giver and the coordinators (bot/relay.py): the
giver's words as a coordinator gets them, the coordinator's as the giver gets them, what
each of them hears back, and how a waiting giver shows in `visa` and `lista`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from conversations.i18n import DATE_LOCALES, tr
from conversations.reply import Choice, Reply


def _giver(lang: str, name: str | None) -> str:
    return name or tr(lang, "relay.the_giver")


def quoted(lang: str, text: str) -> str:
    return f"”{text}”" if lang == "sv" else f"“{text}”"


def weekday_date(day: date, lang: str) -> str:
    """ "onsdag 17 juni" / "Wednesday 17 June": a day a person can hold us to."""
    return format_date(day, format="EEEE d MMMM", locale=DATE_LOCALES.get(lang, "sv_SE"))


def since(lang: str, moment: date, today: date) -> str:
    """When something began, as people say it: "i dag", "i går", "i tisdags", else the date."""
    gap = (today - moment).days
    if gap <= 0:
        return tr(lang, "relay.since.today")
    if gap == 1:
        return tr(lang, "relay.since.yesterday")
    if gap < 7:
        return tr(lang, f"relay.since.weekday.{moment.weekday()}")
    locale = DATE_LOCALES.get(lang, "sv_SE")
    return tr(lang, "relay.since.date", date=format_date(moment, format="d MMMM", locale=locale))


# ── to the coordinators ────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class GiverWrote:
    """The idea giver's words about their idea, as a coordinator gets them at once."""

    giver: str | None  # their first name; None: not known
    number: int
    title: str
    stage: str  # its name, in the coordinator's language
    text: str
    answer: str  # the button value that opens the answer to the giver
    show: str  # the button value that shows the idea


def giver_wrote_reply(lang: str, view: GiverWrote) -> Reply:
    text = tr(
        lang, "relay.notice", first_name=view.giver, number=view.number,
        title=view.title, stage=view.stage, text=view.text,
    )  # fmt: skip
    hint = tr(lang, "relay.notice.hint", number=view.number)
    choices = (
        Choice(view.answer, tr(lang, "relay.choice.answer", first_name=view.giver)),
        Choice(view.show, tr(lang, "relay.choice.show")),
    )
    return Reply(f"{text}\n\n{hint}", choices=choices)


@dataclass(frozen=True)
class MessageOutcome:
    """What a coordinator hears after `skriv N …` or the answer button."""

    # "sent": on its way to the giver; "ask": write the answer now; "cancelled": nothing
    # sent; "forgotten": the giver asked us to forget them, nothing can reach them
    outcome: str
    number: int
    title: str
    giver: str | None = None
    cancel: str | None = None  # "ask": the button value that lets the question go


def message_outcome_reply(lang: str, view: MessageOutcome) -> Reply:
    giver = _giver(lang, view.giver)
    key = f"relay.message.{view.outcome}"
    text = tr(lang, key, giver=giver, number=view.number, title=view.title)
    if view.cancel is None:
        return Reply(text)
    return Reply(text, choices=(Choice(view.cancel, tr(lang, "relay.choice.cancel")),))


# ── to the idea giver ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class CoordinatorWrote:
    """A coordinator's words, as the idea giver gets them."""

    first_name: str | None  # the giver's
    coordinator: str | None
    number: int
    title: str
    text: str


def coordinator_wrote_reply(lang: str, view: CoordinatorWrote) -> Reply:
    coordinator = view.coordinator or tr(lang, "someone")
    text = tr(
        lang, "relay.to_giver", first_name=view.first_name, coordinator=coordinator,
        number=view.number, title=view.title, text=view.text,
    )  # fmt: skip
    return Reply(f"{text}\n\n{tr(lang, 'relay.to_giver.answer', coordinator=coordinator)}")


@dataclass(frozen=True)
class GiverMessageSent:
    """What the idea giver hears when their words are on their way."""

    first_name: str | None
    number: int
    title: str
    to: tuple[str, ...]  # who gets them; empty: nobody is there now
    answer_by: date | None  # the day they hear back by at the latest; None: no day promised
    closed: bool  # the idea is closed (they may still ask about it)
    # Someone has the idea (its coordinator, or their stand-in): the one it went to "has it";
    # False: nobody was assigned, so it went to whoever is here, without that claim.
    assigned: bool = True


def giver_message_sent_reply(lang: str, view: GiverMessageSent) -> Reply:
    values = {"title": view.title, "number": view.number}
    if not view.to:
        text = tr(lang, "relay.sent.nobody", first_name=view.first_name, **values)
    else:
        day = weekday_date(view.answer_by, lang) if view.answer_by else ""
        if len(view.to) == 1:
            key, who = ("relay.sent" if view.assigned else "relay.sent.one"), view.to[0]
        else:
            key, who = "relay.sent.team", ", ".join(view.to)
        if view.answer_by is None:
            key += ".undated"
        text = tr(lang, key, first_name=view.first_name, to=who, day=day, **values)
    lines = [text]
    if view.closed:
        lines.append(tr(lang, "relay.sent.closed"))
    lines.append(tr(lang, "relay.sent.new_idea"))
    return Reply("\n\n".join(lines))


@dataclass(frozen=True)
class WhichIdea:
    """Several of the giver's ideas could be meant: which one, each a button."""

    first_name: str | None
    ideas: tuple[tuple[str, int, str], ...]  # (button value, number, title)
    none: str  # the button value for "none of them"


def which_idea_reply(lang: str, view: WhichIdea) -> Reply:
    choices = [
        Choice(value, tr(lang, "relay.which.choice", number=number, title=title))
        for value, number, title in view.ideas
    ]
    choices.append(Choice(view.none, tr(lang, "relay.which.none")))
    return Reply(tr(lang, "relay.which", first_name=view.first_name), choices=tuple(choices))


def not_relayed_reply(lang: str) -> Reply:
    return Reply(tr(lang, "relay.which.no"))


# ── in `visa` and `lista` ──────────────────────────────────────────────────────────────


def history_line(lang: str, when: str, actor: str, text: str | None) -> str:
    """One message of the relay, either way, in an idea's history (`when`: the date, as
    shown); the name says who wrote it."""
    if text is None:  # its words were erased with the person
        return tr(lang, "relay.history.erased", date=when, actor=actor)
    return tr(lang, "relay.history", date=when, actor=actor, text=text)


def waiting_value(lang: str, giver: str | None, waiting_since: date, today: date) -> str:
    """ "Anna väntar på svar sedan i tisdags"."""
    return tr(
        lang, "relay.waiting", giver=giver or tr(lang, "relay.the_giver.capital"),
        since=since(lang, waiting_since, today),
    )  # fmt: skip


def waiting_marker(lang: str) -> str:
    return tr(lang, "relay.list.waiting")
