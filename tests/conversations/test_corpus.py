"""The corpus is the specification of understanding: every message in it, read in its
context by the bot's own reader (the commands as the parser knows them, then
conversations/understanding.py), means what the person meant."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.commands.catalog import COMMANDS
from bot.commands.parser import Command
from bot.commands.registry import EVERYONE
from bot.process import load_process
from bot.reading import DIALOGUE_FIRST, command_in
from conversations.understanding import Meaning, understand
from tests.conversations.corpus import CORPUS
from tests.conversations.corpus_format import Say, context_of

PROCESS = load_process(None)


def meaning_of(say: Say) -> Meaning:
    """What the bot makes of the row: the command the words are, if the person may use it,
    then the meaning in context."""
    command = command_in(say.text, PROCESS)
    usable = None
    if isinstance(command, Command):
        role = COMMANDS[command.name].role
        if role == EVERYONE or say.coordinator:
            usable = command.name
        if usable in DIALOGUE_FIRST and say.at != "nothing":
            usable = None  # the dialogue's own word ("tillbaka") inside a dialogue
    return understand(say.text, replace(context_of(say), command=usable))


def _id(say: Say) -> str:
    return f"{say.at}:{say.text[:40]}"


@pytest.mark.parametrize("say", CORPUS, ids=_id)
def test_the_person_is_understood(say: Say) -> None:
    got = meaning_of(say)
    expected = say.meaning
    assert (got.kind, got.value, got.comment) == (expected.kind, expected.value, expected.comment)
