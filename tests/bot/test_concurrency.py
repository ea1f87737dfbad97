"""Turns that arrive at the same time (a double click, a retried delivery, two replicas)
must leave the dialogue as if they had come one after the other."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from bot import app as app_module
from storage.models import Dialogue, Idea, Person
from tests.bot.test_intake_navigation import ANSWERS, answer_up_to, stored_dialogue
from tests.chat import Chat

FREE_TEXT_STEPS = ("need", "idea", "benefit", "first_test", "involved")


def texts_of(replies: list) -> str:
    return "\n".join(reply.text for reply in replies)


async def test_two_answers_at_once_are_taken_one_after_the_other(bot, anna: Chat, db) -> None:
    await answer_up_to(anna, "need")
    before = await stored_dialogue(db)
    first, second = "Svar ett: det är mörkt i tunnlarna.", "Svar två: lampor med sensorer."
    await asyncio.gather(anna.says(first), anna.says(second))
    after = await stored_dialogue(db)
    assert after.step == "benefit"
    assert {after.answers["need"], after.answers["idea"]} == {first, second}
    assert after.version == before.version + 2  # both turns saved, none lost


@pytest.mark.parametrize("turns", [10])
async def test_many_answers_at_once_are_each_stored_exactly_once(
    bot, anna: Chat, db, turns: int
) -> None:
    await answer_up_to(anna, "need")
    before = await stored_dialogue(db)
    messages = [f"Svar nummer {n}, tillräckligt långt för varje fråga." for n in range(turns)]
    chats = [Chat(bot, user="anna", name="Anna Andersson") for _ in messages]
    await asyncio.gather(*(chat.says(text) for chat, text in zip(chats, messages, strict=True)))

    after = await stored_dialogue(db)
    # Some serial order: five free-text questions took one message each, and the yes/no
    # question turned down the rest without moving on.
    assert after.step == "participate"
    stored = [after.answers[key] for key in FREE_TEXT_STEPS]
    assert len(set(stored)) == len(FREE_TEXT_STEPS) and set(stored) <= set(messages)
    assert after.version == before.version + turns
    refused = [c for c in chats if "Jag förstod inte riktigt" in texts_of(c.replies)]
    assert len(refused) == turns - len(FREE_TEXT_STEPS)
    assert not any("Förlåt" in texts_of(c.replies) for c in chats)


async def test_two_submit_clicks_at_once_store_one_idea(bot, anna: Chat, db) -> None:
    await answer_up_to(anna, "summary")
    submit = anna.replies[-1].choices[0].value
    first, second = (Chat(bot, user="anna", name="Anna Andersson") for _ in range(2))
    await asyncio.gather(first.clicks_value(submit), second.clicks_value(submit))

    said = sorted([texts_of(first.replies), texts_of(second.replies)])
    assert "nummer 1." in said[1]
    assert said[0].startswith("Den knappen hörde till ett samtal som redan är avslutat.")
    async with db.transaction() as session:
        assert (await session.execute(select(func.count(Idea.id)))).scalar_one() == 1
    assert await stored_dialogue(db) is None


async def test_the_very_first_messages_of_a_new_person_at_once(bot, db) -> None:
    chats = [Chat(bot, user="nils", name="Nils Nilsson") for _ in range(5)]
    await asyncio.gather(*(chat.says("Hej") for chat in chats))
    greeted = [c for c in chats if "Jag är Idéslussen" in texts_of(c.replies)]
    assert len(greeted) == 1  # one started the dialogue; the others answered its question
    async with db.transaction() as session:
        assert (await session.execute(select(func.count(Person.id)))).scalar_one() == 1
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
    assert dialogue.version == 5
    assert dialogue.answers == {}  # the later greetings were greeted, not taken as a name


async def test_two_people_at_once_each_get_their_own_idea(bot, db) -> None:
    async def whole_idea(chat: Chat) -> None:
        await chat.says("Hej")
        for key, answer in ANSWERS.items():
            if key == "participate":
                answer = "nej"
            elif key != "workplace":  # a workplace is matched to the organisation file
                answer = f"{answer} ({chat.user})"
            await chat.says(answer)
        await chat.clicks("Skicka in")

    people = [Chat(bot, user=name, name=name.title()) for name in ("anna", "bertil", "cecilia")]
    await asyncio.gather(*(whole_idea(chat) for chat in people))

    numbers = sorted(int(texts_of(c.replies).split("nummer ")[1].split(".")[0]) for c in people)
    assert numbers == [1, 2, 3]
    async with db.transaction() as session:
        ideas = (await session.execute(select(Idea))).scalars().all()
        owners = {
            i.person_id: (await session.get(Person, i.person_id)).platform_user_id for i in ideas
        }
    for idea in ideas:
        assert idea.title == f"Tryggare tunnlar ({owners[idea.person_id]})"
        assert idea.participate is False
    assert len(ideas) == 3


async def test_a_lost_race_is_run_again_on_fresh_state(bot, anna: Chat, db, monkeypatch) -> None:
    await answer_up_to(anna, "need")
    calls = {"n": 0}
    original = app_module.turn_party_of

    async def conflicting_once(session, incoming, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise StaleDataError("another turn saved this dialogue first")
        return await original(session, incoming, **kwargs)

    monkeypatch.setattr("bot.app.turn_party_of", conflicting_once)
    await anna.says("Det är mörkt i tunnlarna på kvällen.")
    anna.hears("Hur skulle idén fungera?")
    assert calls["n"] == 2
    after = await stored_dialogue(db)
    assert after.answers["need"] == "Det är mörkt i tunnlarna på kvällen."


async def test_a_save_over_a_newer_version_is_refused(bot, anna: Chat, db) -> None:
    await answer_up_to(anna, "need")
    async with db.transaction() as session:
        stale = (await session.execute(select(Dialogue))).scalar_one()
    async with db.transaction() as session:
        current = (await session.execute(select(Dialogue))).scalar_one()
        current.step = "idea"
    with pytest.raises(StaleDataError):
        async with db.transaction() as session:
            stale = await session.merge(stale, load=False)
            stale.step = "benefit"
            await session.flush()
    assert (await stored_dialogue(db)).step == "idea"
