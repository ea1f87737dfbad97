"""How many SQL statements each kind of turn sends: the round trips a turn costs, counted
(not timed), so that a change which adds one to every turn fails here and not only in
bench/turn_cost.py. The BEGIN is SQLite's `BEGIN IMMEDIATE` (on PostgreSQL asyncpg begins and
commits without a cursor statement), and PostgreSQL reads the dialogue after the person's
row lock, in a statement of its own (storage/people.py says why)."""

from __future__ import annotations

from dataclasses import replace

from bot.app import IdeaBot
from storage.news import pending_news
from tests.bot.ideas import submit_idea
from tests.chat import Chat
from tests.statements import statements


def _expected(db, *sqlite: str, postgresql_dialogue_read: bool = True) -> list[str]:
    if db.is_sqlite:
        return ["BEGIN", *sqlite]
    rest = list(sqlite)
    if postgresql_dialogue_read:
        rest.insert(1, "SELECT persons")  # the dialogue and question, after the lock
    return rest


async def test_an_answer_in_the_dialogue_reads_once_and_writes_once(
    bot, anna: Chat, db, clock
) -> None:
    await anna.says("Hej!")
    await anna.says("Tryggare tunnlar")  # their first turn today wrote "last seen" already
    clock.advance(minutes=3)  # she thinks a while
    with statements(db) as sent:
        await anna.says("Många är rädda i gångtunnlarna på kvällen.")
    assert sent == _expected(db, "SELECT persons", "UPDATE dialogues")
    assert "Hur skulle idén fungera?" in anna.transcript()  # stored, and on to the next


async def test_a_newcomers_first_message(bot, db) -> None:
    lena = Chat(bot, user="lena", name="Lena Larsson")
    with statements(db) as sent:
        await lena.says("Hej!")
    # Read (nobody), made (the row comes back from its INSERT), their role, the dialogue
    # started, and when they were introduced.
    assert sent == _expected(
        db,
        "SELECT persons",
        "INSERT persons",
        "SELECT coordinators",
        "INSERT dialogues",
        "UPDATE persons",
        postgresql_dialogue_read=False,
    )


async def test_a_submission_writes_the_idea_and_what_comes_with_it_once(
    db, clock, settings
) -> None:
    # Three coordinators, two of whom never wrote: their rows, and their news, are one
    # statement each for all three.
    team = frozenset({"console:maria", "console:per", "console:sara"})
    bot = IdeaBot(db, settings=replace(settings, coordinators=team), clock=clock)
    anna = Chat(bot, user="anna", name="Anna Andersson")
    await Chat(bot, user="maria", name="Maria").says("Hej")
    await submit_idea(anna, "Tryggare tunnlar")  # one idea before, to compare with
    for answer in (
        "Jag har en idé",
        "Lånecyklar för hemtjänsten",
        "Personalen går långt mellan brukarna och hinner inte med.",
        "Tre elcyklar att låna, bokade i samma kalender som bilarna.",
        "Personalen i hemtjänsten, och brukarna som får mer tid.",
        "hoppa över",
        "hoppa över",
        "ja",
    ):
        await anna.says(answer)
    with statements(db) as sent:
        await anna.says("skicka")
    assert "nummer 2" in anna.transcript()
    async with db.transaction() as session:
        news = await pending_news(session)
    assert sorted(item.dedupe_key for item in news if item.idea_id == 2) == [
        f"new_idea:2:{n}" for n in sorted(item.recipient_id for item in news if item.idea_id == 2)
    ]
    assert len([item for item in news if item.idea_id == 2]) == 3
    assert sorted(sent) == sorted(
        _expected(
            db,
            "SELECT persons",  # Anna, with her dialogue
            "DELETE dialogues",  # the dialogue is done
            "SELECT ideas",  # the ideas to compare it with
            "INSERT stats_summary",  # the summary, in the idea's own flush
            "INSERT ideas",  # due times and reminders included
            "INSERT idea_events",
            "INSERT promises",
            "SELECT coordinators",  # read once for the whole turn
            "SELECT persons",  # the coordinators' rows, all at once
            "SELECT persons",  # the coordinators as people
            "SELECT absences",
            "INSERT coordinator_news",  # one statement for every coordinator
        )
    )


async def test_a_coordinators_list_and_show(bot, maria_anna, db) -> None:
    maria, _ = maria_anna
    await maria.says("hjälp")  # her first turn today
    with statements(db) as listed:
        await maria.says("lista")
    with statements(db) as shown:
        await maria.says("visa 1")
    assert "Tryggare tunnlar" in maria.transcript()
    assert listed == _expected(
        db, "SELECT persons", "SELECT ideas", "SELECT ideas", postgresql_dialogue_read=True
    )
    assert shown == _expected(
        db,
        "SELECT persons",
        "SELECT ideas",  # a score for a satisfaction question? ("visa 1" has a number)
        "SELECT ideas",  # the idea with its giver and assignee
        "SELECT idea_events",  # its history (no idea like it: no titles to read)
    )
