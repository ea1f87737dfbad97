"""`idesluss --help` and `idesluss chat` start without importing what they do not use: the
server stack, the platforms' SDKs, the report's charts, the mailer – and on a database that is
already migrated, Alembic. (How long a start takes is measured by bench/startup.py; here the
modules are counted, which does not depend on how busy the machine is.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Each costs tens of milliseconds or more to import, and neither command needs it.
SERVER_STACK = (
    "aiohttp",
    "prometheus_client",
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "matplotlib",
    "aiosmtplib",
    "bot.server",
    "bot.observability",
    "bot.inbox",
    "bot.scheduler",
)
# --help needs no database and no dialogue either.
CORE = ("sqlalchemy", "alembic", "storage", "bot.app", "bot.config", "holidays")

_RUN = """
import contextlib, io, json, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""


def imported(tmp_path: Path, *argv: str) -> set[str]:
    """The modules `idesluss ARGV` imported, run in a fresh interpreter (piped input: the
    chat ends when it runs out)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *argv],
        cwd=ROOT,
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(p for p in packages if any(m == p or m.startswith(p + ".") for m in modules))


def test_help_imports_neither_the_server_nor_the_database(tmp_path: Path) -> None:
    modules = imported(tmp_path, "--help")
    assert "argparse" in modules  # (it did run)
    assert loaded(modules, SERVER_STACK + CORE) == []
    assert not (tmp_path / "startup.db").exists()


def test_chat_imports_the_core_but_not_the_server(tmp_path: Path) -> None:
    first = imported(tmp_path, "chat", "--user", "anna")  # makes and migrates the database
    assert loaded(first, ("bot.app", "sqlalchemy", "alembic")) == [
        "alembic",
        "bot.app",
        "sqlalchemy",
    ]
    assert loaded(first, SERVER_STACK) == []

    again = imported(tmp_path, "chat", "--user", "anna")  # the database is at head
    assert loaded(again, (*SERVER_STACK, "alembic")) == []
    assert "bot.app" in again
