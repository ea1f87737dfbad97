"""CPU cost of one turn in the core (no platform, no HTTP), against a baseline measured in
the same run: one empty transaction (`SELECT 1`) on the same database.

    .venv/bin/python bench/turn_cost.py [--database-url URL] [--people 40] [--rounds 5]

Each simulated person greets the bot and tells a whole idea (10 turns). Reports CPU ms per
turn (process time, so waiting on the database server is not counted) and the ratio. Each
round measures the turns and then the baseline; the best round of each is reported (as
`timeit` does: on a busy machine the fastest run is the one least disturbed)."""

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


async def run(url: str, people: int, rounds: int = 5) -> None:
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
    turns, bases = [], []
    next_person = 5
    for _ in range(rounds):
        started = time.process_time()
        for n in range(next_person, next_person + people):
            await person(n)
        next_person += people
        turns.append((time.process_time() - started) * 1000 / (people * len(ANSWERS)))

        started = time.process_time()
        for _ in range(people * len(ANSWERS)):
            async with database.transaction() as session:
                await session.execute(text("SELECT 1"))
        bases.append((time.process_time() - started) * 1000 / (people * len(ANSWERS)))
    turn_ms, base_ms = min(turns), min(bases)
    await database.close()
    print(
        f"database: {database.url.get_backend_name()}; "
        f"turns: {rounds} rounds of {people * len(ANSWERS)}"
    )
    print(
        f"core turn: {turn_ms:.2f} ms CPU; empty transaction: {base_ms:.2f} ms CPU; "
        f"ratio {turn_ms / base_ms:.1f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(run(url, args.people, args.rounds))


if __name__ == "__main__":
    main()
