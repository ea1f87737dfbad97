"""A coordinator's daily digest: one line per idea (what is due, since when), the most urgent
first, buttons for the first few ideas, and the rest counted."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.i18n import tr, tr_n
from conversations.reply import Choice, Reply

# The most urgent first: a promise about to fall due, then an idea that waits longest.
URGENCY = ("promise_warn", "escalation", "idle", "parked", "new_idea", "assigned")


@dataclass(frozen=True)
class DigestItem:
    """One piece of news about an idea, as the line says it."""

    kind: str  # one of URGENCY
    days: int = 0  # working days the idea has rested (idle, escalation, parked)
    stage: str = ""  # the stage's name in the reader's language
    date: str = ""  # promise_warn: the day it falls due ("tisdag 12 augusti")
    who: str = ""  # escalation: who has it; assigned: who gave it; new_idea: whose it is
    where: str = ""  # new_idea: the workplace
    similar: tuple[int, ...] = ()  # new_idea: the numbers of ideas much like it


@dataclass(frozen=True)
class DigestLine:
    number: int
    title: str
    items: tuple[DigestItem, ...]  # most urgent first
    # Button values made by the bot (the codec is not the view's business); None: no button.
    show: str | None = None
    assign_me: str | None = None  # only for an idea nobody has
    snooze: str | None = None


@dataclass(frozen=True)
class Digest:
    name: str | None  # the reader's first name
    lines: tuple[DigestLine, ...]  # the ideas shown, most urgent first
    more: int = 0  # ideas with news not shown (see `att göra`)


def _item(lang: str, item: DigestItem) -> str:
    text = tr(
        lang, f"digest.item.{item.kind}", days=item.days, stage=item.stage, date=item.date,
        who=item.who, where=item.where or item.stage,
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
        if line.show:
            choices.append(Choice(line.show, tr(lang, "digest.button.show", number=line.number)))
        if line.assign_me:
            label = tr(lang, "digest.button.assign_me", number=line.number)
            choices.append(Choice(line.assign_me, label))
        if line.snooze:
            label = tr(lang, "digest.button.snooze", number=line.number)
            choices.append(Choice(line.snooze, label))
    return Reply(text, choices=tuple(choices))
