"""The answers around a coordinator's slips, rendered from view data: the question before a
move that was not clear, `ångra` and its refusals, and the answers to a question."""

from __future__ import annotations

from datetime import datetime

import pytest

from conversations.views.ideas import HistoryEntry, history_line
from conversations.views.moves import (
    MoveQuestion,
    MoveRefused,
    Undone,
    UndoRefused,
    move_question_reply,
    move_refused_reply,
    undo_refused_reply,
    undone_reply,
)
from conversations.views.questions import QuestionAnswered, question_answered_reply


def test_did_you_mean_has_yes_no_and_the_words_as_a_message() -> None:
    view = MoveQuestion(
        number=2, title="Tryggare tunnlar", words="testning", guess="Prövas", moves=(),
        as_message=("v:1", "Bedömning", "testning Bra jobbat"), yes="v:yes", no="v:no",
    )  # fmt: skip
    reply = move_question_reply("sv", view)
    assert reply.text == (
        "Menade du ”Prövas”? ”testning” är inget steg, så jag har inte flyttat idé 2 "
        "”Tryggare tunnlar” och inte skickat något."
    )
    assert [(c.value, c.label) for c in reply.choices] == [
        ("v:yes", "Ja, flytta till Prövas"),
        ("v:1", "Flytta till Bedömning med ”testning Bra jobbat”"),
        ("v:no", "Nej"),
    ]
    # (The handler gives the stage names in the reader's language; the view only places them.)
    english = move_question_reply("en", view)
    assert english.text.startswith("Did you mean “Prövas”? “testning” is not a stage")
    assert english.choices[0].label == "Yes, move to Prövas"


def test_what_did_you_mean_offers_the_moves_and_cancel() -> None:
    view = MoveQuestion(
        number=2, title="T", words="pilot", guess=None,
        moves=(("v:1", "Bedömning"), ("v:2", "Vilande")),
        as_message=("v:3", "Bedömning", "pilot"), yes=None, no="v:no",
    )  # fmt: skip
    reply = move_question_reply("sv", view)
    assert reply.text.startswith("Vad menar du med ”pilot”? Det är inget steg")
    assert [c.label for c in reply.choices] == [
        "Flytta till Bedömning", "Flytta till Vilande", "Flytta till Bedömning med ”pilot”",
        "Avbryt",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("messages", "said"),
    [
        ("withdrawn", "Anna får ingenting – meddelandet hann inte iväg och är nu stoppat."),
        ("corrected", "Anna kan redan ha fått meddelandet och får därför en kort rättelse."),
        ("none", ""),
    ],
)
def test_undone_says_what_became_of_the_message(messages: str, said: str) -> None:
    reply = undone_reply("sv", Undone(2, "Tryggare tunnlar", "Inkommen", "Anna", messages))
    assert (
        reply.text
        == f"Ångrat: idé 2 ”Tryggare tunnlar” är tillbaka i steget Inkommen. {said}".strip()
    )


@pytest.mark.parametrize(
    ("view", "said"),
    [
        (UndoRefused("nothing", None, minutes=30), "Du har ingen flytt att ångra."),
        (UndoRefused("nothing", 4), "Du har inte flyttat idé 4, så det finns inget att ångra."),
        (UndoRefused("someone_else", 4, "Karin"), "skriv: flytta 4 tillbaka"),
        (UndoRefused("already", 4), "Din senaste flytt av idé 4 är redan ångrad."),
        (UndoRefused("too_late", 4, minutes=30), "Det är mer än 30 minuter sedan"),
        (UndoRefused("moved_since", 4, "Karin"), "flyttats igen sedan dess, av Karin"),
    ],
)
def test_every_refused_undo_says_what_to_do_instead(view: UndoRefused, said: str) -> None:
    assert said in undo_refused_reply("sv", view).text
    assert undo_refused_reply("en", view).text  # and in English


def test_no_way_back_and_the_answers_to_a_question() -> None:
    reply = move_refused_reply("sv", MoveRefused("no_way_back", 3, "Inkommen"))
    assert reply.text == (
        "Idé 3 har inte varit i något steg före Inkommen, så den kan inte gå tillbaka."
    )
    for outcome in ("gone", "cancelled", "choose"):
        assert question_answered_reply("sv", QuestionAnswered(outcome)).text
        assert question_answered_reply("en", QuestionAnswered(outcome)).text


def test_an_undone_move_and_its_undo_in_the_history() -> None:
    when = datetime(2026, 6, 15, 9, 30)
    move = HistoryEntry("stage", when, "Maria", "Inkommen", "Bedömning", text="Hej", undone=True)
    undo = HistoryEntry("undo", when, "Maria", "Bedömning", "Inkommen")
    assert history_line("sv", move) == "2026-06-15 Maria: Inkommen → Bedömning – ”Hej” (ångrad)"
    assert history_line("sv", undo) == "2026-06-15 Maria ångrade: Bedömning → Inkommen"
    assert history_line("en", undo) == "2026-06-15 Maria undid: Bedömning → Inkommen"
