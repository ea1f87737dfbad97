"""One command parser for every platform: text in, a `Command` or a `ParseError` out.

Pure and total: any text gives one of the two, never an exception. The same words work with
or without the `/idea` prefix, in Swedish and English (`visa 12`, `show 12`), and stage names
in either language (`advance 12 prövas`, `advance 12 testing`).

People are named as `me`/`mig`, a Slack mention `<@U024BE7LH>` or `<@U024BE7LH|anna>`, a
qualified id `slack:U024BE7LH`, or `@anna` (a user on the speaker's own platform). The Teams
adapter rewrites `<at>…</at>` mentions to `<@id>` from the activity's mention entity.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.process import Process
from conversations.clean import shorten as _shorten

PREFIXES = ("/idea", "/idé", "/ide")

# Canonical command → every word that means it (compared case-insensitively).
WORDS: dict[str, tuple[str, ...]] = {
    "help": ("help", "hjälp", "hjalp", "?", "kommandon", "commands"),
    "mine": ("mine", "mina", "status"),
    "list": ("list", "lista", "kö", "queue"),
    "show": ("show", "visa"),
    "assign": ("assign", "tilldela"),
    "advance": ("advance", "flytta"),
    "park": ("park", "parkera"),
    "refer": ("refer", "hänvisa", "hanvisa"),
    "close": ("close", "avsluta", "stäng"),
    "reopen": ("reopen", "återöppna", "ateroppna", "återuppta"),
    "note": ("note", "notera", "anteckning", "anteckna"),
    "stats": ("stats", "statistik", "statistics"),
    "export": ("export", "exportera"),
    "coordinator": ("coordinator", "coordinators", "idéslussare", "samordnare"),
    "snooze": ("snooze", "snooza", "pausa"),
    "outbox": ("outbox", "utkorg", "utkorgen"),
    "mydata": ("mydata", "my-data", "mina-uppgifter", "minauppgifter"),
    "forget-me": ("forget-me", "forgetme", "glöm-mig", "glömmig", "glom-mig"),
    "gdpr": ("gdpr",),
    "anonymous": ("anonymous", "anonym", "anonymt"),
}
# Commands of two words; the first may mean something else alone ("mina" = mine).
PHRASES: dict[str, str] = {
    "mina uppgifter": "mydata",
    "my data": "mydata",
    "glöm mig": "forget-me",
    "glom mig": "forget-me",
    "forget me": "forget-me",
}
GDPR_ACTIONS = {
    "export": ("export", "exportera"),
    "erase": ("erase", "radera", "glöm", "forget"),
}
COMMAND_BY_WORD = {word: name for name, words in WORDS.items() for word in words}
COORDINATOR_ACTIONS = {
    "add": ("add", "lägg", "lägg till", "ny", "new"),
    "remove": ("remove", "ta bort", "bort", "delete", "radera"),
    "list": ("list", "lista", "visa", "show"),
}
ME_WORDS = ("me", "mig", "jag", "myself")
UNASSIGNED_FLAGS = ("--unassigned", "--otilldelade", "unassigned", "otilldelade", "--ingen")
MINE_FLAGS = ("--mine", "--mina", "mine", "mina", "--mig")
EXPORT_FORMATS = ("csv",)
MAX_NUMBER = 2_147_483_647  # the database's integer range
# A snooze longer than a working year is a typo, not a plan.
MAX_SNOOZE_DAYS = 250
DAY_WORDS = ("dagar", "dag", "arbetsdagar", "arbetsdag", "days", "day", "working")
# What a command may store: a message, reason or note (as long as an intake answer), and
# where an idea is referred. Longer is refused with the limit, never cut silently.
MAX_COMMAND_TEXT = 2000
MAX_TARGET = 200

# Commands an idea giver may use; the rest are for coordinators (and admins).
# `gdpr` checks its own rights: export for coordinators and admins, erase for admins.
EVERYONE = frozenset({"help", "mine", "show", "mydata", "forget-me", "gdpr", "anonymous"})
# `anonym 12 av`: the idea giver shows their name to assessors again.
OFF_WORDS = ("av", "off", "nej", "no", "inte")
ADMIN_ONLY = frozenset({"coordinator", "outbox"})


@dataclass(frozen=True)
class Command:
    name: str
    idea: int | None = None
    stage: str | None = None  # list: the filter; advance: where to
    text: str | None = None  # the message to the idea giver, the reason, the note
    days: int | None = None  # snooze: for how many working days
    target: str | None = None  # assign: a person; refer: where; coordinator: a person
    action: str | None = None  # coordinator: add/remove/list; export: the format
    flags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ParseError:
    """Why the text is not a command; `key` names a text in conversations/command_texts.py."""

    key: str
    values: dict[str, str] = field(default_factory=dict)
    command: str | None = None  # the command it looked like, for a hint on its usage


def strip_prefix(text: str) -> tuple[str, bool]:
    """The text without a leading `/idea`, and whether it had one."""
    stripped = text.lstrip()
    lowered = stripped.casefold()
    for prefix in PREFIXES:
        if lowered.startswith(prefix) and (
            len(stripped) == len(prefix) or stripped[len(prefix)].isspace()
        ):
            return stripped[len(prefix) :], True
    return text, False


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def first_word(text: str) -> str:
    words = _normal(strip_prefix(text)[0]).split(maxsplit=1)
    return words[0].casefold().strip(".,!:;") if words else ""


def looks_like_command(text: str | None) -> bool:
    """Text that should be taken as a command even with no `/idea` in front."""
    if not text:
        return False
    if strip_prefix(text)[1]:
        return True
    return first_word(text) in COMMAND_BY_WORD or _phrase(_normal(text).strip()) is not None


def _phrase(body: str) -> tuple[str, str] | None:
    """(command, the rest) when the text starts with a two-word command."""
    for phrase, name in PHRASES.items():
        start = body[: len(phrase)]
        if start.casefold() == phrase and (len(body) == len(phrase) or body[len(phrase)] == " "):
            return name, body[len(phrase) :]
    return None


def parse(text: str | None, process: Process) -> Command | ParseError:
    try:
        result = _parse(text or "", process)
    except Exception:  # a parser bug must never reach the person as a crash
        return ParseError("parse.not_understood")
    if isinstance(result, Command) and (
        len(result.text or "") > MAX_COMMAND_TEXT or len(result.target or "") > MAX_TARGET
    ):
        too_long = len(result.text or "") > MAX_COMMAND_TEXT
        limit = MAX_COMMAND_TEXT if too_long else MAX_TARGET
        return ParseError("parse.too_long", {"max": str(limit)}, result.name)
    return result


def _parse(text: str, process: Process) -> Command | ParseError:
    body = _normal(strip_prefix(text)[0]).strip()
    # One line of command; a message may span lines, so keep the rest as it was.
    if not body:
        return Command("help")
    if phrase := _phrase(body):
        body = phrase[0] + phrase[1]
    head, _, rest = body.partition(" ")
    head_word = head.casefold().strip(".,!:;")
    if "\n" in head_word:
        head_word, _, more = head_word.partition("\n")
        rest = f"{more} {rest}".strip()
    name = COMMAND_BY_WORD.get(head_word)
    if name is None:
        return ParseError("parse.unknown_command", {"word": _shorten(head, 30)})
    rest = rest.strip()
    if name in ("help", "mine", "stats", "outbox", "mydata", "forget-me"):
        if rest:
            return ParseError("parse.extra_words", {"words": _shorten(rest, 30)}, name)
        return Command(name)
    if name == "list":
        return _list(rest, process)
    if name == "export":
        fmt = rest.casefold() or "csv"
        if fmt not in EXPORT_FORMATS:
            return ParseError("parse.export_format", {"format": _shorten(rest, 20)}, name)
        return Command(name, action=fmt)
    if name == "coordinator":
        return _coordinator(rest)
    if name == "gdpr":
        return _gdpr(rest)

    number, rest = _number(rest)
    if number is None:
        return ParseError("parse.needs_number", {}, name)
    if isinstance(number, ParseError):
        return number
    if name == "show":
        return Command(name, idea=number)
    if name == "anonymous":
        if rest and rest.casefold() not in (*OFF_WORDS, "på", "on", "ja", "yes"):
            return ParseError("parse.extra_words", {"words": _shorten(rest, 30)}, name)
        return Command(name, idea=number, action="off" if rest.casefold() in OFF_WORDS else "on")
    if name == "assign":
        target, rest = _person(rest)
        if target is None:
            return ParseError("parse.needs_person", {}, name)
        return Command(name, idea=number, target=target)
    if name == "advance":
        stage, rest = _stage(rest, process)
        return Command(name, idea=number, stage=stage, text=rest or None)
    if name in ("park", "reopen"):
        return Command(name, idea=number, text=rest or None)
    if name == "refer":
        where, rest = _quoted_or_word(rest)
        if not where:
            return ParseError("parse.needs_where", {}, name)
        return Command(name, idea=number, target=where, text=rest or None)
    if name == "close":
        if not rest:
            return ParseError("parse.needs_reason", {}, name)
        return Command(name, idea=number, text=rest)
    if name == "note":
        if not rest:
            return ParseError("parse.needs_note", {}, name)
        return Command(name, idea=number, text=rest)
    if name == "snooze":
        return _snooze(number, rest)
    raise AssertionError(name)  # pragma: no cover - every command is handled above


def _snooze(number: int, rest: str) -> Command | ParseError:
    """`snooze 12 5 [dagar] [reason]`: the days in digits, an optional unit word."""
    word, _, reason = rest.partition(" ")
    if not word:
        return ParseError("parse.needs_days", {}, "snooze")
    if not word.isascii() or not word.isdigit() or not 1 <= int(word) <= MAX_SNOOZE_DAYS:
        return ParseError(
            "parse.bad_days", {"word": _shorten(word, 30), "most": str(MAX_SNOOZE_DAYS)}, "snooze"
        )
    reason = reason.strip()
    unit, _, after = reason.partition(" ")
    if unit.casefold().strip(".,:;") in DAY_WORDS:
        reason = after.strip()
        if reason.casefold().startswith("days"):  # "working days"
            reason = reason[4:].strip()
    return Command("snooze", idea=number, days=int(word), text=reason or None)


def _list(rest: str, process: Process) -> Command | ParseError:
    flags: set[str] = set()
    stage = None
    for word in rest.split():
        lowered = word.casefold()
        if lowered in UNASSIGNED_FLAGS:
            flags.add("unassigned")
        elif lowered in MINE_FLAGS:
            flags.add("mine")
        elif stage is None and process.find_stage(word):
            stage = process.find_stage(word)
        else:
            return ParseError("parse.list_word", {"word": _shorten(word, 30)}, "list")
    return Command("list", stage=stage, flags=frozenset(flags))


def _coordinator(rest: str) -> Command | ParseError:
    lowered = rest.casefold()
    for action, words in COORDINATOR_ACTIONS.items():
        for word in sorted(words, key=len, reverse=True):
            if lowered == word or lowered.startswith(word + " "):
                remainder = rest[len(word) :].strip()
                if action == "list":
                    return Command("coordinator", action="list")
                target, remainder = _person(remainder)
                if target is None or target == "me" or remainder:
                    return ParseError("parse.needs_person", {}, "coordinator")
                return Command("coordinator", action=action, target=target)
    if not rest:
        return Command("coordinator", action="list")
    return ParseError("parse.coordinator_action", {}, "coordinator")


def _gdpr(rest: str) -> Command | ParseError:
    word, _, remainder = rest.partition(" ")
    for action, words in GDPR_ACTIONS.items():
        if word.casefold() in words:
            target, remainder = _person(remainder)
            if target is None or remainder:
                return ParseError("parse.needs_person", {}, "gdpr")
            return Command("gdpr", action=action, target=target)
    return ParseError("parse.gdpr_action", {}, "gdpr")


def _number(rest: str) -> tuple[int | ParseError | None, str]:
    if not rest:
        return None, ""
    word, _, remainder = rest.partition(" ")
    digits = word.lstrip("#").rstrip(".,:;")
    if digits.casefold() in ("nr", "no", "nummer", "number") and remainder:
        return _number(remainder.strip())
    if not digits.isascii() or not digits.isdigit():
        return ParseError("parse.bad_number", {"word": _shorten(word, 30)}), ""
    number = int(digits)
    if not 1 <= number <= MAX_NUMBER:
        return ParseError("parse.bad_number", {"word": _shorten(word, 30)}), ""
    return number, remainder.strip()


_SLACK_MENTION = re.compile(r"^<@([A-Za-z0-9._:-]+)(?:\|[^>]*)?>$")
_QUALIFIED = re.compile(r"^([a-z]+):(\S+)$")
_AT_NAME = re.compile(r"^@([\w.-]+)$")


def _person(rest: str) -> tuple[str | None, str]:
    """A person: "me", "<@U123>" (→ "@U123"), "@anna" (→ "@anna") or "slack:U123".
    "@x" means a user id on the speaker's own platform; the handler qualifies it."""
    word, _, remainder = rest.strip().partition(" ")
    lowered = word.casefold()
    if lowered in ME_WORDS:
        return "me", remainder.strip()
    if match := _SLACK_MENTION.match(word):
        return "@" + match.group(1), remainder.strip()
    if match := _AT_NAME.match(word):
        return "@" + match.group(1), remainder.strip()
    if _QUALIFIED.match(word):
        return word, remainder.strip()
    return None, rest


def _stage(rest: str, process: Process) -> tuple[str | None, str]:
    """An optional stage at the start: its id or its name in either language, which may be
    more than one word ("inte nu"); the longest match wins."""
    words = rest.split(" ")
    for count in range(min(3, len(words)), 0, -1):
        candidate = " ".join(words[:count]).strip(".,:;")
        stage = process.find_stage(candidate) if candidate else None
        if stage is not None:
            return stage, " ".join(words[count:]).strip()
    return None, rest


_QUOTES = {'"': '"', "”": "”", "“": "”", "'": "'", "«": "»", "»": "«"}


def _quoted_or_word(rest: str) -> tuple[str, str]:
    """`"Tekniska förvaltningen" message` or `Trafikverket message`."""
    rest = rest.strip()
    if rest and rest[0] in _QUOTES:
        closing = rest.find(_QUOTES[rest[0]], 1)
        if closing > 1:
            return rest[1:closing].strip(), rest[closing + 1 :].strip()
    word, _, remainder = rest.partition(" ")
    return word, remainder.strip()
