"""One export for both ways out: the chat's `export` and `idesluss export` write the same
columns through the same writer, with the same guard and the same rule for an anonymous
idea giver."""

from __future__ import annotations

import asyncio
import csv
import io

from sqlalchemy import update

from bot.cli import main
from bot.export import EVENT_COLUMNS, IDEA_COLUMNS, safe_cell
from storage.models import Idea
from tests.bot.ideas import submit_idea
from tests.chat import Chat


async def _anonymous_idea(db, anna: Chat) -> None:
    await submit_idea(anna, "=Tryggare tunnlar", need="@Rädda på kvällen")
    async with db.transaction() as session:
        await session.execute(update(Idea).where(Idea.id == 1).values(anonymous=True))


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_chat_export_hides_an_anonymous_giver_as_anonym(db, anna, maria) -> None:
    await _anonymous_idea(db, anna)
    await maria.says("export")
    text = maria.replies[0].attachments[0].data.decode("utf-8-sig")
    [row] = _rows(text)
    assert list(row) == [*IDEA_COLUMNS, *EVENT_COLUMNS]
    assert (row["idea_giver"], row["anonymous"]) == ("(anonym)", "yes")
    assert row["event_by"] == ""  # the giver acted, anonymously
    assert (row["title"], row["need"]) == ("'=Tryggare tunnlar", "'@Rädda på kvällen")
    assert "Andersson" not in text
    # Where the workplace ("Kultur och fritid") is counted, in columns of their own.
    assert (row["workplace"], row["administration"], row["unit"]) == (
        "Kultur och fritid", "Kultur- och fritidsförvaltningen", "",
    )  # fmt: skip


async def test_the_cli_export_hides_an_anonymous_giver_the_same_way(
    db, anna, tmp_path, monkeypatch
) -> None:
    await _anonymous_idea(db, anna)
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    out = tmp_path / "ideas.csv"
    # The CLI runs its own event loop: in a thread, as from a terminal.
    args = ["export", "--since", "2026-01-01", "--out", str(out)]
    assert await asyncio.to_thread(main, args) == 0
    text = out.read_bytes().decode("utf-8-sig")
    [row] = _rows(text)
    assert list(row) == [*IDEA_COLUMNS, *EVENT_COLUMNS]
    assert row["administration"] == "Kultur- och fritidsförvaltningen"
    assert (row["idea_giver"], row["anonymous"]) == ("(anonym)", "yes")
    assert (row["title"], row["need"]) == ("'=Tryggare tunnlar", "'@Rädda på kvällen")
    assert "Andersson" not in text


def test_one_guard_for_every_cell() -> None:
    for formula in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(formula) == "'" + formula
    assert (safe_cell(None), safe_cell(True), safe_cell(False), safe_cell(3)) == (
        "",
        "yes",
        "no",
        3,
    )
    assert safe_cell("Tryggare tunnlar") == "Tryggare tunnlar"
