"""The bot's identity in Azure: SingleTenant by default (Azure creates no new multi-tenant
bots since 31 July 2025), a user-assigned managed identity, and MultiTenant only when asked
for (an old registration), with a warning. Tokens are fetched from real local fakes: the
Entra ID token endpoint (FakeIdentity) and the managed identity endpoint (IMDS or App
Service), which record where each request went."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from adapters.teams import TeamsConfig, TeamsConfigError, TeamsPlatform, from_env
from adapters.teams.config import MANAGED_IDENTITY, MULTI_TENANT, SINGLE_TENANT
from adapters.teams.credentials import BotCredentialsFactory
from bot.cli import EXIT_CONFIG, main
from bot.operations import doctor
from tests.adapters.teams.conftest import start_teams
from tests.adapters.teams.harness import APP_ID, TENANT_ID, TeamsUser
from tests.fakes.bot_connector import FakeBotConnector, FakeIdentity
from tests.fakes.managed_identity import IMDS_PATH, FakeManagedIdentity

SECRET = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "not-a-real-secret"}
IDENTITY_CLIENT_ID = "5b2c9f4e-7a1d-4c3b-8e6f-0a9b8c7d6e5f"
SCOPE = "https://api.botframework.com"
# Where MSAL looks for a managed identity endpoint; none may leak in from the machine.
IDENTITY_VARIABLES = (
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
)


# ── the settings ─────────────────────────────────────────────────────────────────────────


def test_without_an_app_type_the_bot_is_single_tenant() -> None:
    config = from_env({**SECRET, "MICROSOFT_APP_TENANT_ID": TENANT_ID.upper()})
    assert config == TeamsConfig(
        app_id=APP_ID,
        app_password="not-a-real-secret",
        app_type=SINGLE_TENANT,
        tenant_id=TENANT_ID,  # as activities carry it: lower case
    )
    assert config.authority == f"https://login.microsoftonline.com/{TENANT_ID}"
    assert config.tenant_allow_list == {TENANT_ID}


def test_a_missing_tenant_id_is_refused_saying_what_to_set_and_where_to_find_it() -> None:
    with pytest.raises(TeamsConfigError) as refused:
        from_env(SECRET)
    message = str(refused.value)
    assert message.startswith("MICROSOFT_APP_TENANT_ID is missing")
    assert "SingleTenant" in message and "App Tenant ID" in message
    assert "Microsoft Entra ID > Overview" in message
    assert "MICROSOFT_APP_TYPE=MultiTenant" in message  # the way out for an old registration
    assert "not-a-real-secret" not in message


@pytest.mark.parametrize("tenant", ["kommunen.onmicrosoft.com", "tenant-1", "72f988bf"])
def test_a_tenant_id_that_is_not_one_is_refused(tenant: str) -> None:
    with pytest.raises(TeamsConfigError, match=r"MICROSOFT_APP_TENANT_ID is .* not a tenant id"):
        from_env({**SECRET, "MICROSOFT_APP_TENANT_ID": tenant})


async def test_doctor_shows_the_missing_tenant_id(tmp_path) -> None:
    checkup = await doctor({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **SECRET})
    assert not checkup.healthy
    (problem,) = [p for p in checkup.problems if p.startswith("Teams:")]
    assert "MICROSOFT_APP_TENANT_ID is missing" in problem and "App Tenant ID" in problem


def test_serve_refuses_to_start_without_the_tenant_id(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in ("MICROSOFT_APP_TYPE", "MicrosoftAppType", "MICROSOFT_APP_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in SECRET.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", "--port", "3978"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "idesluss: MICROSOFT_APP_TENANT_ID is missing" in err and "App Tenant ID" in err
    assert not (tmp_path / "x.db").exists()  # refused before touching anything


async def test_doctor_names_the_identity_the_bot_uses(tmp_path) -> None:
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    single = await doctor({**base, **SECRET, "MICROSOFT_APP_TENANT_ID": TENANT_ID})
    assert f"Teams: SingleTenant, tenant {TENANT_ID}" in single.ok
    multi = await doctor({**base, **SECRET, "MICROSOFT_APP_TYPE": "MultiTenant"})
    assert not any(p.startswith("Teams") for p in multi.problems)  # it still works
    assert any("Teams: note:" in line and "SingleTenant" in line for line in multi.ok)


def test_multi_tenant_is_still_possible_when_set_explicitly() -> None:
    config = from_env({**SECRET, "MICROSOFT_APP_TYPE": "multitenant"})
    assert config is not None and config.app_type == MULTI_TENANT and config.tenant_id is None
    assert config.authority == "https://login.microsoftonline.com/botframework.com"
    assert config.tenant_allow_list is None  # any tenant, unless MICROSOFT_ALLOWED_TENANTS


def test_a_managed_identity_needs_its_client_id_and_tenant_and_no_secret() -> None:
    config = from_env(
        {
            "MICROSOFT_APP_TYPE": "UserAssignedMSI",
            "MICROSOFT_APP_ID": IDENTITY_CLIENT_ID,
            "MICROSOFT_APP_TENANT_ID": TENANT_ID,
        }
    )
    assert config is not None and config.managed_identity and config.app_password == ""
    assert config.app_type == MANAGED_IDENTITY and config.tenant_allow_list == {TENANT_ID}
    msi = {"MICROSOFT_APP_TYPE": "UserAssignedMSI", "MICROSOFT_APP_TENANT_ID": TENANT_ID}
    with pytest.raises(TeamsConfigError, match="MICROSOFT_APP_PASSWORD is set: a managed"):
        from_env({**msi, **SECRET})
    with pytest.raises(TeamsConfigError, match="MICROSOFT_APP_TENANT_ID is missing: a bot"):
        from_env({"MICROSOFT_APP_TYPE": "UserAssignedMSI", "MICROSOFT_APP_ID": APP_ID})
    with pytest.raises(TeamsConfigError, match="UserAssignedMSI but MICROSOFT_APP_ID is missing"):
        from_env({**msi, "MICROSOFT_APP_PASSWORD": "x"})


# ── the tokens ───────────────────────────────────────────────────────────────────────────


async def test_a_multi_tenant_bot_set_explicitly_still_works_and_warns(
    teams_bot,
    connector: FakeBotConnector,
    trusted_identity: FakeIdentity,
    db,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = TeamsConfig(
        app_id=APP_ID,
        app_password="not-a-real-secret",
        app_type=MULTI_TENANT,
        openid_metadata_url=trusted_identity.openid_metadata_url,
        login_url=trusted_identity.login_url,
    )
    with caplog.at_level(logging.WARNING, logger="adapters.teams"):
        running = await start_teams(teams_bot, config, connector, trusted_identity)
    try:
        anna = TeamsUser(running.channel, user_id="29:1anna", name="Anna Andersson")
        await anna.says("Hej!")
        anna.hears("Hej Anna!")
        assert trusted_identity.token_requests[-1]["tenant"] == ["botframework.com"]
    finally:
        await running.channel.close()
        await running.server.close()
    assert any("MultiTenant" in r.getMessage() for r in caplog.records)


@pytest.fixture
def managed_identity(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeManagedIdentity]:
    for name in IDENTITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    fake = FakeManagedIdentity({IDENTITY_CLIENT_ID})
    yield fake
    fake.close()


def msi_config(identity: FakeIdentity, client_id: str = IDENTITY_CLIENT_ID) -> TeamsConfig:
    return TeamsConfig(
        app_id=client_id,
        app_type=MANAGED_IDENTITY,
        tenant_id=TENANT_ID,
        openid_metadata_url=identity.openid_metadata_url,
        login_url=identity.login_url,
    )


async def test_a_bot_with_a_managed_identity_gets_its_token_from_the_metadata_service(
    teams_bot,
    connector: FakeBotConnector,
    trusted_identity: FakeIdentity,
    managed_identity: FakeManagedIdentity,
    monkeypatch: pytest.MonkeyPatch,
    db,
) -> None:
    # MSAL asks IMDS at 169.254.169.254; this variable (MSAL's own) moves it here.
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", managed_identity.url)
    entra_before = len(trusted_identity.token_requests)
    config = msi_config(trusted_identity)
    running = await start_teams(teams_bot, config, connector, trusted_identity)
    running.channel.app_id = IDENTITY_CLIENT_ID  # the audience of the channel's tokens
    try:
        anna = TeamsUser(running.channel, user_id="29:1anna", name="Anna Andersson")
        await anna.says("Hej!")
        anna.hears("Hej Anna!")
        await anna.says("Tryggare tunnlar")
        assert {s.authorization for s in anna.received} == {"Bearer mi-token-1"}
    finally:
        await running.channel.close()
        await running.server.close()
    (request,) = managed_identity.requests  # fetched once, then reused
    assert request["path"] == IMDS_PATH and request["headers"]["Metadata"] == "true"
    assert request["query"]["client_id"] == IDENTITY_CLIENT_ID
    assert request["query"]["resource"] == SCOPE
    assert len(trusted_identity.token_requests) == entra_before  # no secret, no Entra ID call


async def test_on_app_service_the_managed_identity_token_comes_from_its_identity_endpoint(
    trusted_identity: FakeIdentity,
    managed_identity: FakeManagedIdentity,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IDENTITY_ENDPOINT", managed_identity.app_service_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", managed_identity.identity_header)
    factory = BotCredentialsFactory(msi_config(trusted_identity))
    credentials = await factory.create_credentials(IDENTITY_CLIENT_ID, SCOPE, "", False)
    assert credentials.get_access_token() == "mi-token-1"
    (request,) = managed_identity.requests
    assert request["headers"]["X-IDENTITY-HEADER"] == managed_identity.identity_header
    assert request["query"] == {
        "api-version": "2019-08-01",
        "resource": SCOPE,
        "client_id": IDENTITY_CLIENT_ID,
    }


async def test_an_identity_not_assigned_to_the_host_gets_a_clear_error(
    trusted_identity: FakeIdentity,
    managed_identity: FakeManagedIdentity,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", managed_identity.url)
    stranger = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    factory = BotCredentialsFactory(msi_config(trusted_identity, client_id=stranger))
    with pytest.raises(PermissionError) as refused:
        await factory.create_credentials(stranger, SCOPE, "", False)
    message = str(refused.value)
    assert "managed identity endpoint gave the bot no token: invalid_request" in message
    assert "MICROSOFT_APP_ID" in message and "assigned" in message


async def test_the_platform_mounts_with_a_managed_identity(trusted_identity) -> None:
    from aiohttp import web

    from bot.server import host_for

    sender = await TeamsPlatform(msi_config(trusted_identity)).mount(
        host_for(web.Application(), object())  # type: ignore[arg-type]
    )
    assert sender.app_id == IDENTITY_CLIENT_ID
