"""Every text table has both languages with the same keys and placeholders."""

from __future__ import annotations

import pytest

from bot.commands.parser import WORDS
from bot.process import load_process
from conversations import command_texts
from conversations.texts import placeholders


def test_command_texts_have_the_same_keys_and_placeholders_in_both_languages() -> None:
    sv, en = command_texts.SV, command_texts.EN
    assert sv.keys() == en.keys()
    for key in sv:
        assert placeholders(sv[key]) == placeholders(en[key]), key


def test_every_command_has_a_usage_line() -> None:
    for name in WORDS:
        assert f"usage.{name}" in command_texts.SV


@pytest.mark.parametrize("stage", list(load_process().stages.values()), ids=lambda s: s.id)
def test_the_process_texts_say_the_same_in_both_languages(stage) -> None:
    for table in (stage.names, stage.messages, stage.next_steps):
        assert placeholders(table["sv"]) == placeholders(table["en"])
