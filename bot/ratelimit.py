"""Sliding-window rate limits per platform, so the dispatcher never sends faster than a
platform allows: the limits each platform declares (`Platform.rate_limits`, the numbers
from the platforms' docs).

A limit is a set of windows ("7 in 1 s, 8 in 2 s, 60 in 30 s") applied either per recipient
(one DM conversation or channel) or per platform tenant (a Teams tenant, a Slack workspace).
Time comes from injected functions, so tests move a fake clock instead of sleeping.

The limits hold within one dispatcher process. With several replicas, give each a share of
the limit; whatever slips through is answered 429 by the platform and retried after
Retry-After by the dispatcher.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Mapping

from bot import platforms
from bot.ports import RECIPIENT, RateRule, Window


def tenant_of(address: Mapping[str, object] | None) -> str:
    """The tenant/workspace an address belongs to, as far as the address tells."""
    if not address:
        return "*"
    for key in ("tenant_id", "tenantId", "team_id"):
        if address.get(key):
            return str(address[key])
    conversation = address.get("conversation")
    if isinstance(conversation, Mapping) and conversation.get("tenantId"):
        return str(conversation["tenantId"])
    return "*"


class RateLimiter:
    def __init__(
        self,
        limits: Mapping[str, tuple[RateRule, ...]] | None = None,
        *,
        now: Callable[[], float],
        sleep: Callable[[float], Awaitable[object]],
        margin: float = 0.01,
    ) -> None:
        self.limits = platforms.rate_limits() if limits is None else limits
        self._now = now
        self._sleep = sleep
        # A little slack so that the platform's clock never counts one send too many.
        self.margin = margin
        self._sent: dict[tuple[str, str, str, Window], deque[float]] = {}
        self.waited = 0.0
        # The longest window of any limit: a queue with nothing sent in it limits nothing.
        self._longest = max(
            (w.seconds for rules in self.limits.values() for r in rules for w in r.windows),
            default=0.0,
        )
        self._swept = self._now()

    def tracked(self) -> int:
        return len(self._sent)

    def _forget_idle(self, now: float) -> None:
        """Drop the queues of recipients nothing was sent to within their window, at most
        once per longest window: memory follows the recipients of the last minute or so,
        not everyone this process ever wrote to."""
        if now - self._swept < self._longest:
            return
        self._swept = now
        for key in [
            k for k, sent in self._sent.items() if not sent or sent[-1] <= now - k[3].seconds
        ]:
            del self._sent[key]

    def _queues(
        self, platform: str, recipient: str, tenant: str
    ) -> list[tuple[deque[float], Window]]:
        queues = []
        for rule in self.limits.get(platform, ()):
            key = recipient if rule.scope == RECIPIENT else tenant
            for window in rule.windows:
                queue = self._sent.get((platform, rule.scope, key, window))
                if queue is None:
                    queue = self._sent[(platform, rule.scope, key, window)] = deque(
                        maxlen=window.count
                    )
                queues.append((queue, window))
        return queues

    def earliest(self, platform: str, recipient: str, tenant: str) -> float:
        """When the next message to this recipient may go out."""
        moment = self._now()
        for queue, window in self._queues(platform, recipient, tenant):
            if len(queue) == window.count:
                moment = max(moment, queue[0] + window.seconds + self.margin)
        return moment

    async def acquire(self, platform: str, recipient: str, tenant: str = "*") -> None:
        """Wait until a message may go out, and count it as sent."""
        while True:
            ready = self.earliest(platform, recipient, tenant)
            now = self._now()
            if ready <= now:
                self._forget_idle(now)
                # No await between the check and the record: other tasks cannot slip in.
                for queue, _ in self._queues(platform, recipient, tenant):
                    queue.append(now)
                return
            self.waited += ready - now
            await self._sleep(ready - now)
