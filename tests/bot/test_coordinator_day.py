"""The coordinator's day: `att göra` says what needs them now, oldest first; `sök` finds
ideas by their words; `lista` pages and filters by assignee, workplace and giver, and says
for each idea how long since its giver heard from us. Bad input is explained and changes
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import IdeaBot
from bot.config import Settings
from storage import ideas as idea_store
from storage.models import Idea, IdeaEvent, OutboxMessage, Person
from storage.people import upsert_person
from storage.promises import make_promise
from tests.chat import Chat

MONDAY = "2026-06-15"  # the frozen clock's day (tests/conftest.py)


@pytest.fixture
def team_bot(db, clock, database_url) -> IdeaBot:
    """Maria and Per are coordinators; Per has never written to the bot."""
    settings = Settings(
        database_url=database_url,
        coordinators=frozenset({"console:maria", "console:per"}),
    )
    return IdeaBot(db, settings=settings, clock=clock)


async def _seed(
    db,
    clock,
    count: int,
    *,
    giver: str = "anna",
    giver_name: str | None = "Anna Andersson",
    title: str = "Idé",
    need: str = "Ett behov.",
    workplace: str | None = "Kultur och fritid",
    days_ago: int = 0,
) -> list[int]:
    """`count` ideas submitted `days_ago` days before now, oldest first, straight into the
    database (the dialogue is tested elsewhere)."""
    numbers = []
    async with db.transaction() as session:
        person = await upsert_person(session, "console", giver, now=clock.now(), lock=False)
        person.display_name = giver_name
        for i in range(count):
            moment = clock.now() - timedelta(days=days_ago, minutes=count - i)
            idea = await idea_store.create_idea(
                session,
                person,
                {
                    "title": f"{title} {i + 1}" if count > 1 else title,
                    "need": need,
                    "idea": "Vi provar en månad.",
                    "benefit": "Alla.",
                    "workplace": workplace,
                },
                language="sv",
                now=moment,
                stage="submitted",
            )
            numbers.append(idea.id)
    return numbers


async def _snapshot(db) -> tuple:
    async with db.transaction() as session:
        ideas = (
            await session.execute(select(Idea.id, Idea.stage, Idea.assignee_id).order_by(Idea.id))
        ).all()
        events = await session.scalar(select(func.count()).select_from(IdeaEvent))
        outbox = await session.scalar(select(func.count()).select_from(OutboxMessage))
        return tuple(ideas), events, outbox


# ── att göra ─────────────────────────────────────────────────────────────────────────────


async def test_todo_lists_promises_then_waiting_givers_then_new_ideas_oldest_first(
    bot, db, clock
) -> None:
    maria = Chat(bot, user="maria", name="Maria Lind")
    await maria.says("hej")  # Maria has a person row
    promised_late, promised_soon, waiting, new_old, new_young = [
        *await _seed(db, clock, 1, title="Cykelpool", days_ago=20),
        *await _seed(db, clock, 1, title="Tryggare tunnlar", days_ago=12),
        *await _seed(db, clock, 1, title="Matsedel", giver="bo", giver_name="Bo Berg", days_ago=9),
        *await _seed(db, clock, 1, title="Lånecyklar", days_ago=3),
        *await _seed(db, clock, 1, title="Boksnack", days_ago=1),
    ]
    async with db.transaction() as session:
        maria_row = (
            await session.execute(select(Person).where(Person.platform_user_id == "maria"))
        ).scalar_one()
        for number in (promised_late, promised_soon, waiting):
            idea = await session.get(Idea, number)
            idea.assignee_id = maria_row.id
            idea.stage = "assessment"
        now = clock.now()
        # One promise passed on Thursday, one falls due on Wednesday, one far away.
        await make_promise(
            session, promised_late, due_at=now - timedelta(days=4), kind="stage", now=now
        )
        await make_promise(
            session, promised_soon, due_at=now + timedelta(days=2), kind="stage", now=now
        )
        await make_promise(session, waiting, due_at=now + timedelta(days=30), kind="stage", now=now)
        idea = await session.get(Idea, waiting)
        idea.giver_waiting_since = now - timedelta(days=6)  # last Tuesday
    before = await _snapshot(db)
    await maria.says("att göra")
    maria.hears(
        "5 saker väntar på dig, äldst först:\n"
        "1. Cykelpool – lovat svar senast i torsdags, och den tiden har gått, "
        "hörde från oss för 20 dagar sedan\n"
        "2. Tryggare tunnlar – lovat svar senast onsdag, hörde från oss för 12 dagar sedan\n"
        "3. Matsedel – Bo väntar på svar sedan i tisdags, hörde från oss för 9 dagar sedan\n"
        "4. Lånecyklar – ny, inte tilldelad, 3 dagar, hörde från oss för 3 dagar sedan\n"
        "5. Boksnack – ny, inte tilldelad, 1 dag, hörde från oss för 1 dag sedan"
    )
    # Buttons for the first few: show each, write to the giver of a promise or one who
    # waits, and take the one that is not hers (none here).
    assert maria.buttons() == ["Visa 1", "Skriv 1", "Visa 2", "Skriv 2", "Visa 3", "Skriv 3"]
    assert await _snapshot(db) == before  # reading changes nothing
    await maria.clicks("Visa 3")
    maria.hears("Idé 3: Matsedel")
    await maria.says("att göra")
    await maria.clicks("Skriv 3")
    maria.hears("Bo")  # her next words go to Bo
    assert new_old < new_young


async def test_todo_in_english_with_a_button_to_take_a_new_idea(bot, db, clock) -> None:
    await _seed(db, clock, 1, title="Bike pool", days_ago=2)
    maria = Chat(bot, user="maria", name="Maria", language="en")
    await maria.says("todo")
    maria.hears(
        "1 thing waits for you:\n1. Bike pool – new, not assigned, 2 days, heard from us 2 days ago"
    )
    assert maria.buttons() == ["Show 1", "I'll take 1"]
    await maria.clicks("I'll take 1")
    maria.hears("1")
    async with db.transaction() as session:
        assert (await session.get(Idea, 1)).assignee_id is not None
    await maria.says("to do")
    maria.hears("Nothing is waiting for you right now. 1 idea in the queue: write list.")


async def test_an_empty_todo_points_to_the_queue(bot, db, clock) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    await maria.says("att göra")
    maria.hears("Inget som väntar på dig just nu, och kön är tom.")
    numbers = await _seed(db, clock, 3)
    async with db.transaction() as session:
        for number in numbers:  # assigned to someone else, nothing promised or waiting
            other = await upsert_person(session, "console", "erik", now=clock.now(), lock=False)
            (await session.get(Idea, number)).assignee_id = other.id
    await maria.says("attgöra")
    maria.hears("Inget som väntar på dig just nu. 3 idéer i kön: skriv lista.")


async def test_todo_holds_the_ideas_of_a_colleague_she_stands_in_for(team_bot, db, clock) -> None:
    from storage.absences import add_absence

    maria = Chat(team_bot, user="maria", name="Maria")
    per = Chat(team_bot, user="per", name="Per Persson")
    await maria.says("hej")
    await per.says("hej")
    [number] = await _seed(db, clock, 1, title="Per:s idé", days_ago=5)
    async with db.transaction() as session:
        rows = {p.platform_user_id: p for p in (await session.execute(select(Person))).scalars()}
        idea = await session.get(Idea, number)
        idea.assignee_id = rows["per"].id
        idea.stage = "assessment"
        await make_promise(session, number, due_at=clock.now(), kind="stage", now=clock.now())
        await add_absence(
            session,
            rows["per"].id,
            starts_at=clock.now() - timedelta(days=1),
            ends_at=clock.now() + timedelta(days=20),
            stand_in_id=rows["maria"].id,
            now=clock.now(),
        )
    await maria.says("att göra")
    maria.hears("1. Per:s idé – lovat svar senast i dag")
    assert maria.buttons() == ["Visa 1", "Skriv 1", "Jag tar 1"]


async def test_todo_is_for_coordinators(bot, anna) -> None:
    await anna.says("/idea att göra")
    anna.hears("idéslussare")


# ── sök ──────────────────────────────────────────────────────────────────────────────────


async def test_search_finds_a_word_in_the_need_text_whatever_its_case(bot, db, clock) -> None:
    await _seed(db, clock, 1, title="Tunnlar", need="Många är RÄDDA i gångtunnlarna.")
    await _seed(db, clock, 1, title="Cyklar", need="Vi behöver cyklar i hemtjänsten.")
    await _seed(db, clock, 1, title="Café", need="Ett kafé för personalen, idé från Ängby.")
    maria = Chat(bot, user="maria", name="Maria")
    before = await _snapshot(db)
    await maria.says("sök rädda")
    maria.hears("1 idé med ”rädda”:\n1. Tunnlar – Inkommen – ingen ännu")
    await maria.says("sök ängby")  # Ä folded to ä
    maria.hears("3. Café")
    await maria.says("sök angby")  # but ä is not a
    maria.hears("Ingen idé innehåller ”angby”.")
    await maria.says("sok CAFE")  # é is matched by e
    maria.hears("3. Café")
    await maria.says("sök ”cyklar i hemtjänsten”")
    maria.hears("2. Cyklar")
    await maria.says("sök cyklar tunnlar")  # every word must be there
    maria.hears("Ingen idé innehåller ”cyklar”, ”tunnlar”.")
    assert await _snapshot(db) == before


async def test_search_takes_percent_and_underscore_literally(bot, db, clock) -> None:
    await _seed(db, clock, 1, title="Rabatt", need="Vi får 50% rabatt på_bussen.")
    await _seed(db, clock, 1, title="Annat", need="Femtio procent av oss åker buss.")
    maria = Chat(bot, user="maria", name="Maria", language="en")
    await maria.says("search 50%")
    maria.hears("1 idea with “50%”:\n1. Rabatt")
    await maria.says("search %")
    maria.hears("“%” is too short to search for")
    await maria.says("search p_b")
    maria.hears("No idea has “p_b” in it.")
    await maria.says("search på_bussen")
    maria.hears("1. Rabatt")


async def test_search_pages(bot, db, clock) -> None:
    await _seed(db, clock, 23, title="Cykel")
    maria = Chat(bot, user="maria", name="Maria")
    await maria.says("sök cykel")
    maria.hears("23 idéer med ”cykel”, nyast först:", "Visar 1–20 av 23. Skriv sök cykel sida 2")
    await maria.says("sök cykel sida 2")
    maria.hears("Visar 21–23 av 23.", "1. Cykel 1")
    await maria.says("sök cykel sida 3")
    maria.hears("Det finns ingen sida 3: listan har 2 sidor. Skriv sök cykel sida 2")


async def test_an_idea_giver_searches_their_own_ideas_only(bot, db, clock, anna) -> None:
    await _seed(db, clock, 1, title="Cykelpool")
    await _seed(db, clock, 1, title="Cykelställ", giver="bo", giver_name="Bo Berg")
    await anna.says("sök cykel")
    anna.hears("1 idé med ”cykel”:\n1. Cykelpool – Inkommen")
    anna.does_not_hear("Cykelställ", "ingen ännu", "hörde")
    bo = Chat(bot, user="bo", name="Bo Berg", language="en")
    await bo.says("search tunnel")
    bo.hears("None of your ideas has “tunnel” in it. Write mine to see all your ideas.")


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("/idea sök", "Vad vill du söka efter? Skriv ett ord efter sök."),
        ("/idea sök a", "”a” är för kort att söka på: skriv minst 2 tecken."),
        ("/idea sök tre ord här", "Jag söker på högst 2 ord i taget."),
        ("/idea sök cykel sida 0", "”0” är inget sidnummer."),
        ("/idea search", "What would you like to search for?"),
        ("/idea search bike page x", "“x” is no page number."),
    ],
)
async def test_bad_searches_are_explained(bot, db, clock, said: str, answer: str) -> None:
    await _seed(db, clock, 1)
    maria = Chat(bot, user="maria", name="Maria", language="en" if "search" in said else None)
    before = await _snapshot(db)
    await maria.says(said)
    maria.hears(answer)
    assert await _snapshot(db) == before


async def test_a_sentence_starting_with_sok_is_an_idea_not_a_search(anna) -> None:
    await anna.says("Sök pengar från EU till solceller på förskolorna")
    anna.does_not_hear("Ingen av dina idéer", "söker på högst")


# ── lista ────────────────────────────────────────────────────────────────────────────────


async def test_list_pages_and_says_how_to_see_more(bot, db, clock) -> None:
    await _seed(db, clock, 34, days_ago=4)
    maria = Chat(bot, user="maria", name="Maria")
    await maria.says("lista")
    maria.hears(
        "34 idéer, äldst först:\n1. Idé 1 – Inkommen i 4 dagar – ingen ännu, "
        "hörde från oss för 4 dagar sedan",
        "20. Idé 20",
        "Visar 1–20 av 34. Skriv lista sida 2 för fler.",
    )
    maria.does_not_hear("21. Idé 21")
    await maria.says("lista sida 2")
    maria.hears("21. Idé 21", "34. Idé 34", "Visar 21–34 av 34.")
    maria.does_not_hear("20. Idé 20", "för fler")
    english = Chat(bot, user="maria", name="Maria", language="en")
    await english.says("list page 2")
    english.hears("21. Idé 21", "Showing 21–34 of 34.")
    await english.says("list")
    english.hears("Showing 1–20 of 34. Write list page 2 for more.")


async def test_list_filters_by_workplace_and_by_giver(bot, db, clock) -> None:
    await _seed(db, clock, 2, title="Bibblan", workplace="Stadsbiblioteket")
    await _seed(
        db, clock, 1, title="Skolan", workplace="Ängsskolan", giver="bo", giver_name="Bo Öst"
    )
    maria = Chat(bot, user="maria", name="Maria")
    await maria.says("lista arbetsplats biblioteket")
    maria.hears("2 idéer, äldst först:", "1. Bibblan 1", "2. Bibblan 2")
    maria.does_not_hear("Skolan")
    await maria.says("lista arbetsplats ÄNGSSKOLAN")
    maria.hears("1 idé:", "3. Skolan")
    await maria.says("lista från Anna")
    maria.hears("2 idéer", "Bibblan 1")
    maria.does_not_hear("Skolan")
    await maria.says("lista från öst")  # the start of any word of the name, Ö folded
    maria.hears("1 idé:", "3. Skolan")
    english = Chat(bot, user="maria", name="Maria", language="en")
    await english.says("list from Anna Andersson workplace Stadsbiblioteket")
    english.hears("2 ideas, oldest first:")
    await english.says("list workplace Nowhere")
    english.hears("No ideas are waiting here right now.")


async def test_list_by_assignee_and_one_who_never_used_the_bot_is_shown_by_id(
    team_bot, db, clock
) -> None:
    await _seed(db, clock, 3)
    maria = Chat(team_bot, user="maria", name="Maria Lind")
    await maria.says("tilldela 2 @per")  # Per has never written to the bot
    maria.hears("2")
    await maria.says("tilldela 3 mig")
    await maria.says("lista")
    maria.hears(
        "1. Idé 1 – Inkommen i 0 dagar – ingen ännu",
        "2. Idé 2 – Inkommen i 0 dagar – per,",
        "3. Idé 3 – Inkommen i 0 dagar – Maria Lind,",
    )
    await maria.says("lista @per")
    maria.hears("1 idé:", "2. Idé 2")
    maria.does_not_hear("Idé 3")
    await maria.says("lista per")  # by name: Per has no name yet, but his id is per
    maria.hears("1 idé:", "2. Idé 2")
    await maria.says("lista maria")  # the start of a coordinator's name
    maria.hears("1 idé:", "3. Idé 3")
    await maria.says("lista mina")
    maria.hears("1 idé:", "3. Idé 3")
    per = Chat(team_bot, user="per", name="Per Persson", language="en")
    await per.says("list mine")
    per.hears("1 idea:", "2. Idé 2 – Submitted for 0 days – Per Persson, heard from us today")


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("lista sida 0", "”0” är inget sidnummer."),
        ("lista sida x", "”x” är inget sidnummer."),
        ("lista sida", "”–” är inget sidnummer."),
        ("lista sida 9", "Det finns ingen sida 9: listan har bara 1 sida. Skriv lista sida 1."),
        ("lista vilse", "Jag förstod inte ”vilse” i listan."),
        ("lista arbetsplats", "Vilken arbetsplats menar du?"),
        ("lista från", "Vems idéer menar du?"),
        ("list page 0", "“0” is no page number."),
        ("list page 7", "There is no page 7: the list has only 1 page. Write list page 1."),
        ("list from", "Whose ideas do you mean?"),
    ],
)
async def test_bad_list_input_is_explained_and_changes_nothing(
    bot, db, clock, said: str, answer: str
) -> None:
    await _seed(db, clock, 2)
    language = "en" if said.startswith("list ") else None
    maria = Chat(bot, user="maria", name="Maria", language=language)
    before = await _snapshot(db)
    await maria.says(f"/idea {said}")
    maria.hears(answer)
    assert await _snapshot(db) == before
