"""A delivery Slack sends again (a retry) or that someone replays (the same signed body, within
the five minutes its signature is valid) runs once, whatever it asks for: a command, a note,
a mention, a click. Real signed HTTP into the server, the fake Slack Web API behind it."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.database import Database
from storage.models import Idea, IdeaEvent, OutboxMessage
from tests.adapters.slack.conftest import COORDINATOR, SlackChat, SlackSide, submit_through_slack


async def stage_of(db: Database, number: int) -> str:
    async with db.transaction() as session:
        return (await session.execute(select(Idea.stage).where(Idea.id == number))).scalar_one()


async def count(db: Database, model: type, *where) -> int:
    async with db.transaction() as session:
        return (
            await session.execute(select(func.count()).select_from(model).where(*where))
        ).scalar_one()


async def deliver_three_times(slack: SlackSide, body: bytes, content_type: str) -> None:
    for _ in range(3):
        status, _ = await slack.deliver(body, content_type=content_type)
        assert status == 200  # answered every time: Slack must not think it failed
    await slack.settle()


async def test_a_slash_command_posted_three_times_advances_once(
    slack: SlackSide, anna: SlackChat, db: Database
) -> None:
    number = await submit_through_slack(anna, "Tryggare tunnlar")
    body = slack.command_body(COORDINATOR, f"advance {number} Vi tittar på den")
    await deliver_three_times(slack, body, "application/x-www-form-urlencoded")
    assert await stage_of(db, number) == "assessment"  # one stage on, not three
    to_anna = await count(db, OutboxMessage, OutboxMessage.kind == "stage")
    assert to_anna == 1  # and Anna is told once
    assert len(slack.api.calls_to("response_url")) == 1  # Maria sees one answer


async def test_a_note_replayed_is_one_note(slack: SlackSide, anna: SlackChat, db: Database) -> None:
    number = await submit_through_slack(anna, "Tryggare tunnlar")
    body = slack.command_body(COORDINATOR, f"note {number} Ringde fastighet")
    await deliver_three_times(slack, body, "application/x-www-form-urlencoded")
    assert await count(db, IdeaEvent, IdeaEvent.kind == "note") == 1


async def test_a_mention_command_retried_by_slack_advances_once(
    slack: SlackSide, anna: SlackChat, db: Database
) -> None:
    number = await submit_through_slack(anna, "Tryggare tunnlar")
    event = {
        "type": "app_mention",
        "user": COORDINATOR,
        "channel": "C0GENERAL",
        "text": f"<@UBOT> advance {number}",
        "ts": "1700000000.000100",
    }
    for retry in (None, 1, 2):
        assert await slack.event(event, event_id="EvMENTION1", retry=retry) == 200
    await slack.settle()
    assert await stage_of(db, number) == "assessment"
    assert len(slack.api.calls_to("chat.postEphemeral")) == 1


async def test_a_click_replayed_runs_once(slack: SlackSide, anna: SlackChat, db: Database) -> None:
    """The same signed click, three times: the idea is submitted once and the summary's
    "send" is not answered three times."""
    for answer in ("Hej!", "Tryggare tunnlar", "Många väntar.", "Prova en ändring.", "Alla."):
        await anna.says(answer)
    await anna.says("En månad.")
    await anna.clicks("Hoppa över")
    await anna.clicks("Nej")
    if "Var arbetar du" in anna.transcript():
        await anna.says("Kultur och fritid")
    body = slack.click_body(anna.user, anna.button("Skicka in"))
    await deliver_three_times(slack, body, "application/x-www-form-urlencoded")
    assert await count(db, Idea) == 1
    said = [c.text for c in slack.api.calls_to("chat.postMessage") if "nummer 1" in c.text]
    assert len(said) == 1


async def test_the_same_words_sent_twice_are_two_messages(
    slack: SlackSide, anna: SlackChat, db: Database
) -> None:
    """Not everything alike is a replay: two messages with the same text have their own
    event ids and both count (here: "hoppa över" twice moves two questions on)."""
    await anna.says("Hej!")
    await anna.says("Tryggare tunnlar")
    await anna.says("Många väntar.")
    await anna.says("Prova en ändring.")
    await anna.says("Alla.")
    await anna.says("hoppa över")
    await anna.says("hoppa över")
    anna.hears("Vill du själv vara med")
