"""In the terminal, messages for the person at the keyboard appear in their session; an
export is saved as a file next to where the chat runs."""

from __future__ import annotations

import io

from sqlalchemy import select

from adapters.console import ConsoleChat
from bot.delivery import deliver_pending_for
from storage.models import OutboxMessage
from tests.bot.ideas import submit_idea
from tests.chat import Chat


def console(bot, user: str, lines: str, tmp_path) -> tuple[ConsoleChat, io.StringIO]:
    out = io.StringIO()

    async def deliver(chat: ConsoleChat) -> int:
        return await deliver_pending_for(bot.db, chat.qualified_id, chat, bot.clock)

    chat = ConsoleChat(
        bot.handle,
        user=user,
        stdin=io.StringIO(lines),
        stdout=out,
        interactive=False,
        deliver=deliver,
        save_folder=tmp_path,
    )
    return chat, out


async def test_waiting_messages_appear_when_the_chat_opens_and_after_each_turn(
    bot, db, tmp_path
) -> None:
    anna = Chat(bot, user="anna", name="Anna")
    await submit_idea(anna, "Tryggare tunnlar")

    # Maria opens the terminal chat: the new idea is waiting for her, buttons numbered.
    chat, out = console(bot, "maria", "1\nflytta 1 Vi läser den nu.\n", tmp_path)
    await chat.run()
    shown = out.getvalue()
    assert "En ny idé har kommit in: nummer 1 ”Tryggare tunnlar”" in shown
    assert "[1] Jag tar den   [2] Flytta till Bedömning" in shown
    assert "Klart: Maria tar hand om idé 1" in shown  # "1" clicked the delivered button
    assert "gick från Inkommen till Bedömning" in shown

    # Anna's message waited in the outbox until she opened her chat; then it is sent.
    chat, out = console(bot, "anna", "", tmp_path)
    await chat.run()
    assert (
        "Hej Anna! Maria har börjat titta närmare på din idé ”Tryggare tunnlar”" in out.getvalue()
    )
    async with db.transaction() as session:
        statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
        assert statuses == ["sent", "sent"]
    chat, out = console(bot, "anna", "", tmp_path)
    await chat.run()
    assert "Maria har börjat" not in out.getvalue()  # shown once


async def test_a_satisfaction_answer_by_number_in_the_terminal(bot, db, tmp_path) -> None:
    anna = Chat(bot, user="anna", name="Anna")
    maria = Chat(bot, user="maria", name="Maria")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("close 1 Det finns redan en lösning.")
    chat, out = console(bot, "anna", "4\nBra bemötande.\n", tmp_path)
    await chat.run()
    shown = out.getvalue()
    assert "[4] 4   [5] 5 Mycket nöjd" in shown
    # She came to read, not to start anew: a welcome and what she can do, no new idea.
    assert shown.startswith("Hej Anna!\n\nDet här kan du skriva till mig:")
    assert "Tack för ditt svar! Vill du berätta något mer" in shown
    assert "Tack, det tar vi med oss." in shown
    await anna.says("visa 1")
    anna.hears("Nöjdhet: 4 av 5")


async def test_an_export_is_saved_as_a_file(bot, tmp_path) -> None:
    anna = Chat(bot, user="anna", name="Anna")
    await submit_idea(anna, "Tryggare tunnlar")
    (tmp_path / "idesluss-2026-06-15.csv").write_text("older export")
    chat, out = console(bot, "maria", "export\n", tmp_path)
    await chat.run()
    saved = tmp_path / "idesluss-2026-06-15-1.csv"
    assert f"(Filen är sparad: {saved})" in out.getvalue()
    assert saved.read_text(encoding="utf-8-sig").startswith("number,title,stage")
    assert (tmp_path / "idesluss-2026-06-15.csv").read_text() == "older export"
