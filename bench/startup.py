"""Start-up time of `idesluss --help` and of `idesluss chat` to its first prompt, against
baselines measured in the same run: `python -c pass` (the interpreter),
`python -c "import sqlalchemy"` (the floor of anything that touches the database) and one
SELECT through SQLAlchemy's ORM and asyncio layer on a SQLite file (the floor of a first
prompt that needs a turn read from the database, as the chat's greeting does).

    .venv/bin/python bench/startup.py [--runs 7]

`chat` runs in a pseudo-terminal (the stdlib `pty` module), as a person at a terminal starts
it; the time is from starting the process to the prompt "> " appearing after the greeting.
Measured on a fresh SQLite database (created and migrated by that start) and on an existing
one (the same person coming back). Each figure is the median of `--runs` starts, with the
fastest beside it (on a busy machine the fastest is the least disturbed)."""

from __future__ import annotations

import argparse
import os
import pty
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout measured (--root: another)
PROMPT = b"> "
BYTECODE_CACHE: str | None = None
PACKAGES = ("adapters", "bot", "conversations", "storage")
TIMEOUT_S = 30.0
# The floor of a first prompt that needs one turn read from the database: the ORM and its
# asyncio layer imported, one SQLite file opened through aiosqlite, one SELECT.
ASYNC_SELECT = """
import asyncio, sys
import sqlalchemy.orm
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

async def main():
    engine = create_async_engine("sqlite+aiosqlite:///" + sys.argv[1])
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    await engine.dispose()

asyncio.run(main())
"""


def _env(database: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if BYTECODE_CACHE is not None:
        # As installed (pip compiles every module): bytecode is read, not compiled at each
        # start. In a folder of its own, so that the checkout stays as it is.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = BYTECODE_CACHE
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if database is not None:
        env["DATABASE_URL"] = f"sqlite:///{database}"
    return env


def wall(argv: list[str]) -> float:
    started = time.perf_counter()
    # Not run from a checkout: `python -m` would put the current folder before ROOT.
    folder = tempfile.gettempdir()
    subprocess.run(argv, env=_env(), cwd=folder, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def to_first_prompt(database: Path, user: str = "bench") -> float:
    """Seconds from starting `idesluss chat` in a terminal to its first prompt."""
    primary, secondary = pty.openpty()
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat", "--user", user],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=_env(database),
        cwd=database.parent,
        close_fds=True,
    )
    os.close(secondary)
    seen = b""
    try:
        while time.perf_counter() - started < TIMEOUT_S:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if not ready:
                continue
            seen += os.read(primary, 65536)
            if seen.endswith(b"\n" + PROMPT):  # the greeting, then the prompt
                return time.perf_counter() - started
        raise RuntimeError(f"no prompt within {TIMEOUT_S} s; the chat wrote {seen[-400:]!r}")
    finally:
        child.terminate()
        child.wait()
        os.close(primary)


def as_installed(root: Path, target: Path) -> Path:
    """A copy of the packages as a wheel installs them: with the compiled .mo catalogs
    (setup.py builds them) beside the .po files. (pip also compiles the bytecode: the
    cache in BYTECODE_CACHE stands in for that.)"""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for package in PACKAGES:
        shutil.copytree(
            root / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for po in target.glob("conversations/locale/*/LC_MESSAGES/*.po"):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
    return target


def measure(runs: int, start: Callable[[], float]) -> tuple[float, float]:
    times = [start() for _ in range(runs)]
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--root", type=Path, help="measure this checkout instead (a before)")
    parser.add_argument(
        "--checkout",
        action="store_true",
        help="run the checkout as it is: no bytecode cache (PYTHONDONTWRITEBYTECODE as set) "
        "and no compiled .mo catalogs, so each start compiles the modules and the .po files",
    )
    args = parser.parse_args()
    global ROOT, BYTECODE_CACHE
    if args.root is not None:
        ROOT = args.root.resolve()
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        measured = ROOT
        if not args.checkout:
            ROOT = as_installed(ROOT, Path(folder) / "installed")
            BYTECODE_CACHE = str(Path(folder) / "bytecode")
            wall([python, "-m", "bot.cli", "--help"])  # fills the cache
        fresh_count = iter(range(args.runs))
        existing = Path(folder) / "existing.db"
        to_first_prompt(existing)  # made and migrated once; the person has been here

        def fresh() -> float:
            return to_first_prompt(Path(folder) / f"fresh-{next(fresh_count)}.db")

        rows = [
            ("python -c pass", measure(args.runs, lambda: wall([python, "-c", "pass"]))),
            (
                'python -c "import sqlalchemy"',
                measure(args.runs, lambda: wall([python, "-c", "import sqlalchemy"])),
            ),
            (
                "one SELECT through SQLAlchemy async (floor)",
                measure(args.runs, lambda: wall([python, "-c", ASYNC_SELECT, str(existing)])),
            ),
            (
                "idesluss --help",
                measure(args.runs, lambda: wall([python, "-m", "bot.cli", "--help"])),
            ),
            ("idesluss chat, fresh database", measure(args.runs, fresh)),
            (
                "idesluss chat, existing database",
                measure(args.runs, lambda: to_first_prompt(existing)),
            ),
        ]
    floor = rows[1][1][0]
    how = "the checkout as it is" if args.checkout else "as installed: bytecode and .mo files"
    print(f"{measured} ({how}), {args.runs} runs each")
    heading = "start-up (chat: to its first prompt)"
    print(f"{heading:44} {'median':>8} {'fastest':>8} {'×sqla':>6}")
    for name, (median, fastest) in rows:
        print(f"{name:44} {median * 1000:6.0f}ms {fastest * 1000:6.0f}ms {median / floor:6.2f}")


if __name__ == "__main__":
    main()
