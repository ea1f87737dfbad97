"""Slow and greedy clients (slowloris) against the real server: a request's head and body
must each arrive within IDESLUSS_READ_TIMEOUT_SECONDS, at most IDESLUSS_MAX_CONNECTIONS are
open at once (slow ones make room for new ones), accept() errors are logged once per
interval, and /healthz answers throughout. Real sockets on loopback, bounded in count and
time (a few seconds per test)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import IdeaBot
from bot.server import build_app
from tests.ops.serving import free_port, serving, timed_get, wait_until_listening

ROOT = Path(__file__).resolve().parents[2]
SLOW_HEAD = b"GET /healthz HTTP/1.1\r\nHost: idesluss\r\nX-Padding: " + b"a" * 4000


@pytest.fixture(params=["sqlite"])  # sockets are the subject here; one database suffices
def database_url(request, tmp_path, migrated_sqlite_file) -> str:
    import shutil

    path = tmp_path / "idesluss.db"
    shutil.copyfile(migrated_sqlite_file, path)
    return f"sqlite:///{path}"


class SlowClient:
    """One connection sending `data` a byte at a time. `closed_after` is how long the
    server took to close it (None: still open when the client gave up); `answer` is what
    the server said before closing."""

    def __init__(self, port: int, data: bytes, every: float, give_up: float) -> None:
        self.port, self.data, self.every, self.give_up = port, data, every, give_up
        self.closed_after: float | None = None
        self.answer = b""
        self.connected = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            self.closed_after = loop.time() - started
            return
        self.connected = True
        try:
            for index in range(len(self.data)):
                if loop.time() - started > self.give_up:
                    return
                writer.write(self.data[index : index + 1])
                await writer.drain()
                with contextlib.suppress(TimeoutError):
                    got = await asyncio.wait_for(reader.read(4096), self.every)
                    if not got:
                        self.closed_after = loop.time() - started
                        return
                    self.answer += got
        except (ConnectionError, OSError):
            self.closed_after = loop.time() - started
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()


async def poll_health(port: int, done: asyncio.Event) -> list[tuple[int, float]]:
    answers = []
    while not done.is_set():
        answers.append(await timed_get(port, "/healthz", within=3.0))
        await asyncio.sleep(0.1)
    return answers


def server_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the server, aiohttp and asyncio logged at warning or above (startup aside)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and "listening on" not in record.getMessage()
        and "/metrics is public" not in record.getMessage()
        and "stopping" not in record.getMessage()
    ]


async def test_slow_heads_are_closed_after_the_read_timeout_and_healthz_answers_throughout(
    bot: IdeaBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("IDESLUSS_READ_TIMEOUT_SECONDS", "1")
    caplog.set_level(logging.WARNING)
    app = await build_app(bot, close_database=False)
    async with serving(app) as port:
        clients = [SlowClient(port, SLOW_HEAD, every=0.2, give_up=4.0) for _ in range(50)]
        done = asyncio.Event()
        health = asyncio.create_task(poll_health(port, done))
        await asyncio.gather(*(client.run() for client in clients))
        done.set()
        answers = await health

    closed = [c.closed_after for c in clients if c.closed_after is not None]
    assert len(closed) == 50, f"{50 - len(closed)} slow connections still open after 4 s"
    assert max(closed) < 2.5, f"slowest close after {max(closed):.2f} s (timeout 1 s)"
    assert all(c.answer.startswith(b"HTTP/1.1 408") for c in clients)
    assert answers and all(status == 200 for status, _ in answers), answers
    assert max(seconds for _, seconds in answers) < 1.0
    lines = server_lines(caplog)
    assert len(lines) <= 3, lines


async def test_a_slow_body_gets_408_after_the_read_timeout(
    bot: IdeaBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("IDESLUSS_READ_TIMEOUT_SECONDS", "1")
    caplog.set_level(logging.WARNING)
    app = await build_app(bot, close_database=False)
    bodies: list[bytes] = []

    async def echo(request: web.Request) -> web.Response:
        bodies.append(await request.read())
        return web.Response(text="ok")

    app.router.add_post("/echo", echo)
    head = b"POST /echo HTTP/1.1\r\nHost: idesluss\r\nContent-Length: 100\r\n\r\n"
    async with serving(app) as port:
        # The head at once, then the body a byte every 0.2 s.
        clients = [SlowClient(port, b"x" * 100, every=0.2, give_up=4.0) for _ in range(10)]

        await asyncio.gather(*(_head_first(c, head) for c in clients))
        status, seconds = await timed_get(port, "/healthz")

    assert status == 200 and seconds < 1.0
    closed = [c.closed_after for c in clients if c.closed_after is not None]
    assert len(closed) == 10, "slow bodies still open after 4 s"
    assert max(closed) < 2.5
    assert all(c.answer.startswith(b"HTTP/1.1 408") for c in clients), clients[0].answer
    assert bodies == []  # no handler went on with half a body
    lines = server_lines(caplog)
    assert len(lines) <= 3, lines


async def _head_first(client: SlowClient, head: bytes) -> None:
    """Like SlowClient.run, but the head is sent in one write (only the body is slow)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(head)
    try:
        for index in range(len(client.data)):
            if loop.time() - started > client.give_up:
                return
            writer.write(client.data[index : index + 1])
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                got = await asyncio.wait_for(reader.read(4096), client.every)
                client.answer += got
                if not got or client.answer.startswith(b"HTTP/1.1 408"):
                    # the server answered; wait for it to close
                    with contextlib.suppress(TimeoutError):
                        while await asyncio.wait_for(reader.read(4096), 1.0):
                            pass
                    client.closed_after = loop.time() - started
                    return
    except (ConnectionError, OSError):
        client.closed_after = loop.time() - started
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def test_at_the_connection_cap_slow_connections_make_room_and_healthz_answers(
    bot: IdeaBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A long read timeout: only the cap protects the server here.
    monkeypatch.setenv("IDESLUSS_READ_TIMEOUT_SECONDS", "30")
    monkeypatch.setenv("IDESLUSS_MAX_CONNECTIONS", "20")
    caplog.set_level(logging.WARNING)
    app = await build_app(bot, close_database=False)
    async with serving(app) as port:
        clients = [SlowClient(port, SLOW_HEAD, every=0.2, give_up=3.0) for _ in range(40)]
        attack = asyncio.gather(*(client.run() for client in clients))
        await asyncio.sleep(0.5)  # let all 40 connect and start dribbling
        answers = [await timed_get(port, "/healthz", within=3.0) for _ in range(5)]
        await attack

    assert all(status == 200 for status, _ in answers), answers
    assert max(seconds for _, seconds in answers) < 1.0, answers
    closed = [c for c in clients if c.closed_after is not None]
    # 40 slow ones through 20 places: 20 made room for later ones, and one more for the
    # first health check (each health check closes its connection after the answer).
    assert len(closed) >= 21, f"only {len(closed)} of 40 slow connections were closed"
    assert all(c.answer.startswith(b"HTTP/1.1 503") for c in closed)
    lines = server_lines(caplog)
    assert len(lines) <= 3, lines


async def test_when_every_connection_is_being_answered_a_new_one_is_refused_at_once(
    bot: IdeaBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDESLUSS_MAX_CONNECTIONS", "3")
    app = await build_app(bot, close_database=False)
    release = asyncio.Event()
    arrived = 0

    async def hold(request: web.Request) -> web.Response:
        nonlocal arrived
        arrived += 1
        await release.wait()
        return web.Response(text="done")

    app.router.add_get("/hold", hold)
    async with serving(app) as port:
        held = [asyncio.create_task(timed_get(port, "/hold")) for _ in range(3)]
        for _ in range(100):
            if arrived == 3:
                break
            await asyncio.sleep(0.02)
        status, seconds = await timed_get(port, "/healthz")
        release.set()
        finished = await asyncio.gather(*held)
        after = await timed_get(port, "/healthz")

    assert arrived == 3
    assert status == 503 and seconds < 1.0  # told at once, not queued
    assert all(code == 200 for code, _ in finished)  # the ones being answered were kept
    assert after[0] == 200


def _serve_with_few_file_descriptors(env_extra: dict[str, str], tmp_path: Path, nofile: int):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MicrosoftApp", "TEAMS_", "IDESLUSS_"))
    }
    env.update(env_extra)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    env["IDESLUSS_LOG_FORMAT"] = "text"
    # Someone coordinates, so the start-up's only warning is the missing chat platform.
    env["IDESLUSS_COORDINATORS"] = "console:maria"
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({nofile}, {nofile}))\n"
        "from bot.cli import main\n"
        f"sys.exit(main(['serve', '--host', '127.0.0.1', '--port', '{port}']))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, port


async def _flood(
    port: int, count: int, seconds: float, *, waves: int = 1, patience: float = 1.0
) -> list[tuple[int, float]]:
    """Open `count` idle connections (in `waves`, a moment apart, so that a busy machine's
    server gets to accept them), hold them `seconds`, asking /healthz meanwhile. A
    connection the kernel does not complete within `patience` seconds is given up."""

    async def connect() -> asyncio.StreamWriter | None:
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), patience)
        except (OSError, TimeoutError):
            return None
        return writer

    writers: list[asyncio.StreamWriter] = []
    for wave in range(waves):
        share = count // waves + (1 if wave < count % waves else 0)
        writers += [w for w in await asyncio.gather(*(connect() for _ in range(share))) if w]
        await asyncio.sleep(0.1)
    answers = []
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            answers.append(await timed_get(port, "/healthz", within=2.0))
            await asyncio.sleep(0.2)
    finally:
        for writer in writers:
            writer.close()
    return answers


def _finish(process: subprocess.Popen) -> str:
    try:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return err


def test_out_of_file_descriptors_is_logged_once_per_interval_without_tracebacks(
    tmp_path: Path,
) -> None:
    # A cap above the descriptor limit, on purpose: accept() runs out of descriptors.
    process, port = _serve_with_few_file_descriptors(
        {"IDESLUSS_MAX_CONNECTIONS": "500", "IDESLUSS_READ_TIMEOUT_SECONDS": "30"}, tmp_path, 64
    )
    try:
        asyncio.run(wait_until_listening(port, 20))
        # Far more connections than descriptors, given time to be accepted even on a busy
        # machine: accept() certainly runs out, again and again.
        asyncio.run(_flood(port, 160, 3.0, waves=4, patience=3.0))
    finally:
        err = _finish(process)
    warnings = [line for line in err.splitlines() if " INFO " not in line]
    accept_lines = [line for line in warnings if "accept" in line]
    assert 1 <= len(accept_lines) <= 2, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert len(warnings) <= 8, warnings


def test_the_default_cap_stays_under_the_descriptor_limit_so_healthz_answers(
    tmp_path: Path,
) -> None:
    process, port = _serve_with_few_file_descriptors(
        {"IDESLUSS_READ_TIMEOUT_SECONDS": "30"}, tmp_path, 64
    )
    try:
        asyncio.run(wait_until_listening(port, 20))
        answers = asyncio.run(_flood(port, 120, 2.0))
    finally:
        err = _finish(process)
    assert answers and all(status == 200 for status, _ in answers), (answers, err[-2000:])
    assert "Traceback" not in err, err[-3000:]


async def test_normal_traffic_is_untouched_an_idle_kept_alive_connection_is_reused(
    bot: IdeaBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import aiohttp

    monkeypatch.setenv("IDESLUSS_READ_TIMEOUT_SECONDS", "1")
    caplog.set_level(logging.WARNING)
    app = await build_app(bot, close_database=False)
    peers: list[object] = []

    async def echo(request: web.Request) -> web.Response:
        peers.append(request.transport)
        return web.Response(body=await request.read())

    app.router.add_post("/echo", echo)
    connector = aiohttp.TCPConnector(limit=1)
    async with serving(app) as port, aiohttp.ClientSession(connector=connector) as http:
        url = f"http://127.0.0.1:{port}/echo"
        async with http.post(url, data=b"a" * 200_000) as first:
            assert first.status == 200 and len(await first.read()) == 200_000
        # Idle between requests for longer than the read timeout: the head timer starts
        # with the next request's first byte, not when the previous answer went out.
        await asyncio.sleep(1.5)
        async with http.post(url, data=b"second") as second:
            assert second.status == 200 and await second.read() == b"second"
    assert peers[0] is peers[1]  # the same connection, kept alive
    assert server_lines(caplog) == []
