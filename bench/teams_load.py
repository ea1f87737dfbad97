"""Teams load benchmark: N concurrent simulated Teams users on loopback.

Each user posts message activities to `/api/messages`, one after the other, as the Teams
channel does, and waits for the HTTP answer; the bot has sent its replies to the (fake) Bot
Connector by then, so a turn's latency includes them. Two servers run in turn, each in its
own process, on the same kind of aiohttp server: Idésluss (the real core and database) and,
as the baseline measured in the same run, a bare botbuilder echo bot. Both run without
authentication (the same for both; token checks are a few RSA verifications per turn).

    python bench/teams_load.py --users 50 --turns 20
    python bench/teams_load.py --users 50 --turns 20 --database-url postgresql://postgres@127.0.0.1/idesluss_bench

Two loads per server: back-to-back (every user sends the next message as soon as the answer
arrives: a saturation test, where latency is simply users ÷ throughput) for turns per second,
and paced (a pause of about `--think` seconds between messages, as a person reads and types)
for the latency people see.

Goal: p99 < 200 ms at 50 users, and at least 0.7 × the baseline's turns per second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ANSWERS = (
    "Tryggare tunnlar",
    "Många är rädda i gångtunnlarna på kvällen, särskilt äldre.",
    "Bättre belysning och konst som skolbarnen målar.",
    "Invånare som går där, och polisen får färre anmälningar.",
    "En tunnel i Väster under en vinter.",
    "hoppa över",
    "ja",
    "Kultur och fritid, fritidsgården Väster",
    "skicka",
    "Hej igen!",
)


# ── the servers (run as child processes) ─────────────────────────────────────────────


def serve_idesluss(port: int, database_url: str) -> None:
    from adapters.teams import TeamsPlatform, from_env
    from bot.app import IdeaBot
    from bot.config import Settings
    from bot.server import host_for
    from storage.database import Database

    async def start() -> web.Application:
        database = Database(database_url)
        await database.upgrade()
        bot = IdeaBot(database, settings=Settings(database_url=database_url))
        app = web.Application()
        await TeamsPlatform(from_env({"IDESLUSS_TEAMS_INSECURE_LOCAL": "1"})).mount(
            host_for(app, bot)
        )
        return app

    web.run_app(start(), host="127.0.0.1", port=port, print=None, access_log=None)


def serve_echo(port: int) -> None:
    """The baseline: botbuilder's own CloudAdapter and an echo bot, as in the samples."""
    from types import SimpleNamespace

    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class EchoBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(
                MessageFactory.text(f"Echo: {turn_context.activity.text}")
            )

    adapter = CloudAdapter(
        ConfigurationBotFrameworkAuthentication(SimpleNamespace(APP_ID="", APP_PASSWORD=""))
    )
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ── the load (this process) ──────────────────────────────────────────────────────────


class Connector:
    """A fake Bot Connector that accepts every reply."""

    def __init__(self) -> None:
        self.received = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{c}/activities", self.accept)
        app.router.add_post("/v3/conversations/{c}/activities/{a}", self.accept)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}/"

    async def accept(self, request: web.Request) -> web.Response:
        await request.read()
        self.received += 1
        return web.json_response({"id": f"r{self.received}"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def activity(user: int, n: int, text: str, service_url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"{user}-{n}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:bench-user-{user}", "name": f"Person {user}"},
        "recipient": {"id": "28:bench-bot", "name": "Idéslussen"},
        "conversation": {"id": f"a:bench-{user}", "conversationType": "personal"},
        "locale": "sv-SE",
        "text": text,
    }


async def wait_until_up(url: str, patience: float = 30) -> None:
    deadline = time.monotonic() + patience
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def load(
    port: int,
    connector: Connector,
    users: int,
    turns: int,
    warmup: int,
    *,
    think: float = 0.0,
    first_user: int = 0,
) -> dict:
    """Each user posts `turns` messages one after the other, waiting `think` seconds on
    average (exponentially distributed) between the bot's answer and the next message."""
    endpoint = f"http://127.0.0.1:{port}/api/messages"
    latencies: list[float] = []
    failures = 0
    pace = random.Random(first_user)
    limits = aiohttp.TCPConnector(limit=users + 10)
    async with aiohttp.ClientSession(connector=limits) as session:

        async def person(user: int, count: int, record: bool) -> None:
            nonlocal failures
            if think and record:
                await asyncio.sleep(pace.uniform(0, think))  # people do not start in step
            for n in range(count):
                body = activity(user, n, ANSWERS[n % len(ANSWERS)], connector.url)
                started = time.perf_counter()
                async with session.post(endpoint, json=body) as response:
                    await response.read()
                    ok = response.status in (200, 201)
                if record:
                    latencies.append(time.perf_counter() - started)
                    failures += not ok
                    if think:
                        await asyncio.sleep(pace.expovariate(1 / think))

        await asyncio.gather(*(person(first_user + u, warmup, False) for u in range(users)))
        started = time.perf_counter()
        await asyncio.gather(*(person(first_user + users + u, turns, True) for u in range(users)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "turns": len(latencies),
        "failures": failures,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "turns_per_s": len(latencies) / elapsed,
    }


async def measure(kind: str, args: argparse.Namespace, database_url: str) -> tuple[dict, dict]:
    """(saturation: no pause between messages; paced: people typing at a human pace)."""
    port = free_port()
    command = [sys.executable, __file__, "serve", kind, "--port", str(port)]
    if kind == "idesluss":
        command += ["--database-url", database_url]
    server = await asyncio.to_thread(
        subprocess.Popen, command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    connector = Connector()
    await connector.start()
    try:
        await wait_until_up(f"http://127.0.0.1:{port}/")
        saturated = await load(port, connector, args.users, args.turns, args.warmup)
        paced = await load(
            port,
            connector,
            args.users,
            args.paced_turns,
            0,
            think=args.think,
            first_user=10 * args.users,
        )
        return saturated, paced
    finally:
        server.terminate()
        await asyncio.to_thread(server.wait, 10)
        assert connector.runner is not None
        await connector.runner.cleanup()


async def run(args: argparse.Namespace) -> None:
    """Rounds alternate which server goes first, so drift on a shared machine evens out;
    the summary takes the median over rounds."""
    rounds: list[tuple[tuple[dict, dict], tuple[dict, dict]]] = []
    with tempfile.TemporaryDirectory() as directory:
        database_url = args.database_url or f"sqlite:///{directory}/bench.db"
        for n in range(args.rounds):
            if n % 2 == 0:
                baseline = await measure("echo", args, database_url)
                idesluss = await measure("idesluss", args, database_url)
            else:
                idesluss = await measure("idesluss", args, database_url)
                baseline = await measure("echo", args, database_url)
            rounds.append((baseline, idesluss))
    backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; database: {backend}; {args.users} users; "
        f"{args.rounds} rounds"
    )
    print("| round | server | load | turns | failures | p50 ms | p99 ms | turns/s |")
    print("|---|---|---|---|---|---|---|---|")
    loads = (
        f"back-to-back, {args.turns} msgs/user",
        f"paced, ~{args.think:g} s between msgs, {args.paced_turns} msgs/user",
    )
    for n, (baseline, idesluss) in enumerate(rounds, 1):
        for name, results in (("echo bot (baseline)", baseline), ("Idésluss", idesluss)):
            for load_name, result in zip(loads, results, strict=True):
                print(
                    f"| {n} | {name} | {load_name} | {result['turns']} | {result['failures']} "
                    f"| {result['p50_ms']:.1f} | {result['p99_ms']:.1f} "
                    f"| {result['turns_per_s']:.1f} |"
                )
    ratios = [i[0]["turns_per_s"] / b[0]["turns_per_s"] for b, i in rounds]
    paced_p99 = [i[1]["p99_ms"] for _, i in rounds]
    baseline_p99 = [b[1]["p99_ms"] for b, _ in rounds]
    print(
        "throughput ratio Idésluss / baseline (back-to-back), per round: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + f"; median {statistics.median(ratios):.2f} (goal ≥ 0.70)"
    )
    print(
        f"paced p99, median of rounds: Idésluss {statistics.median(paced_p99):.0f} ms, "
        f"baseline {statistics.median(baseline_p99):.0f} ms (goal < 200 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode")
    serve = sub.add_parser("serve")
    serve.add_argument("kind", choices=["idesluss", "echo"])
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--database-url")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--turns", type=int, default=10, help="measured turns per user")
    parser.add_argument("--rounds", type=int, default=3, help="baseline/Idésluss pairs")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured turns per user first")
    parser.add_argument("--think", type=float, default=3.0, help="mean pause (s), paced load")
    parser.add_argument("--paced-turns", type=int, default=6, help="turns per user, paced load")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    if args.mode == "serve":
        if args.kind == "idesluss":
            serve_idesluss(args.port, args.database_url)
        else:
            serve_echo(args.port)
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
