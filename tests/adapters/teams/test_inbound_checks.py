"""What botbuilder would let through, refused before a turn runs: activities from tenants
the bot does not serve (403), tokens without an expiry or meant for the Emulator or a skill
(401), activities without a channelId (400). Over real HTTP; nothing is stored."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from adapters.teams import TeamsConfig, TeamsConfigError, from_env
from storage.models import Person
from tests.adapters.teams.conftest import TeamsServer, start_teams
from tests.adapters.teams.harness import APP_ID, TENANT_ID, TeamsChannel
from tests.fakes.bot_connector import FakeBotConnector, FakeIdentity

OTHER_TENANT = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"


async def count_people(db) -> int:
    async with db.transaction() as session:
        return (await session.execute(select(func.count()).select_from(Person))).scalar_one()


def from_tenant(channel: TeamsChannel, tenant: str | None, kind: str = "message", **extra) -> dict:
    activity = channel.activity(
        kind, user_id="29:1anna", name="Anna", conversation_id="a:anna", text="Hej", **extra
    )
    if tenant is None:
        del activity["channelData"]
        del activity["conversation"]["tenantId"]
    else:
        activity["channelData"] = {"tenant": {"id": tenant}}
        activity["conversation"]["tenantId"] = tenant
    return activity


def config(identity: FakeIdentity, **fields) -> TeamsConfig:
    return TeamsConfig(
        app_id=APP_ID,
        app_password="not-a-real-secret",
        openid_metadata_url=identity.openid_metadata_url,
        login_url=identity.login_url,
        **fields,
    )


@pytest.fixture
async def allow_listed(
    teams_bot, connector: FakeBotConnector, trusted_identity: FakeIdentity
) -> AsyncIterator[TeamsServer]:
    running = await start_teams(
        teams_bot,
        config(trusted_identity, allowed_tenants=frozenset({TENANT_ID})),
        connector,
        trusted_identity,
    )
    yield running
    await running.channel.close()
    await running.server.close()


async def test_an_allowed_tenant_is_served(allow_listed: TeamsServer, db) -> None:
    status, _, sent = await allow_listed.channel.post(
        from_tenant(allow_listed.channel, TENANT_ID.upper())  # tenant ids ignore case
    )
    assert status == 200 and sent and await count_people(db) == 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param("other tenant", id="another tenant"),
        pytest.param("no tenant", id="no tenant at all"),
        pytest.param("mixed", id="channelData allowed, conversation.tenantId not"),
        pytest.param("mixed reversed", id="conversation.tenantId allowed, channelData not"),
        pytest.param("not a string", id="tenant id not a string"),
        pytest.param("install", id="an installation from another tenant"),
    ],
)
async def test_an_activity_from_a_tenant_not_allowed_gets_403_and_stores_nothing(
    allow_listed: TeamsServer, connector: FakeBotConnector, db, change: str
) -> None:
    channel = allow_listed.channel
    if change == "other tenant":
        activity = from_tenant(channel, OTHER_TENANT)
    elif change == "no tenant":
        activity = from_tenant(channel, None)
    elif change == "mixed":
        activity = from_tenant(channel, TENANT_ID)
        activity["conversation"]["tenantId"] = OTHER_TENANT
    elif change == "mixed reversed":
        activity = from_tenant(channel, TENANT_ID)
        activity["channelData"] = {"tenant": {"id": OTHER_TENANT}}
    elif change == "not a string":
        activity = from_tenant(channel, TENANT_ID)
        activity["channelData"] = {"tenant": {"id": [TENANT_ID]}}
    else:
        activity = from_tenant(
            channel, OTHER_TENANT, "installationUpdate", action="add", membersAdded=[]
        )
    status, body, sent = await channel.post(activity)
    assert status == 403, body
    assert "tenant" in body and "Traceback" not in body
    assert sent == [] and connector.attempts == 0
    assert await count_people(db) == 0


async def test_without_a_valid_token_a_foreign_tenant_gets_401_not_403(
    allow_listed: TeamsServer, db
) -> None:
    """The allow-list is not told to whoever asks: authentication comes first."""
    status, _, _ = await allow_listed.channel.post(
        from_tenant(allow_listed.channel, OTHER_TENANT), headers={}
    )
    assert status == 401 and await count_people(db) == 0


async def test_a_single_tenant_bot_serves_only_its_own_tenant_by_default(
    teams_bot, connector: FakeBotConnector, trusted_identity: FakeIdentity, db
) -> None:
    running = await start_teams(
        teams_bot,
        config(trusted_identity, app_type="SingleTenant", tenant_id=TENANT_ID),
        connector,
        trusted_identity,
    )
    try:
        status, _, _ = await running.channel.post(from_tenant(running.channel, OTHER_TENANT))
        assert status == 403 and await count_people(db) == 0
        status, _, sent = await running.channel.post(from_tenant(running.channel, TENANT_ID))
        assert status == 200 and sent and await count_people(db) == 1
    finally:
        await running.channel.close()
        await running.server.close()


async def test_a_multi_tenant_bot_without_a_list_serves_any_tenant_and_warns_once(
    teams_bot,
    connector: FakeBotConnector,
    trusted_identity: FakeIdentity,
    db,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="adapters.teams"):
        running = await start_teams(
            teams_bot, config(trusted_identity, app_type="MultiTenant"), connector, trusted_identity
        )
        try:
            for _ in range(2):
                status, _, _ = await running.channel.post(
                    from_tenant(running.channel, OTHER_TENANT)
                )
                assert status == 200
        finally:
            await running.channel.close()
            await running.server.close()
    warnings = [r for r in caplog.records if "MICROSOFT_ALLOWED_TENANTS" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"MICROSOFT_ALLOWED_TENANTS": f" {TENANT_ID.upper()} ,{OTHER_TENANT},"}, "both"),
        ({"MICROSOFT_APP_TYPE": "SingleTenant", "MICROSOFT_APP_TENANT_ID": TENANT_ID}, "own"),
        (
            {
                "MICROSOFT_APP_TYPE": "SingleTenant",
                "MICROSOFT_APP_TENANT_ID": TENANT_ID,
                "MICROSOFT_ALLOWED_TENANTS": OTHER_TENANT,
            },
            "other",
        ),
        ({"MICROSOFT_APP_TYPE": "MultiTenant"}, "any"),
    ],
    ids=["a list", "single tenant default", "single tenant with a list", "multi-tenant default"],
)
def test_allowed_tenants_from_the_environment(env: dict, expected: str) -> None:
    teams = from_env(
        {
            "MICROSOFT_APP_ID": "app",
            "MICROSOFT_APP_PASSWORD": "secret",
            "MICROSOFT_APP_TYPE": "MultiTenant",
            **env,
        }
    )
    assert teams is not None
    assert (
        teams.tenant_allow_list
        == {
            "both": {TENANT_ID, OTHER_TENANT},
            "own": {TENANT_ID},
            "other": {OTHER_TENANT},
            "any": None,
        }[expected]
    )


@pytest.mark.parametrize(
    "value", [",", "kommunen.se", f"{TENANT_ID};{OTHER_TENANT}"], ids=["empty", "domain", "semi"]
)
def test_a_wrong_allowed_tenants_setting_is_refused_with_its_name(value: str) -> None:
    with pytest.raises(TeamsConfigError, match="MICROSOFT_ALLOWED_TENANTS"):
        from_env(
            {
                "MICROSOFT_APP_ID": "app",
                "MICROSOFT_APP_PASSWORD": "secret",
                "MICROSOFT_APP_TENANT_ID": TENANT_ID,
                "MICROSOFT_ALLOWED_TENANTS": value,
            }
        )


@pytest.mark.parametrize(
    "token_args",
    [
        pytest.param({"lifetime": None}, id="no exp"),
        pytest.param({"lifetime": None, "exp": "never"}, id="exp not a number"),
        pytest.param({"issuer": EMULATOR_ISSUER, "appid": APP_ID, "ver": "1.0"}, id="emulator"),
        pytest.param({"appid": "11111111-2222-3333-4444-555555555555", "ver": "1.0"}, id="skill"),
    ],
)
async def test_tokens_the_channel_does_not_send_get_401_and_change_nothing(
    teams, connector: FakeBotConnector, trusted_identity: FakeIdentity, db, token_args
) -> None:
    """Signed with the channel's own key, but without an expiry or shaped for the
    Emulator or a skill (whose keys botbuilder would fetch from elsewhere)."""
    channel = teams.channel
    began = time.monotonic()
    status, body, sent = await channel.post(
        from_tenant(channel, TENANT_ID), headers=channel.bearer(**token_args)
    )
    assert status == 401 and "Traceback" not in body
    assert time.monotonic() - began < 1.0
    assert sent == [] and connector.attempts == 0 and await count_people(db) == 0


async def test_an_activity_without_channel_id_gets_400_and_changes_nothing(
    teams, connector: FakeBotConnector, db
) -> None:
    activity = from_tenant(teams.channel, TENANT_ID)
    del activity["channelId"]
    status, body, sent = await teams.channel.post(activity)
    assert status == 400 and "channelId" in body
    assert sent == [] and connector.attempts == 0 and await count_people(db) == 0
