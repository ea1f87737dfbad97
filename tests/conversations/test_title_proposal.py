"""A name is proposed from a long first message only when there is one to propose."""

from __future__ import annotations

from conversations import intake
from conversations.intake import IntakeContext, IntakeState


def test_a_long_text_with_no_name_in_it_asks_for_one_and_keeps_the_text() -> None:
    ctx = IntakeContext(lang="sv", first_name="Anna")
    text = "Õ. " + "Personalen väntar på bilarna varje morgon i hemtjänsten. " * 3
    turn = intake.answer(IntakeState("title"), ctx, text=text)
    assert turn.state is not None and turn.state.step == "title"
    assert "title" not in turn.state.answers
    assert turn.state.answers["idea"].startswith("Õ. Personalen väntar")
    assert turn.replies[-1].text == "Okej! Vad vill du kalla idén? Några ord räcker."


def test_a_proposal_saved_too_short_is_not_stored_as_the_name() -> None:
    ctx = IntakeContext(lang="sv")
    state = IntakeState("title_proposal", {}, {"proposed": "Õ"})
    turn = intake.answer(state, ctx, action="title_proposal:yes")
    assert turn.state is not None and "title" not in turn.state.answers
