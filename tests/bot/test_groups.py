"""In a channel or group chat the bot answers commands; anything else gets a friendly pointer
to a personal chat, and no idea dialogue is started or moved on there. Here the answers are
seen by the asker alone (`private_replies`, as Slack's ephemeral answers); where everyone
reads them (Teams), see test_group_privacy.py."""

from __future__ import annotations

from bot.incoming import Incoming
from conversations.i18n import messages
from storage.dialogues import load_dialogue
from storage.models import Idea
from storage.people import find_person
from tests.chat import Chat

POINTER_SV = "En idé beskriver du bäst i lugn och ro i en chatt med bara mig."
POINTER_EN = "An idea is best described in peace, in a chat with just me."


def in_group(user: str, text: str | None, **fields) -> Incoming:
    return Incoming(
        platform="console",
        user_id=user,
        text=text,
        display_name=fields.pop("display_name", "Anna Andersson"),
        in_group=True,
        private_replies=fields.pop("private_replies", True),
        **fields,
    )


async def said(bot, incoming: Incoming) -> str:
    return "\n\n".join(reply.text for reply in await bot.handle(incoming))


async def dialogue_of(bot, qualified_id: str):
    async with bot.db.transaction() as session:
        person = await find_person(session, qualified_id)
        return None if person is None else await load_dialogue(session, person.id)


async def test_an_idea_told_in_a_channel_is_pointed_to_a_personal_chat(bot) -> None:
    answer = await said(bot, in_group("anna", "Vi borde ha bättre belysning i tunnlarna"))
    assert answer.startswith("Hej Anna! " + POINTER_SV)
    assert "skriv ”hjälp”" in answer
    assert await dialogue_of(bot, "console:anna") is None


async def test_the_pointer_speaks_english_to_english_speakers(bot) -> None:
    answer = await said(bot, in_group("anna", "I have an idea", locale="en-GB"))
    assert answer.startswith("Hi Anna! " + POINTER_EN)
    nameless = await said(bot, in_group("bob", "Hello", locale="en-GB", display_name=None))
    assert nameless.startswith("Hi! " + POINTER_EN)


async def test_a_dialogue_in_progress_is_not_moved_on_from_a_channel(bot, anna: Chat) -> None:
    await anna.says("Hej!")
    await anna.says("Tryggare tunnlar")
    anna.hears("Vilket behov eller problem")
    before = await dialogue_of(bot, anna.qualified_id)

    answer = await said(bot, in_group("anna", "Många är rädda på kvällen."))
    assert POINTER_SV in answer and "Vilket behov" not in answer
    after = await dialogue_of(bot, anna.qualified_id)
    assert (after.step, after.answers) == (before.step, before.answers)

    # A button of the dialogue clicked in a channel is not an answer either.
    answer = await said(bot, in_group("anna", None, action="skip"))
    assert POINTER_SV in answer
    assert (await dialogue_of(bot, anna.qualified_id)).step == before.step

    await anna.says("Många är rädda på kvällen.")  # the personal chat carries on
    anna.hears("Hur skulle idén fungera?")


async def test_commands_are_answered_in_a_channel(bot, maria_anna) -> None:
    answer = await said(bot, in_group("anna", "mina"))
    assert "Tryggare tunnlar" in answer and POINTER_SV not in answer
    answer = await said(bot, in_group("anna", "hjälp"))
    assert "Det här kan du skriva till mig" in answer

    moved = await said(
        bot, in_group("maria", "flytta 1 bedömning Vi tittar på den!", display_name="Maria")
    )
    assert POINTER_SV not in moved and "Tryggare tunnlar" in moved
    assert await dialogue_of(bot, "console:maria") is None


async def test_a_command_gone_wrong_in_a_channel_is_explained_to_a_coordinator(
    bot, maria_anna
) -> None:
    answer = await said(bot, in_group("maria", "visa tolv", display_name="Maria"))
    assert POINTER_SV not in answer and "tolv" in answer
    # An idea giver's "Visa vägen med skyltar" is an idea, so it gets the pointer.
    answer = await said(bot, in_group("anna", "Visa vägen med skyltar"))
    assert POINTER_SV in answer


def test_the_pointer_exists_in_both_languages() -> None:
    assert "group.personal_chat" in messages("sv") and "group.personal_chat" in messages("en")


async def test_a_rating_clicked_in_a_channel_is_stored_without_moving_a_dialogue(
    bot, maria_anna
) -> None:
    maria, anna = maria_anna
    await maria.says("avsluta 1 Vi har redan beslutat om ny belysning.")
    await anna.says("Jag har en ny idé")
    await anna.says("Skyltar till biblioteket")
    before = await dialogue_of(bot, anna.qualified_id)

    answer = await said(bot, in_group("anna", None, action="satisfaction:1:5"))
    assert "Tack för ditt svar" in answer and "Vilket behov" not in answer
    after = await dialogue_of(bot, anna.qualified_id)
    assert (after.step, after.answers) == (before.step, before.answers)
    async with bot.db.transaction() as session:
        assert (await session.get(Idea, 1)).satisfaction == 5
