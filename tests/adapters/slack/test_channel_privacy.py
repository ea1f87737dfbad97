"""Slack answers a command typed in a channel ephemerally: only the asker sees it, so the
core answers in place (`private_replies`) and writes no outbox row for it. A regression
guard for the Teams fix that sends answers asked in shared conversations to a personal chat."""

from __future__ import annotations

from sqlalchemy import select

from storage.database import Database
from storage.models import OutboxMessage
from storage.outbox import DIRECT_ANSWER
from tests.adapters.slack.conftest import COORDINATOR, SlackChat, SlackSide, submit_through_slack


async def direct_answers(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == DIRECT_ANSWER)
        return list((await session.execute(query)).scalars())


async def test_commands_in_a_slack_channel_stay_ephemeral(
    slack: SlackSide, anna: SlackChat, db: Database
) -> None:
    number = await submit_through_slack(anna, "Tryggare tunnlar")
    slack.api.forget()
    for typed in (f"show {number}", "list", "stats", "mina uppgifter", "glöm mig", "help"):
        assert await slack.command(COORDINATOR, typed, channel="C0GENERAL") == 200
    await slack.settle()
    answers = slack.api.calls_to("response_url")
    assert len(answers) == 6
    assert all(answer.params["response_type"] == "ephemeral" for answer in answers)
    assert "Tryggare tunnlar" in answers[0].params["text"]  # the full answer, to her alone
    # Not Teams' "answered you in our private chat" (only a file goes there: her data).
    assert "svarat dig i vår privata chatt" not in "".join(a.params["text"] for a in answers)
    assert slack.api.calls_to("chat.postMessage") == []

    event = {"type": "app_mention", "user": COORDINATOR, "channel": "C0GENERAL"}
    assert await slack.event({**event, "text": f"<@UBOT> show {number}"}) == 200
    await slack.settle()
    [mentioned] = slack.api.calls_to("chat.postEphemeral")
    assert mentioned.params["user"] == COORDINATOR
    assert "Tryggare tunnlar" in mentioned.params["text"]
    assert await direct_answers(db) == []
