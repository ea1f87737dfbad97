"""`att göra` and `sök`: what waits for a coordinator today, and ideas found by their words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date

from conversations.i18n import DATE_LOCALES, format_day, tr, tr_n
from conversations.reply import Choice, Reply
from conversations.views.common import days
from conversations.views.ideas import ListLine, heard, page_note

# Why an idea is on the list, in the order the list shows them.
PROMISE, OVERDUE, WAITING, NEW = "promise", "overdue", "waiting", "new"


@dataclass(frozen=True)
class TodoLine:
    number: int
    title: str
    why: str  # PROMISE, OVERDUE, WAITING or NEW
    day: date  # the promise's due day, the day the giver wrote, the day the idea came
    giver: str | None  # the giver's first name; None: anonymous or not known
    heard_days: int | None  # since the giver last heard from us
    days: int = 0  # NEW: how long it has waited


@dataclass(frozen=True)
class TodoView:
    today: date
    lines: tuple[TodoLine, ...]
    more: int  # beyond the lines shown
    queue: int  # open ideas in all, for the empty list's pointer to `lista`
    buttons: tuple[Choice, ...] = ()  # for the first few ideas: show, write, take


def day_word(lang: str, day: date, today: date) -> str:
    """A day as people say it near today: "i dag", "i morgon", "fredag", "i tisdags", else
    the date."""
    if day == today:
        return tr(lang, "todo.day.today")
    if day == today + timedelta(days=1):
        return tr(lang, "todo.day.tomorrow")
    if day == today - timedelta(days=1):
        return tr(lang, "todo.day.yesterday")
    weekday = format_date(day, format="EEEE", locale=DATE_LOCALES.get(lang, "sv_SE"))
    if today < day <= today + timedelta(days=6):
        return tr(lang, "todo.day.coming", weekday=weekday)
    if today - timedelta(days=6) <= day < today:
        return tr(lang, "todo.day.last", weekday=weekday)
    return format_day(day, lang)


def _why(lang: str, line: TodoLine, today: date) -> str:
    when = day_word(lang, line.day, today)
    if line.why == WAITING:
        if line.giver:
            return tr(lang, "todo.why.waiting", giver=line.giver, day=when)
        return tr(lang, "todo.why.waiting.noname", day=when)
    if line.why == NEW:
        return tr(lang, "todo.why.new", days=days(lang, line.days))
    return tr(lang, f"todo.why.{line.why}", day=when)


def todo_reply(lang: str, view: TodoView) -> Reply:
    if not view.lines:
        if view.queue:
            return Reply(tr_n(lang, "todo.empty", view.queue))
        return Reply(tr(lang, "todo.empty.none"))
    count = len(view.lines) + view.more
    lines = [tr_n(lang, "todo.intro", count)]
    for line in view.lines:
        lines.append(
            tr(
                lang,
                "todo.line",
                number=line.number,
                title=line.title,
                why=_why(lang, line, view.today),
            )
            + heard(lang, line.heard_days)
        )
    if view.more:
        lines.append(tr(lang, "todo.more", more=view.more))
    return Reply("\n".join(lines), choices=view.buttons)


def show_choice(lang: str, value: str, number: int) -> Choice:
    return Choice(value, tr(lang, "todo.choice.show", number=number))


def take_choice(lang: str, value: str, number: int) -> Choice:
    return Choice(value, tr(lang, "todo.choice.take", number=number))


def write_choice(lang: str, value: str, number: int) -> Choice:
    """To the giver: their next words after the click go to them (bot/relay.py)."""
    return Choice(value, tr(lang, "todo.choice.write", number=number))


@dataclass(frozen=True)
class SearchView:
    words: tuple[str, ...]  # each word or phrase searched for
    total: int
    lines: tuple[ListLine, ...]
    start: int = 1
    own: bool = False  # an idea giver's search: their own ideas only
    command: str = ""  # "sök cykel", to ask for the next page


def search_reply(lang: str, view: SearchView) -> Reply:
    opening, closing = ("”", "”") if lang == "sv" else ("“", "”")
    words = ", ".join(f"{opening}{word}{closing}" for word in view.words)
    if not view.lines:
        key = "search.empty.own" if view.own else "search.empty"
        return Reply(tr(lang, key, words=words))
    lines = [tr_n(lang, "search.intro", view.total, words=words)]
    for line in view.lines:
        text = tr(
            lang,
            "search.line",
            number=line.number,
            title=line.title,
            stage=line.stage,
        )
        if not view.own:
            text += tr(lang, "search.assignee", assignee=line.assignee or tr(lang, "nobody"))
            text += heard(lang, line.heard_days)
        lines.append(text)
    if view.start > 1 or view.total > len(view.lines):
        lines.append(
            page_note(
                lang,
                start=view.start,
                shown=len(view.lines),
                total=view.total,
                command=view.command,
            )
        )
    return Reply("\n".join(lines))
