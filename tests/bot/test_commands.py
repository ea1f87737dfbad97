"""Coordinator commands: what goes wrong is explained and changes nothing; what goes right is
recorded once, with one message to the idea giver."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from bot.incoming import Incoming
from storage.models import Idea, IdeaEvent, OutboxMessage, ProcessedEvent
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat


async def _counts(db) -> tuple:
    async with db.transaction() as session:
        idea = await session.get(Idea, 1)
        events = await session.scalar(select(func.count()).select_from(IdeaEvent))
        outbox = await session.scalar(select(func.count()).select_from(OutboxMessage))
        return idea.stage, idea.assignee_id, events, outbox


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (
            "advance 1 utveckling",
            "Idé 1 är i steget Inkommen. Därifrån kan den gå till: "
            "Bedömning, Vilande, Hänvisad, Avslutad.",
        ),
        ("advance 1 införd Klart!", "Därifrån kan den gå till: Bedömning, Vilande"),
        ("advance 99", "Jag hittar ingen idé med nummer 99."),
        ("show 99", "Jag hittar ingen idé med nummer 99."),
        ("advance", "Vilken idé menar du? Skriv idéns nummer.\nSå här: flytta 12 [steg]"),
        ("advance tolv", "”tolv” är inget idénummer."),
        ("advance 0", "”0” är inget idénummer."),
        ("advance 99999999999999999999", "är inget idénummer"),
        ("close 1", "Skriv också varför idén avslutas"),
        ("close", "Vilken idé menar du?"),
        ("refer 1", "Vart ska idén hänvisas?"),
        ("note 1", "Vad vill du anteckna?"),
        ("assign 1", "Vem menar du? Skriv ”mig” eller @namn."),
        ("reopen 1", "Idé 1 är i steget Inkommen och behöver inte återöppnas."),
        ("advance 1 avslutad", "För att avsluta idé 1 behöver jag ett skäl."),
        ("advance 1 hänvisad", "Skriv vart idé 1 hänvisas"),
        ("frobnicate 1", "Jag känner inte igen ”frobnicate”."),
        ("list vilse", "Jag förstod inte ”vilse” i listan."),
        ("export pdf", "Jag kan bara exportera som csv, inte ”pdf”."),
        ("stats please", "Jag förstod inte vilken tid ”please” är."),
    ],
)
async def test_mistakes_are_explained_and_change_nothing(
    command: str, answer: str, maria_anna, db
) -> None:
    maria, _ = maria_anna
    before = await _counts(db)
    await maria.says(f"/idea {command}")
    maria.hears(answer)
    assert await _counts(db) == before


async def test_a_retried_advance_creates_one_event_and_one_message(maria_anna, db) -> None:
    maria, anna = maria_anna
    await maria.says_retried("/idea advance 1 Vi läser den nu.", event_id="Ev0PV52K25")
    maria.hears("gick från Inkommen till Bedömning")
    before = await _counts(db)
    # The platform did not get our answer in time and delivers the same command again.
    await maria.says_retried("/idea advance 1 Vi läser den nu.", event_id="Ev0PV52K25")
    assert maria.replies == []  # the first delivery was answered; nothing is said twice
    assert await _counts(db) == before
    said = await anna.receives()
    assert said.count("Hej Anna!") == 1
    async with db.transaction() as session:
        stage_events = await session.scalar(
            select(func.count()).select_from(IdeaEvent).where(IdeaEvent.kind == "stage")
        )
        assert stage_events == 1
        assert await session.get(ProcessedEvent, "console:Ev0PV52K25") is not None
    # The same words typed again, as a new delivery, are a new command.
    await maria.says_retried("/idea advance 1", event_id="Ev0PV52K26")
    maria.hears("gick från Bedömning till Prövas")


async def test_advance_without_a_stage_follows_the_main_line_and_stops_at_the_end(
    maria_anna,
) -> None:
    maria, _ = maria_anna
    for expected in ("Bedömning", "Prövas", "Utveckling", "Införd", "Spridning"):
        await maria.says("advance 1")
        maria.hears(f"till {expected}.")
    await maria.says("advance 1")
    maria.hears("Idé 1 är i steget Spridning, och därifrån går den inte att flytta.")


async def test_a_parked_idea_returns_to_where_it_rested(maria_anna) -> None:
    maria, anna = maria_anna
    await maria.says("advance 1 prövas")  # not allowed straight from Inkommen
    maria.hears("Därifrån kan den gå till")
    await maria.says("advance 1")
    await maria.says("park 1 Vi väntar på nästa års budget.")
    maria.hears("gick från Bedömning till Vilande")
    said = await anna.receives()
    assert "som vilande en tid. Det betyder inte nej" in said
    assert "Maria skriver: ”Vi väntar på nästa års budget.”" in said
    await maria.says("advance 1")
    maria.hears("gick från Vilande till Bedömning")


async def test_an_english_coordinator_uses_english_words_and_stage_names(bot, maria_anna) -> None:
    _, anna = maria_anna
    maria = Chat(bot, user="maria", name="Maria", language="en")
    await maria.says("advance 1 assessment")
    maria.hears("Done: idea 1 “Tryggare tunnlar” went from Submitted to Assessment.")
    await maria.says("flytta 1 Prövas")  # Swedish words work for her too
    maria.hears("went from Assessment to Testing")
    await maria.says("list testing")
    maria.hears("1 idea:", "1. Tryggare tunnlar – Testing for 0 days – nobody yet")
    said = await anna.receives()
    assert said.count("Hej Anna!") == 2  # the idea giver hears it in her own language


async def test_list_is_oldest_first_with_days_in_stage_and_filters(bot, maria_anna, clock) -> None:
    maria, _ = maria_anna
    bertil = Chat(bot, user="bertil", name="Bertil")
    clock.advance(days=3)
    await submit_idea(bertil, "Digital matsedel")
    clock.advance(days=1)
    await maria.says("list")
    maria.hears(
        "2 idéer, äldst först:\n"
        "1. Tryggare tunnlar – Inkommen i 4 dagar – ingen ännu, hörde från oss för 4 dagar sedan\n"
        "2. Digital matsedel – Inkommen i 1 dag – ingen ännu, hörde från oss för 1 dag sedan"
    )
    await maria.says("assign 2 me")
    await maria.says("list --mine")
    maria.hears("1 idé:", "2. Digital matsedel")
    maria.does_not_hear("Tryggare")
    await maria.says("lista --otilldelade")
    maria.hears("1. Tryggare tunnlar")
    maria.does_not_hear("Digital")
    await maria.says("close 1 Det finns redan en lösning.")
    await maria.says("list")  # closed ideas leave the queue
    maria.does_not_hear("Tryggare")
    await maria.says("list avslutad")
    maria.hears("1. Tryggare tunnlar – Avslutad")


async def test_notes_are_internal(maria_anna, db) -> None:
    maria, anna = maria_anna
    await maria.says("note 1 Ring fritidsgården först.")
    maria.hears("Anteckningen är sparad på idé 1. Den syns bara för idéslussare.")
    assert await anna.receives() == ""
    await anna.says("visa 1")
    anna.does_not_hear("fritidsgården först")
    await maria.says("visa 1")
    maria.hears("Anteckningar: 2026-06-15 Maria: Ring fritidsgården först.")


async def test_export_is_a_csv_file_with_the_history(maria_anna) -> None:
    maria, _ = maria_anna
    await maria.says("advance 1")
    await maria.says('note 1 =HYPERLINK("http://x")')
    await maria.says("export")
    maria.hears("Här är alla 1 idéer med sin historik.")
    (attachment,) = maria.replies[0].attachments
    assert attachment.name == "idesluss-2026-06-15.csv"
    assert attachment.media_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(attachment.data.decode("utf-8-sig"))))
    assert list(rows[0])[:3] == ["number", "title", "stage"]
    assert [(r["number"], r["title"], r["stage"]) for r in rows] == [
        ("1", "Tryggare tunnlar", "assessment")
    ] * 2
    # One row per step of the stage path; the coordinators' note stays out of the file.
    assert [(r["event"], r["from_stage"], r["to_stage"]) for r in rows] == [
        ("submitted", "", "submitted"),
        ("stage", "submitted", "assessment"),
    ]
    assert "HYPERLINK" not in attachment.data.decode("utf-8-sig")


async def test_a_csv_cell_cannot_become_a_formula(bot, maria) -> None:
    anna = Chat(bot, user="anna", name="Anna")
    await submit_idea(anna, "=1+1 bättre kaffe")
    await maria.says("export")
    data = maria.replies[0].attachments[0].data.decode("utf-8-sig")
    assert "'=1+1 bättre kaffe" in data


async def test_commands_without_prefix_and_ideas_that_start_with_a_command_word(
    bot, maria_anna
) -> None:
    _, anna = maria_anna
    await anna.says("Visa vägen med skyltar i parken")  # not a broken "visa N"; an idea?
    anna.hears("Vill du att jag hjälper dig att beskriva det som en ny idé?")
    await anna.clicks("Ja, en ny idé")
    anna.hears(
        "Vad roligt med en ny idé, Anna!", "Ska idén heta ”Visa vägen med skyltar i parken”?"
    )
    await anna.says("mina")  # a command works at every step, and the dialogue waits
    anna.hears("1. Tryggare tunnlar", "Vi fortsätter med din idé:", "Ska idén heta")
    await anna.says("ja")
    anna.hears("Vilket behov")
    await anna.says("/idea mina")  # the prefix makes anything a command
    anna.hears("1. Tryggare tunnlar", "Vilket behov")
    await anna.says("Mina kollegor hittar inte vägen till parken från skolan.")
    anna.hears("Hur skulle idén fungera?")  # a command word starting an answer is an answer


async def test_a_slack_slash_command_is_always_a_command(bot, maria_anna) -> None:
    replies = await bot.handle(
        Incoming(platform="slack", user_id="U024BE7LH", text="mine", command=True)
    )
    assert "Du har inte skickat in någon idé än." in replies[0].text
    # Even mid-dialogue, and even with words that would be an answer there.
    await bot.handle(Incoming(platform="slack", user_id="U024BE7LH", text="Hej"))
    replies = await bot.handle(
        Incoming(platform="slack", user_id="U024BE7LH", text="mine", command=True)
    )
    assert "Du har inte skickat in någon idé än." in replies[0].text


async def test_refer_and_reopen_return_to_where_the_idea_was(maria_anna) -> None:
    maria, anna = maria_anna
    await maria.says("advance 1")
    await maria.says('hänvisa 1 "Tekniska förvaltningen" De sköter belysningen.')
    maria.hears("gick från Bedömning till Hänvisad")
    said = await anna.receives()
    assert "passar bäst hos Tekniska förvaltningen" in said
    assert "Maria skriver: ”De sköter belysningen.”" in said
    await maria.says("återöppna 1 De bad oss ta tillbaka den.")
    maria.hears("gick från Hänvisad till Bedömning")
    await maria.says("visa 1")
    maria.hears("Bedömning → Hänvisad (Tekniska förvaltningen) – ”De sköter belysningen.”")


async def test_assigning_to_another_coordinator_tells_them(db, clock, database_url) -> None:
    from bot.app import IdeaBot
    from bot.config import Settings

    settings = Settings(
        database_url=database_url, coordinators=frozenset({"console:maria", "slack:U0LARS"})
    )
    bot = IdeaBot(db, settings=settings, clock=clock)
    anna = Chat(bot, user="anna", name="Anna")
    maria = Chat(bot, user="maria", name="Maria")
    lars = Chat(bot, user="U0LARS", name="Lars Ek", platform="slack", language="en")
    await submit_idea(anna, "Tryggare tunnlar")
    await lars.says("/idea list")  # Lars has talked to the bot: his language is known
    await lars.receives()
    await maria.says("assign 1 slack:U0LARS")
    maria.hears("Klart: Lars Ek tar hand om idé 1 ”Tryggare tunnlar”.")
    await run_sweep(bot)  # in his day's digest, with the new idea: one line
    said = await lars.receives()
    assert (
        "1 “Tryggare tunnlar” – new idea from Anna (Kultur och fritid); Maria gave it to you"
        in said
    )
    await maria.says("assign 1 slack:U0LARS")
    maria.hears("Lars Ek har redan hand om idé 1.")
    await run_sweep(bot)
    assert await lars.receives() == ""


@pytest.mark.parametrize(
    ("action", "answer"),
    [
        ("cmd:assign:x:me", "Jag förstod inte riktigt."),
        ("cmd:frobnicate:1:x", "Jag förstod inte riktigt."),
        ("cmd:advance:1:nowhere", "Därifrån kan den gå till: Bedömning"),
        ("cmd:advance:99:assessment", "Jag hittar ingen idé med nummer 99."),
        ("satisfaction:1:9", "Den frågan hör inte till någon av dina avslutade idéer."),
        ("satisfaction:1", "Den frågan hör inte till någon av dina avslutade idéer."),
    ],
)
async def test_broken_or_forged_buttons_change_nothing(
    action: str, answer: str, maria_anna, db
) -> None:
    maria, _ = maria_anna
    before = await _counts(db)
    await maria.clicks_value(action)
    maria.hears(answer)
    assert await _counts(db) == before


async def test_a_retried_dialogue_answer_is_taken_once(bot, db) -> None:
    anna = Chat(bot, user="anna", name="Anna")
    await anna.says("Hej")
    await anna.says_retried("Tryggare tunnlar", event_id="Ev1")
    anna.hears("Vilket behov")
    await anna.says_retried("Tryggare tunnlar", event_id="Ev1")
    assert anna.replies == []
    await anna.says("Många är rädda i tunnlarna på kvällen.")
    anna.hears("Hur skulle idén fungera?")  # the dialogue moved one step, not two
