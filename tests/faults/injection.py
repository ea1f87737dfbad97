"""Faults to inject into real components."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from storage.database import Database


class FailingAt:
    """The database, failing its `nth` transaction from now like a server that went away;
    every other transaction is real. For a dispatcher pass, 1 is the claim and 2 marks the
    row sent (after the platform took the message)."""

    def __init__(self, database: Database, nth: int) -> None:
        self._database = database
        self._left = nth

    def __getattr__(self, name: str):
        return getattr(self._database, name)

    def transaction(self):
        self._left -= 1
        if self._left == 0:
            raise OperationalError(
                "UPDATE outbox SET status=…", {}, ConnectionResetError("server closed")
            )
        return self._database.transaction()
