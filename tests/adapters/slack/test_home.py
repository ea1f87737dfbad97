"""The App Home tab: an employee's ideas with stage and last change, a coordinator's queue;
and the first visit to the Messages tab."""

from __future__ import annotations

from bot.clock import FrozenClock
from storage.ideas import create_idea
from storage.models import Idea
from storage.people import upsert_person
from tests.adapters.slack.conftest import COORDINATOR, SlackChat, SlackSide

ANSWERS = {
    "title": "Tryggare <tunnlar>",
    "need": "Många är rädda i gångtunnlarna på kvällen.",
    "idea": "Bättre belysning och konst.",
    "benefit": "Invånare som går där.",
    "participate": True,
}


async def annas_idea(db, clock: FrozenClock) -> int:
    async with db.transaction() as session:
        anna = await upsert_person(
            session, "slack", "UANNA", now=clock.now(), display_name="Anna Andersson"
        )
        idea = await create_idea(
            session, anna, ANSWERS, language="sv", stage="submitted", now=clock.now()
        )
        return idea.id


def home_opened(user: str) -> dict:
    return {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}


async def test_an_employee_sees_her_ideas_with_stage_and_last_change(
    slack: SlackSide, db, clock: FrozenClock
) -> None:
    number = await annas_idea(db, clock)
    assert await slack.event(home_opened("UANNA")) == 200
    await slack.settle()
    [publish] = slack.api.calls_to("views.publish")
    assert publish.params["user_id"] == "UANNA"
    view = publish.params["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert f"*{number}. Tryggare &lt;tunnlar&gt;*" in publish.text
    assert "Läge: Inkommen" in publish.text  # the stage's name in the process file
    stamp = int(clock.now().timestamp())
    assert f"Senast ändrad: <!date^{stamp}^{{date_short_pretty}}|2026-06-15>" in publish.text
    assert "Att ta hand om" not in publish.text  # she is not a coordinator


async def test_someone_without_ideas_is_invited_to_write(slack: SlackSide) -> None:
    assert await slack.event(home_opened("UJOHN")) == 200
    await slack.settle()
    [publish] = slack.api.calls_to("views.publish")
    assert "You haven't sent an idea yet." in publish.text  # John's Slack speaks English


async def test_a_coordinator_sees_the_queue(slack: SlackSide, db, clock: FrozenClock) -> None:
    number = await annas_idea(db, clock)
    assert await slack.event(home_opened(COORDINATOR)) == 200
    await slack.settle()
    [publish] = slack.api.calls_to("views.publish")
    assert "Att ta hand om" in publish.text
    assert f"*{number}. Tryggare &lt;tunnlar&gt;*" in publish.text
    assert "Från: Anna Andersson" in publish.text and "Ingen har tagit den än" in publish.text
    assert "Du har inte skickat in någon idé än." in publish.text


async def test_the_queue_follows_the_process_file_for_names_and_open_stages(
    slack: SlackSide, db, clock: FrozenClock
) -> None:
    """Open stages (parked too) are in the queue, terminal ones (spread, referred) are not;
    each named in the reader's language as the process file names it."""
    numbers = {stage: await annas_idea(db, clock) for stage in ("parked", "spread", "referred")}
    async with db.transaction() as session:
        for stage, number in numbers.items():
            idea = await session.get(Idea, number)
            assert idea is not None
            idea.stage = stage
    assert await slack.event(home_opened(COORDINATOR)) == 200
    await slack.settle()
    [publish] = slack.api.calls_to("views.publish")
    queue = publish.text.split("Att ta hand om", 1)[1].split("Dina idéer", 1)[0]
    assert f"*{numbers['parked']}. " in queue and "Läge: Vilande" in queue
    assert f"*{numbers['spread']}. " not in queue and f"*{numbers['referred']}. " not in queue


async def test_stage_names_in_english_for_an_english_reader(
    slack: SlackSide, db, clock: FrozenClock
) -> None:
    async with db.transaction() as session:
        john = await upsert_person(
            session, "slack", "UJOHN", now=clock.now(), display_name="John Smith"
        )
        await create_idea(session, john, ANSWERS, language="en", stage="submitted", now=clock.now())
    assert await slack.event(home_opened("UJOHN")) == 200
    await slack.settle()
    [publish] = slack.api.calls_to("views.publish")
    assert "Stage: Submitted" in publish.text


async def test_the_first_visit_to_the_messages_tab_starts_the_conversation(
    slack: SlackSide,
) -> None:
    first = {"type": "app_home_opened", "user": "UERIK", "channel": "DERIK", "tab": "messages"}
    assert await slack.event(first) == 200
    assert await slack.event(first) == 200  # a second visit (or a retry)
    await slack.settle()
    [greeting] = slack.api.calls_to("chat.postMessage")
    assert greeting.params["channel"] == "DERIK"
    assert "Hej Erik! Jag är Idéslussen." in greeting.text


async def test_someone_the_bot_knows_is_not_greeted_again(anna: SlackChat, slack) -> None:
    await anna.says("Hej")
    slack.api.forget()
    visit = {"type": "app_home_opened", "user": "UANNA", "channel": "DANNA", "tab": "messages"}
    assert await slack.event(visit) == 200
    await slack.settle()
    assert slack.api.calls_to("chat.postMessage") == []


async def test_the_queue_does_not_name_the_giver_of_an_anonymous_idea(
    slack: SlackSide, db, clock: FrozenClock
) -> None:
    number = await annas_idea(db, clock)
    async with db.transaction() as session:
        (await session.get(Idea, number)).anonymous = True
    assert await slack.event(home_opened(COORDINATOR)) == 200
    await slack.settle()
    [publish] = slack.api.calls_to("views.publish")
    assert f"*{number}. Tryggare &lt;tunnlar&gt;*" in publish.text
    assert "Anna" not in publish.text
