"""Messages the bot sends on its own (follow-ups, reminders, the satisfaction question):
`TeamsSender` delivers them to the stored ConversationReference, and tells the dispatcher
what happened through the exceptions of bot/ports.py."""

from __future__ import annotations

import pytest

from bot.ports import DeliveryError, RetryLater, Unreachable
from conversations.reply import Choice, Reply
from tests.adapters.teams.harness import TeamsUser
from tests.adapters.teams.test_dialogue import stored_person
from tests.fakes.bot_connector import FakeBotConnector, FakeIdentity

FOLLOW_UP = Reply("Hej Anna! Maria har läst din idé ”Tryggare tunnlar” och hör av sig i veckan.")


async def annas_address(anna: TeamsUser, db) -> dict:
    await anna.installs()
    return (await stored_person(db, anna.user_id)).address


async def test_a_follow_up_reaches_the_idea_giver_in_her_personal_chat(
    teams, anna: TeamsUser, connector: FakeBotConnector, trusted_identity: FakeIdentity, db
) -> None:
    address = await annas_address(anna, db)
    tokens_before = len(trusted_identity.token_requests)
    connector.sent.clear()

    assert await teams.sender.send(address, [FOLLOW_UP]) is None
    await teams.sender.send(address, [Reply("Idén är nu i steget Test.")])

    first, second = connector.to(anna.conversation_id)
    assert first.reply_to is None  # a new message, not a reply to an old one
    assert first.activity["text"] == FOLLOW_UP.text
    assert first.activity["recipient"]["id"] == anna.user_id
    assert first.activity["from"]["id"].startswith("28:")
    assert first.authorization == second.authorization
    assert first.authorization.startswith("Bearer bot-token-")
    assert len(trusted_identity.token_requests) == tokens_before  # the cached token


async def test_the_satisfaction_card_arrives_and_its_answer_comes_back_as_a_click(
    recorded_teams, recording_bot, connector: FakeBotConnector, db
) -> None:
    anna = TeamsUser(recorded_teams.channel, user_id="29:1anna", name="Anna Andersson")
    address = await annas_address(anna, db)
    question = Reply(
        "Hur nöjd är du med hur din idé togs om hand?",
        choices=tuple(Choice(f"satisfaction:7:{n}", str(n)) for n in range(1, 6)),
    )
    await recorded_teams.sender.send(address, [question])
    card = connector.to(anna.conversation_id)[-1]
    assert [label for label, _ in card.buttons] == ["1", "2", "3", "4", "5"]
    anna.received = [card]
    await anna.clicks("4")
    assert recording_bot.incomings[-1].action == "satisfaction:7:4"
    assert recording_bot.incomings[-1].text is None


async def test_429_with_retry_after_then_200_is_delivered_once(
    teams, anna: TeamsUser, connector: FakeBotConnector, db
) -> None:
    address = await annas_address(anna, db)
    connector.sent.clear()
    connector.attempts = 0
    connector.fail_next(429, {"error": {"code": "Throttled"}}, headers={"Retry-After": "7"})

    with pytest.raises(RetryLater) as raised:
        await teams.sender.send(address, [FOLLOW_UP])
    assert raised.value.retry_after == 7
    assert connector.sent == [] and connector.attempts == 1  # the SDK did not retry itself

    await teams.sender.send(address, [FOLLOW_UP])  # the dispatcher's retry
    assert [s.activity["text"] for s in connector.to(anna.conversation_id)] == [FOLLOW_UP.text]
    assert connector.attempts == 2


@pytest.mark.parametrize(
    ("status", "body", "headers", "outcome", "retry_after"),
    [
        (
            403,
            {"error": {"code": "Forbidden"}, "subCode": "MessageWritesBlocked"},
            {},
            Unreachable,
            None,
        ),
        (
            403,
            {
                "error": {
                    "code": "ConversationBlockedByUser",
                    "message": "User blocked the conversation with the bot.",
                }
            },
            {},
            Unreachable,
            None,
        ),
        (404, {"error": {"code": "ConversationNotFound"}}, {}, Unreachable, None),
        (403, {"error": {"code": "BotDisabledByAdmin"}}, {}, DeliveryError, None),
        (401, {"message": "Authorization has been denied"}, {}, DeliveryError, None),
        (400, {"error": {"code": "BadArgument"}}, {}, DeliveryError, None),
        (412, {"error": {"code": "PreconditionFailed"}}, {}, RetryLater, None),
        (502, {}, {}, RetryLater, None),
        (504, {}, {"Retry-After": "Sun, 14 Jun 2026 07:00:00 GMT"}, RetryLater, 0.0),
    ],
    ids=[
        "MessageWritesBlocked",
        "ConversationBlockedByUser",
        "404",
        "BotDisabledByAdmin",
        "401",
        "400",
        "412",
        "502",
        "504 with a past date",
    ],
)
async def test_connector_errors_tell_the_dispatcher_what_to_do(
    teams,
    anna: TeamsUser,
    connector: FakeBotConnector,
    db,
    status,
    body,
    headers,
    outcome,
    retry_after,
) -> None:
    address = await annas_address(anna, db)
    connector.attempts = 0
    connector.fail_next(status, body, headers)
    with pytest.raises(DeliveryError) as raised:
        await teams.sender.send(address, [FOLLOW_UP])
    assert type(raised.value) is outcome
    if outcome is RetryLater:
        assert raised.value.retry_after == retry_after
    assert connector.attempts == 1


async def test_a_connector_that_cannot_be_reached_is_retried_later(
    teams, anna: TeamsUser, db
) -> None:
    address = await annas_address(anna, db)
    address["serviceUrl"] = "http://127.0.0.1:9/"  # nothing listens on the discard port
    with pytest.raises(RetryLater):
        await teams.sender.send(address, [FOLLOW_UP])


@pytest.mark.parametrize(
    "address",
    [{"user": "anna"}, {"serviceUrl": "http://127.0.0.1:9/"}, {"conversation": "x"}, []],
    ids=["console address", "no conversation", "wrong shape", "not an object"],
)
async def test_an_address_that_is_not_a_teams_reference_is_refused(
    teams, connector: FakeBotConnector, address
) -> None:
    with pytest.raises(DeliveryError) as raised:
        await teams.sender.send(address, [FOLLOW_UP])
    assert type(raised.value) is DeliveryError
    assert connector.attempts == 0


async def test_several_replies_go_as_one_message_so_a_retry_repeats_nothing(
    teams, anna: TeamsUser, connector: FakeBotConnector, db
) -> None:
    address = await annas_address(anna, db)
    connector.sent.clear()
    replies = [
        FOLLOW_UP,
        Reply("Hur nöjd är du?", choices=(Choice("s:1", "1"), Choice("s:5", "5"))),
    ]
    connector.fail_next(429, headers={"Retry-After": "2"})
    with pytest.raises(RetryLater):
        await teams.sender.send(address, replies)
    await teams.sender.send(address, replies)
    (sent,) = connector.to(anna.conversation_id)
    assert FOLLOW_UP.text in sent.text and "Hur nöjd är du?" in sent.text
    assert [label for label, _ in sent.buttons] == ["1", "5"]
    plain = [Reply("Första."), Reply("Andra.")]
    await teams.sender.send(address, plain)
    assert connector.to(anna.conversation_id)[-1].activity["text"] == "Första.\n\nAndra."
    assert await teams.sender.send(address, []) is None


def test_retry_after_is_read_as_seconds_or_as_a_date() -> None:
    from datetime import UTC, datetime

    from adapters.teams.sender import retry_after_seconds

    now = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now=now) == 7
    assert retry_after_seconds(" 2.5 ", now=now) == 2.5
    assert retry_after_seconds("Mon, 15 Jun 2026 07:00:30 GMT", now=now) == 30
    assert retry_after_seconds("-5", now=now) == 0
    assert retry_after_seconds("soon", now=now) is None
    assert retry_after_seconds(None) is None
