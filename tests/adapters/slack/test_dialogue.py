"""A whole idea told to the bot in Slack: DM events and button clicks over signed HTTP, the
replies arriving at the (fake) Slack Web API."""

from __future__ import annotations

from sqlalchemy import select

from bot.server import SENDERS
from conversations.reply import Choice, Reply
from storage.models import Dialogue, Idea, Person
from tests.adapters.slack.conftest import SlackChat, SlackSide


async def test_a_whole_idea_through_slack(anna: SlackChat, slack: SlackSide, db) -> None:
    await anna.says("Hej!")
    anna.hears("Hej Anna! Jag är Idéslussen.", "Vad vill du kalla din idé?")
    await anna.says("Tryggare tunnlar")
    anna.hears("Vilket behov eller problem")
    await anna.says("Många är rädda i gångtunnlarna på kvällen, särskilt äldre.")
    await anna.says("Bättre belysning & konst som skolbarnen målar.")
    await anna.says("Invånare som går där, och polisen får färre anmälningar.")
    anna.hears("prövas i liten skala")
    await anna.says("En tunnel i Väster under en vinter.")
    anna.hears("Vilka enheter")
    await anna.clicks("Hoppa över")
    anna.hears("Vill du själv vara med")
    assert anna.buttons() == ["Ja", "Nej"]
    await anna.clicks("Ja")
    await anna.says("Kultur och fritid, fritidsgården Väster")
    anna.hears("Så här ser din idé ut. Stämmer det?", "Tryggare tunnlar")
    # The summary shows the answers as fields; what she typed is escaped, not lost.
    anna.hears("Bättre belysning &amp; konst")
    await anna.clicks("Skicka in")
    anna.hears("Tack, Anna! Din idé ”Tryggare tunnlar” har kommit fram och har nummer 1.")

    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
        assert idea.title == "Tryggare tunnlar"
        assert idea.description == "Bättre belysning & konst som skolbarnen målar."
        person = await session.get(Person, idea.person_id)
        assert (person.platform, person.platform_user_id) == ("slack", "UANNA")
        assert person.display_name == "Anna Andersson" and person.platform_locale == "sv-SE"
        assert person.address == {"user": "UANNA", "team": "T0TEAM", "channel": "DANNA"}
    # Her name and locale were asked for once, then remembered.
    assert len(slack.api.calls_to("users.info")) == 1
    # Every reply went to her DM, each turn as one message.
    assert {call.params["channel"] for call in slack.api.calls_to("chat.postMessage")} == {"DANNA"}


async def test_an_english_slack_user_is_answered_in_english(slack: SlackSide) -> None:
    john = SlackChat(slack, "UJOHN")
    await john.says("Hello")
    john.hears("Hi John!", "What would you like to call your idea?")


async def test_a_slack_user_the_api_does_not_know_is_greeted_without_a_name(
    slack: SlackSide,
) -> None:
    stranger = SlackChat(slack, "UNOBODY")
    await stranger.says("Hej")
    stranger.hears("Hej! Jag är Idéslussen.")


async def test_an_idea_titled_like_a_mention_pings_nobody(anna: SlackChat, db) -> None:
    await anna.says("Hej")
    # She typed `<!channel> & co`; Slack delivers what people type escaped like this.
    await anna.says("&lt;!channel&gt; &amp; co")
    await anna.says("tillbaka")  # the bot shows the current answer again
    anna.hears("&lt;!channel&gt; &amp; co")
    every = "\n".join(call.text for call in anna.slack.api.calls_to("chat.postMessage"))
    assert "<!channel>" not in every and "<!" not in every
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        assert dialogue.answers["title"] == "<!channel> & co"  # stored as she wrote it


async def test_a_follow_up_reaches_the_idea_giver_as_a_dm(
    anna: SlackChat, slack: SlackSide, db
) -> None:
    """What the dispatcher does with an outbox row: the person's stored address and the
    server's Slack sender (app[SENDERS]["slack"])."""
    await anna.says("Hej")
    async with db.transaction() as session:
        person = (
            await session.execute(select(Person).where(Person.platform_user_id == "UANNA"))
        ).scalar_one()
    slack.api.forget()
    sender = slack.app[SENDERS]["slack"]
    follow_up = Reply(
        "Hej Anna! Maria har läst din idé ”Tryggare tunnlar” och vill prova den.",
        choices=(Choice("satisfaction:5", "Mycket nöjd"),),
    )
    assert await sender.send(person.address, [follow_up]) is None  # the DM channel was known
    [dm] = slack.api.calls_to("chat.postMessage")
    assert dm.params["channel"] == "DANNA" and "Tryggare tunnlar" in dm.text
    assert [b["value"] for b in dm.buttons] == ["satisfaction:5"]
    assert slack.api.calls_to("conversations.open") == []


async def test_quick_messages_are_answered_in_the_order_they_were_written(
    anna: SlackChat, slack: SlackSide, db
) -> None:
    await anna.says("Hej")
    slack.api.forget()
    slack.api.slow(60, "chat.postMessage")  # the first answer is slow to get out
    assert await slack.message("UANNA", "Tryggare tunnlar") == 200
    assert await slack.message("UANNA", "Många är rädda i gångtunnlarna på kvällen.") == 200
    slack.api.release()
    await slack.settle()
    first, second = slack.api.calls_to("chat.postMessage")
    assert "Vilket behov" in first.text and "Hur skulle idén fungera?" in second.text
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        assert dialogue.answers == {
            "title": "Tryggare tunnlar",
            "need": "Många är rädda i gångtunnlarna på kvällen.",
        }
