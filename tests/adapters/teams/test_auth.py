"""Only the Bot Framework may talk to the bot: every request must carry a token signed
with a key from the configured OpenID metadata, for this bot's app id and this serviceUrl.
Refused requests get 401 and change nothing."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from storage.models import Person
from tests.adapters.teams.harness import TeamsChannel
from tests.fakes.bot_connector import FakeBotConnector, FakeIdentity


async def count_people(db) -> int:
    async with db.transaction() as session:
        return (await session.execute(select(func.count()).select_from(Person))).scalar_one()


def message(channel: TeamsChannel) -> dict:
    return channel.activity(
        "message", user_id="29:1mallory", name="Mallory", conversation_id="a:m", text="Hej"
    )


OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no token"),
        pytest.param({"Authorization": "Bearer"}, id="empty bearer"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="not a bearer token"),
        pytest.param({"Authorization": "Bearer not.a.jwt"}, id="garbage token"),
        pytest.param("unknown key", id="signed by an unknown key"),
        pytest.param("unknown kid", id="unknown key id"),
        pytest.param("wrong audience", id="for another bot"),
        pytest.param("wrong issuer", id="from another issuer"),
        pytest.param("wrong service url", id="for another serviceUrl"),
        pytest.param("expired", id="expired"),
    ],
)
async def test_requests_without_a_valid_token_get_401_and_change_nothing(
    teams, connector: FakeBotConnector, trusted_identity: FakeIdentity, db, headers
) -> None:
    channel = teams.channel
    if isinstance(headers, str):
        token_args = {
            "unknown key": {"key": OTHER_KEY},
            "unknown kid": {"key": OTHER_KEY, "kid": "some-other-key"},
            "wrong audience": {"audience": "11111111-2222-3333-4444-555555555555"},
            "wrong issuer": {"issuer": "https://evil.example"},
            "wrong service url": {"service_url": "https://evil.example/"},
            "expired": {"lifetime": -3600},
        }[headers]
        headers = channel.bearer(**token_args)
    status, body, sent = await channel.post(message(channel), headers=headers)
    assert status == 401
    assert "Traceback" not in body
    assert sent == [] and connector.attempts == 0
    assert await count_people(db) == 0


async def test_a_valid_token_is_accepted(teams, connector: FakeBotConnector, db) -> None:
    status, _, sent = await teams.channel.post(message(teams.channel))
    assert status == 200
    assert sent and await count_people(db) == 1


async def test_signing_keys_are_fetched_at_start_up_not_during_a_turn(
    teams_bot, teams_config, connector: FakeBotConnector, trusted_identity: FakeIdentity
) -> None:
    """The keys are fetched once, in the background, when the server starts; a turn
    finds them there (or waits for that same fetch) and fetches nothing more."""
    from tests.adapters.teams.conftest import start_teams

    before = trusted_identity.metadata_requests
    running = await start_teams(teams_bot, teams_config, connector, trusted_identity)
    try:
        for _ in range(200):  # bounded wait for the background fetch
            if trusted_identity.metadata_requests > before:
                break
            await asyncio.sleep(0.01)
        assert trusted_identity.metadata_requests == before + 1
        status, _, _ = await running.channel.post(message(running.channel))
        assert status == 200
        assert trusted_identity.metadata_requests == before + 1
    finally:
        await running.channel.close()
        await running.server.close()


async def test_replies_reuse_one_connector_client(teams, connector: FakeBotConnector) -> None:
    """Building a Bot Connector client costs ~10 ms of CPU; one per serviceUrl is enough."""
    for text in ("Hej", "Tryggare tunnlar", "Många är rädda i tunnlarna på kvällen."):
        activity = teams.channel.activity(
            "message", user_id="29:1anna", name="Anna", conversation_id="a:anna", text=text
        )
        status, _, sent = await teams.channel.post(activity)
        assert status == 200 and sent
    built = teams.sender.adapter.bot_framework_authentication._reply_clients._clients
    assert list(built) == [(teams.channel.app_id, connector.url, "https://api.botframework.com")]
