"""Answers that do not fit are asked again with a helpful hint; odd input is cleaned, never
fatal, and never costs the person what they already wrote."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from storage.models import Dialogue, Idea
from tests.bot.test_intake_navigation import ANSWERS, answer_up_to, stored_dialogue
from tests.chat import Chat


async def test_an_empty_answer_is_asked_again(anna: Chat, db) -> None:
    await answer_up_to(anna, "need")
    for empty in ("", "   ", "\t\n  \n", "\u200b", "\x00\x07"):
        await anna.says(empty)
        anna.hears("Jag fick inget svar.", "Vilket behov eller problem")
    dialogue = await stored_dialogue(db)
    assert dialogue.step == "need" and dialogue.answers == {"title": "Tryggare tunnlar"}


async def test_too_short_answers_are_asked_again(anna: Chat, db) -> None:
    await anna.says("Hej")
    await anna.says("ab")
    anna.hears("Det blev lite kort – kan du skriva några ord till?", "Vad vill du kalla din idé?")
    await anna.says("Tunnlar")
    await anna.says("Mörkt.")
    anna.hears("Det blev lite kort", "Vilket behov eller problem")
    assert (await stored_dialogue(db)).step == "need"


async def test_too_long_answers_say_the_limit_and_the_length_and_keep_the_text(
    anna: Chat, db
) -> None:
    await anna.says("Hej")
    await anna.says("T" * 80)  # exactly at the limit is a name
    anna.hears("Vilket behov eller problem")
    await anna.says("x" * 4001)
    anna.hears(
        "Här får svaret vara högst 4 000 tecken, och ditt var 4 001. Jag har sparat det",
        "Vilket behov eller problem",
    )
    assert anna.buttons() == ["Spara de första 4 000 tecknen"]
    await anna.clicks("Spara de första 4 000 tecknen")  # nothing to type again
    anna.hears("Hur skulle idén fungera?")
    assert (await stored_dialogue(db)).answers["need"] == "x" * 4000


async def test_too_long_in_english(bot) -> None:
    ben = Chat(bot, user="ben", language="en")
    await ben.says("hi")
    await ben.says("Our library needs quiet rooms")
    await ben.says("x" * 4100)
    ben.hears("The answer can be at most 4,000 characters here, and yours was 4,100.")
    assert ben.buttons() == ["Keep the first 4,000 characters"]


async def test_a_100_kb_answer_is_refused_and_earlier_answers_are_kept(anna: Chat, db) -> None:
    await answer_up_to(anna, "idea")
    await anna.says("lång rad " * 11_400)  # about 100 kB
    anna.hears("högst 4 000 tecken, och ditt var 102 599.", "Hur skulle idén fungera?")
    await anna.says("x" * 1_000_000)  # far beyond: cut early, still a plain answer
    anna.hears("högst 4 000 tecken", "Hur skulle idén fungera?")
    dialogue = await stored_dialogue(db)
    assert dialogue.step == "idea"
    assert dialogue.answers == {"title": ANSWERS["title"], "need": ANSWERS["need"]}


async def test_a_one_line_answer_folds_newlines_and_spaces(anna: Chat, db) -> None:
    await anna.says("Hej")
    await anna.says("  Tryggare\n\ntunnlar \t i Väster  ")
    anna.hears("Vilket behov")
    assert (await stored_dialogue(db)).answers["title"] == "Tryggare tunnlar i Väster"
    await anna.says("Rad ett.\r\nRad två.\n\n\n\n\nRad tre, efter   luft.")
    assert (await stored_dialogue(db)).answers["need"] == (
        "Rad ett.\nRad två.\n\nRad tre, efter luft."
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("\x1b[31mRöda\x1b[0m tunnlar", "Röda tunnlar"),  # ANSI colour
        ("Tunnlar\x1b]0;hacked\x07 i Väster", "Tunnlar i Väster"),  # window title
        ("Tunn\x00lar\x08\x7f", "Tunnlar"),  # NUL, backspace, DEL
        ("Tunnlar \u202eretsäV\u202c", "Tunnlar retsäV"),  # bidi override
        ("\u2066Tunnlar\u2069 \u200fnu", "Tunnlar nu"),  # isolates and marks
        ("\ufeffTunnlar\x9b2J", "Tunnlar"),  # BOM and an 8-bit CSI, parameters and all
    ],
)
async def test_control_characters_are_removed(anna: Chat, db, typed: str, stored: str) -> None:
    await anna.says("Hej")
    await anna.says(typed)
    anna.hears("Vilket behov")
    assert (await stored_dialogue(db)).answers["title"] == stored


async def test_emoji_and_non_latin_text_are_stored_intact(anna: Chat, db) -> None:
    texts = {
        "title": "Cyklar 🚲 för 👩‍💻 och 👍🏽",  # ZWJ sequence and skin tone kept
        "need": "مرحبا، نحتاج إلى إضاءة أفضل في الأنفاق.",  # Arabic, right to left
        "idea": "在隧道里安装更好的灯光和艺术作品。",  # Chinese
        "benefit": "Жители района и школьники.",  # Cyrillic
        "first_test": "תושבים ותלמידים בבית הספר",  # Hebrew
        "involved": "کتابخانه\u200cها و مدرسه",  # Persian, ZWNJ kept
    }
    await anna.says("Hej")
    for text in texts.values():
        await anna.says(text)
    await anna.says("ja")
    await anna.says("Förvaltning för ÅÄÖ – ≈ ✓")
    anna.hears("Namn: Cyklar 🚲 för 👩‍💻 och 👍🏽")
    await anna.clicks("Skicka in")
    anna.hears("Din idé ”Cyklar 🚲 för 👩‍💻 och 👍🏽” har kommit fram")
    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
    assert idea.title == texts["title"]
    assert idea.need == texts["need"]
    assert idea.description == texts["idea"]
    assert idea.benefit == texts["benefit"]
    assert idea.first_test == texts["first_test"]
    assert idea.involved == texts["involved"]
    assert idea.workplace == "Förvaltning för ÅÄÖ – ≈ ✓"


async def test_decomposed_letters_are_stored_composed(anna: Chat, db) -> None:
    decomposed = unicodedata.normalize("NFD", "Idéer för Älvsjö")
    assert len(decomposed) > len("Idéer för Älvsjö")
    await anna.says("Hej")
    await anna.says(decomposed)
    title = (await stored_dialogue(db)).answers["title"]
    assert title == "Idéer för Älvsjö" and unicodedata.is_normalized("NFC", title)


async def test_a_display_name_cannot_smuggle_control_characters(bot) -> None:
    mallory = Chat(bot, user="mallory", name="\x1b[2J\x1b[31mMallory\x1b[0m Mal")
    await mallory.says("hej")
    mallory.hears("Hej Mallory! Jag är Idéslussen.")
    mallory.does_not_hear("\x1b")


async def test_a_message_with_neither_text_nor_button_is_asked_again(anna: Chat, db) -> None:
    await answer_up_to(anna, "need")
    await anna._send("(an attachment only)")
    anna.hears("Jag fick inget svar.", "Vilket behov")
    assert (await stored_dialogue(db)).answers == {"title": "Tryggare tunnlar"}


async def test_a_state_saved_by_an_older_version_starts_the_step_over(anna: Chat, db) -> None:
    await answer_up_to(anna, "idea")
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        dialogue.step = "a_step_that_no_longer_exists"
    await anna.says("Bättre belysning i tunnlarna.")  # meant for another question
    anna.hears("Hur skulle idén fungera?")
    dialogue = await stored_dialogue(db)
    assert dialogue.step == "idea"
    assert dialogue.answers == {"title": ANSWERS["title"], "need": ANSWERS["need"]}


async def test_a_summary_missing_a_required_answer_asks_for_it_before_submitting(
    anna: Chat, db
) -> None:
    await answer_up_to(anna, "summary")
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        dialogue.answers = {k: v for k, v in dialogue.answers.items() if k != "benefit"}
    await anna.says("skicka in")
    anna.hears("Vem har nytta av idén")
    await anna.says("Alla som går där.")
    anna.hears("Så här ser din idé ut.", "Nytta: Alla som går där.")
    await anna.clicks("Skicka in")
    anna.hears("har nummer 1.")
