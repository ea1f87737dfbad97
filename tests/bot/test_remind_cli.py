"""`idesluss remind [--now] [--dry-run]`."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.reminders import mark_activity
from storage.database import Database
from storage.ideas import create_idea
from storage.people import upsert_person

SE = ZoneInfo("Europe/Stockholm")


async def _prepare(url: str) -> None:
    db = Database(url)
    await db.upgrade()
    now = datetime(2026, 9, 7, 9, tzinfo=SE)
    async with db.transaction() as session:
        await upsert_person(session, "console", "maria", now=now, display_name="Maria Svensson")
        anna = await upsert_person(session, "console", "anna", now=now, display_name="Anna")
        idea = await create_idea(
            session,
            anna,
            {"title": "Tryggare tunnlar", "need": "n", "idea": "i", "benefit": "b"},
            language="sv",
            stage="submitted",
            now=now,
        )
        mark_activity(idea, now)
    await db.close()


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    asyncio.run(_prepare(url))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("IDESLUSS_COORDINATORS", "console:maria")
    return url


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(database, capsys) -> None:
    assert main(["remind", "--now", "2026-09-14T10:00", "--dry-run"]) == 0
    out = capsys.readouterr().out
    # The idle reminder is news for Maria's digest, which goes at once (office hours).
    assert (
        "Reminder sweep at 2026-09-14 10:00 (Swedish time): 1 message(s) would send; "
        "1 piece(s) of news kept for coordinators' digests."
    ) in out
    assert "- digest to Maria Svensson (digest), from 2026-09-14 10:00:" in out
    assert "Tryggare tunnlar" in out
    # Nothing was written, so a real run still finds it.
    assert main(["remind", "--now", "2026-09-14T10:00"]) == 0
    assert "1 message(s) queued;" in capsys.readouterr().out
    assert main(["remind", "--now", "2026-09-14T10:00"]) == 0
    assert "0 message(s) queued;" in capsys.readouterr().out


def test_an_evening_sweep_says_the_message_waits_for_the_morning(database, capsys) -> None:
    assert main(["remind", "--now", "2026-09-14T21:30:00+02:00", "--dry-run"]) == 0
    # The news is kept; the digest waits for office hours.
    out = capsys.readouterr().out
    assert "0 message(s) would send; 1 piece(s) of news kept" in out


def test_a_bad_moment_is_explained(database, capsys) -> None:
    assert main(["remind", "--now", "next tuesday"]) == 2
    assert "write it like 2026-06-26T10:00" in capsys.readouterr().err
