"""Fetching the channel's signing keys never holds up the server: not at start-up, not when
the metadata host hangs, not when someone sends tokens with made-up key ids. All over real
HTTP, against a metadata host that hangs (a black hole, or the fake identity told to hang)
or fails."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from urllib.request import Request

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams import TeamsConfig, TeamsPlatform
from adapters.teams import signing_keys as signing_keys_module
from adapters.teams.signing_keys import SigningKeys, UnknownSigningKey
from bot.server import build_app
from storage.people import find_person
from tests.adapters.teams.harness import APP_ID, TENANT_ID, TeamsChannel
from tests.fakes.bot_connector import BlackHole, FakeBotConnector, FakeIdentity

ROOT = Path(__file__).resolve().parents[3]
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
TIMEOUT = 1.5  # the fetch timeout in these tests (5 s in production)
QUICK = 1.0  # what "answers at once" means here, on a busy machine


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


@pytest.fixture
def own_identity(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIdentity]:
    """An identity service of this test's own, which the test may make fail or hang."""
    identity = FakeIdentity()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(identity.ca_file))
    yield identity
    identity.close()


@pytest.fixture(autouse=True)
def short_fetch_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signing_keys_module, "TOTAL_TIMEOUT_SECONDS", TIMEOUT)
    monkeypatch.setattr(signing_keys_module, "CONNECT_TIMEOUT_SECONDS", TIMEOUT)


def config_for(metadata_url: str, login_url: str = "https://127.0.0.1:9/") -> TeamsConfig:
    return TeamsConfig(
        app_id=APP_ID,
        app_password="not-a-real-secret",
        openid_metadata_url=metadata_url,
        login_url=login_url,
    )


class Server:
    """The whole server (with its real /healthz) hosting Teams."""

    def __init__(self, server: TestServer, channel: TeamsChannel) -> None:
        self.server = server
        self.channel = channel

    async def healthz(self) -> int:
        async with self.channel.session.get(self.server.make_url("/healthz")) as response:
            return response.status

    async def close(self) -> None:
        await self.channel.close()
        await self.server.close()


async def start(
    bot, config: TeamsConfig, connector: FakeBotConnector, identity: FakeIdentity | None
) -> Server:
    platform = TeamsPlatform(config)
    app = await build_app(bot, [platform], close_database=False)
    server = TestServer(app, host="127.0.0.1")
    # Bounded: a server that cannot start (or waits for the metadata host) fails the test.
    await asyncio.wait_for(server.start_server(), 3 * QUICK)
    return Server(server, TeamsChannel(str(server.make_url("/")), connector, identity))


@pytest.fixture
async def own_server(
    teams_bot, connector: FakeBotConnector, own_identity: FakeIdentity
) -> AsyncIterator[Callable[[], Awaitable[Server]]]:
    """Starts the server against `own_identity` when the test says (once it has told the
    identity how to behave)."""
    started: list[Server] = []

    async def starting() -> Server:
        config = config_for(own_identity.openid_metadata_url, own_identity.login_url)
        started.append(await start(teams_bot, config, connector, own_identity))
        return started[-1]

    yield starting
    own_identity.release()
    for running in started:
        await running.close()


def keys_of(identity: FakeIdentity) -> SigningKeys:
    keys = JwtTokenExtractor.metadataCache[identity.openid_metadata_url]
    assert isinstance(keys, SigningKeys)
    return keys


async def until(condition, seconds: float = 5.0) -> None:
    """Poll a condition on another thread's server (bounded)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


def message(channel: TeamsChannel, user_id: str, text: str = "Hej") -> dict:
    return channel.activity(
        "message", user_id=user_id, name="X", conversation_id=f"a:{user_id}", text=text
    )


def unknown_kid(channel: TeamsChannel) -> dict[str, str]:
    return channel.bearer(key=OTHER_KEY, kid=f"made-up-{uuid.uuid4()}")


async def timed(work) -> tuple[float, object]:
    began = time.monotonic()
    result = await work
    return time.monotonic() - began, result


async def stored(bot, user_id: str) -> bool:
    async with bot.db.transaction() as session:
        return await find_person(session, f"msteams:{user_id}") is not None


async def test_a_hung_metadata_host_delays_neither_start_nor_stop(
    teams_bot, connector: FakeBotConnector, black_hole: BlackHole
) -> None:
    config = config_for(black_hole.url())
    running = await start(teams_bot, config, connector, None)
    try:
        elapsed, status = await timed(running.healthz())
        assert status == 200 and elapsed < QUICK
    finally:
        elapsed, _ = await timed(asyncio.wait_for(running.close(), 3 * QUICK))
    assert elapsed < 3 * QUICK


class Probe:
    """Times requests from another thread once `condition` holds: a blocked event loop
    cannot hide from it (a client in the loop would wait with the server, then see a quick
    answer)."""

    def __init__(self, condition: Callable[[], object], requests: list[Request]) -> None:
        self.results: list[tuple[int, float]] = []
        self._thread = threading.Thread(target=self._run, args=(condition, requests))
        self._thread.start()

    def _run(self, condition: Callable[[], object], requests: list[Request]) -> None:
        deadline = time.monotonic() + 10
        while not condition():
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        for request in requests:
            began = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            self.results.append((status, time.monotonic() - began))

    async def results_when_done(self) -> list[tuple[int, float]]:
        await asyncio.to_thread(self._thread.join, 90)
        return self.results


def healthz(running: Server) -> Request:
    return Request(str(running.server.make_url("/healthz")))


def post(running: Server, activity: dict, headers: dict[str, str]) -> Request:
    return Request(
        running.channel.endpoint,
        data=json.dumps(activity).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )


async def test_while_a_token_waits_for_a_hung_host_everyone_else_is_answered(
    teams_bot, connector: FakeBotConnector, black_hole: BlackHole, identity: FakeIdentity
) -> None:
    """No keys yet and the host hangs: the token with an unknown key id waits for the one
    fetch, which times out (401); meanwhile /healthz and other requests are answered."""
    running = await start(teams_bot, config_for(black_hole.url()), connector, identity)
    try:
        probe = Probe(
            lambda: black_hole.connections,
            [healthz(running), post(running, message(running.channel, "29:1eve"), {})],
        )
        elapsed, (status, body, sent) = await timed(
            running.channel.post(
                message(running.channel, "29:1mallory"), headers=unknown_kid(running.channel)
            )
        )
        assert status == 401 and "Traceback" not in body and sent == []
        assert elapsed < TIMEOUT + QUICK
        (health, health_took), (no_token, no_token_took) = await probe.results_when_done()
        assert health == 200 and health_took < QUICK
        assert no_token == 401 and no_token_took < QUICK  # refused without waiting
        assert not await stored(teams_bot, "29:1mallory")
    finally:
        await running.close()


async def test_an_unknown_key_id_while_the_host_hangs_holds_up_no_one(
    teams_bot, clock, connector: FakeBotConnector, own_identity: FakeIdentity, own_server
) -> None:
    """Keys at hand, five minutes old, and the host now hangs: a token with an unknown key
    id triggers one refresh; a valid request and /healthz are answered meanwhile."""
    running = await own_server()
    await until(lambda: own_identity.metadata_requests == 1)
    status, _, _ = await running.channel.post(message(running.channel, "29:1anna"))
    assert status == 200
    own_identity.hang()
    clock.advance(minutes=6)

    anna = message(running.channel, "29:1anna", "Tryggare tunnlar")
    probe = Probe(
        lambda: own_identity.metadata_requests == 2,
        [healthz(running), post(running, anna, running.channel.bearer())],
    )
    elapsed, (status, _, _) = await timed(
        running.channel.post(
            message(running.channel, "29:1mallory"), headers=unknown_kid(running.channel)
        )
    )
    assert status == 401 and elapsed < TIMEOUT + QUICK
    (health, health_took), (valid, valid_took) = await probe.results_when_done()
    assert health == 200 and health_took < QUICK
    assert valid == 200 and valid_took < QUICK and connector.to("a:29:1anna")
    assert connector.to("a:29:1mallory") == []
    assert not await stored(teams_bot, "29:1mallory")


async def test_twenty_made_up_key_ids_cause_at_most_one_fetch_while_the_host_fails(
    teams_bot, connector: FakeBotConnector, own_identity: FakeIdentity, own_server
) -> None:
    own_identity.metadata_mode = "fail"
    running = await own_server()
    await until(lambda: own_identity.metadata_requests >= 1)  # the start-up fetch
    before = own_identity.metadata_requests
    for _ in range(20):
        status, _, sent = await running.channel.post(
            message(running.channel, "29:1mallory"), headers=unknown_kid(running.channel)
        )
        assert status == 401 and sent == []
    assert own_identity.metadata_requests - before <= 1
    assert not await stored(teams_bot, "29:1mallory")


async def test_made_up_key_ids_refresh_the_keys_at_most_once_per_five_minutes(
    teams_bot, clock, connector: FakeBotConnector, own_identity: FakeIdentity, own_server
) -> None:
    running = await own_server()
    await until(lambda: own_identity.metadata_requests == 1)
    for minutes in (1, 6, 12):
        clock.advance(minutes=minutes)
        before = own_identity.metadata_requests
        for _ in range(20):
            status, _, _ = await running.channel.post(
                message(running.channel, "29:1mallory"), headers=unknown_kid(running.channel)
            )
            assert status == 401
        # 1 minute after the start-up fetch: none; 6 minutes after the last: one.
        assert own_identity.metadata_requests - before == (0 if minutes == 1 else 1)
    status, _, sent = await running.channel.post(message(running.channel, "29:1anna"))
    assert status == 200 and sent


async def test_a_failed_start_up_fetch_is_retried_by_the_first_request(
    teams_bot, connector: FakeBotConnector, own_identity: FakeIdentity, own_server
) -> None:
    own_identity.hang()
    running = await own_server()
    await until(lambda: own_identity.metadata_requests == 1)
    keys = keys_of(own_identity)
    own_identity.release("fail")
    await until(lambda: keys._fetch is not None and keys._fetch.done())
    assert not keys.loaded
    own_identity.metadata_mode = "ok"
    status, _, sent = await running.channel.post(message(running.channel, "29:1anna"))
    assert status == 200 and sent
    assert own_identity.metadata_requests == 2


async def test_day_old_keys_are_refreshed_in_the_background_and_kept_if_that_fails(
    own_identity: FakeIdentity,
) -> None:
    now = [1000.0]
    keys = SigningKeys(own_identity.openid_metadata_url, now=lambda: now[0])
    try:
        assert (await keys.get(FakeIdentity.KEY_ID)).public_key is not None
        assert own_identity.metadata_requests == 1
        own_identity.hang()
        now[0] += 24 * 3600
        elapsed, key = await timed(keys.get(FakeIdentity.KEY_ID))
        assert key.public_key is not None and elapsed < 0.5  # not waiting for the refresh
        await until(lambda: own_identity.metadata_requests == 2)
        own_identity.release("fail")
        await until(lambda: keys._fetch is not None and keys._fetch.done())
        assert (await keys.get(FakeIdentity.KEY_ID)).public_key is not None
        with pytest.raises(UnknownSigningKey):
            await keys.get("made-up")  # refused at once: the refresh was just tried
        assert own_identity.metadata_requests == 2
    finally:
        await keys.close()


def test_serve_with_a_hung_metadata_host_listens_and_stops_on_sigterm(
    tmp_path, black_hole: BlackHole
) -> None:
    """The real `idesluss serve`: the port opens and SIGTERM stops it, though the metadata
    host never answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MicrosoftApp", "MICROSOFT_", "TEAMS_", "IDESLUSS_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD="not-a-real-secret",
        MICROSOFT_APP_TENANT_ID=TENANT_ID,
        IDESLUSS_TEAMS_OPENID_METADATA_URL=black_hole.url(),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status = asyncio.run(_wait_for_health(port, seconds=20))
        assert status == 200, "the server did not open its port"
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err


async def _wait_for_health(port: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    return response.status
            except (aiohttp.ClientConnectionError, TimeoutError):
                await asyncio.sleep(0.1)
    return 0
