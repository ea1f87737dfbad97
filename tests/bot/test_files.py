"""The core's side of files that reach people (bot/files.py): a turn on a platform that
delivers files keeps them and answers with a reference; the adapter reads a file by its
token for that person only, and marks it delivered, declined or failed, each audited;
retention and erasure remove files."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.files import (
    FileToSend,
    NoFile,
    file_declined,
    file_delivered,
    file_failed,
    file_to_send,
    files_in,
)
from bot.incoming import Incoming
from bot.reminders import sweep
from storage.models import AuditEvent, StoredFile


def _says(user: str, text: str, **extra) -> Incoming:
    return Incoming("slack", user, text=text, display_name="Anna Andersson", **extra)


async def _my_data(bot, user: str = "UANNA", **extra):
    await bot.handle(_says(user, "Hej!", keeps_files=True))
    replies = await bot.handle(_says(user, "mina uppgifter", keeps_files=True, **extra))
    [ref] = files_in(replies)
    return replies, ref


async def _audit_kinds(db) -> list[str]:
    async with db.transaction() as session:
        return list((await session.execute(select(AuditEvent.kind))).scalars())


async def test_a_kept_file_is_a_reference_and_its_bytes_wait_in_the_database(bot, db) -> None:
    replies, ref = await _my_data(bot)
    assert all(not reply.attachments for reply in replies)
    assert "Filen ”mina-uppgifter-2026-06-15.json” kommer strax här i vår chatt." in "".join(
        reply.text for reply in replies
    )
    assert ref.media_type == "application/json" and ref.description.startswith("Här är allt")
    async with db.transaction() as session:
        [stored] = (await session.execute(select(StoredFile))).scalars()
    assert stored.token == ref.token and len(stored.data) == ref.size
    assert stored.purpose == "personal_data"
    assert stored.expires_at - stored.created_at == timedelta(hours=24)


async def test_in_a_channel_the_answer_says_the_file_goes_to_the_private_chat(bot) -> None:
    replies, _ = await _my_data(bot, in_group=True, private_replies=True, command=True)
    assert "skickar jag strax till vår privata chatt" in "".join(r.text for r in replies)


async def test_a_file_is_read_for_its_person_only_and_delivered_once(bot, db) -> None:
    _, ref = await _my_data(bot)
    await bot.handle(_says("UERIK", "Hej!"))
    assert isinstance(await file_to_send(bot, "slack:UERIK", ref.token), NoFile)
    assert (await file_to_send(bot, "slack:UNOBODY", ref.token)).reason == "unknown"
    found = await file_to_send(bot, "slack:UANNA", ref.token)
    assert isinstance(found, FileToSend) and len(found.data) == ref.size and found.lang == "sv"
    assert await file_delivered(bot, "slack:UANNA", ref.token, platform="slack")
    again = await file_to_send(bot, "slack:UANNA", ref.token)
    assert isinstance(again, NoFile) and again.reason == "delivered"
    assert "har du redan fått" in again.reply.text
    async with db.transaction() as session:
        [stored] = (await session.execute(select(StoredFile))).scalars()
        assert stored.data is None
    assert (await _audit_kinds(db))[-1] == "file_delivered"


async def test_declined_and_failed_are_told_warmly_and_audited(bot, db) -> None:
    _, ref = await _my_data(bot)
    failed = await file_failed(bot, "slack:UANNA", ref.token, platform="slack", reason="HTTP 503")
    assert "kom tyvärr inte fram" in failed.text and "mina uppgifter" in failed.text
    assert isinstance(await file_to_send(bot, "slack:UANNA", ref.token), FileToSend)  # still
    declined = await file_declined(bot, "slack:UANNA", ref.token, platform="msteams")
    assert declined.text == (
        "Okej, jag skickar ingen fil. Skriv ”mina uppgifter” igen när du vill, så gör jag en ny."
    )
    gone = await file_to_send(bot, "slack:UANNA", ref.token)
    assert isinstance(gone, NoFile) and gone.reason == "expired"
    assert (await _audit_kinds(db))[-2:] == ["file_failed", "file_declined"]


async def test_a_file_expires_after_a_day_and_the_sweep_deletes_it(bot, db, clock) -> None:
    _, ref = await _my_data(bot)
    clock.advance(hours=24)
    gone = await file_to_send(bot, "slack:UANNA", ref.token)
    assert isinstance(gone, NoFile) and gone.reason == "expired"
    assert "bara ett dygn" in gone.reply.text
    report = await sweep(bot.db, clock.now(), policy=bot.reminder_policy, settings=bot.settings)
    assert report.retention is not None and report.retention.files_purged == 1
    async with db.transaction() as session:
        assert list((await session.execute(select(StoredFile))).scalars()) == []


async def test_forget_me_drops_the_files_waiting_for_the_person(bot, db) -> None:
    await _my_data(bot)
    replies = await bot.handle(_says("UANNA", "glöm mig", keeps_files=True))
    [yes] = [c for r in replies for c in r.choices if c.label.startswith("Ja")]
    await bot.handle(Incoming("slack", "UANNA", action=yes.value, keeps_files=True))
    async with db.transaction() as session:
        assert list((await session.execute(select(StoredFile))).scalars()) == []


async def test_a_platform_without_files_still_says_where_to_get_them(bot) -> None:
    replies = await bot.handle(Incoming("toy", "anna", text="mina uppgifter"))
    assert files_in(replies) == [] and all(not r.attachments for r in replies)
    assert "kan jag inte skicka i den här chatten" in "".join(r.text for r in replies)
