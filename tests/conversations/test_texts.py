"""Every text exists in Swedish and English with the same placeholders, and every step of
the dialogue has its question and its help."""

from __future__ import annotations

import pytest

from adapters.console import HINTS
from conversations import intake
from conversations.texts import EN, LANGUAGES, SV, TEXTS, language_for, placeholders, t, t_named


def test_both_languages_have_the_same_keys() -> None:
    assert set(SV) - set(EN) == set(), "missing in English"
    assert set(EN) - set(SV) == set(), "missing in Swedish"
    assert set(TEXTS) == set(LANGUAGES)


@pytest.mark.parametrize("key", sorted(SV))
def test_both_languages_have_the_same_placeholders(key: str) -> None:
    assert placeholders(SV[key]) == placeholders(EN[key])


@pytest.mark.parametrize("key", sorted(SV))
def test_no_text_is_empty_or_left_untranslated(key: str) -> None:
    assert SV[key].strip() and EN[key].strip()
    if len(SV[key]) > 12:  # short labels ("Ja", "Nej") may look alike; sentences may not
        assert SV[key] != EN[key], f"{key} is the same in both languages"


def test_placeholders_are_found() -> None:
    assert placeholders("Tack, {name}! Nummer {number}.") == {"name", "number"}
    assert placeholders("Inga här.") == set()


def test_named_texts_have_a_variant_without_a_name() -> None:
    for key in SV:
        if "{name}" in SV[key]:
            assert f"{key}.noname" in SV, key
            assert "name" not in placeholders(SV[f"{key}.noname"])


@pytest.mark.parametrize("step", intake.STEPS)
def test_every_step_has_help_in_both_languages(step: str) -> None:
    for lang in LANGUAGES:
        assert t(lang, f"help.{step}")


@pytest.mark.parametrize("question", intake.QUESTIONS, ids=lambda q: q.key)
def test_every_question_has_its_text_field_name_and_help(question) -> None:
    for lang in LANGUAGES:
        assert t(lang, f"ask.{question.key}").rstrip().endswith(("?", "”", "“", "."))
        assert t(lang, f"field.{question.key}")
        assert t(lang, f"help.{question.key}")


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
    assert t("sv", "invalid.too_long", max=80, length=81).startswith("Det var mycket text!")
    assert "80" in t("en", "invalid.too_long", max=80, length=81)
    assert t_named("sv", "greeting", "Anna").startswith("Hej Anna!")
    assert t_named("en", "greeting", None).startswith("Hi! I'm")
    assert t("fr", "choice.yes") == "Ja"  # an unknown language falls back to Swedish


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
    assert set(HINTS) == set(LANGUAGES)
