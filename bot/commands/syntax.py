"""The pieces every command's arguments are read with: idea numbers, people, stages, quoted
names; and the two results of reading a command, `Command` and `ParseError`.

Pure and total: each reader takes the rest of the text and gives a value and what is left,
never an exception. A command's own reader (next to its handler) combines them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from rapidfuzz import fuzz
from rapidfuzz import process as process_fuzz

from bot.process import Process

# Re-exported: a command's reader shortens what it quotes back in an error.
from conversations.clean import shorten as shorten

PREFIXES = ("/idea", "/idé", "/ide")
MAX_NUMBER = 2_147_483_647  # the database's integer range
# What a command may store: a message, reason or note (as long as an intake answer), and
# where an idea is referred. Longer is refused with the limit, never cut silently.
MAX_COMMAND_TEXT = 2000
MAX_TARGET = 200
ME_WORDS = ("me", "mig", "jag", "myself")


@dataclass(frozen=True)
class NoArgs:
    """The arguments of a command that takes none."""


A = TypeVar("A")


@dataclass(frozen=True)
class Command(Generic[A]):
    """A command as read from text or a button: its name and its own typed arguments
    (each command declares its arguments' class next to its handler)."""

    name: str
    # `Command("help")` has no arguments. mypy cannot type a default for a field whose type
    # is the class's type variable (it would be right only for Command[NoArgs]).
    args: A = NoArgs()  # type: ignore[assignment]


@dataclass(frozen=True)
class ParseError:
    """Why the text is not a command; `key` names a text in the catalog (conversations/locale)."""

    key: str
    values: dict[str, str] = field(default_factory=dict)
    command: str | None = None  # the command it looked like, for a hint on its usage


# What a command's reader gets (the text after the command's word, stripped, and the process
# for stage names) and gives: its arguments, or why they are wrong.
Reader = Callable[[str, Process], Any]


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


def normal(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def no_args(name: str, make: Callable[[], Any] = NoArgs) -> Reader:
    """The reader of a command that takes no arguments: anything after it is explained."""

    def read(rest: str, _: Process) -> Any:
        if rest:
            return ParseError("parse.extra_words", {"words": shorten(rest, 30)}, name)
        return make()

    return read


def with_number(name: str, then: Callable[[int, str, Process], Any]) -> Reader:
    """The reader of a command about one idea: its number first, then `then` on the rest."""

    def read(rest: str, process: Process) -> Any:
        number, after = read_number(rest)
        if number is None:
            return ParseError("parse.needs_number", {}, name)
        if isinstance(number, ParseError):
            return number
        return then(number, after, process)

    return read


def read_number(rest: str) -> tuple[int | ParseError | None, str]:
    if not rest:
        return None, ""
    word, _, remainder = rest.partition(" ")
    digits = word.lstrip("#").rstrip(".,:;")
    if digits.casefold() in ("nr", "no", "nummer", "number") and remainder:
        return read_number(remainder.strip())
    if not digits.isascii() or not digits.isdigit():
        return ParseError("parse.bad_number", {"word": shorten(word, 30)}), ""
    number = int(digits)
    if not 1 <= number <= MAX_NUMBER:
        return ParseError("parse.bad_number", {"word": shorten(word, 30)}), ""
    return number, remainder.strip()


_SLACK_MENTION = re.compile(r"^<@([A-Za-z0-9._:-]+)(?:\|[^>]*)?>$")
_QUALIFIED = re.compile(r"^([a-z]+):(\S+)$")
_AT_NAME = re.compile(r"^@([\w.-]+)$")


def read_person(rest: str) -> tuple[str | None, str]:
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


def read_stage(rest: str, process: Process) -> tuple[str | None, str]:
    """An optional stage at the start: its id or its name in either language, which may be
    more than one word ("inte nu"); the longest match wins."""
    words = rest.split(" ")
    for count in range(min(3, len(words)), 0, -1):
        candidate = " ".join(words[:count]).strip(".,:;")
        stage = process.find_stage(candidate) if candidate else None
        if stage is not None:
            return stage, " ".join(words[count:]).strip()
    return None, rest


# How close the first word(s) after an idea's number must be to a stage's id or name to be
# taken for a typo of it: rapidfuzz's `fuzz.ratio` (0–100, the edit similarity of the whole
# words, case ignored). Typos of the shipped stages score 83–96 ("provas" 83, "parkerad" 86
# → parked, "prövs" 91, "testning" 93, "bedömnig" 94); the words a message starts with score
# below 80 ("test" 73, "inkom" 77, "vi" 44, "bra" 44). `WRatio` is no good here: it scores a
# part of a word, so "vi" (Vilande) and "din" would be 90. tests/bot/test_parser.py has more.
STAGE_TYPO_CUTOFF = 80.0
_PUNCTUATION = ".,:;!?"


@dataclass(frozen=True)
class StageGuess:
    """The first word(s) of a text look like a stage misspelt."""

    stage: str  # the stage's id
    said: str  # the words as written ("testning")
    rest: str  # what follows them


def guess_stage(rest: str, process: Process) -> StageGuess | None:
    """The stage whose id or name (either language) the first one to three words are
    closest to, when that is at least `STAGE_TYPO_CUTOFF` (`read_stage` found none)."""
    names: dict[str, str] = {}
    for stage in process.stages.values():
        for name in (stage.id, *stage.names.values()):
            names.setdefault(name.casefold(), stage.id)
    words = rest.split(" ")
    best: tuple[float, int, str] | None = None
    for count in range(1, min(3, len(words)) + 1):
        candidate = " ".join(words[:count]).strip(_PUNCTUATION).casefold()
        if not candidate:
            continue
        found = process_fuzz.extractOne(
            candidate, list(names), scorer=fuzz.ratio, score_cutoff=STAGE_TYPO_CUTOFF
        )
        if found is not None and (best is None or found[1] > best[0]):
            best = (found[1], count, names[found[0]])
    if best is None:
        return None
    _, count, stage_id = best
    return StageGuess(stage_id, " ".join(words[:count]), " ".join(words[count:]).strip())


def few_bare_words(rest: str) -> bool:
    """One or two words and no sentence punctuation ("pilot", "nästa steg"): too little to
    tell a message from a stage that is not there."""
    return 0 < len(rest.split()) <= 2 and not any(mark in rest for mark in _PUNCTUATION)


_QUOTES = {'"': '"', "”": "”", "“": "”", "'": "'", "«": "»", "»": "«"}


def read_quoted(rest: str) -> str | None:
    """The text inside quotes, when the quotes hold all of `rest` (`”pilot”` → pilot)."""
    rest = rest.strip()
    if len(rest) > 2 and rest[0] in _QUOTES and rest.endswith(_QUOTES[rest[0]]):
        return rest[1:-1].strip() or None
    return None


def read_quoted_or_word(rest: str) -> tuple[str, str]:
    """`"Tekniska förvaltningen" message` or `Trafikverket message`."""
    rest = rest.strip()
    if rest and rest[0] in _QUOTES:
        closing = rest.find(_QUOTES[rest[0]], 1)
        if closing > 1:
            return rest[1:closing].strip(), rest[closing + 1 :].strip()
    word, _, remainder = rest.partition(" ")
    return word, remainder.strip()
