"""What reading a message costs inside a turn: the same process and database, turns with the
real reader (bot/reading.py: the parser, the understanding layer, the open-question look-up)
against a reader that knows the benchmark's answers by heart and reads nothing.

    taskset -c 1 .venv/bin/python bench/reader_cost.py

Alternating rounds of 20 people x 10 turns (bench/turn_cost.py's messages); best and median
CPU ms per turn of each."""

from __future__ import annotations

import asyncio
import tempfile
import time
from typing import Any

import bot.app as app
from bench.turn_cost import ANSWERS
from bot.config import Settings
from bot.incoming import Incoming
from bot.reading import Reading
from conversations.understanding import Meaning
from storage.database import Database

real_read = app.read


async def trivial_read(*args: Any, **_: Any) -> Reading:
    """`bot.reading.read` for these ten messages only; `text` is its sixth argument."""
    text = args[5]
    kind = {"hoppa över": "skip", "ja": "yes", "skicka": "yes"}.get(text, "answer")
    return Reading(Meaning(kind), None, None, "text")


async def main() -> None:
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/reader.db"
    db = Database(url)
    await db.upgrade()
    bot = app.IdeaBot(db, settings=Settings(database_url=url))
    n = [0]

    async def people(k: int) -> float:
        started = time.process_time()
        for _ in range(k):
            n[0] += 1
            for answer in ANSWERS:
                await bot.handle(
                    Incoming(platform="b", user_id=f"u{n[0]}", text=answer, address={"u": n[0]})
                )
        return (time.process_time() - started) * 1000 / (k * len(ANSWERS))

    await people(5)
    results: dict[str, list[float]] = {"real reader": [], "no reading": []}
    for _ in range(6):
        app.read = real_read  # type: ignore[attr-defined]
        results["real reader"].append(await people(20))
        app.read = trivial_read  # type: ignore[attr-defined]
        results["no reading"].append(await people(20))
    app.read = real_read  # type: ignore[attr-defined]
    for name, times in results.items():
        print(f"{name}: best {min(times):.2f} ms, median {sorted(times)[3]:.2f} ms CPU per turn")
    await db.close()


if __name__ == "__main__":
    asyncio.run(main())
