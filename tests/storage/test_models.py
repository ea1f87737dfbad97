"""Every model survives a round trip through SQLite and PostgreSQL unchanged: text in any
script, JSON, booleans, and timezone-aware UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from storage.coordinators import add_coordinator, added_coordinators, remove_coordinator
from storage.dialogues import delete_dialogue, load_dialogue, save_dialogue
from storage.ideas import add_event, create_idea
from storage.models import (
    Coordinator,
    Dialogue,
    Idea,
    IdeaEvent,
    Person,
    ProcessedEvent,
)
from storage.outbox import enqueue, pending_for
from storage.people import (
    ensure_email_people,
    ensure_people,
    find_person,
    first_name,
    person_in_turn,
    upsert_person,
)
from storage.privacy import erase_person
from tests.statements import statements

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
ADDRESS = {
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
    "conversation": {"id": "a:1xyz", "tenantId": "t-1"},
    "nested": [1, 2.5, None, True, "å"],
}
ANSWERS = {
    "title": "Cyklar 🚲 för 👩‍💻",
    "need": "Rad ett.\nRad två: مرحبا 你好",
    "idea": "Så här",
    "benefit": "Alla",
    "first_test": None,
    "involved": "Gatukontoret",
    "participate": True,
    "workplace": "Vård och omsorg",
}


async def make_person(session, user_id: str = "anna", **kwargs) -> Person:
    return await upsert_person(
        session,
        "msteams",
        user_id,
        now=NOW,
        display_name=kwargs.get("display_name", "Anna Andersson"),
        platform_locale="sv-SE",
        address=ADDRESS,
    )


async def test_person_round_trip(db) -> None:
    async with db.transaction() as session:
        person = await make_person(session)
        person.workplace = "Kultur och fritid"
        person.locale = "en"
    async with db.transaction() as session:
        stored = await find_person(session, "msteams:anna")
    assert stored.qualified_id == "msteams:anna"
    assert (stored.display_name, stored.locale, stored.platform_locale) == (
        "Anna Andersson",
        "en",
        "sv-SE",
    )
    assert stored.workplace == "Kultur och fritid"
    assert stored.address == ADDRESS
    assert stored.reachable is True
    assert stored.created_at == NOW and stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)  # always read back as UTC


async def test_upsert_person_updates_what_the_platform_says_and_keeps_the_rest(db) -> None:
    async with db.transaction() as session:
        person = await make_person(session)
        person.workplace = "Kultur och fritid"
        person.reachable = False
        person_id = person.id
    later = NOW + timedelta(days=3)
    new_address = {**ADDRESS, "serviceUrl": "https://smba.trafficmanager.net/new/"}
    async with db.transaction() as session:
        again = await upsert_person(
            session,
            "msteams",
            "anna",
            now=later,
            display_name="Anna A. Andersson",
            platform_locale=None,
            address=new_address,
            heard_from=True,
        )
    assert again.id == person_id
    async with db.transaction() as session:
        stored = await session.get(Person, person_id)
    assert stored.display_name == "Anna A. Andersson"
    assert stored.platform_locale == "sv-SE"  # not told otherwise: kept
    assert stored.address == new_address and stored.reachable is True
    assert stored.workplace == "Kultur och fritid"
    assert (stored.created_at, stored.updated_at) == (NOW, later)


async def test_a_message_makes_a_person_reachable_again_but_being_named_does_not(db) -> None:
    async with db.transaction() as session:
        person = await make_person(session)
        person.reachable = False
        person_id = person.id
    async with db.transaction() as session:
        # Named as an assignee or a coordinator to notify: nothing proves they unblocked us.
        named = await upsert_person(session, "msteams", "anna", now=NOW, lock=False)
        assert named.reachable is False
    async with db.transaction() as session:
        # They wrote again from the same chat: same address, yet reachable.
        spoke = await upsert_person(
            session, "msteams", "anna", now=NOW, address=ADDRESS, heard_from=True
        )
        assert spoke.reachable is True
    async with db.transaction() as session:
        assert (await session.get(Person, person_id)).reachable is True


async def test_last_seen_is_kept_to_the_swedish_day_and_written_once_a_day(db) -> None:
    """Their first turn of a Swedish day writes "last seen"; later turns that day leave the
    row alone (a statement less per turn, and no more precision than the export shows)."""
    async with db.transaction() as session:
        person_id = (await make_person(session)).id
    moments = [
        NOW + timedelta(hours=1),  # 10:00 the same day: nothing written
        NOW.replace(hour=23, minute=59),  # still 15 June in Sweden (21:59 UTC)
        NOW.replace(hour=23, minute=59) + timedelta(minutes=2),  # 00:01 on 16 June
    ]
    seen = []
    for moment in moments:
        with statements(db) as sent:
            async with db.transaction() as session:
                await person_in_turn(
                    session, "msteams", "anna", now=moment, address=ADDRESS, heard_from=True
                )
        async with db.transaction() as session:
            written = sent.count("UPDATE persons")
            seen.append(((await session.get(Person, person_id)).updated_at, written))
    assert seen == [(NOW, 0), (NOW, 0), (moments[2], 1)]


async def test_people_only_named_get_a_row_each_in_two_statements(db) -> None:
    async with db.transaction() as session:
        await make_person(session, "known")
    with statements(db) as sent:
        async with db.transaction() as session:
            await ensure_people(session, ["msteams:known", "msteams:new", "slack:U9"], now=NOW)
            await ensure_people(session, ["msteams:known", "slack:U9"], now=NOW)  # all there
    assert [s for s in sent if s.split()[0] in ("SELECT", "INSERT")] == [
        "SELECT persons",
        "INSERT persons",
        "SELECT persons",
    ]
    async with db.transaction() as session:
        known = await find_person(session, "msteams:known")
        new = await find_person(session, "msteams:new")
        assert known.display_name == "Anna Andersson"  # untouched
        assert (new.display_name, new.reachable, new.created_at) == (None, True, NOW)
        assert await find_person(session, "slack:U9") is not None


async def test_people_known_by_address_get_a_row_once_and_are_left_alone_after(db) -> None:
    """Every submitted idea asks for the rows of coordinators named by address: once made,
    asking again writes nothing."""
    with statements(db) as first:
        async with db.transaction() as session:
            await ensure_email_people(session, ["per@orebro.se"], now=NOW)
    later = NOW + timedelta(days=1)
    with statements(db) as again:
        async with db.transaction() as session:
            await ensure_email_people(session, ["per@orebro.se"], now=later)
    assert "INSERT persons" in first
    assert [s for s in again if s.split()[0] in ("INSERT", "UPDATE")] == []
    async with db.transaction() as session:
        per = await find_person(session, "email:per@orebro.se")
        assert (per.email, per.email_checked_at, per.updated_at) == ("per@orebro.se", NOW, NOW)
        per.email = None  # as when a chat person took the address over
    async with db.transaction() as session:
        await ensure_email_people(session, ["per@orebro.se"], now=later)  # and has it no more
    async with db.transaction() as session:
        per = await find_person(session, "email:per@orebro.se")
        assert (per.email, per.updated_at) == ("per@orebro.se", later)


async def test_overlong_platform_names_are_cut_to_fit(db) -> None:
    async with db.transaction() as session:
        person = await upsert_person(
            session, "slack", "U1", now=NOW, display_name="N" * 500, platform_locale="x" * 40
        )
        person_id = person.id
    async with db.transaction() as session:
        stored = await session.get(Person, person_id)
    assert (len(stored.display_name), len(stored.platform_locale)) == (200, 16)


async def test_idea_and_event_round_trip(db) -> None:
    async with db.transaction() as session:
        person = await make_person(session)
        idea = await create_idea(
            session, person, ANSWERS, language="sv", stage="submitted", now=NOW
        )
        await add_event(
            session,
            idea,
            actor=None,
            kind="note",
            now=NOW + timedelta(minutes=5),
            text="Maria: bra idé",
            data={"visible": False, "tags": ["ljus", "trygghet"]},
        )
        idea_id, person_id = idea.id, person.id
    async with db.transaction() as session:
        stored = await session.get(Idea, idea_id)
        events = (await session.execute(select(IdeaEvent).order_by(IdeaEvent.id))).scalars().all()
    assert idea_id == 1
    assert (stored.title, stored.need, stored.description) == (
        ANSWERS["title"],
        ANSWERS["need"],
        "Så här",
    )
    assert (stored.first_test, stored.involved, stored.participate) == (
        None,
        "Gatukontoret",
        True,
    )
    assert (stored.workplace, stored.language, stored.stage) == (
        "Vård och omsorg",
        "sv",
        "submitted",
    )
    assert stored.person_id == person_id and stored.assignee_id is None
    assert stored.anonymous is False
    assert stored.submitted_at == NOW and stored.next_due_at is None
    assert [(e.kind, e.actor_id, e.to_stage, e.text, e.data) for e in events] == [
        ("submitted", person_id, "submitted", None, None),
        ("note", None, None, "Maria: bra idé", {"visible": False, "tags": ["ljus", "trygghet"]}),
    ]
    assert events[1].created_at == NOW + timedelta(minutes=5)


async def test_dialogue_round_trip_and_versions(db) -> None:
    async with db.transaction() as session:
        person = await make_person(session)
        dialogue = await save_dialogue(
            session,
            person.id,
            None,
            flow="intake",
            step="need",
            answers={"title": "Tunnlar 🚇", "participate": False, "first_test": None},
            context={"editing": True},
            now=NOW,
        )
        person_id = person.id
        assert dialogue.version == 1
    async with db.transaction() as session:
        stored = await load_dialogue(session, person_id)
        assert (stored.flow, stored.step, stored.version) == ("intake", "need", 1)
        assert stored.answers == {"title": "Tunnlar 🚇", "participate": False, "first_test": None}
        assert stored.context == {"editing": True}
        assert stored.started_at == stored.updated_at == NOW and stored.nudged_at is None
        stored.nudged_at = NOW + timedelta(days=5)
    async with db.transaction() as session:
        stored = await load_dialogue(session, person_id)
        later = NOW + timedelta(days=6)
        await save_dialogue(
            session,
            person_id,
            stored,
            flow="intake",
            step="idea",
            answers={**stored.answers, "need": "Mörkt"},
            context={},
            now=later,
        )
    async with db.transaction() as session:
        stored = await load_dialogue(session, person_id)
        assert (stored.step, stored.version, stored.updated_at) == ("idea", 3, later)
        assert stored.started_at == NOW and stored.nudged_at is None  # a turn clears the nudge
        assert stored.answers["need"] == "Mörkt" and stored.context == {}
        await delete_dialogue(session, stored)
    async with db.transaction() as session:
        assert await load_dialogue(session, person_id) is None


async def test_outbox_round_trip_and_dedupe(db) -> None:
    async with db.transaction() as session:
        person = await make_person(session)
        idea = await create_idea(
            session, person, ANSWERS, language="sv", stage="submitted", now=NOW
        )
        payload = {"replies": [{"text": "Hej Anna! 👋", "choices": []}]}
        first = await enqueue(
            session,
            dedupe_key=f"idea:{idea.id}:received",
            recipient_id=person.id,
            kind="notice",
            payload=payload,
            now=NOW,
            idea_id=idea.id,
        )
        again = await enqueue(
            session,
            dedupe_key=f"idea:{idea.id}:received",
            recipient_id=person.id,
            kind="notice",
            payload={"replies": []},
            now=NOW,
        )
        later = await enqueue(
            session,
            dedupe_key="reminder:1",
            recipient_id=person.id,
            kind="reminder",
            payload={},
            now=NOW,
            not_before=NOW + timedelta(days=7),
        )
        person_id = person.id
    assert (first, again, later) == (True, False, True)
    async with db.transaction() as session:
        pending = await pending_for(session, person_id)
    assert [(m.dedupe_key, m.kind, m.status, m.attempts) for m in pending] == [
        ("idea:1:received", "notice", "pending", 0),
        ("reminder:1", "reminder", "pending", 0),
    ]
    assert pending[0].payload == payload and pending[0].idea_id == 1
    assert pending[0].not_before == NOW and pending[1].not_before == NOW + timedelta(days=7)
    assert pending[0].sent_at is None and pending[0].last_error is None


async def test_coordinator_and_processed_event_round_trip(db) -> None:
    async with db.transaction() as session:
        session.add(
            Coordinator(qualified_id="slack:U024BE7LH", added_by="console:maria", created_at=NOW)
        )
        session.add(ProcessedEvent(key="slack:Ev0PV52K21", created_at=NOW))
    async with db.transaction() as session:
        coordinator = await session.get(Coordinator, "slack:U024BE7LH")
        processed = await session.get(ProcessedEvent, "slack:Ev0PV52K21")
    assert (coordinator.added_by, coordinator.created_at) == ("console:maria", NOW)
    assert processed.created_at == NOW


async def test_the_coordinators_read_once_in_a_transaction_follow_its_own_changes(
    db,
) -> None:
    """The table is read once per transaction (a submission asks three times); an addition,
    a removal or an erasure in that transaction is seen by the next read, and with one read
    between changes, not one per question."""
    async with db.transaction() as session:
        with statements(db) as sent:
            assert await added_coordinators(session) == []
            assert await added_coordinators(session) == []
        assert sent.count("SELECT coordinators") == 1
        await add_coordinator(session, "slack:UPER", added_by="console:boss", now=NOW)
        assert await added_coordinators(session) == ["slack:UPER"]
        await remove_coordinator(session, "slack:UPER")
        assert await added_coordinators(session) == []
    async with db.transaction() as session:
        await add_coordinator(session, "email:anna@kommun.example", added_by=None, now=NOW)
        anna = await upsert_person(session, "msteams", "anna", now=NOW)
        anna.email = "anna@kommun.example"
        assert await added_coordinators(session) == ["email:anna@kommun.example"]
        await erase_person(session, anna, now=NOW, pseudonym="Idégivare 1")  # and its entry
        assert await added_coordinators(session) == []


async def test_times_from_any_zone_come_back_as_the_same_moment_in_utc(db) -> None:
    tokyo = datetime(2026, 1, 1, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    async with db.transaction() as session:
        session.add(ProcessedEvent(key="k", created_at=tokyo))
    async with db.transaction() as session:
        stored = await session.get(ProcessedEvent, "k")
    assert stored.created_at == tokyo and stored.created_at.tzinfo == UTC


async def test_a_naive_time_is_refused(db) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.transaction() as session:
            session.add(ProcessedEvent(key="k", created_at=datetime(2026, 1, 1)))
    async with db.transaction() as session:
        assert await session.get(ProcessedEvent, "k") is None


def test_first_name() -> None:
    assert first_name("Anna Andersson") == "Anna"
    assert first_name("  Björn  ") == "Björn"
    assert first_name("") is None and first_name(None) is None and first_name("   ") is None


async def test_dialogue_rows_belong_to_existing_people(db) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            session.add(
                Dialogue(
                    person_id=999,
                    flow="intake",
                    step="title",
                    answers={},
                    context={},
                    started_at=NOW,
                    updated_at=NOW,
                )
            )
    async with db.transaction() as session:
        assert (await session.execute(select(Dialogue))).first() is None
