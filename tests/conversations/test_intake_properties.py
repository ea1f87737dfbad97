"""Whatever a person sends, in whatever order, the pure dialogue never fails and never
reaches a state it cannot continue from."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.organisation import default_organisation
from conversations import intake, understanding
from conversations.i18n import LANGUAGES
from conversations.intake import (
    PLACE_KEYS,
    QUESTION_BY_KEY,
    STEPS,
    IntakeContext,
    IntakeState,
    clean_text,
)

WORDS = sorted(
    understanding.HELP
    | understanding.BACK
    | understanding.CANCEL
    | understanding.SKIP
    | understanding.YES
    | understanding.NO
    | understanding.EDIT
    | understanding.GREETINGS
    | understanding.THANKS
    | {"Namn", "Nytta", "Arbetsplats", "Ja, avbryt", "No, carry on", "1", "", "   "}
    | {"English please", "på svenska tack", "ändra namnet", "Hej! Tryggare tunnlar"}
)
ANSWERS = ["Tryggare tunnlar", "Många är rädda i tunnlarna på kvällen.", "Kultur och fritid"]
# Workplaces the organisation file knows surely, nearly (buttons), or not at all.
ANSWERS += ["hemtjänsten", "hemtjänsetn norrmalm", "äldreboende", "Kommunhuset", "2"]

# One message: a command word, a plausible answer, any text at all, or a button click
# (from the current question, or made up).
messages = st.one_of(
    st.sampled_from(WORDS).map(lambda w: ("text", w)),
    st.sampled_from(ANSWERS).map(lambda a: ("text", a)),
    st.text(max_size=120).map(lambda s: ("text", s)),
    st.integers(min_value=0, max_value=9).map(lambda n: ("click", n)),
    st.sampled_from([*STEPS, "nowhere"]).flatmap(
        lambda step: st.sampled_from(
            ["yes", "no", "skip", "submit", "edit", "cancel", "title"]
        ).map(lambda value: ("action", f"{step}:{value}"))
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    lang=st.sampled_from(LANGUAGES),
    known_workplace=st.sampled_from([None, "Kultur och fritid", "hemtjänsten"]),
    organisation=st.booleans(),
    sent=st.lists(messages, max_size=40),
)
def test_the_dialogue_survives_any_sequence_of_messages(
    lang, known_workplace, organisation, sent
) -> None:
    ctx = IntakeContext(
        lang=lang,
        first_name="Anna",
        known_workplace=known_workplace,
        organisation=default_organisation() if organisation else None,
    )
    turn = intake.start(ctx)
    for kind, value in sent:
        if turn.state is None:
            turn = intake.start(ctx)
        state = turn.state
        if kind == "click":
            choices = turn.replies[-1].choices
            if not choices:
                continue
            turn = intake.answer(state, ctx, action=choices[value % len(choices)].value)
        elif kind == "action":
            turn = intake.answer(state, ctx, action=value)
        else:
            turn = intake.answer(state, ctx, text=value)

        assert turn.replies or turn.submitted is not None
        assert all(reply.text.strip() for reply in turn.replies)
        if turn.state is not None:
            assert turn.state.step in STEPS
            assert set(turn.state.answers) <= {*QUESTION_BY_KEY, *PLACE_KEYS}
            assert turn.replies[-1].text  # the question is always asked again
        if turn.submitted is not None:
            for key, question in QUESTION_BY_KEY.items():
                answer = turn.submitted.get(key)
                if question.kind == "yesno":
                    assert isinstance(answer, bool)
                elif answer is None:
                    assert question.optional
                else:
                    assert question.min_length <= len(answer) <= question.max_length
                    assert answer == clean_text(answer, single_line=question.kind == "line")


# Plain text finds little; these are the characters that interact.
tricky_text = st.text(
    alphabet=st.sampled_from(
        [
            *["e", "m", "0", "[", "]", ";", " ", "\n", "\r", "\t", "\x00", "\x1b", "\x07"],
            *["\x9b", "\u0301", "\u0308", "\u200d", "\u202e", "\u2028", "\ufeff", "\\", "🚲"],
        ]
    ),
    max_size=30,
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), tricky_text))
def test_cleaning_is_stable_and_leaves_no_control_characters(raw: str) -> None:
    once = clean_text(raw)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in once)
    assert once == once.strip()


def test_a_summary_state_without_answers_never_submits() -> None:
    ctx = IntakeContext(lang="sv")
    turn = intake.answer(IntakeState(intake.SUMMARY), ctx, text="skicka in")
    assert turn.submitted is None and turn.state.step == "title"
