"""Proactive DMs through SlackSender, against the fake Web API: the DM is opened once and
its channel kept; Slack's failures become the dispatcher's outcomes; a message with a
delivery key is posted once, even when it is sent again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import render_messages
from adapters.slack.sender import (
    CLOCK_MARGIN,
    HISTORY_PAGE,
    HISTORY_PAGES,
    AlreadyThere,
    Delivered,
    SlackSender,
    delivery_metadata,
)
from bot.clock import FrozenClock
from bot.ports import AlreadyDelivered, DeliveryError, RetryLater, Unreachable
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

    def lookups(self) -> int:
        return len(self.api.calls_to("conversations.history"))


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
    # Refused blocks are sent again as plain text (tests/adapters/slack/test_message_size.py);
    # refused again, or refused for something else, the message has failed.
    api.fail("chat.postMessage", error="invalid_blocks", times=2)
    with pytest.raises(DeliveryError, match="invalid_blocks") as raised:
        await sender.send({"user": "UANNA", "channel": "DANNA"}, [FOLLOW_UP])
    assert not isinstance(raised.value, RetryLater | Unreachable)
    api.fail("chat.postMessage", error="msg_too_long")
    with pytest.raises(DeliveryError, match="msg_too_long"):
        await sender.send({"user": "UANNA", "channel": "DANNA"}, [FOLLOW_UP])
    assert api.messages_in("DANNA") == []


async def test_an_address_without_a_user_is_unreachable(sender: SlackSender) -> None:
    with pytest.raises(Unreachable):
        await sender.send({"channel": "DANNA"}, [FOLLOW_UP])


# ── posting once: the delivery key in message metadata ──────────────────────────────────

KEY = "idea:1:event:2"
SINCE = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)


@pytest.fixture
async def slack_at(clock: FrozenClock) -> AsyncIterator[FakeSlackApi]:
    """The fake Slack on the test clock (message timestamps move with it)."""
    fake = await FakeSlackApi(now=lambda: clock.now().timestamp()).start()
    yield fake
    fake.release()
    await fake.close()


@pytest.fixture
async def keyed(slack_at: FakeSlackApi) -> AsyncIterator[SlackSender]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.5)) as session:
        client = AsyncWebClient(token="xoxb-test", base_url=slack_at.url, session=session)
        yield SlackSender(client)


def keys_in(api: FakeSlackApi, channel: str = "DANNA") -> list[dict]:
    return [m.get("metadata", {}).get("event_payload") for m in api.messages_in(channel)]


async def test_post_once_posts_with_the_key_and_finds_it_the_second_time(
    keyed: SlackSender, slack_at: FakeSlackApi
) -> None:
    first = await keyed.post_once(
        "DANNA", "reply:42", {"text": "Tack!"}, maybe_sent=False, since=SINCE
    )
    assert isinstance(first, Delivered) and first.ts
    assert slack_at.methods() == ["chat.postMessage"]  # no history on a first post
    again = await keyed.post_once(
        "DANNA", "reply:42", {"text": "Tack!"}, maybe_sent=True, since=SINCE
    )
    assert again == AlreadyThere("DANNA", first.ts)
    assert slack_at.methods() == ["chat.postMessage", "conversations.history"]
    assert keys_in(slack_at) == [{"key": "reply:42"}]


async def test_a_possibly_delivered_send_that_never_arrived_is_posted(
    keyed: SlackSender, slack_at: FakeSlackApi
) -> None:
    address = {"user": "UANNA", "channel": "DANNA"}
    await keyed.send(address, [FOLLOW_UP], delivery_key="other", possibly_delivered=False)
    result = await keyed.send(
        address, [FOLLOW_UP], delivery_key=KEY, possibly_delivered=True, since=SINCE
    )
    assert result is None
    assert keys_in(slack_at) == [{"key": "other"}, {"key": KEY}]


async def test_a_redelivery_found_in_the_dm_is_not_posted_and_says_so(
    keyed: SlackSender, slack_at: FakeSlackApi
) -> None:
    await keyed.send({"user": "UANNA"}, [FOLLOW_UP], delivery_key=KEY, since=SINCE)
    # The address with the channel was never saved (the crash): it is opened again.
    result = await keyed.send(
        {"user": "UANNA"}, [FOLLOW_UP], delivery_key=KEY, possibly_delivered=True, since=SINCE
    )
    assert result == AlreadyDelivered({"user": "UANNA", "channel": "DANNA"})
    assert len(slack_at.messages_in("DANNA")) == 1


async def test_only_the_parts_that_did_not_arrive_are_posted(
    keyed: SlackSender, slack_at: FakeSlackApi
) -> None:
    long = [Reply(f"Stycke {n}. " + "ord " * 300) for n in range(8)]  # two parts of text
    messages = [m.as_kwargs() for m in render_messages(long)]
    assert len(messages) == 2
    # The first attempt posted the first part, then failed (a 503, a crash).
    await keyed.post_all_once("DANNA", KEY, messages[:1], maybe_sent=False, since=SINCE)

    result = await keyed.send(
        {"user": "UANNA", "channel": "DANNA"},
        long,
        delivery_key=KEY,
        possibly_delivered=True,
        since=SINCE,
    )

    assert result is None  # something was posted now
    assert keys_in(slack_at) == [{"key": KEY}, {"key": KEY, "part": 1}]
    assert [m["text"] for m in slack_at.messages_in("DANNA")] == [
        messages[0]["text"],
        messages[1]["text"],
    ]


async def test_the_lookup_reads_a_bounded_number_of_pages_from_before_the_row(
    keyed: SlackSender, slack_at: FakeSlackApi, clock: FrozenClock
) -> None:
    since = clock.now()
    await keyed.post_once("DANNA", KEY, {"text": "Hej"}, maybe_sent=False, since=since)
    for n in range(HISTORY_PAGE * HISTORY_PAGES):  # a very busy DM since then
        clock.advance(seconds=1)
        slack_at.add_message("DANNA", f"svar {n}", user="UANNA")

    outcome = await keyed.post_once("DANNA", KEY, {"text": "Hej"}, maybe_sent=True, since=since)

    assert isinstance(outcome, Delivered)  # not found in the newest 600: at least once
    reads = slack_at.calls_to("conversations.history")
    assert len(reads) == HISTORY_PAGES == keyed.history_reads
    assert [bool(r.params.get("cursor")) for r in reads] == [False, True, True]
    for read in reads:
        assert read.params["limit"] == str(HISTORY_PAGE)
        assert float(read.params["oldest"]) == pytest.approx(
            (since - CLOCK_MARGIN).timestamp(), abs=1e-6
        )


async def test_a_persons_message_with_the_same_metadata_does_not_count(
    keyed: SlackSender, slack_at: FakeSlackApi
) -> None:
    slack_at.add_message("DANNA", "ha!", user="UANNA", metadata=delivery_metadata(KEY))
    outcome = await keyed.post_once("DANNA", KEY, {"text": "Hej"}, maybe_sent=True, since=None)
    assert isinstance(outcome, Delivered)
    assert len(slack_at.messages_in("DANNA")) == 2


async def test_a_history_that_times_out_means_posting_anyway(
    keyed: SlackSender, slack_at: FakeSlackApi
) -> None:
    await keyed.post_once("DANNA", KEY, {"text": "Hej"}, maybe_sent=False, since=SINCE)
    slack_at.slow(5, "conversations.history")  # the client gives up after 0.5 s
    outcome = await keyed.post_once("DANNA", KEY, {"text": "Hej"}, maybe_sent=True, since=SINCE)
    assert isinstance(outcome, Delivered)
    assert len(slack_at.messages_in("DANNA")) == 2


async def test_a_rate_limited_lookup_waits_instead_of_risking_a_second_copy(
    keyed: SlackSender, slack_at: FakeSlackApi
) -> None:
    address = {"user": "UANNA", "channel": "DANNA"}
    await keyed.send(address, [FOLLOW_UP], delivery_key=KEY, since=SINCE)
    slack_at.fail("conversations.history", status=429, headers={"Retry-After": "30"})
    with pytest.raises(RetryLater) as raised:
        await keyed.send(
            address, [FOLLOW_UP], delivery_key=KEY, possibly_delivered=True, since=SINCE
        )
    assert raised.value.retry_after == 30
    assert len(slack_at.messages_in("DANNA")) == 1
    result = await keyed.send(
        address, [FOLLOW_UP], delivery_key=KEY, possibly_delivered=True, since=SINCE
    )
    assert isinstance(result, AlreadyDelivered)
    assert len(slack_at.messages_in("DANNA")) == 1


async def test_a_vanished_dm_found_by_the_lookup_is_opened_again(
    keyed: SlackSender, slack_at: FakeSlackApi
) -> None:
    result = await keyed.send(
        {"user": "UANNA", "channel": "DGONE"},
        [FOLLOW_UP],
        delivery_key=KEY,
        possibly_delivered=True,
        since=SINCE,
    )
    assert result == {"user": "UANNA", "channel": "DANNA"}
    assert slack_at.methods() == [
        "conversations.history",
        "conversations.open",
        "conversations.history",
        "chat.postMessage",
    ]


async def test_without_a_key_nothing_is_marked_and_nothing_read(
    keyed: SlackSender, slack_at: FakeSlackApi
) -> None:
    await keyed.send({"user": "UANNA", "channel": "DANNA"}, [FOLLOW_UP], possibly_delivered=True)
    assert slack_at.methods() == ["chat.postMessage"]
    assert "metadata" not in slack_at.calls_to("chat.postMessage")[0].params


# ── the fake's conversations.history, as Slack documents it ─────────────────────────────


async def test_the_fake_history_is_newest_first_with_metadata_only_when_asked(
    slack_at: FakeSlackApi, clock: FrozenClock
) -> None:
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token="xoxb-test", base_url=slack_at.url, session=session)
        start = clock.now()
        for n in range(5):
            clock.advance(seconds=10)
            await client.chat_postMessage(
                channel="DANNA", text=f"#{n}", metadata=delivery_metadata(f"k{n}")
            )
        plain = await client.conversations_history(channel="DANNA", limit=2)
        assert [m["text"] for m in plain["messages"]] == ["#4", "#3"]
        assert all("metadata" not in m for m in plain["messages"])
        assert plain["has_more"] is True and plain["response_metadata"]["next_cursor"]
        rest = await client.conversations_history(
            channel="DANNA", limit=10, cursor=plain["response_metadata"]["next_cursor"]
        )
        assert [m["text"] for m in rest["messages"]] == ["#2", "#1", "#0"]
        assert rest["has_more"] is False

        oldest = f"{(start + timedelta(seconds=30)).timestamp():.6f}"  # the ts of #2
        full = await client.conversations_history(
            channel="DANNA", oldest=oldest, include_all_metadata=True
        )
        assert [m["text"] for m in full["messages"]] == ["#4", "#3"]  # oldest is exclusive
        message = full["messages"][0]
        assert message["metadata"] == delivery_metadata("k4")
        assert message["bot_id"] == "BBOT" and message["user"] == "UBOT"
        assert message["type"] == "message" and message["ts"] > full["messages"][1]["ts"]

        with pytest.raises(SlackApiError) as unknown:
            await client.conversations_history(channel="DNONE")
        assert unknown.value.response["error"] == "channel_not_found"
