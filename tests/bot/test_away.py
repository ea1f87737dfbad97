"""People are away: `borta till …` / `away until …`, a stand-in, `tillbaka`; the idea givers
are told who has their idea meanwhile, and nothing goes to the one who is away."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.app import IdeaBot
from bot.availability import answering_for
from bot.away import start_due_absences
from bot.config import Settings
from storage.models import Absence, Idea, OutboxMessage, Promise
from storage.people import find_person
from tests.bot.ideas import submit_idea
from tests.chat import Chat

SE = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def team_bot(db, clock, database_url) -> IdeaBot:
    """Maria, Per and Lisa are coordinators; Boss is an admin."""
    settings = Settings(
        database_url=database_url,
        coordinators=frozenset({"console:maria", "console:per", "console:lisa"}),
        admins=frozenset({"console:boss"}),
    )
    return IdeaBot(db, settings=settings, clock=clock)


@pytest.fixture
async def crew(team_bot) -> dict[str, Chat]:
    """Everyone has talked to the bot; Anna's idea 1 "Tryggare tunnlar" is Maria's."""
    chats = {
        name.lower(): Chat(team_bot, user=name.lower(), name=name)
        for name in ("Maria", "Per", "Lisa", "Anna", "Boss")
    }
    for name in ("maria", "per", "lisa"):
        await chats[name].says("hej")
    number = await submit_idea(chats["anna"], "Tryggare tunnlar")
    assert number == 1
    await chats["maria"].says("tilldela 1 mig")
    chats["maria"].hears("Klart: Maria tar hand om idé 1")
    for chat in chats.values():
        await chat.receives()
    return chats


async def _answering(bot: IdeaBot, idea_id: int = 1) -> list[str]:
    async with bot.db.transaction() as session:
        idea = await session.get(Idea, idea_id)
        people = await answering_for(session, bot.settings, idea, bot.clock.now())
        return sorted(p.platform_user_id for p in people)


async def _counts(bot: IdeaBot) -> tuple[int, int]:
    async with bot.db.transaction() as session:
        absences = await session.scalar(select(func.count()).select_from(Absence))
        outbox = await session.scalar(select(func.count()).select_from(OutboxMessage))
        return absences, outbox


async def test_away_with_a_stand_in_the_giver_is_told_and_the_stand_in_answers(
    team_bot, crew
) -> None:
    maria, anna = crew["maria"], crew["anna"]
    await maria.says("borta till 2026-08-10 ersättare @per")
    maria.hears(
        "Klart, Maria: du är borta till 10 augusti.",
        "Under tiden går nyheter om dina idéer till Per, och jag skickar inget till dig.",
        "1 idégivare får veta vem de kan vända sig till.",
        "Är du tillbaka tidigare, skriv: tillbaka",
    )
    await anna.receives()
    anna.hears(
        "Hej Anna! Maria är ledig till 10 augusti. Under tiden har Per hand om din idé "
        "”Tryggare tunnlar” – skriv till mig om du undrar något, så når det Per."
    )
    assert await _answering(team_bot) == ["per"]
    async with team_bot.db.transaction() as session:
        idea = await session.get(Idea, 1)
        assert idea.giver_heard_at == team_bot.clock.now()
        # News of who has the idea ends the silence, but answers no promise: the first
        # answer is still owed, by Per now.
        promises = (await session.execute(select(Promise))).scalars().all()
        assert [(p.kind, p.status) for p in promises] == [("first", "open")]
    # Maria hears nothing from the bot while she is away.
    assert await maria.receives() == ""
    await maria.says("borta")
    maria.hears("Du är borta till 10 augusti. Under tiden har Per hand om dina idéer.")
    # On the day she said, she is back by herself.
    team_bot.clock.set(datetime(2026, 8, 10, 8, 0, tzinfo=SE))
    assert await _answering(team_bot) == ["maria"]


async def test_away_in_english_without_a_stand_in_goes_to_the_others(team_bot, crew) -> None:
    maria, anna = crew["maria"], crew["anna"]
    maria.locale = "en-GB"
    await maria.says("språk en")
    await maria.says("away until 10 August")
    maria.hears(
        "Done, Maria: you are away until 10 August.",
        "Meanwhile, news about your ideas goes to the other coordinators",
    )
    await anna.receives()
    anna.hears("Under tiden har de andra idéslussarna hand om din idé ”Tryggare tunnlar”")
    assert await _answering(team_bot) == ["lisa", "per"]


async def test_a_planned_absence_begins_on_its_day(team_bot, crew) -> None:
    maria, anna = crew["maria"], crew["anna"]
    await maria.says("borta 2026-07-01 till 2026-08-10 ersättare @lisa")
    maria.hears(
        "Klart: du är borta från 1 juli till 10 augusti.",
        "Under tiden går nyheter om dina idéer till Lisa",
        "Dina idégivare får veta vem de kan vända sig till när ledigheten börjar.",
    )
    assert await anna.receives() == ""
    assert await _answering(team_bot) == ["maria"]
    async with team_bot.db.transaction() as session:  # the sweep, before the day
        assert await start_due_absences(session, team_bot.settings, team_bot.clock.now()) == 0
    team_bot.clock.set(datetime(2026, 7, 1, 6, 0, tzinfo=SE))
    async with team_bot.db.transaction() as session:
        assert await start_due_absences(session, team_bot.settings, team_bot.clock.now()) == 1
    async with team_bot.db.transaction() as session:  # a second sweep tells nobody twice
        assert await start_due_absences(session, team_bot.settings, team_bot.clock.now()) == 0
    await anna.receives()
    anna.hears("Maria är ledig till 10 augusti. Under tiden har Lisa hand om din idé")
    assert await _answering(team_bot) == ["lisa"]


async def test_back_early_with_what_happened_meanwhile(team_bot, crew) -> None:
    maria, per = crew["maria"], crew["per"]
    await maria.says("borta till 2026-08-10 ersättare @per")
    team_bot.clock.advance(days=2)
    await per.says("notera 1 Ringde fastighet om belysningen")
    await maria.says("tillbaka")
    maria.hears(
        "Välkommen tillbaka, Maria! Dina idéer går till dig igen.",
        "Det här hände med dina idéer sedan 15 juni:",
        "• idé 1 ”Tryggare tunnlar”: 1 händelse – skriv visa 1",
    )
    assert await _answering(team_bot) == ["maria"]
    before = await _counts(team_bot)
    await maria.says("tillbaka")
    maria.hears("Du är inte borta just nu, så jag har inget att avsluta.")
    assert await _counts(team_bot) == before


async def test_a_stand_in_who_is_away_too_hands_on(team_bot, crew) -> None:
    maria, per, anna = crew["maria"], crew["per"], crew["anna"]
    await per.says("borta till 2026-07-01 ersättare @lisa")
    await maria.says("borta till 2026-08-10 ersättare @per")
    maria.hears("Obs: Per är själv borta en del av tiden.")
    await anna.receives()
    anna.hears("Under tiden har Lisa hand om din idé ”Tryggare tunnlar”")
    assert await _answering(team_bot) == ["lisa"]
    # Per back: Maria's stand-in answers again.
    await per.says("tillbaka")
    assert await _answering(team_bot) == ["per"]
    # Everyone away: nobody hears about it (rather than someone away).
    await per.says("borta till 2026-07-01")
    await crew["lisa"].says("borta till 2026-07-01")
    assert await _answering(team_bot) == []


async def test_a_cancelled_plan_never_begins(team_bot, crew) -> None:
    maria, anna = crew["maria"], crew["anna"]
    await maria.says("borta 2026-07-01 till 2026-08-10")
    await maria.says("tillbaka")
    maria.hears("Din planerade ledighet 1 juli till 10 augusti ligger kvar")
    await maria.says("borta avbryt")
    maria.hears("Klart: din ledighet är borttagen.")
    team_bot.clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=SE))
    async with team_bot.db.transaction() as session:
        assert await start_due_absences(session, team_bot.settings, team_bot.clock.now()) == 0
    assert await anna.receives() == ""
    await maria.says("borta")
    maria.hears("Du är inte borta.")


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("borta till 2026-06-01", "1 juni har redan varit."),
        ("borta till idag", "15 juni har redan varit."),
        (
            "borta 2026-08-10 till 2026-07-01",
            "Ledigheten slutar 1 juli, före den börjar (10 augusti)",
        ),
        ("borta till 2026-02-30", "”2026-02-30” finns inte i kalendern."),
        ("borta till 2028-01-01", "1 januari 2028 är mer än ett år bort."),
        ("borta till snart", "”snart” förstår jag inte som en dag."),
        ("borta till", "Till när är du borta?"),
        ("borta från 2026-07-01", "Till när är du borta?"),
        ("borta till 2026-08-10 ersättare", "Vem ska ersätta dig?"),
        ("borta till 2026-08-10 ersättare @anna", "console:anna är inte idéslussare"),
        ("borta till 2026-08-10 ersättare @maria", "Du kan inte ersätta dig själv."),
        ("tillbaka", "Du är inte borta just nu"),
        ("borta avbryt", "Du har ingen ledighet att ta bort."),
    ],
)
async def test_mistakes_are_explained_and_change_nothing(team_bot, crew, said, answer) -> None:
    maria = crew["maria"]
    before = await _counts(team_bot)
    await maria.says(said)
    maria.hears(answer)
    assert await _counts(team_bot) == before
    assert await _answering(team_bot) == ["maria"]


async def test_an_idea_giver_cannot_say_they_are_away(team_bot, crew) -> None:
    anna = crew["anna"]
    before = await _counts(team_bot)
    await anna.says("/idea borta till 2026-08-10")
    anna.hears("Det där kan bara idéslussare göra.")
    assert await _counts(team_bot) == before


async def test_an_idea_that_starts_with_borta_is_an_idea(team_bot, crew) -> None:
    anna = crew["anna"]
    await anna.says("Borta bra men hemma bäst")
    anna.does_not_hear("förstår jag inte som en dag", "idéslussare")
    await anna.says("Ledig tid för fortbildning")
    anna.does_not_hear("förstår jag inte som en dag", "idéslussare")


async def test_tillbaka_in_the_middle_of_an_idea_goes_back_a_question(team_bot, crew) -> None:
    """A coordinator describing an idea of her own: "tillbaka" is the dialogue's word."""
    maria = crew["maria"]
    await maria.says("Jag har en idé")
    await maria.says("Lånecyklar")
    maria.hears("Vilket behov eller problem")
    await maria.says("tillbaka")
    maria.hears("Vad vill du kalla din idé?", "Nu står det: ”Lånecyklar”")


async def test_erasing_a_person_forgets_their_absences_and_their_standing_in(
    team_bot, crew
) -> None:
    from storage.privacy import erase_person

    maria, per = crew["maria"], crew["per"]
    await maria.says("borta till 2026-08-10 ersättare @per")
    await per.says("borta 2026-09-01 till 2026-09-10")
    async with team_bot.db.transaction() as session:
        person = await find_person(session, "console:per")
        await erase_person(session, person, now=team_bot.clock.now(), pseudonym="Person 1")
    async with team_bot.db.transaction() as session:
        rows = (await session.execute(select(Absence))).scalars().all()
        assert [(a.person_id == person.id, a.stand_in_id) for a in rows] == [(False, None)]
    # Maria's ideas now go to the others here (Lisa), not to the erased person.
    assert await _answering(team_bot) == ["lisa"]
    async with team_bot.db.transaction() as session:
        person = await find_person(session, "console:maria")
        await erase_person(session, person, now=team_bot.clock.now(), pseudonym="Person 2")
    async with team_bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Absence)) == 0
