"""The figures `/metrics` reports about the shared database: ideas per stage, outbox rows by
status and kind (reminders are outbox kinds). Grouped counts over indexed columns, run in a
read-only transaction (Database.read) so a scrape never takes the writer's place."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from storage.database import Database
from storage.models import Idea, OutboxMessage


@dataclass(frozen=True)
class DatabaseCounts:
    stages: dict[str, int] = field(default_factory=dict)
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)


async def database_counts(database: Database) -> DatabaseCounts:
    async with database.read() as session:
        stages = await session.execute(select(Idea.stage, func.count()).group_by(Idea.stage))
        outbox = await session.execute(
            select(OutboxMessage.status, OutboxMessage.kind, func.count()).group_by(
                OutboxMessage.status, OutboxMessage.kind
            )
        )
        return DatabaseCounts(
            stages={stage: n for stage, n in stages.all()},
            outbox={(status, kind): n for status, kind, n in outbox.all()},
        )
