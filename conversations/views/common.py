"""Pieces every command's answer shares: dates, day counts, decimals, the answer to an idea
that is not there, a refused role and a text that is not quite a command."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from conversations.i18n import format_day, format_number, tr, tr_n
from conversations.reply import Reply


def date(moment: datetime, lang: str = "sv") -> str:
    """A day as the answers show it; `moment` is already in the municipality's time zone."""
    return format_day(moment, lang)


def days(lang: str, count: int) -> str:
    return tr_n(lang, "days", count)


def workdays(lang: str, count: int) -> str:
    return tr_n(lang, "workdays", count)


def decimal(lang: str, value: float) -> str:
    return format_number(value, lang, decimals=1)


@dataclass(frozen=True)
class IdeaNotFound:
    """No idea with this number (or, for an idea giver, none of theirs)."""

    number: int | None
    yours: bool = False  # True: say "not one of yours" (an idea giver asked)


def not_found_reply(lang: str, view: IdeaNotFound) -> Reply:
    key = "idea.not_yours" if view.yours else "idea.not_found"
    return Reply(tr(lang, key, number=view.number))


@dataclass(frozen=True)
class Refused:
    """A command for a role the person does not have."""

    role: str  # "admin" or "coordinator"


def refused_reply(lang: str, view: Refused) -> Reply:
    return Reply(tr(lang, f"refuse.{view.role}"))


@dataclass(frozen=True)
class NotACommand:
    """Why a text that looked like a command is not one: `key` names a text in
    the text catalog, `values` fill it, `command` adds its usage."""

    key: str
    values: dict[str, str] = field(default_factory=dict)
    command: str | None = None


def not_a_command_reply(lang: str, view: NotACommand) -> Reply:
    text = tr(lang, view.key, **view.values)
    if view.command:
        text += "\n" + tr(lang, f"usage.{view.command}")
    return Reply(text)
