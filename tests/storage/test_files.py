"""Files waiting for their person (storage/files.py): kept under a secret token, found only
by that token and for that person, emptied once delivered, gone when expired or erased."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage.files import (
    drop_files_of,
    file_for_delivery,
    keep_file,
    mark_declined,
    mark_delivered,
    purge_expired,
)
from storage.models import StoredFile
from storage.people import upsert_person


async def _people(session, now):
    anna = await upsert_person(session, "slack", "UANNA", now=now)
    erik = await upsert_person(session, "slack", "UERIK", now=now)
    return anna, erik


async def _keep(session, person, now, *, data=b"{}", hours=24):
    return await keep_file(
        session,
        person_id=person.id,
        name="mina-uppgifter-2026-06-15.json",
        media_type="application/json",
        purpose="personal_data",
        data=data,
        now=now,
        expires_at=now + timedelta(hours=hours),
    )


async def test_a_file_is_found_by_its_token_for_its_person_only(db, clock) -> None:
    now = clock.now()
    async with db.transaction() as session:
        anna, erik = await _people(session, now)
        kept = await _keep(session, anna, now, data=b'{"name": "Anna"}')
        other = await _keep(session, anna, now)
        token = kept.token
    assert len(token) >= 40 and token != other.token  # secrets.token_urlsafe(32)
    async with db.transaction() as session:
        found = await file_for_delivery(session, token, person_id=anna.id)
        assert found is not None and found.data == b'{"name": "Anna"}'
        assert found.purpose == "personal_data" and found.delivered_at is None
        assert found.expires_at == now + timedelta(hours=24)
        # Erik holding Anna's token finds nothing; nor does a made-up token.
        assert await file_for_delivery(session, token, person_id=erik.id) is None
        assert await file_for_delivery(session, token[:-1] + "x", person_id=anna.id) is None


async def test_delivered_empties_the_bytes_and_keeps_the_record(db, clock) -> None:
    now = clock.now()
    async with db.transaction() as session:
        anna, _ = await _people(session, now)
        token = (await _keep(session, anna, now, data=b"x" * 5000)).token
    async with db.transaction() as session:
        found = await file_for_delivery(session, token, person_id=anna.id)
        mark_delivered(found, now=now + timedelta(minutes=1))
    async with db.transaction() as session:
        found = await file_for_delivery(session, token, person_id=anna.id, lock=False)
        assert found.data is None and found.delivered_at == now + timedelta(minutes=1)


async def test_declined_ends_the_file_at_once(db, clock) -> None:
    now = clock.now()
    async with db.transaction() as session:
        anna, _ = await _people(session, now)
        token = (await _keep(session, anna, now)).token
    async with db.transaction() as session:
        mark_declined(await file_for_delivery(session, token, person_id=anna.id), now=now)
    async with db.transaction() as session:
        found = await file_for_delivery(session, token, person_id=anna.id)
        assert found.data is None and found.expires_at <= now and found.delivered_at is None
        assert await purge_expired(session, now) == 1


async def test_expired_files_are_purged_and_others_stay(db, clock) -> None:
    now = clock.now()
    async with db.transaction() as session:
        anna, _ = await _people(session, now)
        soon = (await _keep(session, anna, now, hours=1)).token
        later = (await _keep(session, anna, now, hours=48)).token
    async with db.transaction() as session:
        assert await purge_expired(session, now + timedelta(minutes=59)) == 0
        assert await purge_expired(session, now + timedelta(hours=1)) == 1
    async with db.transaction() as session:
        assert await file_for_delivery(session, soon, person_id=anna.id) is None
        assert await file_for_delivery(session, later, person_id=anna.id) is not None


async def test_erasure_drops_only_that_persons_files(db, clock) -> None:
    now = clock.now()
    async with db.transaction() as session:
        anna, erik = await _people(session, now)
        await _keep(session, anna, now)
        await _keep(session, anna, now)
        eriks = (await _keep(session, erik, now)).token
    async with db.transaction() as session:
        assert await drop_files_of(session, anna.id) == 2
    async with db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(StoredFile))).scalar() == 1
        assert await file_for_delivery(session, eriks, person_id=erik.id) is not None
