"""CPU cost of one turn in the core (no platform, no HTTP), against a baseline measured in
the same run: one empty transaction (`SELECT 1`) on the same database.

    .venv/bin/python bench/turn_cost.py [--database-url URL] [--people 40]

Each simulated person greets the bot and tells a whole idea (10 turns). Reports CPU ms per
turn (process time, so waiting on the database server is not counted) and the ratio."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bot.app import IdeaBot
from bot.config import Settings
from bot.incoming import Incoming
from storage.database import Database

ANSWERS = (
    "hej",
    "Tryggare tunnlar",
    "Många är rädda i gångtunnlarna på kvällen.",
    "Bättre belysning och konst på väggarna.",
    "Alla som går där, särskilt barn.",
    "hoppa över",
    "hoppa över",
    "ja",
    "Kultur och fritid, Väster",
    "skicka",
)


async def run(url: str, people: int) -> None:
    database = Database(url)
    await database.upgrade()
    bot = IdeaBot(database, settings=Settings(database_url=url))

    async def person(n: int) -> None:
        for answer in ANSWERS:
            await bot.handle(
                Incoming(platform="bench", user_id=f"u{n}", text=answer, address={"u": n})
            )

    for n in range(5):  # warm up caches and the connection pool
        await person(n)
    started = time.process_time()
    for n in range(5, 5 + people):
        await person(n)
    turn_ms = (time.process_time() - started) * 1000 / (people * len(ANSWERS))

    started = time.process_time()
    for _ in range(people * len(ANSWERS)):
        async with database.transaction() as session:
            await session.execute(text("SELECT 1"))
    base_ms = (time.process_time() - started) * 1000 / (people * len(ANSWERS))
    await database.close()
    print(f"database: {database.url.get_backend_name()}; turns: {people * len(ANSWERS)}")
    print(
        f"core turn: {turn_ms:.2f} ms CPU; empty transaction: {base_ms:.2f} ms CPU; "
        f"ratio {turn_ms / base_ms:.1f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--people", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(run(url, args.people))


if __name__ == "__main__":
    main()
