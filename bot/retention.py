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

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from storage.dialogues import delete_drafts_untouched_since
from storage.outbox import remove_contents_before

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
    report = RetentionReport(
        await delete_drafts_untouched_since(session, drafts_before),
        await remove_contents_before(session, content_before, now=now),
    )
    log.info(
        "retention",
        extra={
            "drafts_deleted": report.drafts_deleted,
            "contents_removed": report.contents_removed,
        },
    )
    return report
