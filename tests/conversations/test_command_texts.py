"""Every text table has both languages with the same keys and placeholders."""

from __future__ import annotations

from string import Formatter

import pytest

from bot.commands.parser import WORDS
from bot.process import load_process
from conversations.i18n import messages, placeholders

SV, EN = messages("sv"), messages("en")


def _placeholders(text: str | tuple[str, ...]) -> set[str]:
    forms = text if isinstance(text, tuple) else (text,)
    return set().union(*(placeholders(form) for form in forms))


def test_command_texts_have_the_same_keys_and_placeholders_in_both_languages() -> None:
    assert SV.keys() == EN.keys()
    for key in SV:
        assert _placeholders(SV[key]) == _placeholders(EN[key]), key


def test_every_command_has_a_usage_line() -> None:
    for name in WORDS:
        assert f"usage.{name}" in SV


def _brace_placeholders(text: str) -> set[str]:
    """The process file keeps its own `{placeholders}` (it is the municipality's content)."""
    return {field for _, field, _, _ in Formatter().parse(text) if field}


@pytest.mark.parametrize("stage", list(load_process().stages.values()), ids=lambda s: s.id)
def test_the_process_texts_say_the_same_in_both_languages(stage) -> None:
    for table in (stage.names, stage.messages, stage.next_steps):
        assert _brace_placeholders(table["sv"]) == _brace_placeholders(table["en"])
