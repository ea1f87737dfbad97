"""Run the real `serve()` (what `idesluss serve` runs) in the test's event loop on a free
loopback port, configured through the environment like production."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.server import serve
from tests.fakes.net import free_port


async def wait_until_listening(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.02)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return


@contextlib.asynccontextmanager
async def serving(app: web.Application, port: int | None = None) -> AsyncIterator[int]:
    port = port or free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, "127.0.0.1", port, stop=stop))
    try:
        await wait_until_listening(port)
        yield port
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def timed_get(
    port: int, path: str, headers: dict[str, str] | None = None, within: float = 5.0
) -> tuple[int, float]:
    """(status, seconds) of one GET on a fresh connection; status 0 if it failed."""
    started = time.monotonic()
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=within)) as http,
            http.get(f"http://127.0.0.1:{port}{path}", headers=headers) as response,
        ):
            await response.read()
            return response.status, time.monotonic() - started
    except (aiohttp.ClientError, TimeoutError):
        return 0, time.monotonic() - started
