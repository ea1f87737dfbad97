"""Delivery ids already handled: claimed once, forgotten after the retry window."""

from __future__ import annotations

from datetime import timedelta

from storage.processed import claim_event, forget_events_before


async def test_an_event_is_claimed_once_until_forgotten(db, clock) -> None:
    now = clock.now()
    async with db.transaction() as session:
        assert await claim_event(session, "slack:Ev1", now=now)
        assert not await claim_event(session, "slack:Ev1", now=now)
        assert await claim_event(session, "msteams:Ev1", now=now)
    async with db.transaction() as session:
        assert await forget_events_before(session, now + timedelta(hours=1)) == 2
        assert await claim_event(session, "slack:Ev1", now=now)


async def test_a_claim_rolled_back_with_its_turn_is_not_kept(db, clock) -> None:
    try:
        async with db.transaction() as session:
            assert await claim_event(session, "slack:Ev2", now=clock.now())
            raise RuntimeError("the turn failed")
    except RuntimeError:
        pass
    async with db.transaction() as session:
        assert await claim_event(session, "slack:Ev2", now=clock.now())


async def test_what_is_said_once_stays_claimed_when_deliveries_are_forgotten(db, clock) -> None:
    from storage.processed import claim_once

    now = clock.now()
    async with db.transaction() as session:
        assert await claim_once(session, "no_coordinator:7", now=now)
        assert await claim_event(session, "slack:Ev3", now=now)
    async with db.transaction() as session:
        assert await forget_events_before(session, now + timedelta(days=400)) == 1
        assert not await claim_once(session, "no_coordinator:7", now=now)
        assert await claim_once(session, "no_coordinator:8", now=now)
