"""Retention, run by the scheduled sweep: nothing personal is kept longer than it is useful.

- A dialogue draft nobody has touched for `draft_retention_days` (default 30) is deleted:
  the person left it, and the nudge about it went out long ago.
- An outbox message that was sent (or given up on) more than `outbox_retention_days`
  (default 90) ago loses its content; the delivery record (who, what kind, when, status)
  stays, for statistics and for answering "did they get the message?".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from storage.models import Dialogue, OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    drafts_deleted: int
    contents_removed: int


async def apply_retention(
    session: AsyncSession, now: datetime, settings: Settings
) -> RetentionReport:
    """Runs in the caller's transaction (the sweep's last one)."""
    drafts_before = now - timedelta(days=settings.draft_retention_days)
    content_before = now - timedelta(days=settings.outbox_retention_days)
    dialogues = Dialogue.__table__
    # Core statements, not the ORM: a deletion is no new version of the dialogue, and a
    # turn holding the old version simply finds it gone and starts afresh.
    drafts = await session.execute(delete(dialogues).where(dialogues.c.updated_at < drafts_before))
    contents = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status != "pending",
            OutboxMessage.content_removed_at.is_(None),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < content_before,
        )
        .values(payload={}, last_error=None, content_removed_at=now)
    )
    report = RetentionReport(drafts.rowcount or 0, contents.rowcount or 0)
    log.info(
        "retention",
        extra={
            "drafts_deleted": report.drafts_deleted,
            "contents_removed": report.contents_removed,
        },
    )
    return report
