"""`list` (with its pages and filters), `todo`, `search`, `show` and `stats` on 100,000
ideas (`--ideas 10000` for a municipality's decade), on SQLite and PostgreSQL.

Each command runs as a whole bot turn (`IdeaBot.handle`, as a platform would call it). The
report gives, per command: the median time, that time as a ratio of two baselines measured in
the same run on the same database (a single primary-key SELECT, and a whole `help` turn, which
is the fixed cost of any turn), the number of SQL statements the turn ran (counted with a
`before_cursor_execute` listener, so per-idea queries would show), and the query plan of
each statement that reads `ideas` or `idea_events`.

    .venv/bin/python bench/process_queries.py                       # SQLite only
    .venv/bin/python bench/process_queries.py --pg postgresql://postgres@127.0.0.1:5432/postgres

Not part of the test suite: it takes a minute or two and loads the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import make_url

from bot.app import IdeaBot
from bot.config import Settings
from bot.incoming import Incoming
from bot.process import load_process
from storage import summary
from storage.database import Database
from storage.metrics import database_counts
from storage.models import Idea, IdeaEvent, Person, Promise

WORKPLACES = [f"Förvaltning {i}, enhet {j}" for i in range(12) for j in range(8)]
WORDS = [
    "trygg",
    "tunnel",
    "cykel",
    "hemtjänst",
    "matsedel",
    "skola",
    "belysning",
    "park",
    "bibliotek",
    "digital",
]


def generate(n_ideas: int, n_people: int, seed: int = 7):
    rng = random.Random(seed)
    process = load_process()
    now = datetime.now(UTC)
    people = [
        {
            "id": i,
            "platform": "console",
            "platform_user_id": f"user{i}",
            "display_name": f"Person {i}",
            "reachable": True,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(1, n_people + 1)
    ]
    main = list(process.main_line)
    ends = ["parked", "referred", "closed"]
    ideas, events, promises = [], [], []
    event_id = 0
    for i in range(1, n_ideas + 1):
        submitted = now - timedelta(days=rng.uniform(1, 730))
        steps = rng.choice([0, 0, 1, 1, 2, 3, 4])
        path = main[: steps + 1]
        if rng.random() < 0.25:
            path = [*path, rng.choice(ends)]
        moments = sorted(submitted + timedelta(days=rng.uniform(0, 60)) for _ in path[1:])
        stage = path[-1]
        satisfied = process.stage(stage).terminal and rng.random() < 0.6
        title = " ".join(rng.sample(WORDS, 3)).capitalize()
        ideas.append(
            {
                "id": i,
                "person_id": rng.randint(1, n_people),
                "title": title,
                "need": f"Behov {i}: " + " ".join(rng.sample(WORDS, 5)),
                "description": "Beskrivning " + " ".join(rng.sample(WORDS, 6)),
                "benefit": "Nytta för invånare",
                "participate": rng.random() < 0.5,
                "workplace": rng.choice(WORKPLACES),
                "language": "sv",
                "stage": stage,
                "assignee_id": rng.randint(1, 20) if rng.random() < 0.7 else None,
                "anonymous": False,
                "submitted_at": submitted,
                "stage_changed_at": moments[-1] if moments else submitted,
                "last_activity_at": moments[-1] if moments else submitted,
                "first_response_at": moments[0] if moments else None,
                "response_due_at": submitted + timedelta(days=7),
                "satisfaction_asked_at": moments[-1] if process.stage(stage).terminal else None,
                "satisfaction": rng.randint(1, 5) if satisfied else None,
                "giver_heard_at": moments[-1] if moments else submitted,
                # A few givers wrote to us and wait for an answer.
                "giver_waiting_since": (
                    now - timedelta(days=rng.uniform(0, 10)) if rng.random() < 0.02 else None
                ),
                "updated_at": now,
            }
        )
        if not process.stage(stage).terminal:  # every open idea has a promise open
            made = moments[-1] if moments else submitted
            promises.append(
                {
                    "idea_id": i,
                    "kind": "stage",
                    "made_at": made,
                    "due_at": now + timedelta(days=rng.uniform(-5, 25)),
                    "status": "open",
                }
            )
        event_id += 1
        events.append(_event(event_id, i, None, path[0], "submitted", submitted))
        entered = submitted
        for before, after, moment in zip(path, path[1:], moments, strict=False):
            event_id += 1
            events.append(_event(event_id, i, before, after, "stage", moment))
            events[-1]["seconds_in_stage"] = int((moment - entered).total_seconds())
            entered = moment
    return people, ideas, events, promises


def _event(event_id, idea_id, from_stage, to_stage, kind, moment):
    return {
        "id": event_id,
        "idea_id": idea_id,
        "actor_id": 1,
        "kind": kind,
        "from_stage": from_stage,
        "to_stage": to_stage,
        "text": None,
        "data": None,
        "seconds_in_stage": None,
        "created_at": moment,
    }


async def load(database: Database, people, ideas, events, promises) -> float:
    started = time.perf_counter()
    async with database.transaction() as session:
        tables = ((Person, people), (Idea, ideas), (IdeaEvent, events), (Promise, promises))
        for table, rows in tables:
            for start in range(0, len(rows), 5000):
                await session.execute(
                    insert(table).execution_options(**summary.KEPT_BY_CALLER),
                    rows[start : start + 5000],
                )
    # The bulk insert bypasses the sessions that keep the stats summary: count it once.
    async with database.engine.begin() as conn:
        await conn.run_sync(summary.rebuild)
    if database.is_sqlite:
        async with database.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    else:
        # What autovacuum does on a live server: statistics and the visibility map (which
        # lets PostgreSQL answer counts from an index alone).
        autocommit = database.engine.execution_options(isolation_level="AUTOCOMMIT")
        async with autocommit.connect() as conn:
            for table in ("persons", "ideas", "idea_events", "promises", "stats_summary"):
                await conn.execute(text(f"VACUUM ANALYZE {table}"))
    if not database.is_sqlite:
        async with database.engine.begin() as conn:
            # Keep the sequences ahead of the ids we inserted ourselves.
            for table in ("persons", "ideas", "idea_events"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    return time.perf_counter() - started


class StatementLog:
    def __init__(self, database: Database) -> None:
        self.statements: list[tuple[str, object]] = []
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append((statement, parameters))

    def clear(self) -> None:
        self.statements.clear()


async def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def explain(database: Database, statement: str, parameters) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    async with database.engine.connect() as conn:
        result = await conn.exec_driver_sql(prefix + statement, parameters)
        rows = result.fetchall()
    if database.is_sqlite:
        return [row[-1] for row in rows]
    return [row[0] for row in rows]


async def run(url: str, label: str, n_ideas: int, repeat: int) -> list[str]:
    database = Database(url)
    await database.upgrade()
    people, ideas, events, promises = generate(n_ideas, n_people=max(50, n_ideas // 20))
    load_seconds = await load(database, people, ideas, events, promises)
    # (Far more turns a minute than a person may write: the bench is one busy person.)
    settings = Settings(
        database_url=url, coordinators=frozenset({"console:user1"}), turns_per_minute=100_000
    )
    bot = IdeaBot(database, settings=settings)
    log = StatementLog(database)

    async def turn(words: str):
        return await bot.handle(
            Incoming(platform="console", user_id="user1", text=f"/idea {words}")
        )

    async def pk_select():
        async with database.transaction() as session:
            await session.execute(select(Idea.id, Idea.title).where(Idea.id == n_ideas // 2))

    await turn("help")  # warm up the connection pool and the caches
    baseline = await timed(pk_select, repeat * 4)
    turn_baseline = await timed(lambda: turn("help"), repeat)
    show_id = n_ideas // 2
    last_year = datetime.now(UTC).year - 1
    commands = [
        ("list", "list"),
        ("list bedömning --otilldelade", "list bedömning --otilldelade"),
        ("list sida 3", "list sida 3"),
        ("list @user2", "list @user2"),
        ("list arbetsplats förvaltning 3", "list arbetsplats förvaltning 3"),
        ("list från Person 7", "list från Person 7"),
        ("todo", "todo"),
        ("sök cykel", "sök cykel"),
        ('sök "hemtjänst matsedel" park', 'sök "hemtjänst matsedel" park'),
        ("sök cykel sida 5", "sök cykel sida 5"),
        (f"show {show_id}", f"show {show_id}"),
        ("stats", "stats"),
        # A whole year and a month, as `statistik 2025` and `statistik förra månaden` ask.
        (f"stats {last_year}", f"stats {last_year}"),
        ("stats förra månaden", "stats förra månaden"),
    ]
    lines = [
        f"### {label}: {n_ideas:,} ideas, {len(events):,} events (bulk load {load_seconds:.1f} s)",
        "",
        f"Baselines: primary-key SELECT {baseline * 1000:.2f} ms; "
        f"a whole `help` turn {turn_baseline * 1000:.2f} ms.",
        "",
        "| command | median | × PK SELECT | × help turn | SQL statements in the turn |",
        "|---|---:|---:|---:|---:|",
    ]
    plans: list[str] = []
    for name, words in commands:
        log.clear()
        await turn(words)
        statements = list(log.statements)
        seconds = await timed(lambda words=words: turn(words), repeat)
        lines.append(
            f"| `{name}` | {seconds * 1000:.1f} ms | {seconds / baseline:.0f} | "
            f"{seconds / turn_baseline:.1f} | {len(statements)} |"
        )
        for statement, parameters in statements:
            flat = " ".join(statement.split())
            reads = (
                "FROM ideas" in flat
                or "FROM idea_events" in flat
                or "FROM promises" in flat
                or "FROM stats_summary" in flat
            ) and flat.startswith("SELECT")
            if not reads:
                continue
            plan = await explain(database, statement, parameters)
            plans.append(f"`{name}`: {flat[:160]}{'…' if len(flat) > 160 else ''}")
            plans.extend(f"    {line}" for line in plan)
    # A /metrics scrape's database figures (ideas per stage, outbox per status and kind).
    log.clear()
    await database_counts(database)
    scrape_statements = list(log.statements)
    scrape = await timed(lambda: database_counts(database), repeat)
    lines.append(
        f"| `/metrics` database figures | {scrape * 1000:.1f} ms | {scrape / baseline:.0f} | "
        f"{scrape / turn_baseline:.1f} | {len(scrape_statements)} |"
    )
    for statement, parameters in scrape_statements:
        if " ".join(statement.split()).startswith("SELECT"):
            plan = await explain(database, statement, parameters)
            plans.append(f"`/metrics`: {' '.join(statement.split())[:160]}")
            plans.extend(f"    {line}" for line in plan)
    lines += ["", "Query plans:", "", "```", *plans, "```", ""]
    await database.close()
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg", help="an admin URL of a PostgreSQL server to test on too")
    args = parser.parse_args()
    output: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        output += await run(f"sqlite:///{folder}/bench.db", "SQLite", args.ideas, args.repeat)
    if args.pg:
        import asyncpg

        admin = make_url(args.pg)
        name = f"idesluss_bench_{uuid.uuid4().hex[:8]}"

        async def admin_sql(statement: str) -> None:
            conn = await asyncpg.connect(
                host=admin.host, port=admin.port or 5432, user=admin.username,
                password=admin.password, database=admin.database or "postgres",
            )  # fmt: skip
            try:
                await conn.execute(statement)
            finally:
                await conn.close()

        await admin_sql(f'CREATE DATABASE "{name}"')
        try:
            url = admin.set(database=name).render_as_string(hide_password=False)
            output += await run(url, "PostgreSQL", args.ideas, args.repeat)
        finally:
            await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("\n".join(output))


if __name__ == "__main__":
    asyncio.run(main())
