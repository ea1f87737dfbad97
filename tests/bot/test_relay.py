"""Replies both ways: the idea giver's words after news reach the coordinator at once, and a
coordinator writes to the giver without moving the idea; both are in the idea's history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import Idea, IdeaEvent, OpenQuestion, OutboxMessage, Promise
from tests.bot.ideas import submit_idea
from tests.chat import Chat

WHY = "Men varför? Kan jag prata med Maria?"


async def _counts(db) -> tuple:
    async with db.transaction() as session:
        events = await session.scalar(select(func.count()).select_from(IdeaEvent))
        outbox = await session.scalar(select(func.count()).select_from(OutboxMessage))
        idea = await session.get(Idea, 1)
        return events, outbox, idea.giver_waiting_since, idea.giver_heard_at


async def _idea(db, number: int = 1) -> Idea:
    async with db.transaction() as session:
        idea = await session.get(Idea, number)
        assert idea is not None
        return idea


@pytest.fixture
async def news(maria_anna) -> tuple[Chat, Chat]:
    """Maria has taken idea 1 and moved it on with a message; Anna has read the news."""
    maria, anna = maria_anna
    await maria.says("assign 1 me")
    await maria.says("flytta 1 Jag läser din idé den här veckan.")
    said = await anna.receives()
    assert "Hej Anna!" in said
    return maria, anna


async def test_the_givers_reply_reaches_maria_and_her_answer_reaches_anna(news, db, clock) -> None:
    maria, anna = news
    before = await _counts(db)

    await anna.says(WHY)
    anna.hears(
        "Tack, Anna! Jag har skickat det till Maria, som har hand om din idé ”Tryggare tunnlar”.",
        "Maria svarar dig här senast onsdag 17 juni.",
    )
    anna.does_not_hear("beskriva det som en ny idé")  # not "something to place"
    idea = await _idea(db)
    assert idea.giver_waiting_since is not None
    async with db.transaction() as session:
        promised = await session.scalar(select(Promise).where(Promise.status == "open"))
        assert promised is not None and promised.kind == "answer"

    said = await maria.receives()
    assert f"Anna skriver om idé 1 ”Tryggare tunnlar” (Bedömning): ”{WHY}”" in said
    assert maria.buttons() == ["Svara Anna", "Visa idén"]
    notice = maria.replies

    # "Visa idén": the history has her words, and that she waits since today.
    await maria.clicks("Visa idén")
    maria.hears(
        "Idé 1: Tryggare tunnlar",
        "Väntar på svar: Anna väntar på svar sedan i dag",
        f"Anna Andersson skrev: ”{WHY}”",
    )
    await maria.says("lista")
    maria.hears(
        "1. Tryggare tunnlar – Bedömning i 0 dagar – Maria, hörde från oss i dag – väntar på svar"
    )

    # "Svara Anna": her next message goes to Anna.
    maria.replies = notice  # back to the notice, still on her screen
    await maria.clicks("Svara Anna")
    maria.hears("Skriv ditt svar till Anna om idé 1 ”Tryggare tunnlar”, så skickar jag det.")
    await maria.says("Självklart! Ring mig på 123 45 i morgon.")
    maria.hears("Klart: ditt meddelande om idé 1 ”Tryggare tunnlar” är på väg till Anna.")
    said = await anna.receives()
    assert said.startswith(
        "Hej Anna! Maria skriver om din idé ”Tryggare tunnlar” (nummer 1): "
        "”Självklart! Ring mig på 123 45 i morgon.”"
    )
    assert "Vill du svara? Skriv bara här, så får Maria det." in said

    idea = await _idea(db)
    assert idea.giver_waiting_since is None
    assert idea.giver_heard_at == clock.now()
    assert idea.stage == "assessment"  # the idea did not move
    async with db.transaction() as session:
        promised = await session.scalar(select(Promise).where(Promise.kind == "answer"))
        assert promised.status == "kept" and promised.kept_by == "coordinator"
        kinds = list((await session.scalars(select(IdeaEvent.kind).order_by(IdeaEvent.id))).all())
        assert kinds[-2:] == ["giver_message", "coordinator_message"]
    events, outbox, _, _ = await _counts(db)
    assert (events, outbox) == (before[0] + 2, before[1] + 2)

    # Anna answers back: to Maria again; and `skriv` works the same as the button.
    clock.advance(hours=2)
    await anna.says("Tack, jag ringer då. Är det okej om jag tar med en kollega?")
    anna.hears("Jag har skickat det till Maria")
    said = await maria.receives()
    assert "Anna skriver om idé 1" in said and "tar med en kollega" in said
    await maria.says("skriv 1 Absolut, välkomna båda två!")
    maria.hears("är på väg till Anna")
    said = await anna.receives()
    assert "”Absolut, välkomna båda två!”" in said

    # Anna's own `visa` shows both ways of the conversation.
    await anna.says("visa 1")
    anna.hears(
        f"Anna Andersson skrev: ”{WHY}”",
        "Maria skrev: ”Självklart! Ring mig på 123 45 i morgon.”",
        "Maria skrev: ”Absolut, välkomna båda två!”",
    )
    anna.does_not_hear("Väntar på svar")


async def test_the_answer_button_lets_a_command_through_and_can_be_cancelled(news, db) -> None:
    maria, anna = news
    await anna.says(WHY)
    await maria.receives()
    notice = maria.replies
    await maria.clicks("Svara Anna")
    await maria.says("avbryt")
    maria.hears("Okej, inget har skickats till Anna.")
    maria.replies = notice
    await maria.clicks("Svara Anna")
    before = await _counts(db)
    # A whole command is the command, not a message to Anna; the question goes.
    await maria.says("lista")
    maria.hears("1. Tryggare tunnlar")
    assert await _counts(db) == before
    await maria.says("Hej Anna, det här skulle inte till dig.")
    assert await _counts(db) == before  # the question is gone: nothing goes to Anna
    async with db.transaction() as session:
        assert await session.get(OpenQuestion, 1) is None


async def test_svara_n_works_for_ones_own_idea_only(news, db, bot) -> None:
    maria, anna = news
    await anna.says("svara 1 Kan vi ses på torsdag?")
    anna.hears("Jag har skickat det till Maria")
    said = await maria.receives()
    assert "”Kan vi ses på torsdag?”" in said

    lena = Chat(bot, user="lena", name="Lena Lund")
    await submit_idea(lena, "Cykelställ vid skolan")
    before = await _counts(db)
    await lena.says("svara 1 Hej!")
    lena.hears("Jag hittar ingen idé med nummer 1 bland dina idéer.")
    await lena.says("reply 99 Hello")
    lena.hears("nummer 99 bland dina idéer")
    await anna.says("svara 1")
    anna.hears("Vad vill du skriva om din idé 1?", "Så här: svara 12")
    assert await _counts(db) == before


async def test_with_two_ideas_the_giver_is_asked_which(news, db) -> None:
    maria, anna = news
    await submit_idea(anna, "Fler cykelställ", need="Cyklarna står i buskarna.")
    await maria.receives()
    await maria.says("flytta 2 Bra, vi tittar på den.")
    await anna.receives()
    before = await _counts(db)

    await anna.says("Hur lång tid tar det ungefär?")
    anna.hears("Tack, Anna! Vilken av dina idéer gäller det?")
    assert anna.buttons() == ["2 ”Fler cykelställ”", "1 ”Tryggare tunnlar”", "Ingen av dem"]
    assert await _counts(db) == before  # nothing is sent until she says which
    await anna.clicks("1 ”Tryggare tunnlar”")
    anna.hears("som har hand om din idé ”Tryggare tunnlar”")
    said = await maria.receives()
    assert "Anna skriver om idé 1 ”Tryggare tunnlar” (Bedömning): ”Hur lång tid tar det" in said

    await anna.says("Och den andra då?")
    await anna.clicks("Ingen av dem")
    anna.hears("Okej, jag skickar det inte vidare.")
    events, outbox, _, _ = await _counts(db)
    assert (events, outbox) == (before[0] + 1, before[1] + 1)


async def test_thanks_after_news_stays_thanks(news, db) -> None:
    maria, anna = news
    before = await _counts(db)
    await anna.says("tack!")
    anna.hears("Anna")
    anna.does_not_hear("skickat det till")
    assert await _counts(db) == before
    assert await maria.receives() == ""


async def test_without_news_words_are_still_asked_about(maria_anna, db) -> None:
    """No message about her idea has reached Anna yet: "something to place", as before."""
    _, anna = maria_anna
    await anna.says("Kan jag prata med någon?")
    anna.hears("beskriva det som en ny idé")


async def test_a_reply_about_a_closed_idea_reaches_whoever_closed_it(maria_anna, db) -> None:
    maria, anna = maria_anna
    await maria.says("assign 1 me")
    await maria.says("close 1 Vi har inte pengar till belysning i år.")
    await anna.receives()
    await anna.says(WHY)
    anna.hears(
        "Jag har skickat det till Maria",
        "Din idé är avslutad, men du får gärna fråga om den.",
        "Var det en ny idé? Skriv ”jag har en idé”",
    )
    anna.does_not_hear("senast")  # no day promised: the sweep keeps no promise on a closed idea
    said = await maria.receives()
    assert "Anna skriver om idé 1 ”Tryggare tunnlar” (Avslutad)" in said
    async with db.transaction() as session:
        assert (await session.scalar(select(func.count()).select_from(Promise).where(
            Promise.status == "open"))) == 0  # fmt: skip
        idea = await session.get(Idea, 1)
        assert idea.giver_waiting_since is not None and idea.promise_due_at is None


async def test_with_nobody_assigned_every_coordinator_hears(news_settings_bot) -> None:
    bot = news_settings_bot
    anna = Chat(bot, user="anna", name="Anna Andersson")
    maria = Chat(bot, user="maria", name="Maria")
    per = Chat(bot, user="per", name="Per")
    await submit_idea(anna, "Tryggare tunnlar")
    await per.opens()  # Per has an address: he can be reached
    await maria.says("flytta 1 Vi läser den.")
    await anna.receives()
    await anna.says(WHY)
    anna.hears("Jag har skickat det till idéslussarna (Maria, Per)", "En av dem svarar")
    assert "Anna skriver om idé 1" in await maria.receives()
    assert "Anna skriver om idé 1" in await per.receives()


@pytest.fixture
def news_settings_bot(db, clock, database_url):
    from bot.app import IdeaBot
    from bot.config import Settings

    settings = Settings(
        database_url=database_url, coordinators=frozenset({"console:maria", "console:per"})
    )
    return IdeaBot(db, settings=settings, clock=clock)


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("skriv 99 hej", "Jag hittar ingen idé med nummer 99."),
        ("skriv 1", "Vad vill du skriva till idégivaren om idé 1?\nSå här: skriv 12"),
        ("message 1", "Vad vill du skriva till idégivaren om idé 1?"),
        ("skriv", "Vilken idé menar du?"),
        ("skriv tolv hej", "”tolv” är inget idénummer."),
        ("skriv 1 " + "x" * 2001, "högst 2000 tecken"),
    ],
)
async def test_bad_messages_are_explained_and_change_nothing(
    command: str, answer: str, news, db
) -> None:
    maria, _ = news
    before = await _counts(db)
    await maria.says(command)
    maria.hears(answer)
    assert await _counts(db) == before


async def test_an_employee_cannot_write_as_a_coordinator(news, db, bot) -> None:
    _, anna = news
    lena = Chat(bot, user="lena", name="Lena Lund")
    before = await _counts(db)
    await lena.says("skriv 1 hej")
    lena.hears("Det där kan bara idéslussare göra")
    await anna.says("skriv 1 hej")
    anna.hears("Det där kan bara idéslussare göra")
    assert await _counts(db) == before


async def test_in_english(news, db, bot) -> None:
    maria, _ = news
    john = Chat(bot, user="john", name="John Smith", language="en")
    await submit_idea(john, "Bicycles for home care", lang="en")
    await maria.receives()
    await maria.says("message 2 Hi John, could you tell me more about the routes?")
    said = await john.receives()
    assert said.startswith(
        "Hi John! Maria writes about your idea “Bicycles for home care” (number 2): "
        "“Hi John, could you tell me more about the routes?”"
    )
    await john.says("Sure, mostly between the centre and the west side.")
    john.hears(
        "Thank you, John! I have sent it to",
        "will answer you here by Wednesday 17 June at the latest.",
    )
    said = await maria.receives()
    assert "John skriver om idé 2 ”Bicycles for home care” (Inkommen)" in said


async def test_an_erased_givers_relayed_words_are_gone(news, db, clock) -> None:
    maria, anna = news
    await anna.says(WHY)  # Maria's notice waits in the outbox
    await maria.says("skriv 1 Hej Anna, hur mår du efter operationen?")
    await anna.says("mina uppgifter")  # her own export has both ways
    anna.hears("Här är allt")
    export = anna.replies[-1].attachments[0].data.decode()
    assert WHY in export and "efter operationen" in export

    await anna.says("glöm mig")
    clock.advance(minutes=1)
    await anna.clicks("Ja, glöm mig")
    anna.hears("Jag har glömt dig")
    async with db.transaction() as session:
        texts = list(
            (
                await session.scalars(
                    select(IdeaEvent.text).where(
                        IdeaEvent.kind.in_(("giver_message", "coordinator_message"))
                    )
                )
            ).all()
        )
        assert texts == [None, None]
        rows = list(
            (
                await session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.kind.in_(("giver_message", "coordinator_message"))
                    )
                )
            ).all()
        )
        assert rows and all(row.payload == {} for row in rows)
        assert {row.status for row in rows} == {"dropped"}
    assert WHY not in await maria.receives()
    await maria.says("visa 1")
    maria.hears("skrev ett meddelande (borttaget)")
    maria.does_not_hear(WHY, "operationen", "Väntar på svar: Anna")


async def test_a_lone_number_after_news_is_not_relayed(news, db) -> None:
    _, anna = news
    before = await _counts(db)
    await anna.says("5")
    anna.hears("Vill du att jag hjälper dig att beskriva det som en ny idé?")
    assert await _counts(db) == before
