"""No silence, both ways, on every platform: replies reach the coordinator and back, the bot
keeps its promises, the giver's silence has a maximum, a coordinator can be away, the
coordinator's news comes as one digest a day, and the coordinator's day (`att göra`, `sök`,
`lista`) — each as a transcript through the adapter contract's driver
(tests/adapters/contract.py). The terminal, Slack, Teams and the toy platform all run these,
through their own payloads; where they render differently (Slack blocks, Teams cards), the
scenarios look for the text fragments every platform carries.

The clock is the bot's frozen one: Monday 15 June 2026, 09:00 in Stockholm. Midsommarafton
(Friday 19 June) is not a working day.
"""

from __future__ import annotations

from bot.notifications import notify_coordinators_of_new_idea
from storage import ideas as idea_store
from storage.people import upsert_person
from tests.adapters.driver import ChatDriver, hears, submitted_idea, travel

WHY = "Men varför? Kan jag prata med Maria?"
TITLE = "”Tryggare tunnlar”"


def coordinator_hears(driver: ChatDriver, *fragments: str) -> None:
    said = driver.coordinator_transcript()
    for fragment in fragments:
        assert fragment in said, f"expected {fragment!r} in what reached Maria:\n{said}"


def coordinator_does_not_hear(driver: ChatDriver, *fragments: str) -> None:
    said = driver.coordinator_transcript()
    for fragment in fragments:
        assert fragment not in said, f"did not expect {fragment!r} in what reached Maria:\n{said}"


async def maria_is_here(driver: ChatDriver) -> None:
    """Maria has written to the bot, so that she has an address on this platform."""
    await driver.coordinator_says("hjälp")


async def stored_ideas(driver: ChatDriver, titles: list[str]) -> None:
    """Ideas from Bo, straight into the database, with their news for the coordinators
    (the dialogue is the other scenarios' business)."""
    core = driver.bot.inner  # type: ignore[attr-defined]
    now = core.clock.now()
    async with core.db.transaction() as session:
        bo = await upsert_person(session, "console", "bo", now=now, lock=False)
        bo.display_name = "Bo Berg"
        for title in titles:
            idea = await idea_store.create_idea(
                session,
                bo,
                {
                    "title": title,
                    "need": "Ett behov som många har.",
                    "idea": "Vi provar en månad.",
                    "benefit": "Alla.",
                    "workplace": "Vård och omsorg",
                },
                language="sv",
                now=now,
                stage=core.process.first_stage,
            )
            await notify_coordinators_of_new_idea(
                session, core.settings, core.process, idea, bo, [], now=now
            )


class SilenceScenarios:
    """Issue 14's six items, in its order."""

    # ── 1. replies both ways ────────────────────────────────────────────────────────────

    async def test_1_the_givers_reply_reaches_maria_and_her_answer_reaches_the_giver(
        self, driver: ChatDriver
    ) -> None:
        await maria_is_here(driver)
        await submitted_idea(driver)
        await driver.coordinator_says("flytta 1 Jag läser din idé den här veckan.")
        arrived = await driver.deliver_outbox()
        assert "Jag läser din idé den här veckan." in arrived

        await driver.say(WHY)  # an answer to the news, not a new idea
        hears(driver, "Tack, Anna! Jag har skickat det till Maria", TITLE)
        hears(driver, "svarar dig här senast onsdag 17 juni")
        assert "beskriva det som en ny idé" not in driver.transcript()

        await driver.coordinator_says("visa 1")  # before she has answered: Anna waits
        coordinator_hears(driver, "Idé 1: Tryggare tunnlar", "Väntar på svar", WHY)
        await driver.coordinator_says("lista")
        coordinator_hears(driver, "Tryggare tunnlar – Bedömning", "väntar på svar")

        await driver.deliver_outbox()  # her words reach Maria at once, with buttons
        coordinator_hears(driver, f"Anna skriver om idé 1 {TITLE} (Bedömning): ”{WHY}”")
        assert {"Svara Anna", "Visa idén"} <= set(driver.coordinator_buttons())
        await driver.coordinator_clicks("Svara Anna")
        coordinator_hears(driver, "Skriv ditt svar till Anna om idé 1")
        await driver.coordinator_says("Självklart! Ring mig i morgon förmiddag.")
        coordinator_hears(driver, "Klart: ditt meddelande om idé 1", "är på väg till Anna")

        arrived = await driver.deliver_outbox()
        assert "skriver om din idé ”Tryggare tunnlar” (nummer 1)" in arrived
        assert "”Självklart! Ring mig i morgon förmiddag.”" in arrived
        assert await driver.stage_of(1) == "assessment"  # the idea did not move

        await driver.coordinator_says("visa 1")
        coordinator_hears(driver, "Självklart! Ring mig i morgon förmiddag.")
        coordinator_does_not_hear(driver, "Väntar på svar")

    # ── 2. every promise is kept ────────────────────────────────────────────────────────

    async def test_2_maria_is_warned_first_and_the_giver_hears_an_honest_note_on_the_day(
        self, driver: ChatDriver
    ) -> None:
        await maria_is_here(driver)
        await submitted_idea(driver)  # "inom en vecka": by Tuesday 23 June
        assert await travel(driver, 2) == ""  # Wednesday: nothing yet
        coordinator_does_not_hear(driver, "idégivaren har vårt löfte")
        assert await travel(driver, 1) == ""  # Thursday 18 June: two working days before
        coordinator_hears(
            driver,
            "Det här väntar på dig i dag (1 idé):",
            "idégivaren har vårt löfte om besked senast tisdag 23 juni",
        )
        assert {"Skriv 1", "Pausa 1"} <= set(driver.coordinator_buttons())

        morning = await travel(driver, 2)
        assert morning == "", morning  # nobody acts; the due day, in the morning
        arrived = await travel(driver, 0, hours=6)  # the afternoon of the due day
        assert "Vi lovade att höra av oss om ”Tryggare tunnlar” i dag." in arrived
        assert "förlåt för det" in arrived
        assert "Du hör av oss igen senast tisdag 30 juni." in arrived
        assert await travel(driver, 0, hours=1) == ""  # once

    async def test_2_a_pause_with_a_reason_reaches_the_giver_with_a_date(
        self, driver: ChatDriver
    ) -> None:
        await maria_is_here(driver)
        await submitted_idea(driver)
        await travel(driver, 3)  # Thursday: the warning, with buttons
        await driver.coordinator_clicks("Pausa 1")
        coordinator_hears(driver, "Hur länge ska idé 1 ”Tryggare tunnlar” vänta, och varför?")
        await driver.coordinator_says("pausa 1 5 Vi väntar på besked från fastighetsavdelningen")
        coordinator_hears(driver, "Anna får läsa skälet och hör av oss senast")
        arrived = await driver.deliver_outbox()
        assert "behöver lite mer tid för din idé ”Tryggare tunnlar”" in arrived
        assert "”Vi väntar på besked från fastighetsavdelningen”" in arrived
        assert "Du hör av oss senast fredag 26 juni." in arrived, arrived

    # ── 3. the giver's silence has a maximum ────────────────────────────────────────────

    async def test_3_a_note_is_no_news_and_after_ten_working_days_the_giver_hears(
        self, driver: ChatDriver
    ) -> None:
        await maria_is_here(driver)
        await submitted_idea(driver)
        await driver.coordinator_says("flytta 1 bedömning")
        await driver.coordinator_says("flytta 1 prövas Vi provar i en tunnel.")  # a month
        assert "Vi provar i en tunnel." in await driver.deliver_outbox()
        assert await travel(driver, 5) == ""
        await driver.coordinator_says("notera 1 Väntar på besked från fastighet")
        assert await travel(driver, 4) == ""  # the note restarted nothing for Anna
        arrived = await travel(driver, 1)  # ten working days after she last heard
        assert "Din idé ”Tryggare tunnlar” finns kvar hos oss, i steget Prövas" in arrived
        assert "Du hör av oss igen senast" in arrived
        assert "Väntar på besked från fastighet" not in arrived  # a note is internal

    # ── 4. a coordinator is away ────────────────────────────────────────────────────────

    async def test_4_maria_away_the_giver_is_told_and_maria_hears_nothing_until_back(
        self, driver: ChatDriver
    ) -> None:
        await maria_is_here(driver)
        await submitted_idea(driver)
        await driver.coordinator_says("tilldela 1 mig")
        await driver.deliver_outbox()
        await driver.coordinator_says("borta till 2026-07-06")
        coordinator_hears(
            driver,
            "Klart, Maria: du är borta till 6 juli.",
            "1 idégivare får veta vem de kan vända sig till.",
            "Är du tillbaka tidigare, skriv: tillbaka",
        )
        arrived = await driver.deliver_outbox()
        assert "Maria är ledig till 6 juli." in arrived and TITLE in arrived

        said = driver.coordinator_transcript()
        await travel(driver, 3)  # the promise's warning falls due: not to Maria
        await travel(driver, 2, hours=6)
        assert driver.coordinator_transcript() == said, driver.coordinator_transcript()
        await driver.coordinator_says("tillbaka")
        coordinator_hears(driver, "Välkommen tillbaka, Maria! Dina idéer går till dig igen.")

    async def test_4_with_nobody_else_the_giver_is_not_promised_colleagues(
        self, driver: ChatDriver
    ) -> None:
        await maria_is_here(driver)
        await submitted_idea(driver)
        await driver.coordinator_says("tilldela 1 mig")
        await driver.deliver_outbox()
        await driver.coordinator_says("borta till 2026-07-06")
        arrived = await driver.deliver_outbox()
        assert "Maria är ledig till 6 juli." in arrived
        assert "väntar på Maria så länge" in arrived
        assert "de andra idéslussarna" not in arrived
        coordinator_hears(driver, "Du är den enda idéslussaren just nu")

    # ── 5. one digest a day ─────────────────────────────────────────────────────────────

    async def test_5_many_new_ideas_come_as_one_digest_whose_buttons_work(
        self, driver: ChatDriver
    ) -> None:
        await maria_is_here(driver)
        await submitted_idea(driver)
        titles = ["Cykelpool", "Lånecyklar", "Boksnack", "Matsedel", "Snöröjning", "Bänkar"]
        await stored_ideas(driver, titles)
        await travel(driver, 0, hours=1)  # the sweep at ten: the day's digest
        coordinator_hears(driver, "Det här väntar på dig i dag (7 idéer):")  # one message
        coordinator_hears(driver, f"1 {TITLE} – ny idé från Anna")
        for number, title in enumerate(titles, start=2):
            coordinator_hears(driver, f"{number} ”{title}” – ny idé från Bo Berg")
        buttons = driver.coordinator_buttons()
        assert "Visa 1" in buttons and "Ta 1" in buttons
        assert len(buttons) <= 15, buttons  # five ideas with buttons, the rest in words

        said = driver.coordinator_transcript()
        await stored_ideas(driver, ["Parkering"])  # more news, later the same day
        await travel(driver, 0, hours=3)
        await travel(driver, 0, hours=2)
        assert driver.coordinator_transcript() == said  # no second digest that day

        await driver.coordinator_clicks("Visa 1")  # a digest button, on this platform
        coordinator_hears(driver, "Idé 1: Tryggare tunnlar", "Många är rädda i gångtunnlarna")
        await travel(driver, 1, hours=-5)  # the next morning: the next day's digest
        coordinator_hears(driver, "Det här väntar på dig i dag (1 idé):", "8 ”Parkering”")

    # ── 6. the coordinator's day ────────────────────────────────────────────────────────

    async def test_6_todo_holds_the_waiting_giver_search_finds_and_the_list_says_heard(
        self, driver: ChatDriver
    ) -> None:
        await maria_is_here(driver)
        await submitted_idea(driver)
        await driver.coordinator_says("flytta 1 Jag läser din idé den här veckan.")
        await driver.deliver_outbox()
        await driver.say(WHY)
        await driver.coordinator_says("att göra")
        coordinator_hears(driver, "Tryggare tunnlar – Anna väntar på svar sedan i dag")
        coordinator_hears(driver, "hörde från oss i dag")
        await driver.coordinator_says("sök tunnlar")
        coordinator_hears(driver, "1 idé med ”tunnlar”:", "Tryggare tunnlar – Bedömning")
        await driver.coordinator_says("lista")
        coordinator_hears(driver, "Tryggare tunnlar – Bedömning", "hörde från oss i dag")
