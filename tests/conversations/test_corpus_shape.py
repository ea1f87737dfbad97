"""The corpus (tests/conversations/corpus.py) is large and varied enough to be a
specification, and says one thing about each message. What `understand` makes of it is
tested elsewhere; this only checks the table itself."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import get_args

import pytest

from bot.commands.catalog import COMMANDS as REGISTRY
from conversations import intake
from conversations.understanding import Context, Kind, Meaning
from tests.conversations.corpus import CORPUS
from tests.conversations.corpus_format import (
    COMMANDS,
    DIALOGUE_STEPS,
    EXPECTING,
    FIELDS,
    Say,
    context_of,
)

# ── how much ─────────────────────────────────────────────────────────────────────────────


def test_there_are_at_least_360_messages() -> None:
    assert len(CORPUS) >= 360


def test_about_two_thirds_are_swedish_and_at_least_120_english() -> None:
    languages = Counter(say.lang for say in CORPUS)
    assert languages["en"] >= 120
    assert 0.6 <= languages["sv"] / len(CORPUS) <= 0.75


def test_coordinators_write_at_least_30() -> None:
    assert sum(say.coordinator for say in CORPUS) >= 30


@pytest.mark.parametrize("kind", get_args(Kind))
def test_every_meaning_is_there_at_least_8_times(kind: str) -> None:
    assert sum(say.means == kind for say in CORPUS) >= 8


@pytest.mark.parametrize("at", sorted(EXPECTING))
def test_every_place_in_the_conversation_has_messages(at: str) -> None:
    assert sum(say.at == at for say in CORPUS) >= 10


def test_long_answers_and_pasted_lists_are_there() -> None:
    answers = [say.text for say in CORPUS if say.means == "answer"]
    assert sum(200 <= len(text) <= 600 for text in answers) >= 5
    assert sum("\n" in text for text in answers) >= 4


def test_answers_that_begin_like_a_command_a_greeting_or_a_thank_you() -> None:
    """The tricky neighbours: an idea's name or a need that starts with "Visa", "Mina",
    "Hej" or "Tack" is still an answer."""
    command_words = {word.casefold() for spec in REGISTRY for word in spec.words}
    social = {"hej", "tack", "hi", "thanks", "hello", "hjälp", "help", "ja", "nej", "no", "yes"}

    def first_word(text: str) -> str:
        return text.split()[0].casefold().strip("!,.:-–")

    answers = [say for say in CORPUS if say.means == "answer"]
    assert sum(first_word(say.text) in command_words for say in answers) >= 10
    assert sum(first_word(say.text) in social for say in answers) >= 10


# ── one meaning each ─────────────────────────────────────────────────────────────────────


def test_no_message_means_two_things_in_the_same_place() -> None:
    meanings: dict[tuple[str, str, str, bool], set[Meaning]] = defaultdict(set)
    for say in CORPUS:
        meanings[(say.at, say.text, say.lang, say.coordinator)].add(say.meaning)
    assert {key: found for key, found in meanings.items() if len(found) > 1} == {}


def test_no_message_is_listed_twice() -> None:
    rows = Counter((say.at, say.text, say.lang, say.coordinator) for say in CORPUS)
    assert [row for row, count in rows.items() if count > 1] == []


# Where each meaning can be said; the others may be said anywhere.
ONLY_AT = {
    "yes": {"participate", "title_proposal", "summary", "confirm_cancel", "confirm"},
    "no": {"participate", "title_proposal", "summary", "confirm_cancel", "confirm"},
    "score": {"score"},
    "edit": {"summary", "edit_choose"},
    "new_idea": {"nothing"},
    "statement": {"nothing"},
    "answer": {
        "title",
        "need",
        "idea",
        "benefit",
        "first_test",
        "involved",
        "workplace",
        "workplace_choice",  # a pick by number, or the workplace written anew
        "title_proposal",  # another name than the one proposed
        "comment",
    },
}


def test_each_meaning_is_said_where_it_makes_sense() -> None:
    misplaced = [
        (say.at, say.text, say.means)
        for say in CORPUS
        if say.means in ONLY_AT and say.at not in ONLY_AT[say.means]
    ]
    assert misplaced == []


# ── the format agrees with the bot ───────────────────────────────────────────────────────


def test_the_command_names_are_the_registry_names() -> None:
    assert set(COMMANDS) == {spec.name for spec in REGISTRY}


def test_the_places_agree_with_the_intake_dialogue() -> None:
    assert set(intake.STEPS) <= set(DIALOGUE_STEPS)
    assert tuple(question.key for question in intake.QUESTIONS) == FIELDS
    for question in intake.QUESTIONS:
        assert EXPECTING[question.key] == question.kind


@pytest.mark.parametrize(
    ("say", "context"),
    [
        (Say("title", "Lånecyklar", "answer"), Context("line", step="title")),
        (Say("need", "Bilarna", "answer", lang="en"), Context("text", lang="en", step="need")),
        (Say("participate", "ja", "yes"), Context("yesno", step="participate")),
        (Say("title_proposal", "ja", "yes"), Context("yesno", step="title_proposal")),
        (Say("summary", "ja", "yes"), Context("summary", step="summary")),
        (Say("edit_choose", "namnet", "edit", "title"), Context("field", step="edit_choose")),
        (Say("confirm_cancel", "ja", "yes"), Context("yesno", step="confirm_cancel")),
        (Say("confirm", "ja", "yes", coordinator=True), Context("yesno", coordinator=True)),
        (Say("score", "4", "score", 4), Context("score")),
        (Say("comment", "Bra", "answer"), Context("comment")),
        (Say("nothing", "hej", "greeting"), Context("nothing")),
    ],
)
def test_the_context_of_a_message(say: Say, context: Context) -> None:
    assert context_of(say) == context


@pytest.mark.parametrize(
    "make",
    [
        lambda: Say("titel", "Lånecyklar", "answer"),
        lambda: Say("title", "Lånecyklar", "svar"),
        lambda: Say("title", "", "answer"),
        lambda: Say("title", "Lånecyklar", "answer", lang="de"),
        lambda: Say("title", "Lånecyklar", "answer", "title"),
        lambda: Say("need", "mina", "command"),
        lambda: Say("need", "mina", "command", "mina"),
        lambda: Say("title", "English please", "language", "english"),
        lambda: Say("score", "sex", "score", 6),
        lambda: Say("score", "ja", "score", True),
        lambda: Say("summary", "ändra namnet", "edit", "name"),
        lambda: Say("score", "4 bra", "score", 4, comment="Bra"),
        lambda: Say("title", "hej", "greeting", comment="hej"),
    ],
)
def test_a_row_that_cannot_be_right_is_refused(make) -> None:
    with pytest.raises(ValueError):
        make()


def test_a_row_says_what_it_means() -> None:
    say = Say("score", "meh, 3 kanske. Lite besviken 😕", "score", 3, comment="Lite besviken 😕")
    assert say.meaning == Meaning("score", 3, "Lite besviken 😕")


def test_a_superscript_digit_is_no_number_of_an_answer() -> None:
    """ "²" is a digit to str.isdigit but no number to int(): found by the dialogue fuzzer,
    it once crashed the edit menu's reading."""
    from conversations.understanding import _field

    assert _field("²") is None
    assert _field("2") is not None
