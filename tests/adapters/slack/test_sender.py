"""Proactive DMs through SlackSender, against the fake Web API: the DM is opened once and
its channel kept; Slack's failures become the dispatcher's outcomes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import DeliveryError, RetryLater, Unreachable
from adapters.slack.sender import SlackSender
from conversations.reply import Choice, Reply
from tests.adapters.sender_contract import SenderContract
from tests.fakes.slack_api import FakeSlackApi

FOLLOW_UP = Reply(
    "Hej Anna! Maria har läst din idé ”Tryggare tunnlar” och vill prova den i Väster.",
    choices=(Choice("satisfaction:5", "Bra"),),
)


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    fake = await FakeSlackApi().start()
    yield fake
    fake.release()
    await fake.close()


@pytest.fixture
async def sender(api: FakeSlackApi) -> AsyncIterator[SlackSender]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.5)) as session:
        client = AsyncWebClient(token="xoxb-test", base_url=api.url, session=session)
        yield SlackSender(client)


class TestSlackSenderContract(SenderContract):
    """The contract every platform's Sender keeps (tests/adapters/sender_contract.py)."""

    platform = "slack"

    @pytest.fixture(autouse=True)
    def _fake(self, api: FakeSlackApi) -> None:
        self.api = api

    @pytest.fixture
    def address(self) -> dict:
        return {"user": "UANNA", "team": "T0TEAM"}

    def platform_refuses(self, kind: str, *, retry_after: float | None = None) -> None:
        if kind == "rate_limited":
            self.api.fail(
                "chat.postMessage", status=429, headers={"Retry-After": f"{retry_after:g}"}
            )
        elif kind == "unreachable":
            self.api.fail("conversations.open", error="account_inactive")
        elif kind == "server_error":
            self.api.fail("chat.postMessage", status=503, error="service_unavailable")

    def delivered(self) -> list[str]:
        return [call.text for call in self.api.calls_to("chat.postMessage")]


async def test_the_first_dm_opens_the_conversation_and_returns_its_channel(
    sender: SlackSender, api: FakeSlackApi
) -> None:
    updated = await sender.send({"user": "UANNA", "team": "T0TEAM"}, [FOLLOW_UP])
    assert updated == {"user": "UANNA", "team": "T0TEAM", "channel": "DANNA"}
    assert api.methods() == ["conversations.open", "chat.postMessage"]
    [post] = api.calls_to("chat.postMessage")
    assert post.params["channel"] == "DANNA"
    assert "Tryggare tunnlar" in post.text and post.buttons[0]["value"] == "satisfaction:5"
    assert api.calls_to("conversations.open")[0].params["users"] == "UANNA"


async def test_a_known_dm_channel_is_used_without_opening_again(
    sender: SlackSender, api: FakeSlackApi
) -> None:
    assert await sender.send({"user": "UANNA", "channel": "DANNA"}, [FOLLOW_UP]) is None
    assert api.methods() == ["chat.postMessage"]


async def test_a_vanished_dm_channel_is_opened_again(
    sender: SlackSender, api: FakeSlackApi
) -> None:
    api.fail("chat.postMessage", error="channel_not_found")
    updated = await sender.send({"user": "UANNA", "channel": "DOLD"}, [FOLLOW_UP])
    assert updated == {"user": "UANNA", "channel": "DANNA"}
    assert api.methods() == ["chat.postMessage", "conversations.open", "chat.postMessage"]


async def test_rate_limited_means_retry_after_what_slack_says(
    sender: SlackSender, api: FakeSlackApi
) -> None:
    api.fail("chat.postMessage", status=429, headers={"Retry-After": "7"})
    with pytest.raises(RetryLater) as raised:
        await sender.send({"user": "UANNA", "channel": "DANNA"}, [FOLLOW_UP])
    assert raised.value.retry_after == 7.0
    assert len(api.calls_to("chat.postMessage")) == 1  # no retry here: the dispatcher decides


@pytest.mark.parametrize(
    "error", ["account_inactive", "user_not_found", "cannot_dm_bot", "user_disabled"]
)
async def test_a_person_slack_cannot_reach_is_unreachable(
    sender: SlackSender, api: FakeSlackApi, error: str
) -> None:
    api.fail("conversations.open", error=error)
    with pytest.raises(Unreachable, match=error):
        await sender.send({"user": "UANNA"}, [FOLLOW_UP])
    assert api.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_slack_server_errors_are_passing(
    sender: SlackSender, api: FakeSlackApi, status: int
) -> None:
    api.fail("chat.postMessage", status=status, error="internal_error")
    with pytest.raises(RetryLater):
        await sender.send({"user": "UANNA", "channel": "DANNA"}, [FOLLOW_UP])


async def test_a_timeout_is_passing(sender: SlackSender, api: FakeSlackApi) -> None:
    api.slow(5, "chat.postMessage")  # the client gives up after 0.5 s
    with pytest.raises(RetryLater, match="Timeout"):
        await sender.send({"user": "UANNA", "channel": "DANNA"}, [FOLLOW_UP])


async def test_slack_refusing_the_message_itself_is_a_plain_failure(
    sender: SlackSender, api: FakeSlackApi
) -> None:
    api.fail("chat.postMessage", error="invalid_blocks")
    with pytest.raises(DeliveryError, match="invalid_blocks") as raised:
        await sender.send({"user": "UANNA", "channel": "DANNA"}, [FOLLOW_UP])
    assert not isinstance(raised.value, RetryLater | Unreachable)


async def test_an_address_without_a_user_is_unreachable(sender: SlackSender) -> None:
    with pytest.raises(Unreachable):
        await sender.send({"channel": "DANNA"}, [FOLLOW_UP])
