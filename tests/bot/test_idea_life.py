"""The whole life of an idea, as the idea giver and the coordinator see it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage.models import Idea, IdeaEvent, OutboxMessage
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat


async def test_a_whole_life_in_two_languages(bot, db, clock) -> None:
    anna = Chat(bot, user="anna", name="Anna Andersson", language="sv")
    john = Chat(bot, user="john", name="John Smith", language="en")
    maria = Chat(bot, user="maria", name="Maria Berg")

    # The employee submits; the coordinators are told, with buttons to act at once.
    number = await submit_idea(
        anna,
        "Lånecyklar för hemtjänsten",
        need="Personalen i hemtjänsten väntar på bilar varje morgon.",
        idea="Elcyklar som personalen kan låna för korta besök.",
        benefit="Brukarna får besök i tid och vi sparar bilar.",
    )
    assert number == 1
    await run_sweep(bot)  # the coordinators' news goes out as the day's digest
    said = await maria.receives()
    assert "1 ”Lånecyklar för hemtjänsten” – ny idé från Anna Andersson (Kultur och fritid)" in said
    assert maria.buttons() == ["Visa 1", "Ta 1", "Pausa 1"]
    await maria.clicks("Ta 1")
    maria.hears("Klart: Maria Berg tar hand om idé 1 ”Lånecyklar för hemtjänsten”.")

    # A second idea giver, in English, with an idea much like the first.
    english = await submit_idea(
        john,
        "Bicycles for home care",
        need="Home care staff wait for cars every morning.",
        idea="Electric bicycles for the staff to borrow for short visits.",
        benefit="Visits on time and fewer cars.",
        workplace="Care services, home care West",
        lang="en",
    )
    assert english == 2
    john.hears("Thank you, John!")
    # A colleague has a similar idea: the coordinators see that the two belong together.
    karin = Chat(bot, user="karin", name="Karin Ek", language="sv")
    await submit_idea(
        karin,
        "Elcyklar i hemtjänsten Öst",
        need="Hemtjänsten i Öst har för få bilar på morgonen.",
        idea="Låt personalen låna elcyklar till besöken i centrum.",
        benefit="Besöken blir av i tid.",
    )
    clock.set(clock.now() + timedelta(days=1))  # the next digest: the next working day
    await run_sweep(bot)
    said = await maria.receives()
    assert "2 ”Bicycles for home care” – ny idé från John Smith" in said
    assert (
        "3 ”Elcyklar i hemtjänsten Öst” – ny idé från Karin Ek (Kultur och fritid) – liknar 1"
        in said
    )

    # Three moves, each with the coordinator's own words; each reaches Anna, in Swedish.
    await maria.says("/idea advance 1 Jag läser din idé den här veckan.")
    maria.hears("Klart: idé 1 ”Lånecyklar för hemtjänsten” gick från Inkommen till Bedömning.")
    maria.hears("Anna får ett meddelande om det.")
    said = await anna.receives()
    assert said.startswith("Hej Anna! Maria Berg har börjat titta närmare på din idé")
    assert "”Lånecyklar för hemtjänsten” (nummer 1)" in said
    assert "Maria Berg skriver: ”Jag läser din idé den här veckan.”" in said
    assert said.endswith("Du hör av oss igen inom två veckor.")

    await maria.says("flytta 1 prövas Vi provar med tre cyklar i Väster.")
    maria.hears("gick från Bedömning till Prövas")
    said = await anna.receives()
    assert "Nu ska din idé ”Lånecyklar för hemtjänsten” (nummer 1) prövas i liten skala" in said
    assert "Maria Berg skriver: ”Vi provar med tre cyklar i Väster.”" in said
    assert "Maria Berg berättar hur testet går, senast om en månad." in said

    await maria.says("advance 1")
    maria.hears("gick från Prövas till Utveckling")
    said = await anna.receives()
    assert "Testet av din idé ”Lånecyklar för hemtjänsten” (nummer 1) gick så bra" in said
    assert "skriver" not in said  # no words of her own this time, and no empty quote

    # John's idea moves too: his message is in English.
    await maria.says("advance 2 Thank you, John – I am reading it this week.")
    said = await john.receives()
    assert said.startswith("Hi John! Maria Berg has started looking more closely at your idea")
    assert "“Bicycles for home care” (number 2)" in said
    assert "Maria Berg writes: “Thank you, John – I am reading it this week.”" in said
    assert said.endswith("You will hear from us again within two weeks.")

    # The coordinator sees the similar idea, the history and an internal note.
    await maria.says("note 1 Pratat med fordonsenheten.")
    await maria.says("show 1")
    maria.hears(
        "Idé 1: Lånecyklar för hemtjänsten",
        "Steg: Utveckling",
        "Ansvarig: Maria Berg",
        "Maria Berg: Inkommen → Bedömning – ”Jag läser din idé den här veckan.”",
        "Maria Berg: Bedömning → Prövas",
        "Anteckningar: 2026-06-16 Maria Berg: Pratat med fordonsenheten.",
    )

    await maria.says("show 3")
    maria.hears("Idé 3: Elcyklar i hemtjänsten Öst", "Liknande idéer: 1 Lånecyklar för hemtjänsten")

    # Close with a reason: thanks, the reason in her words, and the satisfaction question.
    await maria.says("close 1 Kommunen köper in elbilar i stället, men din idé visade behovet.")
    maria.hears("gick från Utveckling till Avslutad")
    said = await anna.receives()
    assert "valt att inte gå vidare med den nu. Tack för att du delade den" in said
    assert "Maria Berg skriver: ”Kommunen köper in elbilar i stället" in said
    assert "Har du fler idéer? Skriv till mig när som helst." in said
    assert "hur nöjd är du med hur din idé togs om hand?" in said
    assert anna.buttons() == ["1 Inte alls", "2", "3", "4", "5 Mycket nöjd"]

    await anna.clicks("4")
    anna.hears("Tack för ditt svar! Vill du berätta något mer")
    await anna.says("Det var fint att få veta varför.")
    anna.hears("Tack, det tar vi med oss.")

    # The idea giver sees only the public history, never the note.
    await anna.says("visa 1")
    anna.hears("Steg: Avslutad", "Nöjdhet: 4 av 5")
    anna.does_not_hear("fordonsenheten", "Liknande idéer", "Bicycles")

    await maria.says("stats")
    maria.hears(
        "Idéer totalt: 3",
        "Inkommen 1, Bedömning 1,",
        "Avslutad 1",
        "Nöjdhet: medel 4,0 av 5 (1 svar) – 1: 0 · 2: 0 · 3: 0 · 4: 1 · 5: 0",
        "Fick svar i tid: 100 % (2 av 2)",  # idea 3 still has time
    )

    async with db.transaction() as session:
        idea = await session.get(Idea, 1)
        assert (idea.stage, idea.satisfaction) == ("closed", 4)
        assert idea.satisfaction_comment == "Det var fint att få veta varför."
        kinds = (
            (
                await session.execute(
                    select(IdeaEvent.kind).where(IdeaEvent.idea_id == 1).order_by(IdeaEvent.id)
                )
            )
            .scalars()
            .all()
        )
        assert kinds == [
            "submitted", "assigned", "stage", "stage", "stage", "note", "stage",
            "satisfaction", "satisfaction_comment",
        ]  # fmt: skip
        pending = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )
        assert pending == 0


async def test_satisfaction_is_asked_once_even_when_reopened_and_closed_again(
    bot, maria_anna
) -> None:
    maria, anna = maria_anna
    await maria.says("close 1 Det finns redan en lösning.")
    said = await anna.receives()
    assert said.count("hur nöjd är du") == 1
    await maria.says("reopen 1 Vi tittar på den igen.")
    maria.hears("gick från Avslutad till Inkommen")
    said = await anna.receives()
    assert "är registrerad igen" in said and "Maria skriver: ”Vi tittar på den igen.”" in said
    await maria.says("close 1 Nu är det bestämt.")
    said = await anna.receives()
    assert "Maria skriver: ”Nu är det bestämt.”" in said
    assert "hur nöjd" not in said


async def test_a_typed_digit_answers_the_open_question_and_skip_ends_the_comment(
    bot, maria_anna
) -> None:
    maria, anna = maria_anna
    await maria.says("refer 1 ”Tekniska förvaltningen” De äger frågan om gatubelysning.")
    said = await anna.receives()
    assert "passar bäst hos Tekniska förvaltningen, så vi har lämnat den vidare dit" in said
    await anna.says("5")
    anna.hears("Tack för ditt svar!")
    await anna.says("hoppa över")
    anna.hears("Okej! Har du fler idéer?")
    await anna.says("5")  # no question open any more: the bot asks, and starts nothing
    anna.hears("Vill du att jag hjälper dig att beskriva det som en ny idé?")


async def test_a_button_answer_in_the_middle_of_a_new_idea_keeps_the_dialogue(
    bot, maria_anna
) -> None:
    maria, anna = maria_anna
    await maria.says("close 1 Det finns redan en lösning.")
    await anna.says("Hej, jag har en ny idé")
    await anna.says("Snabbare fakturor")
    anna.hears("Vilket behov")
    await anna.clicks_value("satisfaction:1:3")
    anna.hears("Tack för ditt svar om idén ”Tryggare tunnlar”!", "Vilket behov")
    await anna.says("Leverantörer väntar i veckor på att få betalt.")
    anna.hears("Hur skulle idén fungera?")
    await anna.clicks_value("satisfaction:1:5")
    anna.hears("Du har redan svarat om idén ”Tryggare tunnlar” – tack!")


async def test_someone_else_cannot_answer_for_the_idea_giver(bot, maria_anna) -> None:
    maria, anna = maria_anna
    await maria.says("close 1 Det finns redan en lösning.")
    await maria.clicks_value("satisfaction:1:1")
    maria.hears("Den frågan hör inte till någon av dina avslutade idéer.")
    await anna.clicks_value("satisfaction:1:2")
    anna.hears("Tack för ditt svar!")
