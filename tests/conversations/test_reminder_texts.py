"""The reminder texts exist in Swedish and English with the same placeholders."""

from __future__ import annotations

from conversations import reminder_texts
from conversations.texts import placeholders


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    sv, en = reminder_texts.SV, reminder_texts.EN
    assert sv.keys() == en.keys()
    for key in sv:
        assert placeholders(sv[key]) == placeholders(en[key]), key


def test_every_named_text_has_a_noname_variant_without_the_name() -> None:
    for table in reminder_texts.TEXTS.values():
        for key, text in table.items():
            if "{name}" in text:
                assert placeholders(table[f"{key}.noname"]) == placeholders(text) - {"name"}


def test_reminders_are_short_enough_for_a_phone() -> None:
    for table in reminder_texts.TEXTS.values():
        for key, text in table.items():
            assert len(text) <= 320, key
