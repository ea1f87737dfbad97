"""CPU cost of one turn in the core (no platform, no HTTP), against a baseline measured in
the same run: one empty transaction (`SELECT 1`) on the same database.

    .venv/bin/python bench/turn_cost.py [--database-url URL] [--people 40] [--rounds 5]
    taskset -c 1 .venv/bin/python bench/turn_cost.py --people 20 --rounds 9 --profile 25

Two kinds of turn:
- a dialogue turn: each simulated person greets the bot and tells a whole idea (10 turns),
  reported for the whole idea and by what the turns do: the first message, the eight
  answers, the submission;
- a command turn: a coordinator's `lista` and `visa N` (N one of the ideas just told).
And the storage of an answer turn alone (`person_in_turn` and `save_dialogue` in one
transaction, no dialogue logic): what an answer costs before the bot thinks.

Reports CPU ms per turn (process time, so waiting on the database server is not counted) and
the ratio to the empty transaction. Each round measures the dialogue turns, the command
turns and then the baseline; the best round of each is reported (as `timeit` does: on a busy
machine the fastest run is the one least disturbed). Then the SQL statements per turn, by
kind (verb and first table), counted with a `before_cursor_execute` listener as
bench/process_queries.py does; a driver's own BEGIN/COMMIT (asyncpg's, the SQLite
connection's commit) is not a cursor execution and is not counted.

`--profile N`: one more round under cProfile, and its top N functions by own time and by
cumulative time."""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import pstats
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from bot.app import IdeaBot
from bot.config import Settings
from bot.incoming import Incoming
from storage.database import Database
from storage.dialogues import save_dialogue
from storage.people import person_in_turn

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
COORDINATORS = 3
# The turns of a whole idea by what they do: the first message (a new person and a new
# dialogue), the answers (read the dialogue, save it), the submission (the idea and what
# comes with it: its event, promise, reminders, summary, the coordinators' news).
STEP_KINDS = {
    "first message": (0,),
    "answers (8 of 10 turns)": tuple(range(1, len(ANSWERS) - 1)),
    "submission": (len(ANSWERS) - 1,),
}
_VERB = re.compile(r"\s*(\w+)")
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


class StatementLog:
    """Every statement the engine sends, by kind ("SELECT persons", "UPDATE dialogues")."""

    def __init__(self, database: Database) -> None:
        self.kinds: collections.Counter[str] = collections.Counter()
        self.on = False
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if not self.on:
            return
        verb = (_VERB.match(statement) or re.match("", "")).group(0).strip().upper()
        table = _TABLE.search(statement)
        self.kinds[f"{verb} {table.group(1)}" if table and verb != "BEGIN" else verb] += 1


class Workload:
    def __init__(self, database: Database, people: int) -> None:
        self.database = database
        self.people = people
        coordinators = frozenset(f"bench:c{n}" for n in range(COORDINATORS))
        settings = Settings(
            database_url=str(database.url),
            coordinators=coordinators,
            # The command turns come from ten coordinators, far faster than anyone types.
            turns_per_minute=1_000_000,
        )
        self.bot = IdeaBot(database, settings=settings)
        self.next_person = 0
        self.ideas: list[int] = []

    async def tell(self, n: int, by_step: list[float] | None = None) -> None:
        """Person n tells a whole idea; `by_step`: CPU ms of each answer added in."""
        for step, answer in enumerate(ANSWERS):
            started = time.process_time()
            await self.bot.handle(
                Incoming(platform="bench", user_id=f"u{n}", text=answer, address={"u": n})
            )
            if by_step is not None:
                by_step[step] += (time.process_time() - started) * 1000

    async def dialogue_round(self, by_step: list[float] | None = None) -> int:
        for n in range(self.next_person, self.next_person + self.people):
            await self.tell(n, by_step)
        self.next_person += self.people
        return self.people * len(ANSWERS)

    async def storage_round(self, count: int) -> int:
        """The storage part of an answer turn alone: the person with their dialogue, and
        the dialogue saved (versioned), with no dialogue logic between."""
        now = self.bot.clock.now()
        for k in range(count):
            n = k % self.people  # people made once, before the rounds
            async with self.database.transaction() as session:
                person, dialogue, _ = await person_in_turn(
                    session, "bench", f"s{n}", now=now, address={"u": n}
                )
                await save_dialogue(
                    session, person.id, dialogue, flow="intake", step="need",
                    answers={"title": "Tryggare tunnlar"}, context={}, now=now,
                )  # fmt: skip
        return count

    def command_texts(self) -> list[tuple[str, str]]:
        """(coordinator, text): `lista` and `visa N`, as many as a dialogue round's turns."""
        turns = []
        for k in range(self.people * len(ANSWERS) // 2):
            who = f"c{k % COORDINATORS}"
            turns.append((who, "lista"))
            turns.append((who, f"visa {1 + k % max(1, self.next_person)}"))
        return turns

    async def command(self, who: str, text_: str) -> list[Any]:
        return await self.bot.handle(
            Incoming(platform="bench", user_id=who, text=text_, address={"u": who})
        )

    async def command_round(self) -> int:
        turns = self.command_texts()
        for who, text_ in turns:
            await self.command(who, text_)
        return len(turns)

    async def empty_round(self, count: int) -> int:
        for _ in range(count):
            async with self.database.transaction() as session:
                await session.execute(text("SELECT 1"))
        return count


async def per_turn_ms(work: Any) -> float:
    started = time.process_time()
    turns = await work
    return (time.process_time() - started) * 1000 / turns


async def run(url: str, people: int, rounds: int, profile: int) -> None:
    database = Database(url)
    await database.upgrade()
    load = Workload(database, people)
    statements = StatementLog(database)

    # Warm up caches and the connection pool, and check that the commands answer.
    for n in range(5):
        await load.tell(n)
    load.next_person = 5
    for who, text_ in (("c0", "lista"), ("c0", "visa 1")):
        reply = (await load.command(who, text_))[0]
        print(f"{text_!r} answers: {(reply.title or reply.text)[:70]!r}")

    await load.storage_round(people)  # their rows, once, outside the measurement
    dialogue, commands, bases, floors = [], [], [], []
    kinds: dict[str, list[float]] = {kind: [] for kind in STEP_KINDS}
    for _ in range(rounds):
        by_step = [0.0] * len(ANSWERS)
        dialogue.append(await per_turn_ms(load.dialogue_round(by_step)))
        for kind, steps in STEP_KINDS.items():
            kinds[kind].append(sum(by_step[i] for i in steps) / (len(steps) * people))
        commands.append(await per_turn_ms(load.command_round()))
        bases.append(await per_turn_ms(load.empty_round(people * len(ANSWERS))))
        floors.append(await per_turn_ms(load.storage_round(people * len(ANSWERS))))
    turn_ms, command_ms, base_ms = min(dialogue), min(commands), min(bases)
    print(
        f"database: {database.url.get_backend_name()}; "
        f"{rounds} rounds of {people * len(ANSWERS)} turns of each kind"
    )
    print(f"empty transaction: {base_ms:.2f} ms CPU")
    floor_ms = min(floors)
    print(
        f"storage of an answer turn alone: {floor_ms:.2f} ms CPU; ratio {floor_ms / base_ms:.1f}×"
    )
    print(f"dialogue turn:     {turn_ms:.2f} ms CPU; ratio {turn_ms / base_ms:.1f}× (a whole idea)")
    for kind, costs in kinds.items():
        print(f"  {kind:28s} {min(costs):.2f} ms CPU; ratio {min(costs) / base_ms:.1f}×")
    print(f"command turn:      {command_ms:.2f} ms CPU; ratio {command_ms / base_ms:.1f}×")

    statements.on = True
    person = load.next_person
    load.next_person += 1
    by_step: list[collections.Counter[str]] = []
    for answer in ANSWERS:
        statements.kinds.clear()
        await load.bot.handle(
            Incoming(platform="bench", user_id=f"u{person}", text=answer, address={"u": person})
        )
        by_step.append(collections.Counter(statements.kinds))
    report("statements per dialogue turn", sum(by_step, collections.Counter()), len(ANSWERS))
    for kind, steps in STEP_KINDS.items():
        counted = sum((by_step[i] for i in steps), collections.Counter())
        report(f"  statements per turn, {kind}", counted, len(steps))
    statements.kinds.clear()
    for who, text_ in (("c1", "lista"), ("c1", "visa 2")):
        await load.command(who, text_)
        report(f"statements in a command turn ({text_!r})", statements.kinds, 1)
        statements.kinds.clear()
    await load.empty_round(1)
    report("statements in an empty transaction", statements.kinds, 1)
    statements.on = False

    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        await load.dialogue_round()
        await load.command_round()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(profile)
        stats.sort_stats("cumulative").print_stats(profile)
    await database.close()


def report(title: str, kinds: collections.Counter[str], turns: int) -> None:
    total = sum(kinds.values())
    print(f"{title}: {total / turns:.1f}")
    for kind, count in sorted(kinds.items(), key=lambda item: (-item[1], item[0])):
        print(f"    {count / turns:5.1f}  {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(run(url, args.people, args.rounds, args.profile))


if __name__ == "__main__":
    main()
