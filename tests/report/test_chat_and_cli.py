"""The report reaches people two ways: `rapport` in the chat (or the button under
`statistik`) sends it, and `idesluss report` writes it to a file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.app import IdeaBot
from bot.config import Settings
from tests.bot.ideas import submit_idea
from tests.chat import Chat
from tests.report.conftest import SeededYear

ROOT = Path(__file__).resolve().parents[2]


async def test_the_button_under_stats_brings_the_report_as_a_file(bot, anna: Chat) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("advance 1")
    replies = await maria.says("stats")
    maria.hears("Idéer totalt")
    assert replies[-1].attachments == ()  # the figures come at once, the charts when asked
    replies = await maria.clicks("Rapport till styrgruppen")
    maria.hears("rapporten till styrgruppen för 1 januari 2026 – 15 juni 2026")
    (file,) = replies[-1].attachments
    assert (file.name, file.media_type) == (
        "idesluss-rapport-2026-01-01--2026-06-15.html",
        "text/html",
    )
    page = file.data.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Från idé till införande" in page
    for private in ("Anna", "Maria", "Tryggare tunnlar"):
        assert private not in page


async def test_without_files_the_chat_says_where_the_report_is(db, clock, database_url) -> None:
    settings = Settings(database_url=database_url, coordinators=frozenset({"slack:maria"}))
    maria = Chat(IdeaBot(db, settings=settings, clock=clock), user="maria", platform="slack")
    replies = await maria.says("rapport")
    assert replies[-1].attachments == ()
    maria.hears("idesluss-rapport-2026-01-01--2026-06-15.html")


def test_the_command_writes_the_report_where_it_runs(
    seeded_year: SeededYear, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded_year.url)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["report", "--from", "2026-01-01", "--to", "2026-12-31"]) == 0
    written = tmp_path / "idesluss-rapport-2026-01-01--2026-12-31.html"
    assert written.read_bytes().startswith(b"<!DOCTYPE html>")
    assert "idesluss-rapport-2026-01-01--2026-12-31.html" in capsys.readouterr().err
    out = tmp_path / "styrgrupp.pdf"
    args = ["report", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "pdf"]
    assert cli.main([*args, "--lang", "en", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("first", "last", "said"),
    [
        ("2026-13-01", "2026-12-31", "--from '2026-13-01' is not a date; write it like 2026-01-01"),
        ("2026-01-01", "31/12", "--to '31/12' is not a date"),
        ("2026-12-01", "2026-01-31", "the period ends (2026-01-31) before it starts (2026-12-01)"),
    ],
)
def test_a_wrong_period_is_explained_and_nothing_is_written(
    first: str, last: str, said: str, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["report", "--from", first, "--to", last]) == cli.EXIT_CONFIG
    assert said in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # not even the database was made


def test_help_stays_fast_without_matplotlib() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "print('matplotlib' in sys.modules, 'bot.report.draw' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "False False", done.stderr


async def test_the_report_for_a_month(bot, anna: Chat) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    await submit_idea(anna, "Tryggare tunnlar")
    replies = await maria.says("rapport juni")
    (file,) = replies[-1].attachments
    assert file.name == "idesluss-rapport-2026-06-01--2026-06-30.html"
    assert "Perioden 2026-06-01 – 2026-06-30" in file.data.decode("utf-8")


async def test_the_stats_button_keeps_the_period_it_showed(bot, anna: Chat) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("statistik mars")
    replies = await maria.clicks("Rapport till styrgruppen")
    (file,) = replies[-1].attachments
    assert file.name == "idesluss-rapport-2026-03-01--2026-03-31.html"


async def test_a_report_for_words_that_name_no_time_says_how(bot, anna: Chat) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    await submit_idea(anna, "Tryggare tunnlar")
    replies = await maria.says("rapport blåbär")
    assert all(not reply.attachments for reply in replies)
    maria.hears("rapport 2026")
