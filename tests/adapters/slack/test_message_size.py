"""Slack refuses a message whose blocks hold too much text in all (`msg_blocks_too_long`);
Idésluss splits a long answer (`visa 12` of a full idea with notes) into several messages
well below that, and when Slack refuses a message anyway the person reads it as plain text.

Limits: ≤ 50 blocks a message, section text ≤ 3000, field ≤ 2000 (docs.slack.dev/reference/
block-kit/blocks, section block); the total refused from ~11,300 characters of block text
(slackapi/bolt-js #2509, #2867). The fake Slack Web API refuses like Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from adapters.slack.render import (
    MAX_BLOCKS,
    MAX_MESSAGE_TEXT,
    block_text_length,
    block_texts,
    home_view,
    render_messages,
)
from adapters.slack.sender import SlackSender
from bot.clock import FrozenClock
from conversations.intake import QUESTION_BY_KEY
from conversations.reply import Choice, Reply
from conversations.views.admin import StatsView, stats_reply
from conversations.views.ideas import MAX_HISTORY_LINES, HistoryEntry, ShowView, show_reply
from storage.ideas import add_event, create_idea
from storage.overview import IdeaLine
from storage.people import upsert_person
from tests.adapters.slack.conftest import COORDINATOR, SlackChat, SlackSide
from tests.fakes.slack_api import MAX_MESSAGE_BLOCKS_TEXT, FakeSlackApi, blocks_refusal

WHEN = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def longest(key: str, word: str = "ord") -> str:
    """An answer at the longest the intake takes (conversations/intake.py), in words."""
    limit = QUESTION_BY_KEY[key].max_length
    return (f"{word} " * limit)[:limit].strip()


# Each answer of the longest idea in a word of its own, so that what is shown of each can be
# counted apart.
ANSWER_WORDS = {
    "need": "behovsord",
    "idea": "idéord",
    "benefit": "nyttoord",
    "first_test": "provord",
    "involved": "medord",
}


def worst_show() -> Reply:
    """`visa` of an idea with every answer at its longest, and more history and notes than
    the view shows, each with a 2000-character text (the longest a command takes)."""
    said = "svar " * 400  # 2000 characters
    history = tuple(
        HistoryEntry(
            "stage", WHEN + timedelta(days=n), "Maria Lind", "Inkommen", "Bedömning", text=said
        )
        for n in range(MAX_HISTORY_LINES + 10)
    )
    notes = tuple(
        HistoryEntry("note", WHEN + timedelta(days=n), "Maria Lind", text=said)
        for n in range(MAX_HISTORY_LINES + 10)
    )
    view = ShowView(
        number=12,
        title=longest("title", "Titel"),
        stage="Bedömning",
        giver="Anna Andersson",
        anonymous=True,
        workplace=longest("workplace", "Plats"),
        assignee="Maria Lind",
        submitted=WHEN,
        need=longest("need", ANSWER_WORDS["need"]),
        description=longest("idea", ANSWER_WORDS["idea"]),
        benefit=longest("benefit", ANSWER_WORDS["benefit"]),
        first_test=longest("first_test", ANSWER_WORDS["first_test"]),
        involved=longest("involved", ANSWER_WORDS["involved"]),
        participate=True,
        satisfaction=5,
        history=history,
        notes=notes,
        similar=tuple((n, longest("title")) for n in range(3)),
    )
    reply = show_reply("sv", view)
    return Reply(reply.text, title=reply.title, facts=reply.facts, choices=BUTTONS)


BUTTONS = tuple(Choice(f"cmd:v:{n}", f"Knapp {n} " + "x" * 60) for n in range(25))


def assert_valid_and_within_budget(messages: list) -> None:
    for message in messages:
        assert len(message.blocks) <= MAX_BLOCKS
        assert block_text_length(message.blocks) <= MAX_MESSAGE_TEXT
        assert blocks_refusal(message.blocks) is None
        for block in message.blocks:
            Block.parse(block).validate_json()  # slack_sdk checks Slack's per-block limits
            assert all(text.strip() for text in block_texts(block)), block


def test_the_longest_idea_goes_out_as_several_messages_each_well_within_slacks_cap() -> None:
    reply = worst_show()
    everything = sum(len(t) for t in [reply.title or "", *(f.value for f in reply.facts)])
    assert everything > 2 * MAX_MESSAGE_BLOCKS_TEXT  # one message would be refused
    messages = render_messages([reply])
    assert len(messages) > 2
    assert_valid_and_within_budget(messages)
    # The buttons come last, on the last part, never alone in it; every part says which idea.
    actions = [i for i, m in enumerate(messages) for b in m.blocks if b["type"] == "actions"]
    assert actions == [len(messages) - 1]
    assert messages[-1].blocks[-1]["type"] == "actions" and len(messages[-1].blocks) > 1
    assert all(m.text.startswith("Idé 12") for m in messages)
    # Nothing of the answers is cut: each stands whole, over the parts, in order.
    shown = "\n".join(t for m in messages for b in m.blocks for t in block_texts(b))
    for key, word in ANSWER_WORDS.items():
        assert shown.count(word) == longest(key, word).count(word), key


def test_a_split_falls_between_words() -> None:
    messages = render_messages([Reply("ordet " * 3000, title="Lång")])
    assert len(messages) >= 3
    texts = [t for m in messages for b in m.blocks for t in block_texts(b)]
    for text in texts[1:]:
        assert text.startswith("ordet") and text.rstrip().endswith(("ordet", "[…]")), text[-20:]


def test_no_section_is_blank_in_show_and_stats() -> None:
    """A reply without text (`visa`, `statistik` have a title and facts) has no empty section."""
    stats = StatsView((("Inkommen", 3),), ((None, 3),), (), 0, 0, 5, ())
    show = ShowView(12, "Tunnlar", "Inkommen", "Anna", False, None, None, WHEN, "Behov", "Idé",
                    "Nytta", None, None, False, None, ())  # fmt: skip
    for reply in (stats_reply("sv", stats), show_reply("sv", show), Reply("", title="Bara titel")):
        [message] = render_messages([reply])
        assert_valid_and_within_budget([message])
        assert message.text.strip()


def test_the_fake_refuses_too_much_text_like_slack() -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}
    assert blocks_refusal([section] * 3) is None
    assert blocks_refusal([section] * 4) == "msg_blocks_too_long"  # 11,600 characters
    assert blocks_refusal([{"type": "divider"}] * 51) == "invalid_blocks"


# ── the Home tab's wording ─────────────────────────────────────────────────────────────────


def lines(count: int) -> list[IdeaLine]:
    return [IdeaLine(n, f"Idé {n}", "submitted", WHEN) for n in range(count)]


def test_each_list_says_under_itself_which_ideas_it_shows() -> None:
    view = home_view("sv", mine=lines(41), queue=lines(41), shown_at_most=40)
    View(type="home", blocks=view["blocks"]).validate_json()
    kinds = [block["type"] for block in view["blocks"]]
    assert all(not (a == b == "header") for a, b in pairwise(kinds))
    texts = [" ".join(block_texts(block)) for block in view["blocks"]]
    queue_more = texts.index("Här visas de 40 som väntat längst.")
    mine_more = texts.index("Här visas de 40 som ändrats senast.")
    assert texts.index("Att ta hand om") < queue_more < texts.index("Dina idéer") < mine_more
    assert "Här visas de 40 senaste." not in texts


def test_a_list_that_fits_says_nothing_about_more() -> None:
    view = home_view("en", mine=lines(40), queue=lines(3), shown_at_most=40)
    said = " ".join(block_texts(view["blocks"]))
    assert "Showing" not in said
    assert [b["type"] for b in view["blocks"]][:2] == ["header", "context"]


# ── through Slack: a coordinator asks for the longest idea ───────────────────────────────


async def longest_idea(db, clock: FrozenClock) -> int:
    async with db.transaction() as session:
        anna = await upsert_person(
            session, "slack", "UANNA", now=clock.now(), display_name="Anna Andersson"
        )
        maria = await upsert_person(
            session, "slack", COORDINATOR, now=clock.now(), display_name="Maria Lind"
        )
        answers = {key: longest(key) for key in QUESTION_BY_KEY if key != "participate"}
        idea = await create_idea(session, anna, answers, language="sv", stage="submitted",
                                 now=clock.now())  # fmt: skip
        for n in range(MAX_HISTORY_LINES + 5):
            await add_event(session, idea, actor=maria, kind="note", text="not " * 499,
                            now=clock.now() + timedelta(minutes=n))  # fmt: skip
        return idea.id


async def test_visa_of_the_longest_idea_reaches_the_coordinator_in_parts(
    slack: SlackSide, db, clock: FrozenClock
) -> None:
    number = await longest_idea(db, clock)
    maria = SlackChat(slack, COORDINATOR)
    await maria.says(f"visa {number}")
    parts = slack.api.messages_in("DMARIA")
    assert len(parts) >= 3
    # Every part was taken with its blocks (none fell back to plain text) and is marked
    # with the reply's delivery key and its number, so a repeat after a crash finds it.
    assert all(part.get("blocks") for part in parts)
    assert all(block_text_length(part["blocks"]) <= MAX_MESSAGE_TEXT for part in parts)
    keys = {part["metadata"]["event_payload"]["key"] for part in parts}
    numbers = [part["metadata"]["event_payload"].get("part", 0) for part in parts]
    assert len(keys) == 1 and numbers == list(range(len(parts)))
    maria.hears(f"Idé {number}", longest("need")[-40:], "not not")


async def test_a_message_slack_refuses_is_read_as_plain_text(
    slack: SlackSide, anna: SlackChat
) -> None:
    slack.api.fail("chat.postMessage", error="msg_blocks_too_long")
    await anna.says("Hej")
    [refused, plain] = anna.posted
    assert refused.params.get("blocks") and not plain.params.get("blocks")
    assert "Jag är Idéslussen" in plain.params["text"]
    assert plain.params["metadata"] == refused.params["metadata"]  # still found after a crash
    [shown] = slack.api.messages_in("DANNA")
    assert "Jag är Idéslussen" in shown["text"]


@pytest.fixture
async def api():
    fake = await FakeSlackApi().start()
    yield fake
    await fake.close()


async def test_a_proactive_message_slack_refuses_goes_as_plain_text(api: FakeSlackApi) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    sender = SlackSender(AsyncWebClient(base_url=api.url, timeout=2))
    api.fail("chat.postMessage", error="invalid_blocks")
    reply = Reply("Din idé 12 har gått vidare.", choices=(Choice("cmd:show:12", "Visa 12"),))
    await sender.send({"user": "UANNA", "channel": "DANNA"}, [reply], delivery_key="k:1")
    [shown] = api.messages_in("DANNA")
    assert shown["text"] == "Din idé 12 har gått vidare." and "blocks" not in shown
    assert shown["metadata"]["event_payload"] == {"key": "k:1"}


async def test_a_command_answer_slack_refuses_is_shown_as_plain_text(
    slack: SlackSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under a slash command the answer goes through response_url; should Slack refuse it
    there (here: a renderer gone wrong, far over the cap), the person still reads it."""
    import adapters.slack.adapter as adapter_module

    def oversized(replies: list[Reply]) -> list:
        messages = render_messages(replies)
        padding = {"type": "section", "text": {"type": "mrkdwn", "text": "fyll " * 580}}
        messages[0].blocks.extend([padding] * 5)  # ~14,500 characters in all
        return messages

    monkeypatch.setattr(adapter_module, "render_messages", oversized)
    assert await slack.command(COORDINATOR, "hjälp") == 200
    await slack.settle()
    [refused, plain] = slack.api.calls_to("response_url")
    assert refused.params.get("blocks") and "blocks" not in plain.params
    assert plain.params["response_type"] == "ephemeral"
    assert "visa" in plain.params["text"] and "fyll" in plain.params["text"]
