"""Load test for the Slack adapter: N simulated employees, each telling a whole idea.

    .venv/bin/python bench/slack_load.py --users 50 [--database-url postgresql://…] [--api-delay 1]

Three kinds of process on loopback: a fake Slack Web API, the server under test, and the
load generator (the employees, sending SIGNED Events API / interactivity requests over HTTP).
Each employee sends a turn, notes how long the HTTP answer took (the ack Slack waits for, at
most 3 s), then waits until the bot's reply has reached the fake chat.postMessage – as a
person would – before the next turn.

Four servers are measured in the same run, one after the other, with the same generator:
  baseline  a bare Bolt AsyncApp on the same aiohttp server that only acks and posts one
            message per request (no database, no dialogue)
  stored    the fair floor: that bare Bolt app, plus one INSERT per request committed before
            Bolt acknowledges it, through SQLAlchemy async on the same database with the same
            engine settings (storage.database.Database: WAL, synchronous=NORMAL, BEGIN
            IMMEDIATE, the writer queue)
  idesluss  `bot.server.build_app` with the Slack adapter and the real core on SQLite (or the
            database given)
  adapter   the same server with the core replaced by a canned answer: the Slack adapter's
            own cost (the profile lookup still reads the database once per person)
Reported: ack latency p50/p99 and turns per second, and the ratios of idesluss and adapter to
baseline and to stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-signing-secret"
TEAM = "T0BENCH"

# One whole idea, as the employee gives it: ("say", text) or ("click", button value).
DIALOGUE: list[tuple[str, str]] = [
    ("say", "Hej!"),
    ("say", "Tryggare tunnlar"),
    ("say", "Många är rädda i gångtunnlarna på kvällen, särskilt äldre."),
    ("say", "Bättre belysning och konst som skolbarnen målar."),
    ("say", "Invånare som går där, och polisen får färre anmälningar."),
    ("click", "first_test:skip"),
    ("click", "involved:skip"),
    ("click", "participate:yes"),
    ("say", "Kultur och fritid, fritidsgården Väster"),
    ("click", "summary:submit"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ── the fake Slack Web API ──────────────────────────────────────────────────────────────


async def run_api(port: int, delay: float = 0.0) -> None:
    from tests.fakes.slack_api import FakeSlackApi

    api = await FakeSlackApi(any_user=True, record=False).start(port)
    if delay:
        api.delays["chat.postMessage"] = delay  # a slow Slack: replies take this long
    print("ready", flush=True)
    await _until_terminated()
    await api.close()


# ── the servers under test ──────────────────────────────────────────────────────────────


async def run_idesluss(port: int, api_url: str, database_url: str, *, stub: bool = False) -> None:
    import logging

    from adapters.slack import SlackPlatform
    from adapters.slack.config import SlackConfig
    from bot.app import IdeaBot
    from bot.config import Settings
    from bot.server import build_app, serve
    from storage.database import Database

    logging.basicConfig(level=logging.ERROR)
    database = Database(database_url)
    await database.upgrade()
    config = SlackConfig(bot_token="xoxb-bench", signing_secret=SECRET, api_url=api_url)
    bot = IdeaBot(database, settings=Settings(database_url=database_url))
    if stub:
        # The Slack adapter alone: the core answers at once, without the database.
        from bot.app import TurnResult
        from conversations.reply import Choice, Reply

        async def canned(session: object, incoming: object) -> TurnResult:
            reply = Reply("Tack! Vad behövs?", choices=(Choice("x:skip", "Hoppa över"),))
            return TurnResult([reply], "sv")

        bot.run_turn = canned  # type: ignore[method-assign]
    app = await build_app(bot, [SlackPlatform(config)])
    await serve(app, "127.0.0.1", port)


async def run_baseline(port: int, api_url: str, database_url: str | None = None) -> None:
    """The least a Bolt app on this server can do per request: ack and post one message;
    with `database_url`, also store the request first (one INSERT, committed) and ack only
    then, as a server must that loses nothing."""
    import logging

    import aiohttp
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    logging.basicConfig(level=logging.ERROR)
    session = aiohttp.ClientSession()
    client = AsyncWebClient(token="xoxb-bench", base_url=api_url, session=session)
    bolt = AsyncApp(client=client, signing_secret=SECRET)

    @bolt.event("message")
    async def on_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel=event["channel"], text="Tack!")

    @bolt.action(re.compile(".*"))
    async def on_click(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_postMessage(channel=body["channel"]["id"], text="Tack!")

    store = await _turn_store(database_url) if database_url else None

    async def events(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        if store is not None:
            await store(bolt_request.body)
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await _until_terminated()
    await runner.cleanup()
    await session.close()


async def _turn_store(database_url: str) -> Any:
    """One INSERT per request into a table of its own, through the engine Idésluss uses."""
    from sqlalchemy import text

    from storage.database import Database

    database = Database(database_url)
    async with database.transaction() as session:
        await session.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bench_turns (id INTEGER PRIMARY KEY, "
                "user_id VARCHAR(64), body TEXT, created_at TIMESTAMP)"
            )
        )

    async def store(body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        user = event.get("user") or (body.get("user") or {}).get("id")
        async with database.transaction(urgent=True) as session:
            await session.execute(
                text(
                    "INSERT INTO bench_turns (user_id, body, created_at) "
                    "VALUES (:user, :body, CURRENT_TIMESTAMP)"
                ),
                {"user": user, "body": json.dumps(body)},
            )

    return store


async def _until_terminated() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


# ── the employees ───────────────────────────────────────────────────────────────────────


def _signed(body: bytes) -> dict[str, str]:
    from slack_sdk.signature import SignatureVerifier

    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature or ""}


def _event_body(user: str, text: str, n: int) -> tuple[bytes, str]:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "team": TEAM,
    }
    body = {
        "team_id": TEAM,
        "api_app_id": "A0BENCH",
        "type": "event_callback",
        "event_id": f"Ev{user}{n:04d}",
        "event_time": int(time.time()),
        "event": event,
    }
    return json.dumps(body).encode(), "application/json"


def _click_body(user: str, value: str) -> tuple[bytes, str]:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0BENCH",
        "container": {"type": "message", "channel_id": "D" + user[1:], "is_ephemeral": False},
        "channel": {"id": "D" + user[1:]},
        "response_url": "http://127.0.0.1:9/unused",
        # Slack gives every interaction its own trigger id and time.
        "trigger_id": f"{time.time_ns()}.bench",
        "actions": [
            {
                "type": "button",
                "action_id": f"idesluss:0:{value}",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode(), (
        "application/x-www-form-urlencoded"
    )


async def run_load(
    server_port: int | list[int], api_port: int, users: int, rounds: int, run_id: str
) -> None:
    """Several ports: the turns go round them (a load balancer without sticky sessions)."""
    import aiohttp

    ports = server_port if isinstance(server_port, list) else [server_port]
    events_urls = [f"http://127.0.0.1:{port}/slack/events" for port in ports]
    connector = aiohttp.TCPConnector(limit=0)
    acks: list[float] = []
    turn_times: list[float] = []
    failures = 0

    async def employee(number: int, http: aiohttp.ClientSession) -> None:
        nonlocal failures
        user = f"U{run_id}{number:04d}"
        channel = "D" + user[1:]
        posted = 0
        for n, (kind, what) in enumerate(DIALOGUE * rounds):
            body, content_type = (
                _event_body(user, what, n) if kind == "say" else _click_body(user, what)
            )
            headers = {"Content-Type": content_type, **_signed(body)}
            started = time.perf_counter()
            events_url = events_urls[(number + n) % len(events_urls)]
            async with http.post(events_url, data=body, headers=headers) as response:
                await response.read()
                acked = time.perf_counter()
                if response.status != 200:
                    failures += 1
                    return
            acks.append(acked - started)
            # Like a person: the next turn only once the answer is there.
            wait_url = f"http://127.0.0.1:{api_port}/_posted/{channel}/{posted + 1}"
            async with http.get(wait_url) as response:
                posted = (await response.json())["posted"]
            turn_times.append(time.perf_counter() - started)

    async with aiohttp.ClientSession(connector=connector) as http:
        began = time.perf_counter()
        await asyncio.gather(*(employee(n, http) for n in range(users)))
        wall = time.perf_counter() - began
    acks_ms = sorted(a * 1000 for a in acks)
    turns_ms = sorted(t * 1000 for t in turn_times)
    print(
        json.dumps(
            {
                "users": users,
                "turns": len(turn_times),
                "failures": failures,
                "wall_s": wall,
                "turns_per_s": len(turn_times) / wall,
                "ack_p50_ms": statistics.median(acks_ms),
                "ack_p99_ms": acks_ms[max(0, int(len(acks_ms) * 0.99) - 1)],
                "ack_max_ms": acks_ms[-1],
                "turn_p50_ms": statistics.median(turns_ms),
                "turn_p99_ms": turns_ms[max(0, int(len(turns_ms) * 0.99) - 1)],
            }
        ),
        flush=True,
    )


# ── the orchestra ───────────────────────────────────────────────────────────────────────


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )


def _wait_ready(url: str, seconds: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not come up")


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def measure(
    target: str, users: int, rounds: int, api_port: int, database_url: str, run_id: str
) -> dict:
    port = free_port()
    api_url = f"http://127.0.0.1:{api_port}/api/"
    server = _spawn("--role", target, "--port", str(port), "--api-url", api_url,
                    "--database-url", database_url)  # fmt: skip
    try:
        _wait_ready(f"http://127.0.0.1:{port}/healthz")
        cpu_before = _cpu_seconds(server.pid)
        load = _spawn("--role", "load", "--port", str(port), "--api-port", str(api_port),
                      "--users", str(users), "--rounds", str(rounds),
                      "--run-id", run_id)  # fmt: skip
        out, _ = load.communicate(timeout=600)
        cpu_used = _cpu_seconds(server.pid) - cpu_before
    finally:
        _stop(server)
    result = json.loads(out.strip().splitlines()[-1])
    # CPU the server process spent per turn: unlike wall time, hardly moved by other work
    # on a shared machine.
    result["server_cpu_ms_per_turn"] = 1000 * cpu_used / max(1, result["turns"])
    return result


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def orchestrate(users: int, rounds: int, database_url: str | None, api_delay: float) -> None:
    api_port = free_port()
    api = _spawn("--role", "api", "--port", str(api_port), "--api-delay", str(api_delay))
    run = f"{int(time.time()) % 1_000_000:06d}"
    assert api.stdout is not None and api.stdout.readline().strip() == "ready"
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = database_url or f"sqlite:///{folder}/bench.db"
            results = {
                # Fresh user and event ids every run: a reused database still sees new people.
                "baseline": measure("baseline", users, rounds, api_port, url, f"B{run}"),
                "stored": measure("stored", users, rounds, api_port, url, f"S{run}"),
                "idesluss": measure("idesluss", users, rounds, api_port, url, f"I{run}"),
                "adapter": measure("adapter", users, rounds, api_port, url, f"A{run}"),
            }
    finally:
        _stop(api)
    base = results["baseline"]
    machine = f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}")
    where = "SQLite file" if database_url is None else "the given database"
    turns = len(DIALOGUE) * rounds
    print(f"database: {where}; users: {users}; turns per user: {turns} ({rounds} ideas)")
    print(f"Slack Web API: chat.postMessage answers after {api_delay:.2f} s")
    columns = ("ack p50", "ack p99", "ack max", "turn p50", "turn p99")
    keys = ("ack_p50_ms", "ack_p99_ms", "ack_max_ms", "turn_p50_ms", "turn_p99_ms")
    header = "".join(f"{c:>11}" for c in columns)
    print(f"{'':10}{header}{'turns/s':>9}{'CPU/turn':>10}{'failed':>7}")
    for name, r in results.items():
        cells = "".join(f"{r[k]:>9.1f}ms" for k in keys)
        cpu = f"{r['server_cpu_ms_per_turn']:>8.2f}ms"
        print(f"{name:10}{cells}{r['turns_per_s']:>9.1f}{cpu}{r['failures']:>7d}")
    for floor in ("baseline", "stored"):
        base = results[floor]
        for name in ("idesluss", "adapter"):
            ours = results[name]
            throughput = ours["turns_per_s"] / base["turns_per_s"]
            ack_ratio = ours["ack_p99_ms"] / base["ack_p99_ms"]
            cpu_ratio = ours["server_cpu_ms_per_turn"] / base["server_cpu_ms_per_turn"]
            print(
                f"{name}/{floor}: throughput {throughput:.2f}×, ack p99 {ack_ratio:.2f}×, "
                f"server CPU per turn {cpu_ratio:.2f}×"
            )
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="ideas per employee")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--role", choices=["api", "baseline", "stored", "idesluss", "adapter", "load"]
    )
    parser.add_argument("--port", type=int)
    parser.add_argument("--ports", help="load: several servers' ports, comma-separated")
    parser.add_argument("--api-url")
    parser.add_argument("--api-port", type=int)
    parser.add_argument("--run-id", default="X")
    parser.add_argument(
        "--api-delay", type=float, default=0.0, help="seconds the fake chat.postMessage takes"
    )
    args = parser.parse_args()
    if args.role == "api":
        asyncio.run(run_api(args.port, args.api_delay))
    elif args.role == "baseline":
        asyncio.run(run_baseline(args.port, args.api_url))
    elif args.role == "stored":
        asyncio.run(run_baseline(args.port, args.api_url, args.database_url))
    elif args.role in ("idesluss", "adapter"):
        stub = args.role == "adapter"
        asyncio.run(run_idesluss(args.port, args.api_url, args.database_url, stub=stub))
    elif args.role == "load":
        ports = [int(p) for p in args.ports.split(",")] if args.ports else args.port
        asyncio.run(run_load(ports, args.api_port, args.users, args.rounds, args.run_id))
    else:
        orchestrate(args.users, args.rounds, args.database_url, args.api_delay)


if __name__ == "__main__":
    main()
