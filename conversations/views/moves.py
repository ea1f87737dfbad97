"""The answers to a coordinator's changes of an idea: `flytta`, `parkera`, `hänvisa`,
`avsluta`, `återöppna` (a move), the question before a move that was not clear, `ångra`,
`tilldela`, `notera` and `pausa`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conversations.i18n import format_weekday, tr
from conversations.reply import Choice, Reply
from conversations.views.common import date, workdays


@dataclass(frozen=True)
class MoveRefused:
    """A move that was not made, and why."""

    # "nowhere": the stage has no way out; "choose": no stage given; "not_allowed": not from
    # here; "needs_reason", "needs_where": the stage asks for them; "not_reopenable";
    # "no_way_back": it has been in no stage before this one
    why: str
    number: int
    stage: str  # where the idea is, its name in the reader's language
    allowed: tuple[str, ...] = ()  # the names of the stages it may go to


def move_refused_reply(lang: str, view: MoveRefused) -> Reply:
    key, number, stage = f"move.{view.why}", view.number, view.stage
    if view.why in ("choose", "not_allowed"):
        return Reply(tr(lang, key, number=number, stage=stage, allowed=", ".join(view.allowed)))
    if view.why in ("nowhere", "not_reopenable", "no_way_back"):
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
class MoveQuestion:
    """`flytta N <words>` where the words are no stage: nothing moved, and the coordinator is
    asked what they meant. Either "Menade du <guess>?" with yes and no, or the moves on offer
    and the words as the message; the values are the buttons' (bot/questions.py)."""

    number: int
    title: str
    words: str  # what they wrote instead of a stage, shortened
    guess: str | None  # the stage name the words look like; None: they look like none
    moves: tuple[tuple[str, str], ...]  # (value, stage name): "move to …" buttons
    as_message: tuple[str, str, str] | None  # (value, stage name, the words shortened)
    yes: str | None  # with a guess: "yes, move there"
    no: str  # nothing happens


def move_question_reply(lang: str, view: MoveQuestion) -> Reply:
    number, title, words = view.number, view.title, view.words
    choices: list[Choice] = []
    if view.guess is not None:
        text = tr(
            lang, "move.did_you_mean", stage=view.guess, number=number, title=title, words=words
        )
        if view.yes is not None:
            choices.append(Choice(view.yes, tr(lang, "choice.yes_move_to", stage=view.guess)))
    else:
        text = tr(lang, "move.what_did_you_mean", number=number, title=title, words=words)
    choices += [
        Choice(value, tr(lang, "choice.advance_to", stage=name)) for value, name in view.moves
    ]
    if view.as_message is not None:
        value, stage, words = view.as_message
        choices.append(Choice(value, tr(lang, "choice.move_with_words", stage=stage, words=words)))
    no = tr(lang, "choice.no") if view.guess is not None else tr(lang, "choice.cancel")
    choices.append(Choice(view.no, no))
    return Reply(text, choices=tuple(choices))


@dataclass(frozen=True)
class Undone:
    """A move taken back with `ångra`."""

    number: int
    title: str
    stage: str  # the stage it is back in
    giver: str | None  # the giver's first name; None: not known
    # "withdrawn": the message had not gone out; "corrected": it may have, a correction
    # follows; "none": there was no message to take back
    messages: str


def undone_reply(lang: str, view: Undone) -> Reply:
    done = tr(lang, "undo.done", number=view.number, title=view.title, stage=view.stage)
    if view.messages == "none":
        return Reply(done)
    giver = view.giver or tr(lang, "show.giver")
    return Reply(f"{done} {tr(lang, f'undo.{view.messages}', giver=giver)}")


@dataclass(frozen=True)
class UndoRefused:
    """Nothing was undone, and why, with what to do instead."""

    # "nothing": no move of theirs (of this idea); "someone_else": the idea's latest move is
    # another coordinator's; "already": their latest move is undone already; "too_late":
    # older than the window; "moved_since": the idea moved again after it
    why: str
    number: int | None  # the idea; None: they asked about no idea in particular
    person: str | None = None  # who moved it ("someone_else", "moved_since")
    minutes: int = 0  # the window


def undo_refused_reply(lang: str, view: UndoRefused) -> Reply:
    key = f"undo.{view.why}"
    if view.why == "nothing" and view.number is not None:
        key = "undo.nothing_idea"
    person = view.person or tr(lang, "someone")
    return Reply(tr(lang, key, number=view.number, person=person, minutes=view.minutes))


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
    # The reason went to the idea giver: their first name ("" when not known); None: no
    # reason, nothing went to them.
    told: str | None = None


@dataclass(frozen=True)
class SnoozeAsk:
    """The digest's snooze button: how to snooze, with the reason the giver will read."""

    number: int
    title: str


def snoozed_reply(lang: str, view: Snoozed | SnoozeFinished | SnoozeAsk) -> Reply:
    if isinstance(view, SnoozeFinished):
        return Reply(tr(lang, "snooze.finished", number=view.number, stage=view.stage))
    if isinstance(view, SnoozeAsk):
        return Reply(tr(lang, "promise.snooze_ask", number=view.number, title=view.title))
    text = tr(
        lang,
        "snooze.done",
        number=view.number,
        title=view.title,
        days=workdays(lang, view.days),
        date=date(view.until, lang),
    )
    if view.told is not None:
        giver = view.told or tr(lang, "promise.the_giver")
        day = format_weekday(view.until.date(), lang)
        text += " " + tr(lang, "promise.snooze_told", giver=giver, date=day)
    return Reply(text)
