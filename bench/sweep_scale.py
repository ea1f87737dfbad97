"""Benchmark: the reminder sweep over 10,000 / 100,000 / 1,000,000 ideas, SQLite and
PostgreSQL — time and number of SQL statements — to show that its cost follows the number of
*due* ideas, not the number of ideas.

Two measurements per size, in the same run:

- **1 % due** (100 / 1,000 / 10,000 due ideas): time and statements grow with the due count;
- **100 due** whatever the size (the baseline): time and statements stay flat as the table
  grows a hundredfold, which is the claim. Ratios are against the 10,000-idea row.

    .venv/bin/python bench/sweep_scale.py                        # SQLite
    .venv/bin/python bench/sweep_scale.py --database-url postgresql://postgres@127.0.0.1/db
    .venv/bin/python bench/sweep_scale.py --sizes 10000 100000   # fewer sizes

Ideas are generated inside the database (a recursive CTE on SQLite, generate_series on
PostgreSQL), so building a million rows takes seconds, not minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import platform
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.calendar import WorkingCalendar
from bot.config import Settings
from bot.reminders import sweep
from storage.database import Database
from storage.models import Base
from storage.people import upsert_person

SE = ZoneInfo("Europe/Stockholm")
LAST = datetime(2026, 9, 7, 9, tzinfo=SE)  # Monday: everyone's last activity
DUE = datetime(2026, 9, 14, 9, tzinfo=SE)  # 5 working days later: the idle reminder
NOW = datetime(2026, 9, 14, 10, tzinfo=SE)
LAST_W = datetime(2026, 9, 1, 9, tzinfo=SE)  # a small warm-up group, due Tuesday 8 Sep
# Groups of 100, each due on its own day of the week before (the best of three counts).
FIXED_DAYS = (2, 3, 4)  # last activity on 2–4 Sep → due 9–11 Sep, escalation after NOW
FAR = datetime(2027, 6, 1, 9, tzinfo=SE)  # not due during the benchmark
CAL = WorkingCalendar()
SETTINGS = Settings(coordinators=frozenset({"console:maria", "console:olle"}))


def _moment(db: Database, value: datetime) -> str:
    from datetime import UTC

    utc = value.astimezone(UTC)
    return (
        utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        if db.is_sqlite
        else utc.isoformat()
    )


async def build(db: Database, size: int) -> float:
    started = time.perf_counter()
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with db.transaction() as session:
        if not db.is_sqlite:
            await session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for user, name in (("anna", "Anna Andersson"), ("maria", "Maria"), ("olle", "Olle")):
            await upsert_person(session, "console", user, now=LAST, display_name=name)
    columns = (
        "id, person_id, title, need, description, benefit, participate, language, stage, "
        "anonymous, submitted_at, stage_changed_at, last_activity_at, next_due_at, updated_at"
    )

    def ts(name: str) -> str:
        return f":{name}" if db.is_sqlite else f"CAST(:{name} AS TIMESTAMP WITH TIME ZONE)"

    values = (
        f"n, 1, 'Idé ' || n, 'behov', 'idé', 'nytta', false, 'sv', 'submitted', false, "
        f"{ts('last')}, {ts('last')}, {ts('last')}, "
        f"CASE WHEN n % 100 = 0 THEN {ts('due')} ELSE {ts('far')} END, {ts('last')}"
    )
    if db.is_sqlite:
        statement = (
            "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :size) "
            f"INSERT INTO ideas ({columns}) SELECT {values} FROM seq"
        )
    else:
        statement = (
            f"INSERT INTO ideas ({columns}) SELECT {values} FROM generate_series(1, :size) AS n"
        )
    params = {
        "size": size,
        "last": _moment(db, LAST),
        "due": _moment(db, DUE),
        "far": _moment(db, FAR),
    }
    if not db.is_sqlite:
        params = {"size": size, "last": LAST, "due": DUE, "far": FAR}
    async with db.transaction() as session:
        await session.execute(text(statement), params)
        if not db.is_sqlite:
            await session.execute(text(f"SELECT setval('ideas_id_seq', {size})"))
    async with db.engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    return time.perf_counter() - started


async def make_group_due(
    db: Database, remainder: int, count: int, last: datetime, due: datetime
) -> None:
    """`count` ideas outside the 1 % group become due at `due`, in a fresh idle period."""

    def cast(name: str) -> str:
        return f":{name}" if db.is_sqlite else f"CAST(:{name} AS TIMESTAMP WITH TIME ZONE)"

    async with db.transaction() as session:
        await session.execute(
            text(
                f"UPDATE ideas SET last_activity_at = {cast('last')}, "
                f"next_due_at = {cast('due')} WHERE id IN "
                f"(SELECT id FROM ideas WHERE id % 100 = {remainder} ORDER BY id LIMIT {count})"
            ),
            {"last": _moment(db, last), "due": _moment(db, due)}
            if db.is_sqlite
            else {"last": last, "due": due},
        )


async def timed_sweep(db: Database, now: datetime) -> tuple[float, int, int, int]:
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        report = await sweep(db, now, settings=SETTINGS)
        elapsed = time.perf_counter() - started
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    return elapsed, statements, report.ideas, len(report.messages)


async def measure(url: str | None, sizes: list[int]) -> list[dict]:
    results = []
    for size in sizes:
        database_url = url or f"sqlite:///{tempfile.mkdtemp()}/sweep.db"
        db = Database(database_url)
        await db.upgrade()
        built = await build(db, size)
        # Warm the caches (statement compilation, the holiday table) outside the timing.
        await make_group_due(db, 50, 10, LAST_W, CAL.add_working_days(LAST_W, 5))
        await timed_sweep(db, CAL.add_working_days(LAST_W, 5) + timedelta(hours=1))
        # 100 due, however many ideas there are (the baseline); the best of several runs.
        fixed_runs = []
        for n, day in enumerate(FIXED_DAYS, start=1):
            last = datetime(2026, 9, day, 9, tzinfo=SE)
            due = CAL.add_working_days(last, 5)
            await make_group_due(db, n, 100, last, due)
            fixed_runs.append(await timed_sweep(db, due + timedelta(hours=1)))
        fixed = min(fixed_runs)
        # 1 % due.
        one_percent = await timed_sweep(db, NOW)
        again = await timed_sweep(db, NOW)  # nothing left: the cost of an idle sweep
        results.append(
            {
                "db": "SQLite" if db.is_sqlite else "PostgreSQL",
                "size": size,
                "build": built,
                "one_percent": one_percent,
                "again": again,
                "fixed": fixed,
            }
        )
        print(f"  built {size:,} ideas in {built:.1f} s", file=sys.stderr, flush=True)
        await db.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    results = asyncio.run(measure(args.database_url, args.sizes))
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {multiprocessing.cpu_count()} cores"
    )
    base = results[0]
    print(
        "| database | ideas | due (1 %) | time | statements | time ÷ base "
        "| 100 due: time | statements | time ÷ base | nothing due: time | statements |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        t1, q1, n1, _ = r["one_percent"]
        tf, qf, nf, _ = r["fixed"]
        ta, qa, _, _ = r["again"]
        print(
            f"| {r['db']} | {r['size']:,} | {n1:,} | {t1 * 1000:.0f} ms | {q1} "
            f"| {t1 / base['one_percent'][0]:.2f} | {tf * 1000:.0f} ms | {qf} "
            f"| {tf / base['fixed'][0]:.2f} | {ta * 1000:.1f} ms | {qa} |"
        )
        assert nf == 100, f"expected 100 due ideas, swept {nf}"


if __name__ == "__main__":
    main()
