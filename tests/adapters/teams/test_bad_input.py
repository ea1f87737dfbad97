"""Whatever arrives at /api/messages, the answer is a clear status, never a 500 or a
traceback, and nothing is stored that should not be."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import Dialogue, Person
from tests.adapters.teams.harness import TENANT_ID, TeamsUser
from tests.fakes.bot_connector import FakeBotConnector


async def count(db, model) -> int:
    async with db.transaction() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe\x00", 400),
        (b"[1, 2, 3]", 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),
        (b'"message"', 400),
        (b"{}", 400),
        (b'{"type": "message"}', 400),  # no serviceUrl
        (b'{"type": "message", "serviceUrl": "SERVICE"}', 400),  # no channelId
        (b'{"type": "message", "serviceUrl": "SERVICE", "channelId": ""}', 400),
        # msrest makes it a string
        (b'{"type": ["message"], "serviceUrl": "SERVICE", "channelId": "msteams", TENANT}', 200),
        # read as the unknown type "5"
        (b'{"type": 5, "serviceUrl": "SERVICE", "channelId": "msteams", TENANT}', 200),
        (b'{"type": "message", "serviceUrl": "SERVICE", "channelId": "msteams", "from": "a"}', 400),
    ],
    ids=[
        "malformed",
        "not utf-8",
        "array",
        "nested too deep",
        "string",
        "empty",
        "no serviceUrl",
        "no channelId",
        "empty channelId",
        "type a list",
        "type a number",
        "from not an object",
    ],
)
async def test_what_is_not_an_activity_gets_400(teams, connector, db, body, status) -> None:
    body = body.replace(b"SERVICE", connector.url.encode())
    # From the bot's own tenant: one from no tenant is refused (403) before it is read.
    body = body.replace(b"TENANT", b'"channelData": {"tenant": {"id": "%s"}}' % TENANT_ID.encode())
    got, text, sent = await teams.channel.post(body, raw=True)
    assert got == status, text
    assert "Traceback" not in text and ("error" in text or status == 200)
    assert sent == [] and await count(db, Person) == 0


async def test_a_body_that_is_not_json_gets_415(teams, db) -> None:
    session = teams.channel.session
    async with session.post(
        teams.channel.endpoint, data="type=message", headers={"Content-Type": "text/plain"}
    ) as response:
        assert response.status == 415
    assert await count(db, Person) == 0


@pytest.mark.parametrize(
    "fields",
    [{"from": None}, {"from": {"name": "Nobody"}}, {"conversation": None}, {"conversation": {}}],
    ids=["no from", "from without id", "no conversation", "conversation without id"],
)
async def test_a_message_without_sender_or_conversation_is_ignored(
    teams, connector: FakeBotConnector, db, fields
) -> None:
    activity = teams.channel.activity(
        "message", user_id="29:1x", name="X", conversation_id="a:x", text="Hej"
    )
    activity.update(fields)
    status, text, sent = await teams.channel.post(activity)
    assert status == 200, text
    assert sent == [] and connector.attempts == 0 and await count(db, Person) == 0


@pytest.mark.parametrize(
    ("kind", "extra", "status"),
    [
        ("typing", {}, 200),
        ("messageReaction", {"reactionsAdded": [{"type": "like"}]}, 200),
        ("event", {"name": "application/vnd.microsoft.meetingStart"}, 200),
        ("invoke", {"name": "adaptiveCard/action", "value": {"action": {"type": "x"}}}, 200),
        ("somethingNew", {}, 200),
        ("messageUpdate", {"text": "edited"}, 200),
    ],
)
async def test_activity_types_the_bot_does_not_use_are_acknowledged(
    teams, connector: FakeBotConnector, db, kind, extra, status
) -> None:
    activity = teams.channel.activity(kind, user_id="29:1x", name="X", conversation_id="a:x")
    activity.update(extra)
    got, text, sent = await teams.channel.post(activity)
    assert got == status, text
    assert sent == [] and await count(db, Person) == 0


async def test_a_100_kb_message_is_answered_and_nothing_is_stored_from_it(
    anna: TeamsUser, db
) -> None:
    await anna.says("Hej!")
    await anna.says("Tryggare tunnlar " * 6000)  # ~100 kB where a name was asked
    assert len(anna.received) >= 1
    anna.hears("Ska idén heta ”Tryggare tunnlar")  # a short name is proposed; nothing is lost
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
    assert dialogue.step == "title_proposal" and "title" not in dialogue.answers
    assert len(dialogue.answers["idea"]) <= 4000  # kept as the description, within its limit


async def test_a_request_over_the_size_limit_is_refused(teams, db) -> None:
    huge = teams.channel.activity(
        "message", user_id="29:1x", name="X", conversation_id="a:x", text="x" * 2_000_000
    )
    status, text, sent = await teams.channel.post(huge)
    assert status == 413 and sent == [] and "Traceback" not in text
    assert await count(db, Person) == 0


async def test_text_of_the_wrong_type_and_an_empty_message_do_no_harm(anna: TeamsUser, db) -> None:
    await anna.says("Hej!")
    await anna.says("", attachments=[{"contentType": "image/png", "contentUrl": "http://x/"}])
    anna.hears("Vad vill du kalla din idé?")
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
    assert dialogue.step == "title" and dialogue.answers == {}
    # The SDK reads a number as its digits: an answer like any other, not an error.
    status, text, _ = await anna.channel.post(anna._activity("message", text=12345))
    assert status == 200, text
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
    assert dialogue.answers == {"title": "12345"}
