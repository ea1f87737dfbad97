"""The SQL statements a piece of work sends, for tests that count round trips (not time)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from sqlalchemy import event

_VERB = re.compile(r"\s*(\w+)")
# The statement's own table: the first one named (a subquery's comes later).
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def kind_of(statement: str) -> str:
    """ "UPDATE dialogues", "SELECT persons", "BEGIN"."""
    verb_found = _VERB.match(statement)
    verb = verb_found.group(1).upper() if verb_found else ""
    table = _TABLE.search(statement)
    return f"{verb} {table.group(1).lower()}" if table and verb != "BEGIN" else verb


@contextlib.contextmanager
def statements(db) -> Iterator[list[str]]:
    """Each statement the database `db` is sent while the block runs, as `kind_of` names it."""
    sent: list[str] = []

    def record(conn, cursor, statement: str, *_) -> None:
        sent.append(kind_of(statement))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
