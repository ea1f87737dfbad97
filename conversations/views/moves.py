"""The answers to a coordinator's changes of an idea: `flytta`, `parkera`, `hänvisa`,
`avsluta`, `återöppna` (a move), `tilldela`, `notera` and `pausa`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conversations.i18n import tr
from conversations.reply import Reply
from conversations.views.common import date, workdays


@dataclass(frozen=True)
class MoveRefused:
    """A move that was not made, and why."""

    # "nowhere": the stage has no way out; "choose": no stage given; "not_allowed": not from
    # here; "needs_reason", "needs_where": the stage asks for them; "not_reopenable"
    why: str
    number: int
    stage: str  # where the idea is, its name in the reader's language
    allowed: tuple[str, ...] = ()  # the names of the stages it may go to


def move_refused_reply(lang: str, view: MoveRefused) -> Reply:
    key, number, stage = f"move.{view.why}", view.number, view.stage
    if view.why in ("choose", "not_allowed"):
        return Reply(tr(lang, key, number=number, stage=stage, allowed=", ".join(view.allowed)))
    if view.why in ("nowhere", "not_reopenable"):
        return Reply(tr(lang, key, number=number, stage=stage))
    return Reply(tr(lang, key, number=number))


@dataclass(frozen=True)
class Moved:
    number: int
    title: str
    from_stage: str  # names, in the reader's language
    to_stage: str
    giver: str | None  # the giver's first name; None: not known


def moved_reply(lang: str, view: Moved) -> Reply:
    return Reply(
        tr(
            lang,
            "move.done",
            number=view.number,
            title=view.title,
            from_stage=view.from_stage,
            to_stage=view.to_stage,
            giver=view.giver or tr(lang, "show.giver"),
        )
    )


@dataclass(frozen=True)
class Assigned:
    # "done"; "same": they have it already; "not_coordinator": cannot be given it
    outcome: str
    number: int
    title: str
    person: str  # their name ("not_coordinator": the id that was written)


def assigned_reply(lang: str, view: Assigned) -> Reply:
    person, number = view.person, view.number
    if view.outcome == "not_coordinator":
        return Reply(tr(lang, "assign.not_coordinator", person=person))
    if view.outcome == "same":
        return Reply(tr(lang, "assign.same", person=person, number=number))
    return Reply(tr(lang, "assign.done", person=person, number=number, title=view.title))


@dataclass(frozen=True)
class Noted:
    number: int


def noted_reply(lang: str, view: Noted) -> Reply:
    return Reply(tr(lang, "note.done", number=view.number))


@dataclass(frozen=True)
class SnoozeFinished:
    """The idea is in a final stage: there are no reminders to pause."""

    number: int
    stage: str


@dataclass(frozen=True)
class Snoozed:
    number: int
    title: str
    days: int  # working days
    until: datetime  # in the municipality's time zone


def snoozed_reply(lang: str, view: Snoozed | SnoozeFinished) -> Reply:
    if isinstance(view, SnoozeFinished):
        return Reply(tr(lang, "snooze.finished", number=view.number, stage=view.stage))
    return Reply(
        tr(
            lang,
            "snooze.done",
            number=view.number,
            title=view.title,
            days=workdays(lang, view.days),
            date=date(view.until, lang),
        )
    )
