"""Teams settings: both name spellings, half configurations refused with the missing name,
and the explicitly insecure local mode."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web

from adapters.teams import TeamsConfig, TeamsConfigError, TeamsPlatform, from_env
from bot.server import host_for
from tests.adapters.teams.conftest import start_teams
from tests.adapters.teams.harness import TENANT_ID, TeamsUser
from tests.fakes.bot_connector import FakeBotConnector, FakeIdentity


def test_without_any_teams_setting_teams_is_off() -> None:
    assert from_env({}) is None
    assert (
        from_env({"DATABASE_URL": "sqlite:///x.db", "IDESLUSS_TEAMS_INSECURE_LOCAL": "0"}) is None
    )


@pytest.mark.parametrize(
    ("env", "config"),
    [
        (
            {
                "MICROSOFT_APP_ID": "app",
                "MICROSOFT_APP_PASSWORD": "secret",
                "MICROSOFT_APP_TENANT_ID": TENANT_ID,
            },
            TeamsConfig(app_id="app", app_password="secret", tenant_id=TENANT_ID),
        ),
        (
            {
                "MicrosoftAppId": " app ",
                "MicrosoftAppPassword": "secret",
                "MicrosoftAppTenantId": TENANT_ID,
            },
            TeamsConfig(app_id="app", app_password="secret", tenant_id=TENANT_ID),
        ),
        (
            {
                "MICROSOFT_APP_ID": "app",
                "MICROSOFT_APP_PASSWORD": "secret",
                "MICROSOFT_APP_TYPE": "singletenant",
                "MICROSOFT_APP_TENANT_ID": TENANT_ID,
            },
            TeamsConfig(
                app_id="app", app_password="secret", app_type="SingleTenant", tenant_id=TENANT_ID
            ),
        ),
        (
            {"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_PASSWORD": "secret"}
            | {"MICROSOFT_APP_TYPE": "MultiTenant"},
            TeamsConfig(app_id="app", app_password="secret", app_type="MultiTenant"),
        ),
    ],
    ids=["upper-case names", "Azure names", "single tenant named", "multi-tenant named"],
)
def test_a_whole_configuration_is_read(env, config) -> None:
    assert from_env(env) == config


def test_the_token_authority_follows_the_app_type() -> None:
    multi = TeamsConfig(app_id="a", app_password="s3cr3t-value", app_type="MultiTenant")
    single = TeamsConfig(app_id="a", app_password="p", app_type="SingleTenant", tenant_id="t-1")
    assert multi.authority == "https://login.microsoftonline.com/botframework.com"
    assert single.authority == "https://login.microsoftonline.com/t-1"
    assert "s3cr3t-value" not in repr(multi)  # the secret never reaches a log line


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"MICROSOFT_APP_ID": "app"}, "MICROSOFT_APP_PASSWORD"),
        ({"MicrosoftAppPassword": "secret"}, "MICROSOFT_APP_ID"),
        (
            {"MICROSOFT_APP_ID": "app", "IDESLUSS_TEAMS_INSECURE_LOCAL": "1"},
            "MICROSOFT_APP_PASSWORD",
        ),
        (
            {
                "MICROSOFT_APP_ID": "a",
                "MICROSOFT_APP_PASSWORD": "p",
                "MICROSOFT_APP_TYPE": "SingleTenant",
            },
            "MICROSOFT_APP_TENANT_ID",
        ),
        (
            {
                "MICROSOFT_APP_ID": "a",
                "MICROSOFT_APP_PASSWORD": "p",
                "MICROSOFT_APP_TYPE": "SystemAssignedMSI",
            },
            "MICROSOFT_APP_TYPE",
        ),
    ],
    ids=[
        "no password",
        "no app id",
        "insecure flag does not excuse half a config",
        "single tenant without tenant",
        "unsupported app type",
    ],
)
def test_half_a_configuration_is_refused_naming_what_is_missing(env, names) -> None:
    with pytest.raises(TeamsConfigError, match=names):
        from_env(env)


async def test_mount_refuses_a_config_without_app_id_unless_insecure_local() -> None:
    with pytest.raises(TeamsConfigError, match="MICROSOFT_APP_ID"):
        await TeamsPlatform(TeamsConfig(app_id="")).mount(
            host_for(web.Application(), object())  # type: ignore[arg-type]
        )


async def test_insecure_local_mode_needs_no_token_and_says_so_loudly(
    teams_bot, connector: FakeBotConnector, db, caplog: pytest.LogCaptureFixture
) -> None:
    config = from_env({"IDESLUSS_TEAMS_INSECURE_LOCAL": "1"})
    assert config is not None and config.insecure_local and not config.authenticated
    with caplog.at_level(logging.WARNING):
        running = await start_teams(teams_bot, config, connector, identity=None)
    try:
        assert "WITHOUT AUTHENTICATION" in caplog.text
        anna = TeamsUser(running.channel, user_id="29:1anna", name="Anna Andersson")
        await anna.says("Hej!")
        anna.hears("Hej Anna!")
        assert {s.authorization for s in anna.received} == {None}
    finally:
        await running.channel.close()
        await running.server.close()


async def test_a_single_tenant_bot_gets_its_token_from_its_own_tenant(
    teams_bot, connector: FakeBotConnector, trusted_identity: FakeIdentity, db
) -> None:
    config = TeamsConfig(
        app_id="8e0f4ad5-0c3b-4b6e-9d7e-1d2f3a4b5c6d",
        app_password="secret",
        app_type="SingleTenant",
        tenant_id=TENANT_ID,
        openid_metadata_url=trusted_identity.openid_metadata_url,
        login_url=trusted_identity.login_url,
    )
    running = await start_teams(teams_bot, config, connector, trusted_identity)
    try:
        anna = TeamsUser(running.channel, user_id="29:1anna", name="Anna Andersson")
        await anna.says("Hej!")
        anna.hears("Hej Anna!")
        assert trusted_identity.token_requests[-1]["tenant"] == [TENANT_ID]
    finally:
        await running.channel.close()
        await running.server.close()


async def test_mount_gives_the_server_registry_a_sender_for_msteams(teams_config) -> None:
    app = web.Application()
    sender = await TeamsPlatform(teams_config).mount(host_for(app, object()))  # type: ignore[arg-type]
    assert sender.platform == "msteams" and callable(sender.send)
    assert [r.method for r in app.router.routes()] == ["POST"]
    assert [r.resource.canonical for r in app.router.routes()] == ["/api/messages"]
