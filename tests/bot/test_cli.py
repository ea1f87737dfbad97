"""The `idesluss` command: clear messages and exit codes for bad settings, never a
traceback, and nothing stored is touched."""

from __future__ import annotations

import asyncio
import io
import sys

import pytest
from sqlalchemy import func, select

from bot import cli
from storage.database import Database
from storage.models import Idea
from tests.processes import idesluss


@pytest.fixture
def piped(monkeypatch):
    def pipe(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return pipe


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize("lang", ["de", "svenska", "EN-GB"])
def test_an_unknown_language_is_explained_in_both_languages(capsys, lang, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    code, out, err = run(capsys, "chat", "--lang", lang)
    assert code == cli.EXIT_CONFIG and out == ""
    assert f"idesluss: okänt språk {lang!r} – välj sv (svenska) eller en (English)." in err
    assert f"Unknown language {lang!r} – choose sv (Swedish) or en (English)." in err
    assert not (tmp_path / "x.db").exists()  # nothing was opened or created


def test_language_is_case_insensitive(capsys, piped, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    piped("")
    code, out, _ = run(capsys, "chat", "--user", "ben", "--lang", " EN ")
    assert code == 0 and out.startswith("Hi Ben! I'm the Idea Sluice.")


@pytest.mark.parametrize("user", ["two words", "slack:U1", "x" * 65, "\x1b[2J", " "])
def test_a_bad_user_name_is_explained(capsys, user, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    code, out, err = run(capsys, "chat", "--user", user)
    assert code == cli.EXIT_CONFIG and out == ""
    assert "--user ska vara ett ord" in err and "--user must be one word" in err


@pytest.mark.parametrize(
    ("url", "explanation"),
    [
        ("mysql://root@localhost/idesluss", "DATABASE_URL uses 'mysql'"),
        ("postgresql://anna:hemligt@host:port/db", "DATABASE_URL is not a database address"),
        ("sqlite:///:memory:", "DATABASE_URL must name a SQLite file"),
        ("postgresql://anna:hemligt@127.0.0.1:1/idesluss", "Cannot reach the database at"),
        ("sqlite:///{tmp}/missing/folder/idesluss.db", "The folder for the SQLite database"),
    ],
)
@pytest.mark.parametrize("command", [["chat"], ["db", "upgrade"]])
def test_bad_database_urls_are_explained(
    capsys, piped, monkeypatch, tmp_path, url, explanation, command
):
    monkeypatch.setenv("DATABASE_URL", url.format(tmp=tmp_path))
    piped("Hej\n")
    code, out, err = run(capsys, *command)
    assert code == cli.EXIT_DATABASE and out == ""
    assert err.startswith(f"idesluss: {explanation}") and err.count("\n") == 1
    assert "hemligt" not in err
    assert not (tmp_path / "missing").exists()


def test_db_upgrade_twice_and_the_chat_after_it(capsys, piped, monkeypatch, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'idesluss.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for _ in range(2):
        code, out, err = run(capsys, "db", "upgrade")
        assert (code, err) == (0, "")
        assert (
            out
            == f"The database at sqlite+aiosqlite:///{tmp_path / 'idesluss.db'} is up to date.\n"
        )
    piped("")
    code, out, err = run(capsys, "chat", "--user", "anna")
    assert (code, err) == (0, "") and out.startswith("Hej Anna!")


def test_an_unexpected_failure_is_one_plain_line(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")

    async def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_chat", broken)
    code, _, err = run(capsys, "chat")
    assert code == cli.EXIT_UNEXPECTED
    assert err == "idesluss: something went wrong (RuntimeError); run with --verbose for details.\n"


def test_an_unreachable_database_from_the_real_command_keeps_what_is_stored(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'ideas.db'}"
    done = idesluss(
        ["chat", "--user", "anna"],
        "\n".join(
            [
                "Tunnlar",
                "Mörkt på kvällen.",
                "Lampor överallt.",
                "Alla som går där.",
                "skip",
                "skip",
                "ja",
                "Kultur",
                "1",
            ]
        ).encode()
        + b"\n",
        {"DATABASE_URL": url},
    )
    assert done.returncode == 0 and "nummer 1." in done.stdout.decode()
    failed = idesluss(
        ["chat", "--user", "anna"], b"Hej\n", {"DATABASE_URL": "postgresql://x@127.0.0.1:1/x"}
    )
    assert failed.returncode == cli.EXIT_DATABASE and failed.stdout == b""
    assert failed.stderr.decode().startswith("idesluss: Cannot reach the database at")
    assert b"Traceback" not in failed.stderr

    async def count() -> int:
        database = Database(url)
        try:
            async with database.transaction() as session:
                return (await session.execute(select(func.count(Idea.id)))).scalar_one()
        finally:
            await database.close()

    assert asyncio.run(count()) == 1
