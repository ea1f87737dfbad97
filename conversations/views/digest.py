"""A coordinator's daily digest: one line per idea (what is due, since when), the most urgent
first, buttons for the first few ideas, and the rest counted."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.i18n import tr, tr_n
from conversations.reply import Choice, Reply

# The most urgent first: a promise about to fall due, then an idea that waits longest.
# Buttons under one idea, at most (Slack's 25 a block, Teams' card): what can be done
# (write to the giver, take it, snooze it), and "show" first when there is room.
BUTTONS_A_LINE = 3
# An idea whose coordinator is gone has nobody: right after a promise.
URGENCY = (
    "promise_warn", "gone", "escalation", "idle", "parked", "new_idea", "handover", "assigned"
)  # fmt: skip
# Why a coordinator is gone (news "gone"): each has its own line.
GONE_WHY = ("removed", "unreachable")


@dataclass(frozen=True)
class DigestItem:
    """One piece of news about an idea, as the line says it."""

    kind: str  # one of URGENCY
    days: int = 0  # working days the idea has rested (idle, escalation, parked)
    stage: str = ""  # the stage's name in the reader's language
    date: str = ""  # promise_warn: the day it falls due ("tisdag 12 augusti")
    # escalation: who has it; assigned, handover: who gave it; new_idea: whose it is;
    # gone: the coordinator who is gone
    who: str = ""
    where: str = ""  # new_idea: the workplace
    similar: tuple[int, ...] = ()  # new_idea: the numbers of ideas much like it
    previous: str = ""  # handover: who had it before
    why: str = ""  # gone: one of GONE_WHY


@dataclass(frozen=True)
class DigestLine:
    number: int
    title: str
    items: tuple[DigestItem, ...]  # most urgent first
    # Button values made by the bot (the codec is not the view's business); None: no button.
    show: str | None = None
    assign_me: str | None = None  # only for an idea nobody has (or whose coordinator is gone)
    snooze: str | None = None
    write: str | None = None  # to the giver: a promise falls due, or they wait for an answer


@dataclass(frozen=True)
class Digest:
    name: str | None  # the reader's first name
    lines: tuple[DigestLine, ...]  # the ideas shown, most urgent first
    more: int = 0  # ideas with news not shown (see `att göra`)


def _item(lang: str, item: DigestItem) -> str:
    key = f"digest.item.{item.kind}"
    if item.kind == "gone":
        key += f".{item.why if item.why in GONE_WHY else GONE_WHY[0]}"
    text = tr(
        lang, key, days=item.days, stage=item.stage, date=item.date, who=item.who,
        where=item.where or item.stage, previous=item.previous,
    )  # fmt: skip
    if item.similar:
        text += tr(lang, "digest.similar", numbers=", ".join(str(n) for n in item.similar))
    return text


def _line(lang: str, line: DigestLine) -> str:
    what = "; ".join(_item(lang, item) for item in line.items)
    return tr(lang, "digest.line", number=line.number, title=line.title, what=what)


def digest_reply(lang: str, view: Digest, *, buttons_for: int = 5) -> Reply:
    """The digest as one message. Buttons (at most three an idea) only for the first
    `buttons_for` ideas: both Slack and Teams show one message."""
    count = len(view.lines) + view.more
    ideas = tr_n(lang, "digest.ideas", count, count=count)
    head = tr(lang, "digest.head", first_name=view.name, ideas=ideas)
    lines = [f"• {_line(lang, line)}" for line in view.lines]
    text = "\n".join([head, *lines])
    if view.more:
        text += "\n" + tr_n(lang, "digest.more", view.more, count=view.more)
    example = view.lines[0].number if view.lines else 1
    text += "\n\n" + tr(lang, "digest.how", number=example)
    choices: list[Choice] = []
    for line in view.lines[:buttons_for]:
        acts = [
            (value, key)
            for value, key in (
                (line.write, "digest.button.write"),
                (line.assign_me, "digest.button.assign_me"),
                (line.snooze, "digest.button.snooze"),
            )
            if value
        ]
        show = [(line.show, "digest.button.show")] if line.show else []
        shown = (show + acts if len(acts) < BUTTONS_A_LINE else acts)[:BUTTONS_A_LINE]
        choices += [Choice(value, tr(lang, key, number=line.number)) for value, key in shown]
    return Reply(text, choices=tuple(choices))
