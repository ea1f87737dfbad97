"""The dispatcher's rate limiter keeps a queue per recipient only while it limits something:
a server that has written to 10,000 people does not hold 10,000 queues for ever."""

from __future__ import annotations

from bot.ports import RECIPIENT, TENANT, RateRule, Window
from bot.ratelimit import RateLimiter

LIMITS = {
    "slack": (
        RateRule(RECIPIENT, (Window(1, 1.0),)),
        RateRule(TENANT, (Window(100, 60.0),)),
    )
}


async def _never_sleeps(seconds: float) -> None:
    raise AssertionError(f"the limiter waited {seconds} s")


async def test_recipients_quiet_for_a_window_are_forgotten() -> None:
    now = [0.0]
    limiter = RateLimiter(LIMITS, now=lambda: now[0], sleep=_never_sleeps)
    for n in range(10_000):
        now[0] = n * 0.001  # 10,000 recipients within ten seconds, one message each
        await limiter.acquire("slack", f"D{n}", tenant=f"T{n % 100}")
    assert limiter.tracked() == 10_000 + 100
    now[0] = 70.0  # more than the longest window later
    await limiter.acquire("slack", "D1", tenant="T1")
    assert limiter.tracked() == 2  # D1's queue and T1's


async def test_a_forgotten_recipient_is_still_limited() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(LIMITS, now=lambda: now[0], sleep=sleep)
    await limiter.acquire("slack", "D1")
    now[0] = 120.0
    await limiter.acquire("slack", "D1")  # forgotten and counted again
    await limiter.acquire("slack", "D1")  # 1 per second: this one waits
    assert len(waits) == 1 and 1.0 <= waits[0] < 1.1
