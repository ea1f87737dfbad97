"""The figures `/metrics` reports about the shared database: ideas per stage, outbox rows by
status and kind (reminders are outbox kinds). Grouped counts over indexed columns, run in a
read-only transaction (Database.read) so a scrape never takes the writer's place."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from storage.database import Database
from storage.models import Idea
from storage.outbox import outbox_counts_by_kind


@dataclass(frozen=True)
class DatabaseCounts:
    stages: dict[str, int] = field(default_factory=dict)
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)


async def database_counts(database: Database) -> DatabaseCounts:
    async with database.read() as session:
        stages = await session.execute(select(Idea.stage, func.count()).group_by(Idea.stage))
        return DatabaseCounts(
            stages={stage: n for stage, n in stages.all()},
            outbox=await outbox_counts_by_kind(session),
        )
