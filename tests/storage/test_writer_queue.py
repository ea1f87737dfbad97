"""SQLite's one writer is handed over in arrival order, urgent holders first (a platform's
acknowledgement waits behind no queue of turns), and a waiter that gives up loses nothing."""

from __future__ import annotations

import asyncio

from storage.database import WriterQueue


async def test_the_writer_goes_in_arrival_order_and_urgent_holders_first() -> None:
    writer = WriterQueue()
    order: list[str] = []
    release = asyncio.Event()

    async def hold(name: str, *, urgent: bool = False) -> None:
        async with writer.hold(urgent=urgent):
            order.append(name)
            if name == "first":
                await release.wait()

    first = asyncio.create_task(hold("first"))
    await asyncio.sleep(0)
    waiting = [
        asyncio.create_task(hold("turn 1")),
        asyncio.create_task(hold("turn 2")),
        asyncio.create_task(hold("ack", urgent=True)),
    ]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, *waiting)
    assert order == ["first", "ack", "turn 1", "turn 2"]


async def test_a_waiter_that_gives_up_does_not_keep_the_writer() -> None:
    writer = WriterQueue()
    release = asyncio.Event()

    async def holder() -> None:
        async with writer.hold():
            await release.wait()

    held = asyncio.create_task(holder())
    await asyncio.sleep(0)
    impatient = asyncio.create_task(writer.hold().__aenter__())
    await asyncio.sleep(0)
    impatient.cancel()
    release.set()
    await held
    async with asyncio.timeout(1), writer.hold():  # free again
        pass
