"""`idesluss organisation match [--apply]`: the workplaces written before the organisation
file (or that it did not know) placed once, a preview first, idempotent."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, update

from bot.cli import main
from bot.organisation import default_organisation, match_existing
from storage.models import Idea, Person
from storage.summary import KEPT_BY_CALLER, rebuild_in
from tests.bot.ideas import submit_idea
from tests.chat import Chat


async def _written_before_the_file(db, anna: Chat, bot) -> None:
    await submit_idea(anna, "Tryggare tunnlar", workplace="hemtjänsten norrmalm, vård o omsorg")
    ove = Chat(bot, user="ove", name="Ove")
    await submit_idea(ove, "Kaffe", workplace="Kommunhuset")
    async with db.transaction() as session:  # as an idea stored before migration 0006
        await session.execute(
            update(Idea).values(administration=None, unit=None).execution_options(**KEPT_BY_CALLER)
        )
        await rebuild_in(session)
        await session.execute(update(Person).values(administration=None, unit=None))


async def _places(db) -> list[tuple[str | None, str | None]]:
    async with db.transaction() as session:
        rows = await session.execute(select(Idea.administration, Idea.unit).order_by(Idea.id))
        return list(rows.tuples())


async def test_a_preview_then_apply_then_nothing_more(db, anna, bot, caplog) -> None:
    await _written_before_the_file(db, anna, bot)
    org = default_organisation()
    preview = await match_existing(db, org)
    assert [(w, p.unit, i, n) for w, p, i, n in preview.matched] == [
        ("hemtjänsten norrmalm, vård o omsorg", "Hemtjänst Norrmalm", 1, 1)
    ]
    assert preview.unmatched == [("Kommunhuset", 1, 1)]
    assert await _places(db) == [(None, None), (None, None)]  # a preview stores nothing

    caplog.set_level("INFO", logger="bot.organisation")
    applied = await match_existing(db, org, apply=True)
    assert [(i, n) for _, _, i, n in applied.matched] == [(1, 1)]
    assert await _places(db) == [
        ("Vård- och omsorgsförvaltningen", "Hemtjänst Norrmalm"),
        (None, None),
    ]
    async with db.transaction() as session:
        anna_row = (
            await session.execute(select(Person).where(Person.platform_user_id == "anna"))
        ).scalar_one()
    assert anna_row.unit == "Hemtjänst Norrmalm"
    # Counts only in the log, never the workplaces people wrote.
    assert "hemtjänsten" not in caplog.text and "Kommunhuset" not in caplog.text

    again = await match_existing(db, org, apply=True)
    assert again.matched == [] and again.unmatched == [("Kommunhuset", 1, 1)]


async def test_the_command_line(db, anna, bot, monkeypatch, capsys) -> None:
    await _written_before_the_file(db, anna, bot)
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    assert await asyncio.to_thread(main, ["organisation", "match"]) == 0
    out = capsys.readouterr().out
    assert "1 workplace(s) would be placed, 1 not matched." in out
    assert "→ Hemtjänst Norrmalm (Vård- och omsorgsförvaltningen): 1 idea(s), 1 person(s)" in out
    assert "'Kommunhuset': 1 idea(s), 1 person(s)" in out and "--apply" in out
    assert await asyncio.to_thread(main, ["organisation", "match", "--apply"]) == 0
    assert "1 workplace(s) placed" in capsys.readouterr().out
    assert (await _places(db))[0] == ("Vård- och omsorgsförvaltningen", "Hemtjänst Norrmalm")
    monkeypatch.setenv("IDESLUSS_ORGANISATION", "/nowhere/org.toml")
    assert await asyncio.to_thread(main, ["organisation", "match"]) != 0
    assert "the organisation file does not exist" in capsys.readouterr().err
