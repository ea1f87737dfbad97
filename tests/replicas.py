"""Real `idesluss serve` processes on loopback for tests that need several of them, or
need to kill one: a replica, its environment, and the fake Slack Web API they talk to.

A pytest plugin (tests/conftest.py): its `slack_api` knows every user id, as a load test
needs; tests/adapters/slack/conftest.py overrides it there with a few named people."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.slack_load import SECRET, _signed
from tests.fakes.net import free_port
from tests.fakes.slack_api import FakeSlackApi

IDESLUSS = Path(sys.executable).with_name("idesluss")
COORDINATOR = "UMARIA"
START_SECONDS = 30


class Replica:
    """One `idesluss serve` process on a loopback port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Replica:
        self.process = await asyncio.create_subprocess_exec(
            str(IDESLUSS), "serve", "--host", "127.0.0.1", "--port", str(self.port),
            env=self.env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        return self

    async def healthy(self, http: aiohttp.ClientSession) -> None:
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_SECONDS
        while loop.time() < deadline:
            if self.process.returncode is not None:
                raise AssertionError(f"replica exited: {await self.process.stderr.read()!r}")
            try:
                async with http.get(f"{self.base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError("replica did not become healthy")

    async def stop(self) -> tuple[int, str]:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(self.process.communicate(), 30)
        return self.process.returncode, err.decode(errors="replace")

    async def post(self, http: aiohttp.ClientSession, body: bytes, content_type: str,
                   **headers: str) -> int:  # fmt: skip
        all_headers = {"Content-Type": content_type, **_signed(body), **headers}
        async with http.post(f"{self.base}/slack/events", data=body, headers=all_headers) as r:
            await r.read()
            return r.status

    async def metrics(self, http: aiohttp.ClientSession) -> dict:
        async with http.get(f"{self.base}/metrics") as response:
            body = await response.text()
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body)
            for s in family.samples
        }


def metric(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def replica_env(database_url: str, api: FakeSlackApi) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MICROSOFT_APP", "MicrosoftApp", "IDESLUSS_"))
    }
    return {
        **env,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-replicas",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api.url,
        "IDESLUSS_COORDINATORS": f"slack:{COORDINATOR}",
        # The test runs at any hour; the replicas sweep and dispatch often.
        "IDESLUSS_DELIVER_ANY_TIME": "1",
        "IDESLUSS_SWEEP_SECONDS": "0.5",
        "IDESLUSS_DISPATCH_SECONDS": "0.3",
        "IDESLUSS_LOG_FORMAT": "json",
    }


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    api = await FakeSlackApi(any_user=True).start()
    yield api
    await api.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def until(condition, seconds: float = 15, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
