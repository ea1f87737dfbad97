"""A coordinator's slips: a word after `flytta N` that is no stage is asked about instead of
sent to the idea giver, a move can be undone for a while, and an idea can go back a step.
Whatever happens, the idea giver hears one coherent story."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.app import IdeaBot
from bot.commands.parser import Command
from bot.config import Settings
from bot.process import load_process
from bot.reading import command_in
from conversations.understanding import Context, understand
from storage import ideas as idea_store
from storage.models import Idea, IdeaEvent, OpenQuestion, OutboxMessage
from tests.bot.ideas import submit_idea
from tests.chat import Chat


async def _idea(db, number: int = 1) -> Idea:
    async with db.transaction() as session:
        idea = await session.get(Idea, number)
        assert idea is not None
        return idea


async def _outbox(db, number: int = 1) -> list[tuple[str, str]]:
    """(kind, status) of every message about the idea, oldest first."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.status)
            .where(OutboxMessage.idea_id == number, OutboxMessage.kind != "new_idea")
            .order_by(OutboxMessage.id)
        )
        return [(kind, status) for kind, status in rows.tuples()]


async def _kinds(db, number: int = 1) -> list[str]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(IdeaEvent.kind).where(IdeaEvent.idea_id == number).order_by(IdeaEvent.id)
        )
        return list(rows.scalars())


@pytest.fixture
def two_coordinators_bot(db, clock, database_url) -> IdeaBot:
    settings = Settings(
        database_url=database_url, coordinators=frozenset({"console:maria", "console:karin"})
    )
    return IdeaBot(db, settings=settings, clock=clock)


# ── a word that is no stage ────────────────────────────────────────────────────────────


async def test_a_misspelt_stage_is_asked_about_and_the_giver_hears_nothing_until_yes(
    maria_anna, db
) -> None:
    """What happened in the chat: `flytta 2 testning` moved the idea one step and sent the
    idea giver *Maria skriver: ”testning”*."""
    maria, anna = maria_anna
    await maria.says("flytta 1")
    await anna.receives()

    await maria.says("flytta 1 testning")
    maria.hears(
        "Menade du ”Prövas”? ”testning” är inget steg, så jag har inte flyttat idé 1 "
        "”Tryggare tunnlar” och inte skickat något."
    )
    assert maria.buttons() == ["Ja, flytta till Prövas", "Nej"]
    assert (await _idea(db)).stage == "assessment"
    assert await anna.receives() == ""

    await maria.says("ja")
    maria.hears("Klart: idé 1 ”Tryggare tunnlar” gick från Bedömning till Prövas.")
    said = await anna.receives()
    assert said.count("Hej Anna!") == 1
    assert "prövas i liten skala" in said and "testning" not in said and "skriver" not in said
    assert (await _idea(db)).stage == "testing"
    assert await _kinds(db) == ["submitted", "stage", "stage"]


async def test_the_words_after_a_misspelt_stage_go_with_a_yes(maria_anna) -> None:
    maria, anna = maria_anna
    await maria.says("flytta 1 bedömnig Vi läser den här veckan.")
    maria.hears("Menade du ”Bedömning”? ”bedömnig” är inget steg")
    assert maria.buttons() == [
        "Ja, flytta till Bedömning",
        "Flytta till Bedömning med ”bedömnig Vi läser den hä…”",
        "Nej",
    ]
    await maria.clicks("Ja, flytta till Bedömning")
    maria.hears("gick från Inkommen till Bedömning")
    said = await anna.receives()
    assert "Maria skriver: ”Vi läser den här veckan.”" in said
    assert "bedömnig" not in said


async def test_no_to_a_guess_does_nothing(maria_anna, db) -> None:
    maria, anna = maria_anna
    await maria.says("flytta 1 bedömnig")
    maria.hears("Menade du ”Bedömning”?")
    await maria.says("nej")
    maria.hears("Okej, då gör jag ingenting.")
    await maria.says("ja")  # the question is answered: "ja" is no answer to anything now
    maria.does_not_hear("Klart")
    assert (await _idea(db)).stage == "submitted"
    assert await anna.receives() == ""


async def test_a_guess_the_idea_cannot_go_to_offers_where_it_can(maria_anna, db) -> None:
    maria, anna = maria_anna
    await maria.says("flytta 1 prövs")  # Prövas, but not straight from Inkommen
    maria.does_not_hear("Menade du ”Prövas”?")
    maria.hears("Vad menar du med ”prövs”?", "Flytta till Bedömning")
    assert (await _idea(db)).stage == "submitted"
    assert await anna.receives() == ""


async def test_a_word_or_two_are_asked_about_with_the_moves_and_the_words_as_a_message(
    maria_anna, db
) -> None:
    maria, anna = maria_anna
    await maria.says("flytta 1 pilot")
    maria.hears(
        "Vad menar du med ”pilot”? Det är inget steg, så jag har inte flyttat idé 1 "
        "”Tryggare tunnlar” och inte skickat något. Välj här:"
    )
    # Referring and closing need a place and a reason: no buttons for them.
    assert maria.buttons() == [
        "Flytta till Bedömning",
        "Flytta till Vilande",
        "Flytta till Bedömning med ”pilot”",
        "Avbryt",
    ]
    assert await anna.receives() == ""
    as_message = maria.replies[0].choices[2].value
    await maria.says("ja")  # which one? the buttons say
    maria.hears("Tryck på en av knapparna")
    await maria.clicks_value(as_message)
    maria.hears("gick från Inkommen till Bedömning")
    said = await anna.receives()
    assert said.count("Hej Anna!") == 1 and "Maria skriver: ”pilot”" in said

    await maria.says("flytta 1 nästa steg")
    maria.hears("Vad menar du med ”nästa steg”?")
    await maria.clicks("Flytta till Prövas")
    maria.hears("gick från Bedömning till Prövas")
    said = await anna.receives()
    assert "prövas i liten skala" in said and "nästa steg" not in said

    await maria.says("flytta 1 pilot")
    await maria.clicks("Avbryt")
    maria.hears("Okej, då gör jag ingenting.")
    assert (await _idea(db)).stage == "testing"
    assert await anna.receives() == ""


async def test_in_english_too(bot, maria_anna) -> None:
    _, anna = maria_anna
    maria = Chat(bot, user="maria", name="Maria", language="en")
    await maria.says("advance 1 pilot")
    maria.hears("What do you mean by “pilot”? It is not a stage, so I have not moved idea 1")
    assert maria.buttons() == [
        "Move to Assessment",
        "Move to Parked",
        "Move to Assessment with “pilot”",
        "Cancel",
    ]
    await maria.says("advance 1 asessment")
    maria.hears("Did you mean “Assessment”?")
    await maria.clicks("Yes, move to Assessment")
    maria.hears("Done: idea 1 “Tryggare tunnlar” went from Submitted to Assessment.")
    assert (await anna.receives()).count("Hej Anna!") == 1


async def test_a_sentence_and_a_quoted_message_go_to_the_giver_as_before(maria_anna) -> None:
    maria, anna = maria_anna
    await maria.says("advance 1 Bra idé, vi tittar på den!")
    maria.hears("gick från Inkommen till Bedömning")
    assert "Maria skriver: ”Bra idé, vi tittar på den!”" in await anna.receives()
    await maria.says("flytta 1 ”pilot”")
    maria.hears("gick från Bedömning till Prövas")
    assert "Maria skriver: ”pilot”" in await anna.receives()


async def test_an_expired_question_does_nothing(maria_anna, clock, db) -> None:
    maria, anna = maria_anna
    await maria.says("flytta 1 bedömnig")
    clock.advance(hours=1, seconds=1)
    await maria.clicks("Ja, flytta till Bedömning")
    maria.hears("Den frågan gäller inte längre, så jag gör ingenting.")
    await maria.says("flytta 1 bedömnig")
    clock.advance(hours=2)
    await maria.says("ja")
    maria.does_not_hear("Klart")
    assert (await _idea(db)).stage == "submitted"
    assert await anna.receives() == ""
    async with db.transaction() as session:
        assert (await session.execute(select(OpenQuestion))).first() is None  # forgotten


async def test_anything_else_lets_the_question_go_and_is_handled_as_usual(maria_anna, db) -> None:
    maria, anna = maria_anna
    await maria.says("flytta 1 bedömnig")
    yes = maria.replies[0].choices[0].value
    await maria.says("visa 1")  # another command: answered, and the question is let go
    maria.hears("Idé 1: Tryggare tunnlar", "Steg: Inkommen")
    await maria.clicks_value(yes)
    maria.hears("Den frågan gäller inte längre")
    await maria.says("ja")
    maria.does_not_hear("Klart")
    assert (await _idea(db)).stage == "submitted"
    assert await anna.receives() == ""


async def test_a_newer_question_makes_the_older_buttons_stale(maria_anna, db) -> None:
    maria, _ = maria_anna
    await maria.says("flytta 1 prövs")
    old_yes = maria.replies[0].choices[0].value
    await maria.says("flytta 1 bedömnig")
    new_yes = maria.replies[0].choices[0].value
    await maria.clicks_value(old_yes)  # "yes, move to Prövas", from the question before
    maria.hears("Den frågan gäller inte längre")
    assert (await _idea(db)).stage == "submitted"
    await maria.clicks_value(new_yes)
    maria.hears("gick från Inkommen till Bedömning")


async def test_someone_elses_yes_button_does_nothing(maria_anna, db) -> None:
    maria, anna = maria_anna
    await maria.says("flytta 1 bedömnig")
    yes = maria.replies[0].choices[0].value
    await anna.clicks_value(yes)  # a forwarded or forged click: Anna has no such question
    anna.hears("Den frågan gäller inte längre")
    await anna.clicks_value("question:not-a-nonce!:yes")
    anna.hears("Den frågan gäller inte längre")
    assert (await _idea(db)).stage == "submitted"
    await maria.clicks("Ja, flytta till Bedömning")  # Maria's own question still stands
    maria.hears("gick från Inkommen till Bedömning")


async def test_a_yes_is_checked_against_the_role_when_it_is_given(admin_bot, db) -> None:
    boss = Chat(admin_bot, user="boss", name="Boss")
    karin = Chat(admin_bot, user="karin", name="Karin")
    anna = Chat(admin_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await boss.says("coordinator add console:karin")
    await karin.says("flytta 1 bedömnig")
    karin.hears("Menade du ”Bedömning”?")
    await boss.says("coordinator remove console:karin")
    await karin.clicks("Ja, flytta till Bedömning")
    karin.hears("Det där kan bara idéslussare göra.")
    assert (await _idea(db)).stage == "submitted"


# ── ångra ──────────────────────────────────────────────────────────────────────────────


async def test_undo_before_the_message_went_out_withdraws_it(maria_anna, clock, db) -> None:
    maria, anna = maria_anna
    submitted = await _idea(db)
    clock.advance(minutes=10)
    await maria.says("flytta 1 Jag läser den i veckan.")
    maria.hears("gick från Inkommen till Bedömning")
    clock.advance(minutes=5)
    await maria.says("ångra")
    maria.hears(
        "Ångrat: idé 1 ”Tryggare tunnlar” är tillbaka i steget Inkommen. "
        "Anna får ingenting – meddelandet hann inte iväg och är nu stoppat."
    )
    assert await anna.receives() == ""
    idea = await _idea(db)
    assert idea.stage == "submitted"
    assert idea.stage_changed_at == submitted.stage_changed_at
    assert idea.first_response_at is None  # she still waits for her first answer
    assert idea.last_activity_at == clock.now()  # reminders count from the undo
    assert await _outbox(db) == [("stage", "withdrawn")]
    assert await _kinds(db) == ["submitted", "stage", "undo"]
    async with db.transaction() as session:
        stats = await idea_store.stats(session, now=clock.now())
        assert stats.days_in_stage == {}  # the undone move was no stay in Inkommen
        withdrawn = (await session.execute(select(OutboxMessage))).scalars().all()[-1]
        assert withdrawn.payload == {} and withdrawn.content_removed_at is not None

    await maria.says("visa 1")
    maria.hears(
        "Maria: Inkommen → Bedömning – ”Jag läser den i veckan.” (ångrad)",
        "Maria ångrade: Bedömning → Inkommen",
    )
    await anna.says("visa 1")
    anna.does_not_hear("Bedömning", "ångra", "Jag läser")

    await maria.says("ångra")
    maria.hears("Din senaste flytt av idé 1 är redan ångrad.")


async def test_undo_after_the_message_went_out_sends_one_correction(maria_anna, db) -> None:
    maria, anna = maria_anna
    await maria.says("flytta 1 Jag läser den i veckan.")
    assert "Jag läser den i veckan." in await anna.receives()
    await maria.says("undo")
    maria.hears(
        "Ångrat: idé 1 ”Tryggare tunnlar” är tillbaka i steget Inkommen. "
        "Anna kan redan ha fått meddelandet och får därför en kort rättelse."
    )
    said = await anna.receives()
    assert said == (
        "Hej Anna! En rättelse: din idé ”Tryggare tunnlar” är kvar i steget Inkommen. "
        "Meddelandet du nyss fick skickades av misstag – förlåt!\n\n"
        "En idéslussare hör av sig till dig inom en vecka."
    )
    assert await _outbox(db) == [("stage", "sent"), ("correction", "sent")]


async def test_a_message_a_dispatcher_holds_is_corrected_not_withdrawn(
    maria_anna, clock, db
) -> None:
    maria, _ = maria_anna
    await maria.says("flytta 1")
    async with db.transaction() as session:  # a dispatcher claimed it and is sending it now
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "stage")
            .values(attempts=1, claimed_until=clock.now() + timedelta(minutes=5), claim_token="t")
        )
    await maria.says("ångra")
    maria.hears("Anna kan redan ha fått meddelandet och får därför en kort rättelse.")
    assert await _outbox(db) == [("stage", "pending"), ("correction", "pending")]


async def test_undo_a_close_withdraws_the_satisfaction_question_too(maria_anna, db) -> None:
    maria, anna = maria_anna
    await maria.says("avsluta 1 Det finns redan en lösning.")
    await maria.says("ångra")
    maria.hears("är tillbaka i steget Inkommen", "Anna får ingenting")
    assert await anna.receives() == ""
    assert await _outbox(db) == [("stage", "withdrawn"), ("satisfaction", "withdrawn")]
    assert (await _idea(db)).satisfaction_asked_at is None

    # Closed for real later: she is asked, once.
    await maria.says("avsluta 1 Nu är det bestämt.")
    said = await anna.receives()
    assert said.count("hur nöjd är du") == 1 and "Nu är det bestämt." in said


async def test_undo_a_close_that_reached_the_giver_corrects_both_messages(maria_anna) -> None:
    maria, anna = maria_anna
    await maria.says("avsluta 1 Det finns redan en lösning.")
    assert "hur nöjd är du" in await anna.receives()
    await maria.says("ångra")
    said = await anna.receives()
    assert said.startswith("Hej Anna! En rättelse: din idé ”Tryggare tunnlar” är kvar i steget")
    assert "Frågan om hur nöjd du är gäller inte än, så den kan du hoppa över." in said
    await anna.clicks_value("satisfaction:1:4")  # the old question's button
    anna.hears("Den frågan hör inte till någon av dina avslutade idéer.")


async def test_undo_too_late_or_with_nothing_to_undo_says_what_to_do(maria_anna, clock) -> None:
    maria, _ = maria_anna
    await maria.says("ångra")
    maria.hears("Du har ingen flytt att ångra. Ångra tar tillbaka din egen senaste flytt")
    await maria.says("ångra 99")
    maria.hears("Jag hittar ingen idé med nummer 99.")
    await maria.says("flytta 1")
    clock.advance(minutes=31)
    await maria.says("ångra")
    maria.hears(
        "Det är mer än 30 minuter sedan du flyttade idé 1, så det går inte att ångra. "
        "Skriv i stället: flytta 1 tillbaka [meddelande]"
    )
    await maria.says("ångra tolv")
    maria.hears("”tolv” är inget idénummer.", "Så här: ångra")


async def test_only_the_one_who_moved_can_undo_and_only_the_latest_move(
    two_coordinators_bot, db
) -> None:
    maria = Chat(two_coordinators_bot, user="maria", name="Maria")
    karin = Chat(two_coordinators_bot, user="karin", name="Karin")
    anna = Chat(two_coordinators_bot, user="anna", name="Anna Andersson")
    await submit_idea(anna, "Tryggare tunnlar")
    await maria.says("flytta 1")
    await karin.says("ångra")
    karin.hears("Du har ingen flytt att ångra.")
    await karin.says("ångra 1")
    karin.hears(
        "Den senaste flytten av idé 1 gjorde Maria, och bara den som flyttade kan ångra den. "
        "Vill du ändra steget, skriv: flytta 1 tillbaka"
    )
    await karin.says("flytta 1")
    await maria.says("ångra")
    maria.hears("Idé 1 har flyttats igen sedan dess, av Karin, så jag ångrar inte din flytt.")
    assert (await _idea(db)).stage == "testing"
    await karin.says("ångra 1")
    karin.hears("Ångrat: idé 1 ”Tryggare tunnlar” är tillbaka i steget Bedömning.")


# ── flytta tillbaka ────────────────────────────────────────────────────────────────────


async def test_back_to_the_stage_it_came_from_even_where_moves_do_not_go(maria_anna) -> None:
    maria, anna = maria_anna
    await maria.says("flytta 1 tillbaka")
    maria.hears("Idé 1 har inte varit i något steg före Inkommen, så den kan inte gå tillbaka.")
    await maria.says("flytta 1")
    await maria.says("flytta 1")  # Bedömning → Prövas; Prövas's moves do not lead back
    await anna.receives()
    await maria.says("flytta 1 tillbaka Förlåt, det var för tidigt.")
    maria.hears("Klart: idé 1 ”Tryggare tunnlar” gick från Prövas till Bedömning.")
    said = await anna.receives()
    assert said == (
        "Hej Anna! Din idé ”Tryggare tunnlar” (nummer 1) är tillbaka i steget Bedömning. "
        "Maria skriver: ”Förlåt, det var för tidigt.”\n\n"
        "Du hör av oss igen inom två veckor."
    )
    await maria.says("advance 1 back")  # not to Prövas again: a step further back
    maria.hears("gick från Bedömning till Inkommen")
    said = await anna.receives()
    assert "är tillbaka i steget Inkommen." in said and "skriver" not in said
    await maria.says("ångra")  # a move back is a move: it can be undone
    maria.hears("är tillbaka i steget Bedömning", "Anna kan redan ha fått meddelandet")


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("ja", "yes"), ("Ja!", "yes"), ("ja tack", "yes"), ("OK", "yes"), ("japp", "yes"),
        ("yes", "yes"), ("nej", "no"), ("Nej.", "no"), ("nej, tack", "no"), ("no", "no"),
        ("avbryt", "no"), ("jag vet inte", None), ("visa 1", None), ("", None), (None, None),
    ],
)  # fmt: skip
def test_a_typed_yes_or_no(text: str | None, answer: str | None) -> None:
    """As the bot reads an answer to an open question: yes/no where one is asked, and the
    command the words are (bot/reading.py), through the understanding layer."""
    words = text or ""
    command = command_in(words, load_process())
    name = command.name if isinstance(command, Command) else None
    meaning = understand(words, Context("yesno", command=name))
    assert (meaning.kind if meaning.kind in ("yes", "no") else None) == answer
