"""Random conversations against the real bot and database: words, answers, any text, buttons
from old and current steps, commands. After every turn the stored state must be one the bot
can continue from: a known step, answers within their limits, ideas complete."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from conversations import intake, understanding
from conversations.intake import QUESTION_BY_KEY, STEPS
from storage.models import Dialogue, Idea
from tests.chat import Chat

WORDS = sorted(
    understanding.BACK
    | understanding.CANCEL
    | understanding.SKIP
    | understanding.YES
    | understanding.EDIT
    | understanding.GREETINGS
    | understanding.THANKS
    | {"English please", "på svenska", "ja", "nej", "jag har en idé om skyltar"}
    | {"hjälp", "mina", "visa 1", "glöm mig", "mina uppgifter", "Namn", "Ja, avbryt"}
)
ANSWERS = [
    "Tryggare tunnlar",
    "Många är rädda i gångtunnlarna på kvällen.",
    "Bättre belysning och konst som skolbarnen målar.",
    "Invånare som går där.",
    "Kultur och fritid",
]
messages = st.one_of(
    st.sampled_from(WORDS).map(lambda w: ("text", w)),
    st.sampled_from(ANSWERS).map(lambda a: ("text", a)),
    st.text(max_size=60).map(lambda s: ("text", s)),
    st.integers(min_value=0, max_value=6).map(lambda n: ("click", n)),
    st.tuples(
        st.sampled_from([*STEPS, "nowhere", "cmd", "privacy"]),
        st.sampled_from(["yes", "no", "skip", "submit", "edit", "cancel", "title", "forget:1"]),
    ).map(lambda pair: ("action", ":".join(pair))),
    st.just(("opened", "")),
)
# One person per example, so examples share the database without interfering.
people = itertools.count()
CASES = 40


async def _check_stored_state(db) -> None:
    async with db.transaction() as session:
        for dialogue in (await session.execute(select(Dialogue))).scalars():
            assert dialogue.step in STEPS or dialogue.flow != intake.FLOW, dialogue.step
            for key, value in dialogue.answers.items():
                question = QUESTION_BY_KEY[key]
                if question.kind == "yesno":
                    assert isinstance(value, bool)
                elif value is not None:
                    assert question.min_length <= len(value) <= question.max_length, (key, value)
        for idea in (await session.execute(select(Idea))).scalars():
            assert idea.title and idea.need and idea.description and idea.benefit
            assert len(idea.title) <= QUESTION_BY_KEY["title"].max_length


@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(messages, min_size=1, max_size=12))
async def test_any_conversation_leaves_a_valid_stored_state(bot, db, sequence) -> None:
    chat = Chat(bot, user=f"fuzz{next(people)}", name="Fia Fuzz")
    for kind, value in sequence:
        if kind == "text":
            await chat.says(value)
        elif kind == "action":
            await chat.clicks_value(value)
        elif kind == "opened":
            await chat.opens()
        else:
            buttons = chat.buttons()
            if buttons:
                await chat.clicks(buttons[value % len(buttons)])
        assert chat.replies is not None
        await _check_stored_state(db)
