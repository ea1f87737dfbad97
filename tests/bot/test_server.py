"""The server: health check, start-up errors, graceful stop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import IdeaBot
from bot.cli import main
from bot.server import InFlight, build_app
from storage.database import Database

ROOT = Path(__file__).resolve().parents[2]


async def get(server: TestServer, path: str) -> tuple[int, dict]:
    url = f"http://127.0.0.1:{server.port}{path}"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


async def test_healthz_says_ok_when_the_database_answers(bot: IdeaBot) -> None:
    server = TestServer(await build_app(bot, close_database=False), host="127.0.0.1")
    await server.start_server()
    try:
        status, body = await get(server, "/healthz")
    finally:
        await server.close()
    assert status == 200
    assert body == {"status": "ok", "database": "ok", "platforms": [], "turns_in_flight": 0}


async def test_healthz_is_503_when_the_database_does_not_answer(tmp_path) -> None:
    # A PostgreSQL port where nothing listens.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database = Database(f"postgresql://nobody@127.0.0.1:{port}/idesluss")
    server = TestServer(await build_app(IdeaBot(database)), host="127.0.0.1")
    await server.start_server()
    try:
        status, body = await get(server, "/healthz")
    finally:
        await server.close()
    assert status == 503
    assert body == {"status": "unavailable", "database": "unreachable"}  # no address, no secret


class Recorder:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    async def start(self) -> None:
        self.log.append(f"{self.name} started")

    async def stop(self) -> None:
        self.log.append(f"{self.name} stopped")


async def test_stopping_finishes_turns_in_flight_then_stops_services_then_the_database(
    bot: IdeaBot,
) -> None:
    log: list[str] = []
    app = await build_app(
        bot,
        close_database=False,
        extra_services=[Recorder("scheduler", log), Recorder("dispatcher", log)],
    )
    release = asyncio.Event()

    async def a_turn_still_running() -> None:
        await release.wait()
        log.append("turn finished")

    async def shutdown_began(app: web.Application) -> None:
        log.append("shutdown began")
        release.set()  # the turn's slow API call answers while the server is stopping

    app.on_shutdown.append(shutdown_began)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    from bot.server import INFLIGHT

    app[INFLIGHT].spawn(a_turn_still_running())
    await server.close()
    assert log == [
        "scheduler started",
        "dispatcher started",
        "shutdown began",
        "turn finished",
        "dispatcher stopped",
        "scheduler stopped",
    ]


async def test_work_that_does_not_finish_in_time_is_cancelled() -> None:
    inflight = InFlight()
    never = asyncio.Event()
    task = inflight.spawn(never.wait())
    assert await inflight.drain(0.01) is False
    await asyncio.sleep(0)
    assert task.cancelled()


def test_serve_refuses_half_a_slack_configuration(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    assert main(["serve", "--port", "3978"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is missing" in err
    assert not (tmp_path / "x.db").exists()  # refused before touching anything


def test_serve_refuses_a_port_out_of_range(capsys) -> None:
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port must be between 1 and 65535" in capsys.readouterr().err


def test_serve_runs_until_sigterm_and_stops_cleanly(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MicrosoftApp", "TEAMS_", "IDESLUSS_COORDINATORS"))
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status = asyncio.run(_wait_for_health(port))
        assert status == 200
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "no chat platform is configured" in err
    # Nobody is a coordinator in this configuration: said at start, with the way out.
    assert "no coordinator: new ideas are kept, but no coordinator hears of them" in err
    assert "IDESLUSS_COORDINATORS" in err
    assert "Traceback" not in err


async def _wait_for_health(port: int) -> int:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    return response.status
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    return 0
