"""Ideas change hands: `coordinator remove` asks to whom (or spreads them) and tells each
giver who has their idea now; a stale "Ta 1" in a digest asks before it takes an idea from a
colleague; admins may act on ideas; a coordinator who is gone is noticed at once."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from bot.app import IdeaBot
from bot.away import notice_gone, start_due_absences
from bot.commands.handlers import ASSIGN_BUTTON
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.ports import Unreachable
from storage.models import CoordinatorNews, Idea, IdeaEvent, Person
from storage.people import find_person, upsert_person
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat
from tests.fakes.senders import FakeSender


def _settings(database_url: str, coordinators: set[str]) -> Settings:
    return Settings(
        database_url=database_url,
        coordinators=frozenset(coordinators),
        admins=frozenset({"console:boss"}),
    )


@pytest.fixture
def office(db, clock, database_url) -> IdeaBot:
    """Maria is a coordinator from the settings, Boss an admin."""
    return IdeaBot(db, settings=_settings(database_url, {"console:maria"}), clock=clock)


@pytest.fixture
async def people(office) -> dict[str, Chat]:
    """Boss added Per and Lisa as coordinators; Anna's ideas 1 and 2 are Per's."""
    chats = {
        name.lower(): Chat(office, user=name.lower(), name=name)
        for name in ("Maria", "Per", "Lisa", "Anna", "Boss")
    }
    for name in ("maria", "per", "lisa"):
        await chats[name].says("hej")
    await chats["boss"].says("coordinator add @per")
    await chats["boss"].says("coordinator add @lisa")
    assert await submit_idea(chats["anna"], "Tryggare tunnlar") == 1
    assert await submit_idea(chats["anna"], "Lånecyklar") == 2
    await chats["per"].says("tilldela 1 mig")
    await chats["per"].says("tilldela 2 mig")
    for chat in chats.values():
        await chat.receives()
    return chats


async def _assignees(bot: IdeaBot) -> dict[int, str | None]:
    async with bot.db.transaction() as session:
        ideas = (await session.execute(select(Idea).order_by(Idea.id))).scalars().all()
        out = {}
        for idea in ideas:
            person = await session.get(Person, idea.assignee_id) if idea.assignee_id else None
            out[idea.id] = person.platform_user_id if person else None
        return out


async def _coordinators(boss: Chat) -> str:
    await boss.says("coordinator list")
    return boss.transcript()


async def test_removing_a_coordinator_asks_to_whom_and_tells_the_givers(office, people) -> None:
    boss, anna = people["boss"], people["anna"]
    await boss.says("coordinator remove @per")
    boss.hears(
        "Per har 2 öppna idéer. Vem ska ta över dem? Jag tar inte bort Per förrän du har valt."
    )
    assert set(boss.buttons()) == {"Till Maria", "Till Lisa", "Fördela dem", "Avbryt"}
    assert "console:per" in await _coordinators(boss)  # nothing yet
    await boss.says("coordinator remove @per")
    await boss.clicks("Till Maria")
    boss.hears(
        "Klart: Per är inte längre idéslussare. De 2 öppna idéerna har nu: Maria 2 idéer.",
        "2 idégivare har fått veta vem som har hand om deras idé nu.",
    )
    assert await _assignees(office) == {1: "maria", 2: "maria"}
    assert "console:per" not in await _coordinators(boss)
    await anna.receives()
    anna.hears(
        "Hej Anna! Nu har Maria hand om din idé ”Tryggare tunnlar” (nummer 1). Skriv till mig "
        "om du undrar något, så når det Maria.",
        "Nu har Maria hand om din idé ”Lånecyklar” (nummer 2).",
    )
    async with office.db.transaction() as session:
        event = (
            (
                await session.execute(
                    select(IdeaEvent)
                    .where(IdeaEvent.kind == "assigned")
                    .order_by(IdeaEvent.id.desc())
                )
            )
            .scalars()
            .first()
        )
        per = await find_person(session, "console:per")
        assert event.data["handover_from"] == per.id
        news = (await session.execute(select(CoordinatorNews))).scalars().all()
        assert {(n.kind, n.idea_id) for n in news} == {
            ("new_idea", 1), ("new_idea", 2), ("handover", 1), ("handover", 2)
        }  # fmt: skip
        handed = [n.data for n in news if n.kind == "handover"]
        boss_id = (await find_person(session, "console:boss")).id
        # By id: no names copied into the news (the digest reads them when it is written).
        assert handed == [{"from_id": per.id, "actor_id": boss_id}] * 2
    # The history says it, and so does Maria's digest.
    await people["maria"].says("visa 1")
    people["maria"].hears("Boss: gav idén till Maria")
    await run_sweep(office)
    said = await people["maria"].receives()
    assert "1 ”Tryggare tunnlar” – ny idé från Anna (" in said
    assert "Boss lämnade över den till dig, från Per" in said


async def test_spread_them_over_the_others(office, people) -> None:
    boss = people["boss"]
    await boss.says("coordinator remove @per")
    await boss.clicks("Fördela dem")
    boss.hears("De 2 öppna idéerna har nu: Maria 1 idé, Lisa 1 idé.")
    assert sorted((await _assignees(office)).values()) == ["lisa", "maria"]


async def test_typed_hand_over_in_one_step(office, people) -> None:
    boss = people["boss"]
    await boss.says("coordinator remove @per till @lisa")
    boss.hears("Klart: Per är inte längre idéslussare. De 2 öppna idéerna har nu: Lisa 2 idéer.")
    assert await _assignees(office) == {1: "lisa", 2: "lisa"}
    await boss.says("coordinator remove @lisa spread")
    boss.hears("Maria 2 idéer")


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("coordinator remove @per till @anna", "console:anna är inte idéslussare"),
        ("coordinator remove @per till @per", "Idéerna kan inte lämnas till Per"),
        ("coordinator remove @per till", "Skriv vem idéerna ska gå till"),
        ("coordinator remove @per kanske", "Skriv vem idéerna ska gå till"),
    ],
)
async def test_hand_over_mistakes_change_nothing(office, people, said, answer) -> None:
    boss = people["boss"]
    await boss.says(said)
    boss.hears(answer)
    assert await _assignees(office) == {1: "per", 2: "per"}
    assert "console:per" in await _coordinators(boss)
    assert await people["anna"].receives() == ""


async def test_a_coordinator_without_ideas_is_removed_at_once(office, people) -> None:
    boss = people["boss"]
    await boss.says("coordinator remove @lisa")
    boss.hears("console:lisa")
    assert not boss.buttons()
    assert "console:lisa" not in await _coordinators(boss)


async def test_cancel_the_hand_over_and_nothing_happens(office, people) -> None:
    boss = people["boss"]
    await boss.says("coordinator remove @per")
    await boss.clicks("Avbryt")
    assert await _assignees(office) == {1: "per", 2: "per"}
    assert "console:per" in await _coordinators(boss)


# ── a stale "Ta 1" ─────────────────────────────────────────────────────────────────────


@pytest.fixture
def two(db, clock, database_url) -> IdeaBot:
    return IdeaBot(
        db, settings=_settings(database_url, {"console:maria", "console:per"}), clock=clock
    )


async def test_a_stale_assign_button_asks_and_names_who_has_it(two) -> None:
    maria, per = Chat(two, user="maria", name="Maria"), Chat(two, user="per", name="Per")
    anna = Chat(two, user="anna", name="Anna Andersson")
    await maria.says("hej")
    await per.says("hej")
    await submit_idea(anna, "Tryggare tunnlar")
    await run_sweep(two)  # each hears of the new idea in their digest
    await per.receives()
    await per.clicks("Ta 1")
    per.hears("Klart: Per tar hand om idé 1")
    await maria.receives()  # her digest, with the same button, now stale
    await maria.clicks("Ta 1")
    maria.hears("Idé 1 ”Tryggare tunnlar” har redan Per. Vill du ta över den?")
    assert maria.buttons() == ["Ja, ta över", "Nej"]
    await maria.clicks("Nej")
    async with two.db.transaction() as session:
        assert (await session.get(Idea, 1)).assignee_id == (
            await find_person(session, "console:per")
        ).id
    await anna.receives()
    await maria.clicks_value(ASSIGN_BUTTON.value(1, "me"))
    await maria.clicks("Ja, ta över")
    maria.hears(
        "Klart: Maria tar hand om idé 1 ”Tryggare tunnlar”.", "Den hade Per, som får veta det"
    )
    await per.receives()
    per.hears("Hej Per! Maria har tagit över idé 1 ”Tryggare tunnlar” från dig.")
    await anna.receives()
    anna.hears("Hej Anna! Nu har Maria hand om din idé ”Tryggare tunnlar” (nummer 1).")
    # Typed, it is taken at once, and says from whom.
    await per.says("tilldela 1 mig")
    per.hears("Klart: Per tar hand om idé 1", "Den hade Maria")


async def test_the_first_assignment_is_no_news_to_the_giver(two) -> None:
    maria, anna = Chat(two, user="maria", name="Maria"), Chat(two, user="anna", name="Anna")
    await submit_idea(anna, "Tryggare tunnlar")
    await anna.receives()
    await run_sweep(two)
    await maria.receives()
    await maria.clicks("Ta 1")
    maria.hears("Klart: Maria tar hand om idé 1")
    maria.does_not_hear("Den hade")
    assert await anna.receives() == ""


# ── admins act on what they are told about ───────────────────────────────────────────────


async def test_an_admin_sees_and_acts_on_any_idea(office, people) -> None:
    boss = people["boss"]
    await boss.says("visa 2")
    boss.hears("Idé 2", "Lånecyklar", "Per")
    boss.does_not_hear("Jag hittar ingen idé")
    await boss.says("lista")
    boss.hears("Tryggare tunnlar", "Lånecyklar")
    await boss.says("tilldela 2 @lisa")
    boss.hears("Klart: Lisa tar hand om idé 2", "Den hade Per")
    assert (await _assignees(office))[2] == "lisa"


async def test_an_idea_giver_still_sees_only_their_own(office, people) -> None:
    lena = Chat(office, user="lena", name="Lena")
    await lena.says("visa 1")
    lena.hears("Jag hittar ingen idé med nummer 1 bland dina idéer.")


# ── a coordinator who is gone ───────────────────────────────────────────────────────────


async def test_a_coordinator_taken_off_the_settings_list_is_noticed(
    db, clock, database_url
) -> None:
    before = IdeaBot(
        db, settings=_settings(database_url, {"console:maria", "console:per"}), clock=clock
    )
    maria, per = Chat(before, user="maria", name="Maria"), Chat(before, user="per", name="Per")
    anna = Chat(before, user="anna", name="Anna")
    await maria.says("hej")
    await submit_idea(anna, "Tryggare tunnlar")
    await per.says("tilldela 1 mig")
    after = IdeaBot(db, settings=_settings(database_url, {"console:maria"}), clock=clock)
    async with db.transaction() as session:
        await start_due_absences(session, after.settings, clock.now())
    async with db.transaction() as session:  # noticed once
        assert await notice_gone(session, after.settings, clock.now()) == 0
        maria_id = (await find_person(session, "console:maria")).id
        news = (
            await session.execute(select(CoordinatorNews).where(CoordinatorNews.kind == "gone"))
        ).scalars()
        per_id = (await find_person(session, "console:per")).id
        assert [(n.recipient_id, n.idea_id, n.data) for n in news] == [
            (maria_id, 1, {"person_id": per_id, "why": "removed"})
        ]
    maria_after = Chat(after, user="maria", name="Maria")
    await maria_after.says("visa 1")
    maria_after.hears("Per är inte längre idéslussare – idén behöver en ny")
    await run_sweep(after)
    said = await maria_after.receives()
    assert "1 ”Tryggare tunnlar” – Per är inte längre idéslussare – idén behöver någon ny" in said
    assert maria_after.buttons() == ["Visa 1", "Ta 1", "Pausa 1"]
    await maria_after.clicks("Ta 1")  # Per is gone: nobody to ask for
    maria_after.hears("Klart: Maria tar hand om idé 1", "Den hade Per")


async def test_a_coordinator_who_cannot_be_reached_is_noticed_at_once(
    db, clock, database_url
) -> None:
    bot = IdeaBot(db, settings=_settings(database_url, {"console:maria", "fake:per"}), clock=clock)
    maria, anna = Chat(bot, user="maria", name="Maria"), Chat(bot, user="anna", name="Anna")
    await maria.says("hej")
    await submit_idea(anna, "Tryggare tunnlar")
    async with db.transaction() as session:  # Per works in another platform
        await upsert_person(session, "fake", "per", now=clock.now(), display_name="Per",
                                  address={"user": "per"})  # fmt: skip
    await maria.says("tilldela 1 fake:per")
    maria.hears("Klart: Per tar hand om idé 1")
    await run_sweep(bot)  # Per's digest: idea 1 is his now
    # Per has left: his platform says he cannot be reached.
    sender = FakeSender(now=clock.now, script=[Unreachable("403 blocked")])
    dispatcher = Dispatcher(db, [sender], clock=clock, settings=bot.settings, rng=random.Random(1))
    await dispatcher.run_until_idle()
    async with db.transaction() as session:
        assert (await find_person(session, "fake:per")).reachable is False
        maria_id = (await find_person(session, "console:maria")).id
        news = (
            await session.execute(select(CoordinatorNews).where(CoordinatorNews.kind == "gone"))
        ).scalars()
        per_id = (await find_person(session, "fake:per")).id
        assert [(n.recipient_id, n.idea_id, n.data) for n in news] == [
            (maria_id, 1, {"person_id": per_id, "why": "unreachable"})
        ]
        gone = await session.scalar(
            select(func.count()).select_from(IdeaEvent).where(IdeaEvent.kind == "gone")
        )
        assert gone == 1
    await maria.says("visa 1")
    maria.hears("Per nås inte längre – idén behöver en ny idéslussare")
    bot.clock.advance(days=1)
    await run_sweep(bot)
    assert "1 ”Tryggare tunnlar” – Per nås inte längre – idén behöver någon ny" in (
        await maria.receives()
    )
