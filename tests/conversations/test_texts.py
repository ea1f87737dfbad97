"""Every text exists in Swedish and English with the same placeholders, and every step of
the dialogue has its question and its help."""

from __future__ import annotations

import re

import pytest

from conversations import intake
from conversations.i18n import LANGUAGES, language_for, messages, placeholders, tr

# The catalogs as the .po files have them (conversations/locale/{sv,en}/LC_MESSAGES).
SV, EN = messages("sv"), messages("en")


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


def _placeholders(text: str | tuple[str, ...]) -> set[str]:
    return set().union(*(placeholders(form) for form in _forms(text)))


def test_both_languages_have_the_same_keys() -> None:
    assert set(SV) - set(EN) == set(), "missing in English"
    assert set(EN) - set(SV) == set(), "missing in Swedish"


@pytest.mark.parametrize("key", sorted(SV))
def test_both_languages_have_the_same_placeholders(key: str) -> None:
    assert _placeholders(SV[key]) == _placeholders(EN[key])


@pytest.mark.parametrize("key", sorted(SV))
def test_no_text_is_empty_or_left_untranslated(key: str) -> None:
    assert all(form.strip() for form in _forms(SV[key]) + _forms(EN[key]))
    words = re.sub(r"%\(\w+\)s", "", str(SV[key]))  # placeholders alone say nothing
    if len(words) > 12:  # short labels ("Ja", "Nej") may look alike; sentences may not
        assert SV[key] != EN[key], f"{key} is the same in both languages"


def test_placeholders_are_found() -> None:
    assert placeholders("Tack, %(name)s! Nummer %(number)s.") == {"name", "number"}
    assert placeholders("Inga här, 100 %%.") == set()


def test_named_texts_have_a_variant_without_a_name() -> None:
    for key, text in SV.items():
        if "name" in _placeholders(text):
            assert f"{key}.noname" in SV, key
            assert _placeholders(SV[f"{key}.noname"]) == _placeholders(text) - {"name"}, key


@pytest.mark.parametrize("step", intake.STEPS)
def test_every_step_has_help_in_both_languages(step: str) -> None:
    for lang in LANGUAGES:
        assert tr(lang, f"help.{step}")


@pytest.mark.parametrize("question", intake.QUESTIONS, ids=lambda q: q.key)
def test_every_question_has_its_text_field_name_and_help(question) -> None:
    for lang in LANGUAGES:
        assert tr(lang, f"ask.{question.key}").rstrip().endswith(("?", "”", "“", "."))
        assert tr(lang, f"field.{question.key}")
        assert tr(lang, f"help.{question.key}")


def test_optional_questions_tell_how_to_skip() -> None:
    for question in intake.QUESTIONS:
        if question.optional:
            assert "hoppa över" in SV[f"ask.{question.key}"]
            assert "skip" in EN[f"ask.{question.key}"]


def test_every_button_label_has_a_text() -> None:
    state = intake.IntakeState(intake.SUMMARY)
    for lang in LANGUAGES:
        ctx = intake.IntakeContext(lang=lang)
        for step in intake.STEPS:
            for choice in intake._choices(intake.IntakeState(step), ctx):
                assert choice.label and choice.value.startswith(f"{step}:")
        assert len(intake._choices(state, ctx)) == 3


def test_filled_in_texts() -> None:
    assert tr("sv", "invalid.too_long", max=80, length=81).startswith("Det var mycket text")
    assert "80" in tr("en", "invalid.too_long", max=80, length=81)
    assert tr("sv", "greeting", first_name="Anna").startswith("Hej Anna!")
    assert tr("en", "greeting", first_name=None).startswith("Hi! I'm")
    assert tr("fr", "choice.yes") == "Ja"  # an unknown language falls back to Swedish


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        *[("sv-SE", "sv"), ("sv_FI", "sv"), ("en-GB", "en"), ("en_US", "en"), ("EN", "en")],
        *[("fr-FR", "sv"), ("", "sv"), (None, "sv")],
    ],
)
def test_platform_locales_map_to_a_language(locale, language) -> None:
    assert language_for(locale) == language


def test_the_terminal_hint_exists_in_both_languages() -> None:
    assert all(tr(lang, "console.hint") for lang in LANGUAGES)
