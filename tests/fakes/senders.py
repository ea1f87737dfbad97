"""Fake platform senders for the dispatcher: scripted outcomes, recorded deliveries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.ports import AlreadyDelivered
from conversations.reply import Reply


@dataclass
class Delivery:
    address: dict[str, Any]
    texts: list[str]
    at: datetime
    delivery_key: str | None
    languages: list[str | None] = field(default_factory=list)


@dataclass
class FakeSender:
    """Answers each send with the next scripted outcome (an exception to raise, or None for
    success); records what arrived. With `idempotent` it takes delivery keys: a send marked
    `possibly_delivered` whose key already arrived is accepted but not shown twice."""

    platform: str = "fake"
    now: Callable[[], datetime] | None = None
    script: list[BaseException | None] = field(default_factory=list)
    idempotent: bool = False
    new_address: dict[str, Any] | None = None
    delivered: list[Delivery] = field(default_factory=list)
    calls: int = 0
    lookups: int = 0  # how often the sender had to check whether a send already arrived
    gate: asyncio.Event | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def accepts_delivery_key(self) -> bool:
        return self.idempotent

    async def send(
        self,
        address: dict[str, Any],
        replies: Sequence[Reply],
        *,
        delivery_key: str | None = None,
        possibly_delivered: bool = False,
        since: datetime | None = None,
    ) -> dict[str, Any] | AlreadyDelivered | None:
        self.calls += 1
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.script:
            outcome = self.script.pop(0)
            if outcome is not None:
                raise outcome
        if possibly_delivered:
            self.lookups += 1
            if any(d.delivery_key == delivery_key for d in self.delivered):
                return AlreadyDelivered()
        await asyncio.sleep(0)  # let other deliveries interleave, as on a network
        self.delivered.append(
            Delivery(
                dict(address),
                [r.text for r in replies],
                self.now() if self.now else datetime.min,
                delivery_key,
                [r.lang for r in replies],
            )
        )
        return self.new_address

    def texts_for(self, user: str) -> list[str]:
        return [t for d in self.delivered if d.address.get("user") == user for t in d.texts]
