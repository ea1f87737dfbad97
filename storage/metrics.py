"""The figures `/metrics` reports about the shared database: ideas per stage (the stats
summary's all-time rows, storage/summary.py), outbox rows by status and kind (reminders are
outbox kinds). Run in a read-only transaction (Database.read: a deferred BEGIN on SQLite,
never BEGIN IMMEDIATE) so a scrape never takes, nor waits for, the writer's place."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from storage import summary
from storage.database import Database
from storage.models import StatsSummary
from storage.outbox import outbox_counts_by_kind


@dataclass(frozen=True)
class DatabaseCounts:
    stages: dict[str, int] = field(default_factory=dict)
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)


async def database_counts(database: Database) -> DatabaseCounts:
    async with database.read() as session:
        stages = await session.execute(
            select(StatsSummary.label, StatsSummary.count).where(
                StatsSummary.bucket == summary.ALL_TIME,
                StatsSummary.figure == "stage",
                StatsSummary.count != 0,
            )
        )
        return DatabaseCounts(
            stages={stage: n for stage, n in stages.tuples()},
            outbox=await outbox_counts_by_kind(session),
        )
