"""In the terminal, messages for the person at the keyboard appear in their session; an
export is saved as a file in a folder of the user's own."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from adapters.console import ConsoleChat, files_folder
from bot.delivery import deliver_pending_for
from storage.models import OutboxMessage
from tests.bot.ideas import run_sweep, submit_idea
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
    await run_sweep(bot)  # the day's digest

    # Maria opens the terminal chat: the new idea is waiting for her, buttons numbered.
    chat, out = console(bot, "maria", "2\nflytta 1 Vi läser den nu.\n", tmp_path)
    await chat.run()
    shown = out.getvalue()
    assert "1 ”Tryggare tunnlar” – ny idé från Anna" in shown
    assert "[1] Visa 1   [2] Ta 1   [3] Pausa 1" in shown
    assert "Klart: Maria tar hand om idé 1" in shown  # "2" clicked the delivered button
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
    # She came to read, not to start anew: a welcome with her news first, no new idea.
    assert shown.startswith("Hej Anna! Dina idéer:\n1. Tryggare tunnlar – Avslutad")
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
    assert saved.stat().st_mode & 0o077 == 0  # only its owner may read it


async def test_someones_own_data_never_lands_where_the_chat_was_started(
    bot, tmp_path, monkeypatch
) -> None:
    # The quick start runs the chat in a checkout of this repository.
    started_in, home = tmp_path / "checkout", tmp_path / "home"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    monkeypatch.delenv("IDESLUSS_FILES_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    chat = ConsoleChat(
        bot.handle, user="anna", stdin=io.StringIO("mina uppgifter\n"), stdout=io.StringIO(),
        interactive=False,
    )  # fmt: skip
    await chat.run()
    assert list(started_in.iterdir()) == []
    folder = home / "idesluss" / "files"
    (saved,) = folder.iterdir()
    assert saved.suffix == ".json" and saved.stat().st_mode & 0o077 == 0
    assert folder.stat().st_mode & 0o077 == 0
    assert str(saved) in chat.stdout.getvalue()


def test_the_folder_for_files_can_be_chosen() -> None:
    assert files_folder({"IDESLUSS_FILES_DIR": "/srv/idesluss-filer"}) == Path(
        "/srv/idesluss-filer"
    )
    assert files_folder({"XDG_DATA_HOME": "/d"}) == Path("/d/idesluss/files")


async def test_the_terminal_shows_messages_held_for_office_hours_and_the_dispatcher_leaves_them(
    bot, db, clock
) -> None:
    """Office hours are for chat platforms, where a message pings someone's phone. The person
    at the keyboard sees their messages whenever they open the terminal chat, and no
    dispatcher (which has no console sender) ever claims them."""
    from datetime import timedelta

    from bot.dispatcher import Dispatcher, payload_of
    from conversations.reply import Reply
    from storage.outbox import enqueue
    from storage.people import upsert_person
    from tests.fakes.senders import FakeSender

    clock.set(clock.now().replace(hour=21, minute=30))  # Monday evening, office closed
    tomorrow_morning = clock.now().replace(hour=8, minute=0) + timedelta(days=1)
    async with db.transaction() as session:
        maria = await upsert_person(session, "console", "maria", now=clock.now())
        elsewhere = await upsert_person(
            session, "fake", "erik", now=clock.now(), address={"user": "erik"}
        )
        for person, key in ((maria, "evening:maria"), (elsewhere, "evening:erik")):
            await enqueue(
                session,
                dedupe_key=key,
                recipient_id=person.id,
                kind="reminder",
                payload=payload_of(Reply("Idé 1 har väntat länge.")),
                now=clock.now(),
                not_before=tomorrow_morning,
            )

    # The next morning the dispatcher delivers the platform's row, not the terminal's.
    clock.set(tomorrow_morning)
    fake = FakeSender(platform="fake", now=clock.now)
    dispatcher = Dispatcher(db, [fake], settings=bot.settings, clock=clock)
    assert await dispatcher.run_until_idle() == 1
    assert [d.texts for d in fake.delivered] == [["Idé 1 har väntat länge."]]

    # Back in the evening: Maria opens the terminal chat before tomorrow's office hours.
    clock.set(tomorrow_morning - timedelta(hours=10))
    shown = await Chat(bot, user="maria", name="Maria").receives()
    assert "Idé 1 har väntat länge." in shown
    async with db.transaction() as session:
        statuses = dict(
            (await session.execute(select(OutboxMessage.dedupe_key, OutboxMessage.status))).all()
        )
    assert statuses == {"evening:maria": "sent", "evening:erik": "sent"}


async def test_the_server_delivers_only_through_its_platforms(bot) -> None:
    """The server's dispatcher gets the mounted platforms' senders, never a console one."""
    from bot.server import SERVICES, build_app

    app = await build_app(bot, [], close_database=False)
    [delivery] = [s for s in app[SERVICES] if s.name == "delivery"]
    await delivery.start()
    try:
        assert delivery.background.dispatcher.senders == {}
    finally:
        await delivery.stop()
    assert bot.on_outbox is None  # the stopped service no longer wakes anything
