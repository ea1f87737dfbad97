"""One set of scenarios every chat adapter must pass, written against a small driver.

Each adapter's test module subclasses `AdapterContract` and provides a `driver` fixture
returning its `ChatDriver` (inheritance, as nautobot-app-chatops runs one test class against
every dispatcher). The console and Teams drivers live beside their adapters' tests; a Slack
driver only has to implement the same few verbs:

    open()                      the person opens the chat / installs the app
    say(text)                   the person types a message
    click(label, earlier=False) the person clicks a button (earlier=True: on an older message)
    transcript() / buttons()    what the bot showed in answer to the last turn
    proactive(replies) -> str   the platform's Sender delivers to this person; what arrived
    coordinator_says(text)      a coordinator (Maria) types in her own chat with the bot
    coordinator_clicks(label)   she clicks a button in what reached her
    coordinator_transcript()    what reached her since she last wrote or clicked
    coordinator_buttons()       the buttons in it (the terminal: of its last message)
    stage_of(number) -> str     the idea's stage, as stored
    deliver_outbox() -> str     the real dispatcher, with this platform's Sender and an
                                office-hours clock, sends what waits; what reached this person
    garbage() -> None           the worst the platform can deliver; must not break anything
    incomings                   every Incoming the core was given, in order
    supports_stale_clicks       False where old buttons cannot be clicked (the terminal)
"""

from __future__ import annotations

import pytest

from conversations.reply import Reply
from tests.adapters.conversation_contract import ConversationScenarios
from tests.adapters.driver import (
    ANSWERS,
    ChatDriver,
    RecordingBot,
    hears,
    submitted_idea,
    up_to_participation,
)
from tests.adapters.silence_contract import SilenceScenarios

__all__ = ["ANSWERS", "AdapterContract", "ChatDriver", "RecordingBot", "hears"]


class AdapterContract(ConversationScenarios, SilenceScenarios):
    """The scenarios, with the conversation's (tests/adapters/conversation_contract.py) and
    no silence's (tests/adapters/silence_contract.py).
    Subclasses provide the `driver` fixture."""

    @pytest.fixture
    def driver(self) -> ChatDriver:  # pragma: no cover - always overridden
        raise NotImplementedError

    async def test_opening_the_chat_greets_and_asks_the_first_question(
        self, driver: ChatDriver
    ) -> None:
        await driver.open()
        hears(driver, "Hej Anna! Jag är Idéslussen.", "Vad vill du kalla din idé?")
        assert driver.incomings[-1].opened is True

    async def test_a_whole_idea_with_buttons(self, driver: ChatDriver) -> None:
        await up_to_participation(driver)
        assert driver.buttons() == ["Ja", "Nej"]
        await driver.click("Ja")
        hears(driver, "Var arbetar du?")
        await driver.say("Kultur och fritid, fritidsgården Väster")
        hears(driver, "Så här ser din idé ut. Stämmer det?", "Tryggare tunnlar")
        assert driver.buttons() == ["Skicka in", "Ändra något", "Avbryt"]
        await driver.click("Skicka in")
        hears(driver, "Tack, Anna! Din idé ”Tryggare tunnlar” har kommit fram och har nummer 1.")

    async def test_a_click_on_an_old_question_is_explained(self, driver: ChatDriver) -> None:
        if not driver.supports_stale_clicks:
            pytest.skip("old buttons cannot be clicked on this platform")
        await up_to_participation(driver)
        await driver.click("Ja")
        await driver.click("Ja", earlier=True)
        hears(driver, "Den knappen hörde till en tidigare fråga", "Var arbetar du?")

    async def test_a_command_moves_the_idea_and_the_follow_up_reaches_the_idea_giver(
        self, driver: ChatDriver
    ) -> None:
        await submitted_idea(driver)
        await driver.coordinator_says("advance 1 assessment Bra idé, vi tittar på den!")
        incoming = driver.incomings[-1]
        assert incoming.text == "advance 1 assessment Bra idé, vi tittar på den!"
        assert incoming.action is None and incoming.in_group is False
        assert await driver.stage_of(1) == "assessment"

        arrived = await driver.deliver_outbox()
        assert "”Tryggare tunnlar”" in arrived and "Bra idé, vi tittar på den!" in arrived
        assert await driver.deliver_outbox() == ""  # delivered once

    async def test_a_proactive_message_reaches_the_person(self, driver: ChatDriver) -> None:
        await driver.open()
        arrived = await driver.proactive(
            [Reply("Hej Anna! Maria har läst din idé ”Tryggare tunnlar”.")]
        )
        assert "Maria har läst din idé ”Tryggare tunnlar”." in arrived

    async def test_bad_input_breaks_nothing(self, driver: ChatDriver) -> None:
        await driver.open()
        await driver.say("Tryggare tunnlar")
        await driver.garbage()
        await driver.say("hjälp")
        hears(driver, "Vilket behov eller problem")  # still at the second question
