"""Hostile characters in what people and platforms send: control characters, terminal
escapes, bidi overrides, invisible characters, NUL and lone surrogates. Each is removed where
it enters (bot/incoming.py), so it reaches neither the database, nor an outbox message to
someone else, nor any reply, nor a terminal; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from adapters.console import ConsoleChat
from bot.delivery import deliver_pending_for
from bot.incoming import Incoming
from storage.models import Base, Idea, Person
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import ANSWERS_TO_SUMMARY, Chat

# Each class of character, as it would be hidden in a name or a message.
HOSTILE = {
    "right-to-left override": "\u202e",
    "bidi embeddings and overrides": "\u202a\u202b\u202c\u202d",
    "bidi isolates": "\u2066\u2067\u2068\u2069",
    "direction marks": "\u200e\u200f\u061c",
    "terminal colour": "\x1b[31m",
    "terminal title": "\x1b]0;pwned\x07",
    "8-bit CSI": "\x9b2J",
    "bell": "\x07",
    "other C0 controls": "\x01\x08\x0b\x0c\x0e\x1b\x1f\x7f",
    "C1 controls": "\x80\x8d\x9c\x9f",
    "NUL": "\x00",
    "zero-width space, word joiner, BOM": "\u200b\u2060\ufeff",
    "joiner between Latin letters": "\u200d",
    "soft hyphen": "\u00ad",
    "invisible tag letters": "\U000e0041\U000e0042",
    "lone surrogate": "\ud800",
}
# A flag: a black flag, invisible tag letters ("gbsct") and a cancel tag; it stays whole.
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
# What an escape sequence would leave behind if only its ESC were removed.
RESIDUE = ("[31m", "pwned", "2J")


def unsafe(text: str) -> list[str]:
    """Characters no stored or shown text may hold (newline and tab excepted)."""
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs")
    ] + [residue for residue in RESIDUE if residue in text]


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


async def assert_database_clean(db) -> int:
    """Every text in every row of every table (outbox payloads and addresses included)."""
    seen = 0
    async with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                for text in strings(list(row)):
                    seen += 1
                    assert not unsafe(text), (table.name, text, unsafe(text))
    return seen


def assert_heard_clean(*chats: Chat) -> None:
    for chat in chats:
        for who, said in chat.history:
            if who != "user":
                assert not unsafe(said), (chat.user, said, unsafe(said))


@pytest.mark.parametrize("kind", HOSTILE)
async def test_a_display_name_is_cleaned_before_anyone_sees_it(bot, maria, db, kind) -> None:
    x = HOSTILE[kind]
    lisa = Chat(bot, user="lisa", name=f"{x}Li{x}sa Ek{x}lund{x}")
    number = await submit_idea(lisa, "Tryggare tunnlar")
    lisa.hears("Tack, Lisa!")
    assert lisa.history[1][1].startswith("Hej Lisa!"), lisa.history[1]  # the greeting
    await run_sweep(bot)
    said = await maria.receives()  # the new idea went through the digest and the outbox
    assert "ny idé från Lisa Eklund" in said, said
    await maria.says(f"visa {number}")
    maria.hears("Lisa Eklund")
    assert_heard_clean(lisa, maria)
    assert await assert_database_clean(db) > 0
    async with db.transaction() as session:
        person = (
            await session.execute(select(Person).where(Person.platform_user_id == "lisa"))
        ).scalar_one()
        assert person.display_name == "Lisa Eklund"


@pytest.mark.parametrize("kind", HOSTILE)
async def test_a_coordinators_words_are_cleaned_before_anyone_sees_them(
    maria_anna, db, kind
) -> None:
    """A note, a message with a move, a snooze reason, where an idea is referred, a message
    with that, and a reason to close: all reach the idea giver, the history and the
    database without the hostile characters, and every command still works."""
    maria, anna = maria_anna
    x = HOSTILE[kind]
    await maria.says(f"note 1 Ring{x} fritids{x}gården först.{x}")
    maria.hears("Anteckningen är sparad på idé 1.")
    await maria.says(f"advance 1 Jag läser{x} din idé{x} i veckan.")
    maria.hears("gick från Inkommen till Bedömning")
    said = await anna.receives()
    assert "Maria skriver: ”Jag läser din idé i veckan.”" in said, said
    await maria.says(f"pausa 1 3 dagar Väntar{x} på IT")
    maria.hears("inga påminnelser om idé 1")
    await maria.says(f'hänvisa 1 "Tekniska{x} förvaltningen" De sköter{x} belysningen.')
    maria.hears("gick från Bedömning till Hänvisad")
    said = await anna.receives()
    assert "passar bäst hos Tekniska förvaltningen" in said, said
    assert "Maria skriver: ”De sköter belysningen.”" in said, said
    await maria.says(f"återöppna 1 De bad{x} oss ta tillbaka den.")
    maria.hears("gick från Hänvisad till Bedömning")
    await maria.says(f"avsluta 1 Det finns{x} redan en lösning.")
    maria.hears("gick från Bedömning till Avslutad")
    said = await anna.receives()
    assert "Maria skriver: ”Det finns redan en lösning.”" in said, said
    await maria.says("visa 1")
    maria.hears(
        "Ring fritidsgården först.",
        "Väntar på IT",
        "Hänvisad (Tekniska förvaltningen) – ”De sköter belysningen.”",
        "”De bad oss ta tillbaka den.”",
        "”Det finns redan en lösning.”",
    )
    assert_heard_clean(maria, anna)
    await assert_database_clean(db)


@pytest.mark.parametrize("kind", HOSTILE)
async def test_a_dialogue_answer_is_cleaned(anna, db, kind) -> None:
    x = HOSTILE[kind]
    await anna.says("Hej!")
    await anna.says(f"Tryggare{x} tunnlar")
    anna.hears("Vilket behov")
    for answer in ANSWERS_TO_SUMMARY[1:]:
        await anna.says(answer)
    anna.hears("Tryggare tunnlar")
    await anna.says("skicka")
    anna.hears("nummer 1")
    async with db.transaction() as session:
        assert (await session.get(Idea, 1)).title == "Tryggare tunnlar"
    assert_heard_clean(anna)
    await assert_database_clean(db)


async def test_letters_emoji_and_line_breaks_are_kept(bot, maria, db) -> None:
    name = "Åsa Öberg-Ñúñez 👩\u200d💻"
    asa = Chat(bot, user="asa", name=unicodedata.normalize("NFD", name))
    await submit_idea(
        asa,
        f"Fika för alla 👨\u200d👩\u200d👧 {SCOTLAND}",
        need="Första raden.\r\nAndra raden med کتابخانه\u200cها och ❤️.",
    )
    async with db.transaction() as session:
        person = (
            await session.execute(select(Person).where(Person.platform_user_id == "asa"))
        ).scalar_one()
        idea = await session.get(Idea, 1)
    assert person.display_name == name  # composed again, the emoji's joiner kept
    assert idea.title == f"Fika för alla 👨\u200d👩\u200d👧 {SCOTLAND}"
    assert idea.need == "Första raden.\nAndra raden med کتابخانه\u200cها och ❤️."
    await run_sweep(bot)
    await maria.receives()
    maria.hears("från Åsa Öberg-Ñúñez 👩\u200d💻")


async def test_a_multi_line_message_keeps_its_lines(maria_anna) -> None:
    maria, anna = maria_anna
    await maria.says("advance 1 Hej!\x1b[2J\r\nVi läser den.\u2028Mvh Maria")
    said = await anna.receives()
    assert "”Hej!\n\nVi läser den.\n\nMvh Maria”" in said, said  # each line a paragraph


async def test_the_terminal_shows_no_escape_from_stored_data(bot, db, tmp_path) -> None:
    """Anna's name and idea, written on Slack with escapes in them, shown to a coordinator
    in the terminal chat: nothing that reaches the terminal can colour it, move the cursor
    or set its title."""
    x = "\x1b[2J\x1b]0;pwned\x07\x9b31m\x07"
    anna = Chat(bot, user="U0ANNA", name=f"Anna{x} Andersson", platform="slack")
    await submit_idea(anna, f"Tryggare{x} tunnlar", need=f"Många är rädda{x} på kvällen.")
    await bot.handle(Incoming(platform="slack", user_id="U0ANNA", text=f"mina{x}"))

    async def deliver(console: ConsoleChat) -> None:
        await deliver_pending_for(bot.db, console.qualified_id, console, bot.clock)

    out = io.StringIO()
    chat = ConsoleChat(
        bot.handle,
        user="maria",
        stdin=io.StringIO("visa 1\nlista\nexport\n"),
        stdout=out,
        interactive=False,
        deliver=deliver,
        save_folder=tmp_path,
    )
    await chat.run()  # on opening, the new-idea message is delivered from the outbox
    shown = out.getvalue()
    assert "Tryggare tunnlar" in shown and "Anna Andersson" in shown, shown
    assert "Många är rädda på kvällen." in shown, shown
    assert "\x1b" not in shown and "\x9b" not in shown and "\x07" not in shown
    assert not unsafe(shown), unsafe(shown)
    (export,) = tmp_path.glob("*.csv")
    assert not unsafe(export.read_text("utf-8-sig")), unsafe(export.read_text("utf-8-sig"))


async def test_the_terminal_shows_no_escape_from_rows_stored_before_cleaning(
    maria_anna, bot, db
) -> None:
    """Rows written before text was cleaned where it enters may still hold escapes: the
    terminal chat does not print them either."""
    async with db.transaction() as session:
        anna = (
            await session.execute(select(Person).where(Person.platform_user_id == "anna"))
        ).scalar_one()
        anna.display_name = "Anna\x1b]0;pwned\x07 \u202eAndersson\x1b[31m"
        (await session.get(Idea, 1)).title = "Tryggare\x1b[2J tunnlar"
    out = io.StringIO()
    chat = ConsoleChat(
        bot.handle, user="maria", stdin=io.StringIO("visa 1\n"), stdout=out, interactive=False
    )
    await chat.run()
    shown = out.getvalue()
    assert "Tryggare tunnlar" in shown and "Anna Andersson" in shown, shown
    assert not unsafe(shown), unsafe(shown)


# ── what PostgreSQL (or UTF-8) would refuse ────────────────────────────────────────────


async def test_a_nul_in_a_display_name_does_not_break_every_turn(bot, db, caplog) -> None:
    lisa = Chat(bot, user="lisa", name="Lisa\x00 Ek")
    with caplog.at_level(logging.INFO):
        await lisa.says("Hej!")
        lisa.hears("Hej Lisa!", "Vad vill du kalla din idé?")
        await lisa.says("Tryggare tunnlar")
        lisa.hears("Vilket behov")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    await assert_database_clean(db)


async def test_a_nul_in_a_note_is_removed(maria_anna, db) -> None:
    maria, _ = maria_anna
    await maria.says("note 1 Ring\x00 fritidsgården.")
    maria.hears("Anteckningen är sparad på idé 1.")
    await maria.says("visa 1")
    maria.hears("Ring fritidsgården.")
    await assert_database_clean(db)


async def test_a_lone_surrogate_in_a_title_gets_an_answer_and_the_idea_is_sent(anna, db) -> None:
    await anna.says("Hej!")
    await anna.says("Tryggare \ud800tunnlar")
    anna.hears("Vilket behov")
    for answer in ANSWERS_TO_SUMMARY[1:]:
        await anna.says(answer)
    anna.hears("Tryggare tunnlar")
    await anna.says("skicka")  # the summary is not stuck
    anna.hears("nummer 1")
    async with db.transaction() as session:
        assert (await session.get(Idea, 1)).title == "Tryggare tunnlar"


@pytest.mark.parametrize(
    ("user_id", "reason"),
    [
        ("U" * 256, "too long"),
        ("", "empty"),
        ("   ", "empty"),
        ("U0\x00ANNA", "unsafe characters"),
        ("U0ANNA\u202e", "unsafe characters"),
        ("U0\ud800", "unsafe characters"),
    ],
)
@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_an_account_id_that_cannot_be_stored_is_refused_politely(
    bot, db, caplog, user_id, reason, lang
) -> None:
    with caplog.at_level(logging.INFO):
        replies = await bot.handle(
            Incoming(
                platform="slack", user_id=user_id, text="Hej!", display_name="Anna", locale=lang
            )
        )
    expected = {"sv": "Jag kan inte känna igen ditt konto", "en": "I can't recognise your account"}
    assert len(replies) == 1 and replies[0].text.startswith(expected[lang]), replies
    refusals = [r for r in caplog.records if "user id" in r.getMessage()]
    assert [(r.levelno, r.getMessage()) for r in refusals] == [
        (logging.INFO, f"turn refused: {reason} user id")
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    if user_id.strip():
        assert all(user_id not in r.getMessage() for r in caplog.records)
    async with db.transaction() as session:
        assert (await session.execute(select(Person))).scalars().all() == []
    # The same person's next turn, from a platform that sends a proper id, works.
    replies = await bot.handle(
        Incoming(platform="slack", user_id="U0ANNA", text="Hej!", display_name="Anna", locale=lang)
    )
    assert "Anna" in replies[0].text
    assert await assert_database_clean(db) > 0


async def test_an_id_of_exactly_the_column_size_is_fine(bot, db) -> None:
    replies = await bot.handle(Incoming(platform="slack", user_id="U" * 255, text="Hej!"))
    assert "Vad vill du kalla din idé?" in "\n".join(r.text for r in replies)


async def test_a_display_name_longer_than_its_column_is_cut(bot, db) -> None:
    long = Chat(bot, user="lang", name="Å" * 150 + " " + "B" * 300)
    await long.says("Hej!")
    long.hears("Vad vill du kalla din idé?")
    await long.says("Tryggare tunnlar")
    long.hears("Vilket behov")
    async with db.transaction() as session:
        person = (
            await session.execute(select(Person).where(Person.platform_user_id == "lang"))
        ).scalar_one()
    assert person.display_name == "Å" * 150 + " " + "B" * 49


async def test_locale_action_event_id_and_address_carry_no_nul(bot, db) -> None:
    """The other fields a platform fills: a locale hint, a button value, a delivery id and
    the address (JSON: PostgreSQL's json keeps "\\u0000" but `->>` and JSONB refuse it)."""
    replies = await bot.handle(
        Incoming(
            platform="msteams",
            user_id="29:1abc",
            text="Hej!",
            display_name="Anna",
            locale="sv-SE\x00\u202e",
            address={
                "serviceUrl": "https://smba.example/\x00",
                "conversation": {"id": "a:1\x00\ud800", "tenant\x00Id": ["t\x00"]},
            },
            event_id="evt-1\x00",
        )
    )
    assert "Vad vill du kalla din idé?" in "\n".join(r.text for r in replies)
    replies = await bot.handle(
        Incoming(platform="msteams", user_id="29:1abc", action="title:\x00x\ud800")
    )
    assert replies  # a stale or unknown button is answered, not an error
    async with db.transaction() as session:
        person = (await session.execute(select(Person))).scalar_one()
    assert person.platform_locale == "sv-SE"
    assert person.address == {
        "serviceUrl": "https://smba.example/",
        "conversation": {"id": "a:1", "tenantId": ["t"]},
    }
    await assert_database_clean(db)
    # A retry of the same delivery (with the same NUL) is still recognised as a retry.
    again = await bot.handle(
        Incoming(platform="msteams", user_id="29:1abc", text="Hej!", event_id="evt-1\x00")
    )
    assert again == []
