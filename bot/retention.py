"""Retention, run by the scheduled sweep: nothing personal is kept longer than it is useful.

- A dialogue draft nobody has touched for `draft_retention_days` (default 30) is deleted:
  the person left it, and the nudge about it went out long ago.
- An outbox message that was sent (or given up on) more than `outbox_retention_days`
  (default 90) ago loses its content; the delivery record (who, what kind, when, status)
  stays, for statistics and for answering "did they get the message?".
- A file kept for a person (bot/files.py) is deleted once its time is up (a day), whether
  it was delivered (its bytes went then) or not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from storage.dialogues import delete_drafts_untouched_since
from storage.files import purge_expired
from storage.outbox import remove_contents_before

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    drafts_deleted: int
    contents_removed: int
    files_purged: int = 0


async def apply_retention(
    session: AsyncSession, now: datetime, settings: Settings
) -> RetentionReport:
    """Runs in the caller's transaction (the sweep's last one)."""
    drafts_before = now - timedelta(days=settings.draft_retention_days)
    content_before = now - timedelta(days=settings.outbox_retention_days)
    report = RetentionReport(
        await delete_drafts_untouched_since(session, drafts_before),
        await remove_contents_before(session, content_before, now=now),
        await purge_expired(session, now),
    )
    log.info(
        "retention",
        extra={
            "drafts_deleted": report.drafts_deleted,
            "contents_removed": report.contents_removed,
            "files_purged": report.files_purged,
        },
    )
    return report
