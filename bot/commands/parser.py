"""One command parser for every platform: text in, a `Command` or a `ParseError` out.

Pure and total: any text gives one of the two, never an exception. The same words work with
or without the `/idea` prefix, in Swedish and English (`visa 12`, `show 12`), and stage names
in either language (`advance 12 prövas`, `advance 12 testing`). Which words there are, and
how each command reads its arguments, comes from the commands themselves
(bot/commands/catalog.py); this module only finds the command and hands it the rest.

People are named as `me`/`mig`, a Slack mention `<@U024BE7LH>` or `<@U024BE7LH|anna>`, a
qualified id `slack:U024BE7LH`, or `@anna` (a user on the speaker's own platform). The Teams
adapter rewrites `<at>…</at>` mentions to `<@id>` from the activity's mention entity.
"""

from __future__ import annotations

from typing import Any

from bot.commands.catalog import COMMANDS
from bot.commands.syntax import (
    MAX_COMMAND_TEXT,
    MAX_TARGET,
    Command,
    ParseError,
    normal,
    shorten,
    strip_prefix,
)
from bot.process import Process

# Canonical command → every word that means it (compared case-insensitively).
WORDS: dict[str, tuple[str, ...]] = {spec.name: spec.words for spec in COMMANDS}
# Commands of more than one word; the first may mean something else alone ("mina" = mine).
PHRASES: dict[str, str] = dict(COMMANDS.phrases)
COMMAND_BY_WORD = COMMANDS.by_word

__all__ = ["PHRASES", "WORDS", "Command", "ParseError", "looks_like_command", "parse"]


def first_word(text: str) -> str:
    words = normal(strip_prefix(text)[0]).split(maxsplit=1)
    return words[0].casefold().strip(".,!:;") if words else ""


def looks_like_command(text: str | None) -> bool:
    """Text that should be taken as a command even with no `/idea` in front."""
    if not text:
        return False
    if strip_prefix(text)[1]:
        return True
    return first_word(text) in COMMAND_BY_WORD or _phrase(normal(text).strip()) is not None


def _phrase(body: str) -> tuple[str, str] | None:
    """(command, the rest) when the text starts with a command of more than one word."""
    for phrase, name in PHRASES.items():
        start = body[: len(phrase)]
        if start.casefold() == phrase and (len(body) == len(phrase) or body[len(phrase)] == " "):
            return name, body[len(phrase) :]
    return None


def parse(text: str | None, process: Process) -> Command[Any] | ParseError:
    try:
        result = _parse(text or "", process)
    except Exception:  # a parser bug must never reach the person as a crash
        return ParseError("parse.not_understood")
    if isinstance(result, Command):
        too_long = len(getattr(result.args, "text", None) or "") > MAX_COMMAND_TEXT
        if too_long or len(getattr(result.args, "target", None) or "") > MAX_TARGET:
            limit = MAX_COMMAND_TEXT if too_long else MAX_TARGET
            return ParseError("parse.too_long", {"max": str(limit)}, result.name)
    return result


def _parse(text: str, process: Process) -> Command[Any] | ParseError:
    body = normal(strip_prefix(text)[0]).strip()
    # One line of command; a message may span lines, so keep the rest as it was.
    if not body:
        return Command("help")
    if phrase := _phrase(body):
        name, rest = phrase
    else:
        head, _, rest = body.partition(" ")
        head_word = head.casefold().strip(".,!:;")
        if "\n" in head_word:
            head_word, _, more = head_word.partition("\n")
            rest = f"{more} {rest}".strip()
        found = COMMAND_BY_WORD.get(head_word)
        if found is None:
            return ParseError("parse.unknown_command", {"word": shorten(head, 30)})
        name = found
    args = COMMANDS[name].read(rest.strip(), process)
    return args if isinstance(args, ParseError) else Command(name, args)
