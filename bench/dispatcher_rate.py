"""Benchmark: the dispatcher delivering N outbox messages to a local fake Teams API that
enforces the Teams rate limits (429 + Retry-After when exceeded).

Reports the achieved rate as a share of the allowed rate (the baseline: with enough
conversations the tenant limit of 30 messages/s binds), and checks that nothing was lost
and nothing duplicated.

    .venv/bin/python bench/dispatcher_rate.py                       # 10,000 messages, SQLite
    .venv/bin/python bench/dispatcher_rate.py --database-url postgresql://postgres@127.0.0.1/db
    .venv/bin/python bench/dispatcher_rate.py --scale 10 --messages 2000   # quicker, 10× limits

`--scale` multiplies every limit on both sides (the server's enforcement and the
dispatcher's configuration), to check the same behaviour faster.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fake_teams_api import serve
from bot.dispatcher import Dispatcher, DispatchPolicy, payload_of
from bot.platforms import rate_limits
from bot.ports import RateRule, RetryLater, Unreachable, Window
from conversations.reply import Reply
from storage.database import Database
from storage.models import OutboxMessage, Person

KIND = "bench"


class HttpTeamsSender:
    """A minimal HTTP sender for the fake API (a benchmark double, not the Teams adapter)."""

    platform = "msteams"
    accepts_delivery_key = True

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session: aiohttp.ClientSession | None = None

    async def send(
        self,
        address: dict[str, Any],
        replies: Sequence[Reply],
        *,
        delivery_key: str,
        possibly_delivered: bool = False,
        since: object = None,
    ) -> None:
        assert self.session is not None
        url = f"{self.base_url}/v3/conversations/{address['conversation']}/activities"
        body = {"text": "\n".join(r.text for r in replies), "key": delivery_key}
        async with self.session.post(
            url, json=body, headers={"X-Tenant": address["tenant_id"]}
        ) as response:
            if response.status == 429:
                raise RetryLater("429", retry_after=float(response.headers["Retry-After"]))
            if response.status == 403:
                raise Unreachable("403")
            if response.status >= 400:
                raise RetryLater(str(response.status))
        return None


def scaled_limits(scale: float) -> dict[str, tuple[RateRule, ...]]:
    return {
        "msteams": tuple(
            RateRule(
                rule.scope, tuple(Window(int(w.count * scale), w.seconds) for w in rule.windows)
            )
            for rule in rate_limits()["msteams"]
        )
    }


def ideal_seconds(messages: int, conversations: int, scale: float) -> float:
    """The shortest time the limits allow for delivering this load: a window of `count`
    per `seconds` holds m messages back by ⌊(m−1)/count⌋ windows."""
    limits = scaled_limits(scale)["msteams"]
    per_conversation = -(-messages // conversations)
    bound = 0.0
    for rule, load in ((limits[0], per_conversation), (limits[1], messages)):
        for window in rule.windows:
            bound = max(bound, ((load - 1) // window.count) * window.seconds)
    return bound


async def fill(db: Database, messages: int, conversations: int) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as session:
        await session.execute(
            Person.__table__.insert(),
            [
                {
                    "platform": "msteams",
                    "platform_user_id": f"29:user{n}",
                    "display_name": f"User {n}",
                    "address": {"conversation": f"a:conv{n}", "tenant_id": "kommunen"},
                    "reachable": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(conversations)
            ],
        )
        ids = list((await session.execute(Person.__table__.select())).scalars())
        batch = [
            {
                "dedupe_key": f"bench:{n}",
                "recipient_id": ids[n % conversations],
                "kind": KIND,
                "payload": payload_of(Reply(f"Meddelande {n}")),
                "status": "pending",
                "attempts": 0,
                "not_before": now,
                "created_at": now,
            }
            for n in range(messages)
        ]
        for start in range(0, len(batch), 5000):
            await session.execute(OutboxMessage.__table__.insert(), batch[start : start + 5000])


async def run(args: argparse.Namespace, base_url: str) -> dict[str, Any]:
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    db = Database(database_url)
    await db.upgrade()
    if not db.is_sqlite:
        async with db.transaction() as session:
            await session.execute(
                OutboxMessage.__table__.delete().where(OutboxMessage.kind == KIND)
            )
            await session.execute(Person.__table__.delete().where(Person.platform == "msteams"))
    await fill(db, args.messages, args.conversations)
    sender = HttpTeamsSender(base_url)
    dispatcher = Dispatcher(
        db,
        [sender],
        rate_limits=scaled_limits(args.scale),
        policy=DispatchPolicy(
            immediate_kinds=frozenset({KIND}), batch_size=args.conversations, concurrency=200
        ),
    )
    async with aiohttp.ClientSession() as session:
        sender.session = session
        started = time.perf_counter()
        while True:
            if await dispatcher.run_until_idle() == 0:
                due = await dispatcher.next_due()
                if due is None:
                    break
                await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.01)
        elapsed = time.perf_counter() - started
        async with session.get(f"{base_url}/stats") as response:
            server = await response.json()
    async with db.transaction() as session:
        statuses = dict(
            (
                await session.execute(
                    select(OutboxMessage.status, func.count())
                    .where(OutboxMessage.kind == KIND)
                    .group_by(OutboxMessage.status)
                )
            ).all()
        )
    await db.close()
    return {
        "database": "SQLite" if db.is_sqlite else "PostgreSQL",
        "elapsed": elapsed,
        "server": server,
        "stats": dispatcher.stats,
        "waited": dispatcher.limiter.waited,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    receive, send_port = context.Pipe(duplex=False)
    server = context.Process(target=serve, args=(0, args.scale, send_port), daemon=True)
    server.start()
    port = receive.recv()
    try:
        result = asyncio.run(run(args, f"http://127.0.0.1:{port}"))
    finally:
        server.terminate()
        server.join()

    stats, server_stats = result["stats"], result["server"]
    ideal = ideal_seconds(args.messages, args.conversations, args.scale)
    allowed = args.messages / ideal
    achieved = server_stats["accepted"] / result["elapsed"]
    lost = args.messages - server_stats["distinct"]
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {multiprocessing.cpu_count()} cores"
    )
    print(
        f"{args.messages} messages to {args.conversations} conversations, "
        f"{result['database']}, limits ×{args.scale:g}"
    )
    print(
        f"elapsed {result['elapsed']:.1f} s; ideal at the allowed rate "
        f"{args.messages / allowed:.1f} s"
    )
    print(
        f"allowed rate {allowed:.1f}/s, achieved {achieved:.1f}/s → share {achieved / allowed:.3f}"
    )
    print(
        f"accepted {server_stats['accepted']}, distinct {server_stats['distinct']}, "
        f"lost {lost}, duplicated {server_stats['duplicates']}, "
        f"429 answers {server_stats['throttled']}, retries {stats.retried}, "
        f"rows by status {result['statuses']}"
    )
    print(
        f"latency created→sent: p50 {stats.latency_percentile(0.5):.1f} s, "
        f"p95 {stats.latency_percentile(0.95):.1f} s, max {max(stats.latencies):.1f} s"
    )


if __name__ == "__main__":
    main()
