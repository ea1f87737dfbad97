"""Withdrawing the messages of an undone move: only what has surely not gone out, in one
conditional statement, so that a dispatcher claiming a row at the same moment wins cleanly."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from storage.delivery import claim_due
from storage.models import OutboxMessage
from storage.outbox import enqueue, outbox_counts, remove_contents_before, withdraw_unsent
from storage.people import upsert_person

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


async def _queue(session, *keys: str) -> int:
    person = await upsert_person(
        session, "slack", "U1", now=NOW, display_name="Anna", address={"channel": "D1"}
    )
    for key in keys:
        await enqueue(
            session, dedupe_key=key, recipient_id=person.id, kind="stage",
            payload={"replies": [{"text": key}]}, now=NOW,
        )  # fmt: skip
    return person.id


async def _statuses(session) -> dict[str, str]:
    rows = await session.execute(select(OutboxMessage.dedupe_key, OutboxMessage.status))
    return dict(rows.tuples().all())


async def test_only_what_surely_has_not_gone_out_is_withdrawn(db) -> None:
    async with db.transaction() as session:
        await _queue(session, "waiting", "sent", "held", "tried", "failed", "lease-over")
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.dedupe_key == "sent").values(status="sent")
        )
        await session.execute(  # a dispatcher holds it right now
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == "held")
            .values(attempts=1, claimed_until=NOW + timedelta(minutes=5), claim_token="t")
        )
        await session.execute(  # tried once and backing off: it may have got through
            update(OutboxMessage).where(OutboxMessage.dedupe_key == "tried").values(attempts=1)
        )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == "failed")
            .values(status="failed", attempts=5)
        )
        await session.execute(  # a lease that ran out, never tried: nobody holds it
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == "lease-over")
            .values(claimed_until=NOW - timedelta(minutes=1))
        )
    async with db.transaction() as session:
        outcome = await withdraw_unsent(
            session,
            ["waiting", "sent", "held", "tried", "failed", "lease-over", "never-queued"],
            now=NOW,
        )
        assert outcome == {
            "waiting": True, "sent": False, "held": False, "tried": False, "failed": True,
            "lease-over": True,
        }  # fmt: skip
    async with db.transaction() as session:
        assert await _statuses(session) == {
            "waiting": "withdrawn", "sent": "sent", "held": "pending", "tried": "pending",
            "failed": "withdrawn", "lease-over": "withdrawn",
        }  # fmt: skip
        row = (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == "waiting")
            )
        ).scalar_one()
        assert row.payload == {} and row.content_removed_at == NOW
        counts = await outbox_counts(session)
        assert counts == {"pending": 2, "sent": 1, "failed": 0, "withdrawn": 3}
        # Retention has nothing left to empty in a withdrawn row.
        assert await remove_contents_before(session, NOW + timedelta(days=365), now=NOW) == 1


async def test_a_withdrawn_row_is_never_claimed_and_holds_nothing_back(db) -> None:
    async with db.transaction() as session:
        await _queue(session, "first", "second")
    async with db.transaction() as session:
        assert await withdraw_unsent(session, ["first"], now=NOW) == {"first": True}
    async with db.transaction() as session:
        claimed = await claim_due(
            session, now=NOW, platforms=["slack"], token="t", lease=timedelta(minutes=5),
            limit=10,
        )  # fmt: skip
        assert [row.dedupe_key for row in claimed] == ["second"]
    async with db.transaction() as session:  # and once claimed, it is not withdrawn
        assert await withdraw_unsent(session, ["second"], now=NOW) == {"second": False}
