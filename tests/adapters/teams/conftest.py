"""A running Teams endpoint per test: the aiohttp server on 127.0.0.1 with `/api/messages`
mounted, a fake Bot Connector, and (session-wide) a fake identity service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.teams import TeamsConfig, TeamsPlatform
from adapters.teams.sender import TeamsSender
from bot.app import IdeaBot
from bot.clock import FrozenClock
from bot.config import Settings
from bot.server import host_for
from storage.database import Database
from tests.adapters.contract import RecordingBot
from tests.adapters.teams.harness import APP_ID, TENANT_ID, TeamsChannel, TeamsUser
from tests.fakes.bot_connector import FakeBotConnector, FakeIdentity

MARIA_ID = "29:1maria-coordinator"
ANNA_ID = "29:1anna-idea-giver"


@pytest.fixture(scope="session")
def identity() -> Iterator[FakeIdentity]:
    server = FakeIdentity()
    yield server
    server.close()


@pytest.fixture
def trusted_identity(identity: FakeIdentity, monkeypatch: pytest.MonkeyPatch) -> FakeIdentity:
    # MSAL and botbuilder fetch over HTTPS with requests, which honours this variable.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(identity.ca_file))
    return identity


@pytest.fixture
def teams_config(trusted_identity: FakeIdentity) -> TeamsConfig:
    # SingleTenant, as every new Azure Bot registration is.
    return TeamsConfig(
        app_id=APP_ID,
        app_password="not-a-real-secret",
        app_type="SingleTenant",
        tenant_id=TENANT_ID,
        openid_metadata_url=trusted_identity.openid_metadata_url,
        login_url=trusted_identity.login_url,
    )


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    fake = FakeBotConnector()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def teams_bot(db: Database, clock: FrozenClock, database_url: str) -> IdeaBot:
    settings = Settings(database_url=database_url, coordinators=frozenset({f"msteams:{MARIA_ID}"}))
    return IdeaBot(db, settings=settings, clock=clock)


class TeamsServer:
    def __init__(self, server: TestServer, sender: TeamsSender, channel: TeamsChannel) -> None:
        self.server = server
        self.sender = sender
        self.channel = channel


async def start_teams(
    bot: object, config: TeamsConfig, connector: FakeBotConnector, identity: FakeIdentity | None
) -> TeamsServer:
    app = web.Application()
    sender = await TeamsPlatform(config).mount(host_for(app, bot))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    channel = TeamsChannel(str(server.make_url("/")), connector, identity)
    return TeamsServer(server, sender, channel)


@pytest.fixture
async def teams(
    teams_bot: IdeaBot,
    teams_config: TeamsConfig,
    connector: FakeBotConnector,
    trusted_identity: FakeIdentity,
) -> AsyncIterator[TeamsServer]:
    running = await start_teams(teams_bot, teams_config, connector, trusted_identity)
    yield running
    await running.channel.close()
    await running.server.close()


@pytest.fixture
def anna(teams: TeamsServer) -> TeamsUser:
    return TeamsUser(teams.channel, user_id=ANNA_ID, name="Anna Andersson")


@pytest.fixture
def maria(teams: TeamsServer) -> TeamsUser:
    return TeamsUser(teams.channel, user_id=MARIA_ID, name="Maria Lind")


@pytest.fixture
def recording_bot(teams_bot: IdeaBot) -> RecordingBot:
    return RecordingBot(teams_bot)


@pytest.fixture
async def recorded_teams(
    recording_bot: RecordingBot,
    teams_config: TeamsConfig,
    connector: FakeBotConnector,
    trusted_identity: FakeIdentity,
) -> AsyncIterator[TeamsServer]:
    running = await start_teams(recording_bot, teams_config, connector, trusted_identity)
    yield running
    await running.channel.close()
    await running.server.close()
