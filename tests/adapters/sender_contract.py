"""What every platform's Sender must do, as tests any adapter runs by inheriting:

    class TestSlackSenderContract(SenderContract):
        @pytest.fixture
        def sender(self, …): …            # the adapter's Sender, talking to its fake platform
        @pytest.fixture
        def address(self): …              # a stored address of a person who can be reached
        def platform_refuses(self, kind, …): …   # make the fake answer like that next time
        def delivered(self) -> list[str]: …      # the texts the fake platform received

`kind` is one of "rate_limited" (with `retry_after` seconds), "unreachable" (the person
blocked or left), "server_error" (5xx).

A sender that declares `accepts_delivery_key` also keeps the delivery-key contract
(bot/ports.py): a send marked `possibly_delivered` whose key already arrived shows
nothing new and returns `AlreadyDelivered`; a first attempt does not look on the platform
(`lookups()`: how often the fake platform was asked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.ports import AlreadyDelivered, RetryLater, Sender, Unreachable
from conversations.reply import Choice, Reply

FOLLOW_UP = Reply(
    "Hej Anna! Maria har läst din idé ”Tryggare tunnlar” & vill prova den i Väster.",
    choices=(Choice("satisfaction:5", "Mycket nöjd"),),
)


class SenderContract:
    platform: str

    def platform_refuses(self, kind: str, *, retry_after: float | None = None) -> None:
        raise NotImplementedError

    def delivered(self) -> list[str]:
        raise NotImplementedError

    def lookups(self) -> int:
        raise NotImplementedError

    def test_is_a_sender_for_its_platform(self, sender: Any) -> None:
        checked: Sender = sender
        assert checked.platform == self.platform

    async def test_delivers_the_reply_to_the_person(self, sender: Any, address: dict) -> None:
        updated = await sender.send(address, [FOLLOW_UP])
        assert updated is None or isinstance(updated, dict)
        [text] = self.delivered()
        assert "Tryggare tunnlar" in text

    async def test_a_rate_limit_means_retry_later_after_what_the_platform_says(
        self, sender: Any, address: dict
    ) -> None:
        self.platform_refuses("rate_limited", retry_after=7)
        try:
            await sender.send(address, [FOLLOW_UP])
        except RetryLater as exc:
            assert exc.retry_after == 7
        else:
            raise AssertionError("a rate-limited send must raise RetryLater")

    async def test_a_person_who_cannot_be_reached_is_unreachable(
        self, sender: Any, address: dict
    ) -> None:
        self.platform_refuses("unreachable")
        try:
            await sender.send(address, [FOLLOW_UP])
        except Unreachable:
            pass
        else:
            raise AssertionError("must raise Unreachable")

    async def test_a_server_error_is_passing(self, sender: Any, address: dict) -> None:
        self.platform_refuses("server_error")
        try:
            await sender.send(address, [FOLLOW_UP])
        except RetryLater:
            pass
        else:
            raise AssertionError("a 5xx must raise RetryLater")

    async def test_a_possibly_delivered_send_that_arrived_is_not_shown_twice(
        self, sender: Any, address: dict
    ) -> None:
        if not getattr(sender, "accepts_delivery_key", False):
            pytest.skip("this sender takes no delivery key: bot/dispatcher.py says what holds")
        since = datetime.now(UTC) - timedelta(minutes=1)
        first = await sender.send(
            address, [FOLLOW_UP], delivery_key="contract:1", possibly_delivered=False, since=since
        )
        assert self.lookups() == 0
        again = await sender.send(
            {**address, **(first or {})},
            [FOLLOW_UP],
            delivery_key="contract:1",
            possibly_delivered=True,
            since=since,
        )
        assert isinstance(again, AlreadyDelivered)
        assert len(self.delivered()) == 1
        assert self.lookups() >= 1
