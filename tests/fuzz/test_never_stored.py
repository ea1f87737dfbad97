"""Whatever a person says in between, no stored name, need, description or benefit is ever a
greeting, a thank-you, small talk, a request for help or another language, or a command: a
property over the corpus (tests/conversations/corpus.py), through the real bot and database.

Each example is one person telling an idea with real answers, and at random moments saying
one of the corpus's messages that are none of those answers; at the end every dialogue and
idea stored is checked."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from conversations.understanding import plain
from storage.models import Dialogue, Idea
from tests.chat import Chat
from tests.conversations.corpus import CORPUS

# What a person says that must never become part of the idea.
NOT_ANSWERS = ("greeting", "thanks", "small_talk", "help", "language", "command")
INTERRUPTIONS = sorted(
    {
        say.text
        for say in CORPUS
        if say.means in NOT_ANSWERS
        and say.at in ("title", "need", "idea", "benefit", "nothing")
        and not say.coordinator
        # Commands that change who the person is or what they have are left out: the
        # property is about what is stored from words, not about erasing (tested elsewhere).
        and say.value not in ("forget-me", "gdpr", "anonymous")
    }
)
FORBIDDEN = {plain(text) for text in INTERRUPTIONS}
ANSWERS = (
    "Lånecyklar för hemtjänsten",
    "Personalen väntar på bilar varje morgon, ibland länge.",
    "Elcyklar vid kontoret för de korta besöken i stan.",
    "Brukarna får besök i tid och personalen slipper stressen.",
)
people = itertools.count()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    interruptions=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(ANSWERS)), st.sampled_from(INTERRUPTIONS)),
        min_size=1,
        max_size=6,
    )
)
async def test_no_stored_answer_is_a_greeting_thanks_command_or_language_request(
    bot, db, interruptions
) -> None:
    chat = Chat(bot, user=f"prop{next(people)}", name="Lena Lind")
    await chat.says("Jag har en idé")
    for index, answer in enumerate((*ANSWERS, None)):
        for said in (said for at, said in interruptions if at == index):
            await chat.says(said)
        if answer is not None:
            await chat.says(answer)
    async with db.transaction() as session:
        stored = [
            value
            for dialogue in (await session.execute(select(Dialogue))).scalars()
            for key, value in dialogue.answers.items()
            if key in ("title", "need", "idea", "benefit") and isinstance(value, str)
        ] + [
            value
            for idea in (await session.execute(select(Idea))).scalars()
            for value in (idea.title, idea.need, idea.description, idea.benefit)
        ]
    for value in stored:
        assert plain(value) not in FORBIDDEN, value


def test_the_property_has_something_to_say() -> None:
    assert len(INTERRUPTIONS) >= 100
