"""The bot's own token for the Bot Connector is fetched from Entra ID in a thread, ahead of
time: a slow Entra ID never stops the event loop, so turns, Slack and /healthz go on, and
botbuilder's synchronous request for the token only reads what was fetched."""

from __future__ import annotations

import asyncio
import time

from adapters.teams.config import TeamsConfig
from adapters.teams.credentials import BotCredentialsFactory, TokenRefresher
from tests.adapters.teams.harness import APP_ID
from tests.fakes.bot_connector import FakeIdentity

SCOPE = "https://api.botframework.com"


async def longest_pause_while(work) -> tuple[float, object]:
    """Run `work` while a ticker measures the longest time the event loop was not free."""
    longest = 0.0
    done = asyncio.Event()

    async def tick() -> None:
        nonlocal longest
        while not done.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.02)
            longest = max(longest, time.monotonic() - before - 0.02)

    ticker = asyncio.create_task(tick())
    try:
        result = await work
    finally:
        done.set()
        await ticker
    return longest, result


async def test_a_slow_entra_id_does_not_stop_the_event_loop(
    teams_config: TeamsConfig, trusted_identity: FakeIdentity
) -> None:
    before = len(trusted_identity.token_requests)  # the identity serves the whole session
    trusted_identity.token_delay = 1.0
    try:
        factory = BotCredentialsFactory(teams_config)
        pause, credentials = await longest_pause_while(
            factory.create_credentials(APP_ID, SCOPE, teams_config.login_url, False)
        )
    finally:
        trusted_identity.token_delay = 0.0
    assert pause < 0.3, f"the event loop stood still for {pause:.2f} s"
    assert len(trusted_identity.token_requests) == before + 1
    token = credentials.get_access_token()

    # What botbuilder then asks for, synchronously, on every call: no Entra ID in between.
    started = time.monotonic()
    for _ in range(50):
        assert credentials.get_access_token() == token
    assert time.monotonic() - started < 0.1
    assert len(trusted_identity.token_requests) == before + 1


async def test_a_token_near_its_end_is_fetched_again_by_the_refresher(
    teams_config: TeamsConfig, trusted_identity: FakeIdentity
) -> None:
    factory = BotCredentialsFactory(teams_config)
    credentials = await factory.create_credentials(APP_ID, SCOPE, teams_config.login_url, False)
    refresher = TokenRefresher(factory)
    fetched: list[float] = []
    real = credentials.fetch

    def counted() -> str:
        fetched.append(time.monotonic())
        return real()

    credentials.fetch = counted  # type: ignore[method-assign]
    await refresher.refresh_due()
    assert fetched == []  # fresh: nothing to do
    credentials._expires_at = time.monotonic() + 5 * 60  # five minutes left
    assert credentials.due()
    await refresher.refresh_due()
    assert len(fetched) == 1 and not credentials.due()
