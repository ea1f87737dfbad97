"""The reminder texts exist in Swedish and English with the same placeholders."""

from __future__ import annotations

from conversations.i18n import LANGUAGES, messages, placeholders

REMINDERS = ("reminder.", "notice.", "someone.")
TEXTS = {
    lang: {key: str(text) for key, text in messages(lang).items() if key.startswith(REMINDERS)}
    for lang in LANGUAGES
}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    sv, en = TEXTS["sv"], TEXTS["en"]
    assert sv and sv.keys() == en.keys()
    for key in sv:
        assert placeholders(sv[key]) == placeholders(en[key]), key


def test_every_named_text_has_a_noname_variant_without_the_name() -> None:
    for table in TEXTS.values():
        for key, text in table.items():
            if "%(name)s" in text:
                assert placeholders(table[f"{key}.noname"]) == placeholders(text) - {"name"}


def test_reminders_are_short_enough_for_a_phone() -> None:
    for table in TEXTS.values():
        for key, text in table.items():
            assert len(text) <= 320, key
