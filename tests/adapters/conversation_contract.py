"""The conversation as people have it, on every platform: the nine ways a person who writes
like a person was let down before the understanding layer (conversations/understanding.py),
each as a transcript run through the adapter contract's driver (tests/adapters/contract.py).
The terminal, Slack, Teams and the toy platform all run these, through their own payloads.
"""

from __future__ import annotations

from tests.adapters.driver import ChatDriver, hears, submitted_idea, up_to_participation

LONG_FIRST_MESSAGE = (
    "Hej! Jag jobbar i hemtjänsten i Väster och varje morgon står vi och väntar på bilarna, "
    "ibland i tjugo minuter. Vi kunde ha elcyklar vid kontoret för de korta besöken i stan."
)


def does_not_hear(driver: ChatDriver, *fragments: str) -> None:
    said = driver.transcript()
    for fragment in fragments:
        assert fragment not in said, f"did not expect {fragment!r} in:\n{said}"


class ConversationScenarios:
    """The nine problems of the issue, in its order."""

    async def test_1_greetings_and_small_talk_are_not_answers(self, driver: ChatDriver) -> None:
        await driver.open()
        await driver.say("Hej!")
        hears(driver, "Hej Anna! Vi fortsätter där vi var:", "Vad vill du kalla din idé?")
        await driver.say("Tryggare tunnlar")
        hears(driver, "Vilket behov")
        await driver.say("Förlåt, var tvungen att springa iväg. Var var vi?")
        hears(driver, "Inga problem! Vi var här:", "Vilket behov")
        await driver.say("Många är rädda i gångtunnlarna på kvällen.")
        hears(driver, "Hur skulle idén fungera?")  # the apology was not taken as the need

    async def test_2_commands_work_in_the_middle_and_the_dialogue_waits(
        self, driver: ChatDriver
    ) -> None:
        await driver.open()
        await driver.say("Tryggare tunnlar")
        await driver.say("mina")
        hears(driver, "Du har inte skickat in någon idé än", "Vi fortsätter med din idé:")
        hears(driver, "Vilket behov")
        await driver.say("glöm mig")  # a forget-me request is heard, whatever step
        hears(driver, "Vill du att jag glömmer dig?", "Din idé finns kvar")
        await driver.say("nej")  # typed, not only the button
        hears(driver, "Då sparar jag allt som förut.")
        await driver.say("Många är rädda i gångtunnlarna på kvällen.")
        hears(driver, "Hur skulle idén fungera?")

    async def test_3_yes_and_no_in_the_words_people_use(self, driver: ChatDriver) -> None:
        await up_to_participation(driver)
        await driver.say("ja gärna!")
        hears(driver, "Var arbetar du?")
        await driver.say("Kultur och fritid")
        await driver.say("nej, namnet är fel")  # at the summary: straight to the name
        hears(driver, "Vad vill du kalla din idé?", "Tryggare tunnlar")
        await driver.say("Tryggare gångtunnlar")
        hears(driver, "Så här ser din idé ut")
        await driver.say("ja, skicka in den")
        hears(driver, "Din idé ”Tryggare gångtunnlar” har kommit fram och har nummer 1.")

    async def test_4_thanks_after_submitting_starts_nothing(self, driver: ChatDriver) -> None:
        await submitted_idea(driver)
        await driver.say("tack så mycket! 😊")
        hears(driver, "Varsågod, Anna!")
        does_not_hear(driver, "Jag är Idéslussen", "Vad vill du kalla din idé?")
        await driver.say("Hej!")  # and a week later: her news, not a new idea
        hears(driver, "Hej Anna! Dina idéer:", "Tryggare tunnlar – Inkommen")
        does_not_hear(driver, "Vad vill du kalla din idé?")

    async def test_5_a_score_in_words_is_kept_with_its_comment(self, driver: ChatDriver) -> None:
        await submitted_idea(driver)
        await driver.coordinator_says("avsluta 1 Vi har redan beslutat om ny belysning.")
        arrived = await driver.deliver_outbox()
        assert "hur nöjd är du med hur din idé togs om hand?" in arrived
        await driver.say("meh, 3 kanske. Lite besviken 😕")
        hears(driver, "Tack, det tar vi med oss.")
        await driver.say("visa 1")
        hears(driver, "3 av 5")  # (each platform shows the facts its own way)

    async def test_6_english_please_switches_the_conversation(self, driver: ChatDriver) -> None:
        await driver.open()
        await driver.say("Hi there! Sorry, do you speak English?")
        hears(driver, "Sure – from now on I'll write in English.", "What would you like to call")
        await driver.say("Safer tunnels")
        hears(driver, "Which need or problem")
        await driver.say("på svenska tack")
        hears(driver, "Absolut – från och med nu skriver jag på svenska.", "Vilket behov")

    async def test_7_nothing_a_person_wrote_is_thrown_away(self, driver: ChatDriver) -> None:
        await driver.open()
        await driver.say(LONG_FIRST_MESSAGE)  # far too long for a name
        hears(driver, "Jag sparar den som beskrivningen av idén.", "Ska idén heta")
        await driver.click("Ja, det blir bra")
        hears(driver, "Vilket behov")
        await driver.say("Vi väntar på bilar.\nIbland i tjugo minuter.\nVarje morgon.")
        hears(driver, "Hur skulle idén fungera?", "elcyklar vid kontoret")  # kept, shown
        await driver.click("Det stämmer")
        hears(driver, "Vem har nytta av idén")

    async def test_8_a_coordinator_mistake_is_asked_about_and_can_be_undone(
        self, driver: ChatDriver
    ) -> None:
        await submitted_idea(driver)
        await driver.coordinator_says("flytta 1 testning")  # not a stage's name
        assert await driver.stage_of(1) == "submitted"
        assert "testning" not in await driver.deliver_outbox()  # nothing reached Anna
        await driver.coordinator_says("flytta 1 bedömnig")  # a typo: "Menade du Bedömning?"
        assert await driver.stage_of(1) == "submitted"
        await driver.coordinator_says("ja")
        assert await driver.stage_of(1) == "assessment"
        await driver.coordinator_says("ångra")  # before the message went out
        assert await driver.stage_of(1) == "submitted"
        assert await driver.deliver_outbox() == ""  # withdrawn: Anna heard nothing at all
        await driver.coordinator_says("flytta 1 bedömning Vi tittar på den nu!")
        arrived = await driver.deliver_outbox()
        assert "Vi tittar på den nu!" in arrived and "testning" not in arrived
        await driver.coordinator_says("flytta 1 tillbaka")  # a move back is possible
        assert await driver.stage_of(1) == "submitted"

    async def test_9_the_introduction_once_news_before_help_short_help(
        self, driver: ChatDriver
    ) -> None:
        await submitted_idea(driver)
        await driver.say("Hej!")  # a returning idea giver: her news first, one line of help
        hears(driver, "Hej Anna! Dina idéer:", "Skriv ”hjälp” för allt jag kan")
        does_not_hear(driver, "Det här kan du skriva till mig")
        await driver.say("Jag har en idé till")
        hears(driver, "Vad roligt med en ny idé, Anna!", "Vad vill du kalla din idé?")
        does_not_hear(driver, "Jag är Idéslussen")  # the introduction was said once
        await driver.say("hjälp")
        hears(driver, "”mina” och ”glöm mig” fungerar också mitt i")
        assert len(driver.transcript()) < 700  # fits a phone screen
