"""A per-person limit on turns: a runaway client or a person pasting in a loop cannot keep
the bot (and the database) busy for everyone else.

Kept in this process's memory, on purpose: it costs no database write per turn, and with
several replicas behind a load balancer the effective limit is at most `replicas × limit`,
which still bounds the damage. (A shared limit would need a write per turn to a shared store;
the limit is a safety net, not a quota, so that price is not worth paying.)
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)
# Beyond this many people tracked at once, forget those with no recent turns at once.
MAX_TRACKED = 50_000


class TurnLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._turns: dict[str, deque[datetime]] = {}
        self._told: dict[str, datetime] = {}
        self._swept: datetime | None = None

    def tracked(self) -> int:
        return len(self._turns)

    def check(self, key: str, now: datetime) -> str:
        """ "ok" to go on, "tell" to say once that it is too much, "quiet" for the turns after
        that within the same minute (answering each would itself be a flood)."""
        # Once a minute, forget whoever has had no turn for a minute: memory follows the
        # people talking now, not everyone who ever wrote to this process.
        if self._swept is None or now - self._swept >= WINDOW:
            self._forget_idle(now)
        turns = self._turns.get(key)
        if turns is None:
            if len(self._turns) >= MAX_TRACKED:
                self._forget_idle(now)
            turns = self._turns[key] = deque()
        while turns and now - turns[0] >= WINDOW:
            turns.popleft()
        if len(turns) < self.per_minute:
            turns.append(now)
            return "ok"
        told = self._told.get(key)
        if told is not None and now - told < WINDOW:
            return "quiet"
        self._told[key] = now
        return "tell"

    def _forget_idle(self, now: datetime) -> None:
        self._swept = now
        for key in [
            k for k, turns in self._turns.items() if not turns or now - turns[-1] >= WINDOW
        ]:
            del self._turns[key]
            self._told.pop(key, None)
