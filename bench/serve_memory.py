"""Memory of a serving `idesluss` as open dialogues accumulate: RSS of the whole server
(bot/server.py with the Slack adapter and the real core, SQLite) after N people have each
started an idea, for N = 100, 1,000 and 10,000.

    .venv/bin/python bench/serve_memory.py [--people 100,1000,10000] [--concurrency 40]

The processes of bench/slack_load.py: a fake Slack Web API and the server, one fresh server
and database per N. Each person sends two signed Slack messages ("Hej!", a title), each
waited for until the reply has reached the fake chat.postMessage, which leaves N open
dialogues and N people in the database (and in whatever the server keeps per person). Then a
few requests touch them: 200 more turns from people picked across all N, /metrics and
/healthz. RSS (VmRSS from /proc) is read before the first turn and at the end; the ratio to
N = 100 is what should stay within ±10 %."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.slack_load import (
    _event_body,
    _signed,
    _spawn,
    _stop,
    _wait_ready,
    free_port,
)

TURNS = ("Hej!", "Tryggare tunnlar")
TOUCHES = 200


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def load(port: int, api_port: int, people: int, concurrency: int, run: str) -> float:
    import aiohttp

    url = f"http://127.0.0.1:{port}/slack/events"
    gate = asyncio.Semaphore(concurrency)
    posted: dict[str, int] = {}
    sent: dict[str, int] = {}

    async def turn(http: aiohttp.ClientSession, user: str, text: str) -> None:
        n = sent[user] = sent.get(user, 0) + 1
        body, content_type = _event_body(user, text, n)
        headers = {"Content-Type": content_type, **_signed(body)}
        async with http.post(url, data=body, headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"the server answered {response.status}")
        channel = "D" + user[1:]
        wait = f"http://127.0.0.1:{api_port}/_posted/{channel}/{posted.get(user, 0) + 1}"
        async with http.get(wait) as response:
            posted[user] = (await response.json())["posted"]

    async def person(http: aiohttp.ClientSession, number: int) -> None:
        async with gate:
            for text in TURNS:
                await turn(http, f"U{run}{number:05d}", text)

    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(person(http, n) for n in range(people)))
        picked = random.Random(people).sample(range(people), min(TOUCHES, people))
        for number in picked:  # people coming back to their open idea
            await turn(http, f"U{run}{number:05d}", "Många är rädda i tunnlarna på kvällen.")
        for path in ("/metrics", "/healthz"):
            async with http.get(f"http://127.0.0.1:{port}{path}") as response:
                await response.read()
    return time.perf_counter() - started


def measure(people: int, concurrency: int, api_port: int, folder: str) -> dict[str, float]:
    port = free_port()
    url = f"sqlite:///{folder}/memory-{people}.db"
    api_url = f"http://127.0.0.1:{api_port}/api/"
    server = _spawn("--role", "idesluss", "--port", str(port), "--api-url", api_url,
                    "--database-url", url)  # fmt: skip
    try:
        _wait_ready(f"http://127.0.0.1:{port}/healthz")
        before = rss_mb(server.pid)
        run = f"{people % 100_000:05d}"
        wall = asyncio.run(load(port, api_port, people, concurrency, run))
        time.sleep(1.0)  # the last marks and posts settle
        after = rss_mb(server.pid)
    finally:
        _stop(server)
    return {"people": people, "rss_start_mb": before, "rss_mb": after, "wall_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", default="100,1000,10000")
    parser.add_argument("--concurrency", type=int, default=40)
    args = parser.parse_args()
    api_port = free_port()
    api = _spawn("--role", "api", "--port", str(api_port))
    assert api.stdout is not None and api.stdout.readline().strip() == "ready"
    results = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for people in (int(p) for p in args.people.split(",")):
                results.append(measure(people, args.concurrency, api_port, folder))
                print(json.dumps(results[-1]), flush=True)
    finally:
        _stop(api)
    machine = f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}")
    first = results[0]["rss_mb"]
    print(f"{'open dialogues':>15}{'RSS at start':>14}{'RSS after':>12}{'× first':>9}{'wall':>8}")
    for r in results:
        print(
            f"{r['people']:>15,}{r['rss_start_mb']:>12.1f}MB{r['rss_mb']:>10.1f}MB"
            f"{r['rss_mb'] / first:>9.3f}{r['wall_s']:>7.0f}s"
        )


if __name__ == "__main__":
    main()
