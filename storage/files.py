"""Files waiting for their person (an export, their own data): kept with the turn that made
them, read once by the platform that delivers them, emptied as soon as they are delivered,
and deleted when they expire or the person is erased.

The token is the file's secret, single-use name: an adapter reads a file only by its token
and only for the person it was made for.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import rowcount
from storage.models import StoredFile

# token_urlsafe(32): 43 characters from 256 random bits (the column holds 64).
TOKEN_BYTES = 32


async def keep_file(
    session: AsyncSession,
    *,
    person_id: int,
    name: str,
    media_type: str,
    purpose: str,
    data: bytes,
    now: datetime,
    expires_at: datetime,
) -> StoredFile:
    """Keep `data` for the person until `expires_at`, under a new secret token."""
    stored = StoredFile(
        token=secrets.token_urlsafe(TOKEN_BYTES),
        person_id=person_id,
        name=name[:255],
        media_type=media_type[:100],
        purpose=purpose[:32],
        data=data,
        created_at=now,
        expires_at=expires_at,
        delivered_at=None,
    )
    session.add(stored)
    await session.flush()
    return stored


async def file_for_delivery(
    session: AsyncSession, token: str, *, person_id: int, lock: bool = True
) -> StoredFile | None:
    """The file with this token, if it was made for this person (anyone else's token finds
    nothing). Delivered or expired files are found too, so the caller can say which;
    `lock` holds the row until the commit, so two deliveries of one file do not overlap."""
    query = select(StoredFile).where(StoredFile.token == token, StoredFile.person_id == person_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


def mark_delivered(stored: StoredFile, *, now: datetime) -> None:
    """The person has the file: the bytes go, the record (until it expires) stays."""
    stored.delivered_at = now
    stored.data = None


def mark_declined(stored: StoredFile, *, now: datetime) -> None:
    """The person did not want the file: the bytes go, and the token works no more."""
    stored.data = None
    stored.expires_at = min(stored.expires_at, now)


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    """Delete every file whose time is up (delivered or not); returns how many."""
    result = await session.execute(delete(StoredFile).where(StoredFile.expires_at <= now))
    return rowcount(result) or 0


async def drop_files_of(session: AsyncSession, person_id: int) -> int:
    """Delete every file kept for this person (erasure); returns how many."""
    result = await session.execute(delete(StoredFile).where(StoredFile.person_id == person_id))
    return rowcount(result) or 0
