"""What reaches POST /slack/events that is not a well-formed, signed delivery; retries;
and clicks that are not what they seem. Each answer is a clear status, and nothing is stored
or sent that should not be."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from storage.models import Dialogue, Idea, Person, ProcessedEvent
from tests.adapters.slack.conftest import SlackChat, SlackSide
from tests.chat import ANSWERS_TO_SUMMARY


async def count(db, model) -> int:
    async with db.transaction() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def nothing_happened(slack: SlackSide, db) -> None:
    await slack.settle()
    assert await count(db, Person) == 0
    assert await count(db, ProcessedEvent) == 0
    assert [m for m in slack.api.methods() if m != "auth.test"] == []


async def test_a_wrong_signature_is_refused(slack: SlackSide, db) -> None:
    body = slack.event_body(slack.dm_event("UANNA", "Hej"))
    headers = slack.signed_headers(body)
    headers["X-Slack-Signature"] = headers["X-Slack-Signature"][:-4] + "0000"
    assert await slack.deliver(body, sign=False, headers=headers) == (
        401,
        '{"error": "invalid request"}',
    )
    await nothing_happened(slack, db)


async def test_a_body_signed_with_another_secret_is_refused(slack: SlackSide, db) -> None:
    body = slack.event_body(slack.dm_event("UANNA", "Hej"))
    status, _ = await slack.deliver(
        body, sign=False, headers=slack.signed_headers(body, secret="not-the-secret")
    )
    assert status == 401
    await nothing_happened(slack, db)


async def test_a_signature_over_another_body_is_refused(slack: SlackSide, db) -> None:
    signed = slack.event_body(slack.dm_event("UANNA", "Hej"))
    sent = slack.event_body(slack.dm_event("UERIK", "Hej"))
    status, _ = await slack.deliver(sent, sign=False, headers=slack.signed_headers(signed))
    assert status == 401
    await nothing_happened(slack, db)


async def test_a_request_signed_301_seconds_ago_is_refused(slack: SlackSide, db) -> None:
    status, _ = await slack.deliver(slack.event_body(slack.dm_event("UANNA", "Hej")), age=301)
    assert status == 401
    await nothing_happened(slack, db)


async def test_a_request_signed_299_seconds_ago_is_accepted(slack: SlackSide, db) -> None:
    status, _ = await slack.deliver(slack.event_body(slack.dm_event("UANNA", "Hej")), age=299)
    assert status == 200
    await slack.settle()
    assert await count(db, Person) == 1


@pytest.mark.parametrize("missing", ["X-Slack-Signature", "X-Slack-Request-Timestamp", "both"])
async def test_a_request_without_its_signature_headers_is_refused(
    slack: SlackSide, db, missing: str
) -> None:
    body = slack.event_body(slack.dm_event("UANNA", "Hej"))
    headers = slack.signed_headers(body)
    for name in list(headers):
        if missing in (name, "both"):
            del headers[name]
    status, _ = await slack.deliver(body, sign=False, headers=headers)
    assert status == 401
    await nothing_happened(slack, db)


@pytest.mark.parametrize("timestamp", ["abc", "", "-5", "1e9", "١٧٠٠٠٠٠٠٠٠"])
async def test_a_timestamp_that_is_not_a_number_is_refused(
    slack: SlackSide, db, timestamp: str
) -> None:
    body = slack.event_body(slack.dm_event("UANNA", "Hej"))
    headers = {**slack.signed_headers(body), "X-Slack-Request-Timestamp": timestamp}
    status, _ = await slack.deliver(body, sign=False, headers=headers)
    assert status == 401
    await nothing_happened(slack, db)


async def test_a_retried_event_creates_nothing_new(anna: SlackChat, slack: SlackSide, db) -> None:
    await anna.says("Hej")
    async with db.transaction() as session:
        before = (await session.execute(select(Dialogue))).scalar_one()
        version = before.version
    event = slack.dm_event("UANNA", "Tryggare tunnlar")
    assert await slack.event(event, event_id="EvTUNNEL") == 200
    await slack.settle()
    posted = len(slack.api.calls_to("chat.postMessage"))
    # Slack thought the first delivery was lost and sends the same event again, twice.
    assert await slack.event(event, event_id="EvTUNNEL", retry=1) == 200
    assert await slack.event(event, event_id="EvTUNNEL", retry=2) == 200
    await slack.settle()
    assert len(slack.api.calls_to("chat.postMessage")) == posted  # no second reply
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        assert dialogue.answers == {"title": "Tryggare tunnlar"}
        assert dialogue.version == version + 1  # one turn, not three


async def test_the_last_answer_retried_submits_one_idea(
    anna: SlackChat, slack: SlackSide, db
) -> None:
    await anna.says("Hej")
    for text in ANSWERS_TO_SUMMARY:
        await anna.says(text)
    event = slack.dm_event("UANNA", "skicka")
    assert await slack.event(event, event_id="EvSUBMIT") == 200
    assert await slack.event(event, event_id="EvSUBMIT", retry=1) == 200
    await slack.settle()
    assert await count(db, Idea) == 1
    thanks = [c for c in slack.api.calls_to("chat.postMessage") if "har kommit fram" in c.text]
    assert len(thanks) == 1


async def test_signed_but_malformed_json_is_a_bad_request(slack: SlackSide, db, caplog) -> None:
    caplog.set_level(logging.WARNING)
    status, text = await slack.deliver(b'{"type": "event_callback", "event": {')
    assert status == 400 and json.loads(text) == {"error": "unreadable payload"}
    status, _ = await slack.deliver(b"[1, 2, 3]")
    assert status == 400
    assert "Traceback" not in caplog.text
    await nothing_happened(slack, db)


async def test_unknown_event_types_are_acknowledged_and_ignored(slack: SlackSide, db) -> None:
    assert await slack.event({"type": "reaction_added", "user": "UANNA", "reaction": "+1"}) == 200
    assert await slack.event({"type": "something_new_in_2030", "user": "UANNA"}) == 200
    await nothing_happened(slack, db)


async def test_message_events_that_are_not_for_us_are_ignored(slack: SlackSide, db) -> None:
    edited = {**slack.dm_event("UANNA", "Hej"), "subtype": "message_changed"}
    from_a_bot = {**slack.dm_event("UANNA", "Hej"), "bot_id": "B0OTHER"}
    ourselves = slack.dm_event("UBOT", "Hej")
    in_a_channel = {**slack.dm_event("UANNA", "Hej"), "channel_type": "channel", "channel": "C1"}
    for event in (edited, from_a_bot, ourselves, in_a_channel):
        assert await slack.event(event) == 200
    await nothing_happened(slack, db)


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "channel_type": "im", "channel": "DANNA", "text": "Hej"},
        {"type": "message", "channel_type": "im", "user": "UANNA", "text": "Hej"},
        {"type": "message", "channel_type": "im", "user": "UANNA", "channel": "DANNA"},
        {
            "type": "message",
            "channel_type": "im",
            "user": ["UANNA"],
            "channel": "DANNA",
            "text": "x",
        },
        {"type": "message", "channel_type": "im", "user": "UANNA", "channel": "DANNA", "text": 5},
        {"type": "app_home_opened", "tab": "home"},
        {"type": "app_mention", "channel": "C1", "text": "<@UBOT>"},
    ],
    ids=["no user", "no channel", "no text", "user a list", "text a number", "home", "mention"],
)
async def test_events_with_missing_or_odd_fields_are_ignored(
    slack: SlackSide, db, event: dict, caplog
) -> None:
    assert await slack.event(event) == 200
    assert "Traceback" not in caplog.text
    await nothing_happened(slack, db)


async def test_a_100_kb_message_is_answered_and_not_stored(
    anna: SlackChat, slack: SlackSide, db
) -> None:
    await anna.says("Hej")
    await anna.says("Tryggare tunnlar")
    await anna.says("x" * 100_000)
    anna.hears("Vilket behov")  # the same question again, with what went wrong
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        assert "need" not in dialogue.answers
    for call in anna.posted:
        assert len(json.dumps(call.params["blocks"])) < 20_000


async def test_a_click_by_another_user_cannot_touch_annas_dialogue(
    anna: SlackChat, slack: SlackSide, db
) -> None:
    """Erik's click carries a button from Anna's summary and names her DM channel: it acts
    on Erik's own conversation only, and the reply goes to Erik."""
    await anna.says("Hej")
    for text in ANSWERS_TO_SUMMARY:
        await anna.says(text)
    submit = anna.button("Skicka in")
    slack.api.forget()
    assert await slack.click("UERIK", submit, channel="DANNA") == 200
    await slack.settle()
    assert await count(db, Idea) == 0
    async with db.transaction() as session:
        annas = (
            await session.execute(
                select(Dialogue).join(Person).where(Person.platform_user_id == "UANNA")
            )
        ).scalar_one()
        assert annas.step == "summary"
    channels = {c.params["channel"] for c in slack.api.calls_to("chat.postMessage")}
    assert channels == {"DERIK"}  # opened for Erik; nothing went to Anna's DM


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "actions": [{"action_id": "idesluss:0:x", "value": "x"}]},
        {
            "type": "block_actions",
            "user": {"id": "UANNA"},
            "actions": [{"action_id": "idesluss:0:x"}],
        },
        {"type": "block_actions", "user": {"id": "UANNA"}, "actions": []},
        {"type": "block_actions", "user": {"id": "UANNA"}},
        {"type": "block_actions", "user": {"id": "UANNA"}, "actions": [{"action_id": "other"}]},
    ],
    ids=["no user", "no value", "no actions", "actions missing", "unknown action"],
)
async def test_clicks_with_missing_parts_are_acknowledged_and_ignored(
    slack: SlackSide, db, payload: dict, caplog
) -> None:
    from urllib.parse import urlencode

    body = urlencode({"payload": json.dumps(payload)}).encode()
    status, _ = await slack.deliver(body, content_type="application/x-www-form-urlencoded")
    assert status in (200, 400)
    assert "Traceback" not in caplog.text
    await nothing_happened(slack, db)


async def test_the_url_verification_challenge_is_answered(slack: SlackSide) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV"}).encode()
    status, text = await slack.deliver(body)
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV" in text
