"""Slack and e-mail addresses: users.info gives the work address of the person writing
(scope users:read.email), and users.lookupByEmail finds a coordinator an admin named by
address before they ever write, so that their news reaches them as a DM."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.adapter import SlackAdapter
from adapters.slack.directory import SlackDirectory
from bot.app import IdeaBot
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.server import SENDERS, SERVICES
from storage.models import Person
from storage.people import EMAIL_ONLY
from tests.adapters.slack.conftest import SlackChat, SlackSide, submit_through_slack
from tests.bot.ideas import run_sweep
from tests.fakes.slack_api import FakeSlackApi

MARIA = "maria.berg@kommun.se"
NOBODY = "per.ek@kommun.se"


async def person(db, platform: str, user_id: str) -> Person | None:
    async with db.transaction() as session:
        query = select(Person).where(
            Person.platform == platform, Person.platform_user_id == user_id
        )
        return (await session.execute(query)).scalar_one_or_none()


@pytest.fixture
def slack_bot(db, clock, database_url) -> IdeaBot:
    """Maria is a coordinator by her address only; Per by one Slack does not know."""
    settings = Settings(
        database_url=database_url, coordinators=frozenset({f"email:{MARIA}", f"email:{NOBODY}"})
    )
    return IdeaBot(db, settings=settings, clock=clock)


async def test_the_address_of_the_person_writing_is_kept(
    slack: SlackSide, slack_api: FakeSlackApi, db, clock, caplog
) -> None:
    slack_api.add_user("UERIK", "Erik Berg", email="Erik.Berg@Kommun.se")
    caplog.set_level(logging.DEBUG, logger="bot")
    erik = SlackChat(slack, "UERIK")
    await erik.says("Hej")
    await erik.says("vem är jag")
    erik.hears("Din e-postadress här är erik.berg@kommun.se")
    stored = await person(db, "slack", "UERIK")
    assert stored is not None and stored.email == "erik.berg@kommun.se"
    assert stored.email_checked_at == clock.now()
    assert len(slack_api.calls_to("users.info")) == 1  # the same call as name and locale
    assert "erik.berg@kommun.se" not in "".join(
        r.getMessage() for r in caplog.records if r.levelno >= logging.INFO
    )


async def test_without_the_scope_there_is_no_address_and_the_turn_goes_on(
    slack: SlackSide, slack_api: FakeSlackApi, db
) -> None:
    slack_api.revoke_scope("users:read.email")
    slack_api.add_user("UERIK", "Erik Berg", email="erik.berg@kommun.se")
    erik = SlackChat(slack, "UERIK")
    await erik.says("Hej")
    erik.hears("Hej Erik!")
    stored = await person(db, "slack", "UERIK")
    assert stored is not None and stored.email is None


async def test_a_coordinator_named_by_address_is_found_at_start_and_gets_her_digest(
    slack: SlackSide, slack_api: FakeSlackApi, slack_bot: IdeaBot, db, clock
) -> None:
    slack_api.add_user("UMB", "Maria Berg", email="Maria.Berg@kommun.se")
    # The start-up pass: both addresses looked up, Maria found.
    [adapter] = [s for s in slack.app[SERVICES] if isinstance(s, SlackAdapter)]
    await asyncio.wait_for(adapter.directory.passed.wait(), 5)
    asked = sorted(call.params["email"] for call in slack_api.calls_to("users.lookupByEmail"))
    assert asked == [MARIA, NOBODY]
    maria = await person(db, "slack", "UMB")
    assert maria is not None and maria.email == MARIA and maria.address == {"user": "UMB"}
    assert maria.display_name == "Maria Berg"

    anna = SlackChat(slack, "UANNA")
    assert await submit_through_slack(anna, "Tryggare tunnlar") == 1
    await run_sweep(slack_bot)
    sender = slack.app[SENDERS]["slack"]
    await Dispatcher(db, [sender], settings=slack_bot.settings, clock=clock).run_until_idle()
    [digest] = [c for c in slack_api.calls_to("chat.postMessage") if c.params["channel"] == "DMB"]
    assert "Tryggare tunnlar" in digest.text
    # Per's news waits on his e-mail-only row, for the day he writes (or mail goes out).
    waiting = await person(db, EMAIL_ONLY, NOBODY)
    assert waiting is not None and waiting.email == NOBODY and waiting.address is None


async def test_lookups_are_bounded_and_not_repeated(
    slack_api: FakeSlackApi, slack_bot: IdeaBot, db, clock
) -> None:
    slack_api.add_user("UMB", "Maria Berg", email=MARIA)
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token="xoxb-test", base_url=slack_api.url, session=session)
        directory = SlackDirectory(client, slack_bot)
        first = await directory.run_once()
        assert set(first.found) == {MARIA} and first.unknown == [NOBODY]
        again = await directory.run_once()  # Maria is known; Per was asked about today
        assert again.found == {} and again.unknown == []
        assert len(slack_api.calls_to("users.lookupByEmail")) == 2
        clock.advance(days=1)
        tomorrow = await directory.run_once()  # a day later Per is asked about again
        assert tomorrow.found == {} and tomorrow.unknown == [NOBODY]
    assert len(slack_api.calls_to("users.lookupByEmail")) == 3


async def test_a_rate_limit_or_a_missing_scope_stops_the_pass(
    slack_api: FakeSlackApi, slack_bot: IdeaBot, db
) -> None:
    slack_api.revoke_scope("users:read.email")
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token="xoxb-test", base_url=slack_api.url, session=session)
        lookups = await SlackDirectory(client, slack_bot).run_once()
    assert lookups.stopped == "missing_scope" and lookups.unknown == []
    assert len(slack_api.calls_to("users.lookupByEmail")) == 1
    # Nobody was marked unknown, and nothing was recorded for a lookup that did not happen.
    assert await person(db, EMAIL_ONLY, MARIA) is None
