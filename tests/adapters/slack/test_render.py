"""Replies as Block Kit: Slack's limits kept, everything escaped, buttons carrying values."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View

from adapters.slack.markup import escape, from_slack, unescape
from adapters.slack.render import (
    MAX_BLOCKS,
    MAX_FIELD_TEXT,
    MAX_FIELDS_TEXT,
    MAX_SECTION_TEXT,
    TRUNCATED,
    home_view,
    render_messages,
    reply_blocks,
)
from conversations.i18n import messages, placeholders
from conversations.reply import Choice, Fact, Reply


def all_texts(blocks: list[dict]) -> list[str]:
    found = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        for item in block.get("fields", []) + block.get("elements", []):
            found.append(item["text"]["text"] if isinstance(item["text"], dict) else item["text"])
    return found


def test_a_reply_becomes_title_text_fields_and_buttons() -> None:
    reply = Reply(
        "Så här ser din idé ut.",
        title="Sammanfattning",
        facts=(Fact("Namn", "Tryggare tunnlar"), Fact("Behov", "Trygghet")),
        choices=(Choice("summary:submit", "Skicka in"), Choice("summary:edit", "Ändra")),
    )
    [message] = render_messages([reply])
    assert message.blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Sammanfattning*"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "Så här ser din idé ut."}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Namn*\nTryggare tunnlar"},
                {"type": "mrkdwn", "text": "*Behov*\nTrygghet"},
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Skicka in", "emoji": True},
                    "value": "summary:submit",
                    "action_id": "idesluss:0:summary:submit",
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Ändra", "emoji": True},
                    "value": "summary:edit",
                    "action_id": "idesluss:1:summary:edit",
                },
            ],
        },
    ]
    assert message.text == "Sammanfattning\nSå här ser din idé ut."


def test_the_replies_of_a_turn_share_one_message_with_unique_action_ids() -> None:
    replies = [
        Reply("Hej!", choices=(Choice("a:yes", "Ja"),)),
        Reply("Fråga?", choices=(Choice("a:yes", "Ja"), Choice("a:no", "Nej"))),
    ]
    [message] = render_messages(replies)
    ids = [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == len(set(ids)) == 3


def test_everything_a_person_wrote_is_escaped_everywhere() -> None:
    evil = "<!channel> <@U123> <https://evil.example|klicka> & co"
    reply = Reply(evil, title=evil, facts=(Fact(evil, evil),), choices=(Choice("x:1", evil),))
    [message] = render_messages([reply])
    for text in [*all_texts(message.blocks), message.text]:
        assert "<" not in text and ">" not in text, text
        assert "&lt;!channel&gt;" in text
    assert message.blocks[-1]["elements"][0]["value"] == "x:1"


def test_a_long_text_is_split_into_sections_and_cut_only_when_very_long() -> None:
    paragraph = "Ett stycke om tunnlar. " * 100  # about 2300 characters
    messages = render_messages([Reply("\n\n".join([paragraph] * 3))])
    sections = [b for m in messages for b in m.blocks if b["type"] == "section"]
    assert len(sections) >= 3 and all(len(s["text"]["text"]) <= MAX_SECTION_TEXT for s in sections)
    assert not any(TRUNCATED in s["text"]["text"] for s in sections)

    huge = render_messages([Reply("ord " * 20_000)])
    texts = [b["text"]["text"] for m in huge for b in m.blocks]
    assert len(texts) == 4 and texts[-1].endswith(TRUNCATED)
    assert all(len(m.text) <= 3000 for m in huge) and huge[0].text.endswith(TRUNCATED)


def test_a_cut_never_splits_an_entity() -> None:
    blocks = reply_blocks(Reply("&" * 20_000))
    for text in all_texts(blocks):
        body = text.removesuffix(TRUNCATED)
        assert body.replace("&amp;", "") == "", text[-20:]


def test_short_facts_sit_side_by_side_and_a_long_one_is_shown_whole() -> None:
    """Fields are for short facts (at most 2000 characters each, ten to a section); a longer
    answer (an idea's need may have 4000) gets sections of its own, uncut, in its place."""
    short = [Fact(f"Fråga {n}", "svar " * 300) for n in range(5)]  # ~1500 characters each
    long_need = Fact("Behov", "ord " * 1000)  # 4000 characters
    [message, *rest] = render_messages([Reply("Sammanfattning", facts=(*short, long_need))])
    blocks = [b for m in (message, *rest) for b in m.blocks]
    field_sections = [b for b in blocks if "fields" in b]
    assert [len(b["fields"]) for b in field_sections] == [2, 2, 1]  # ≤ MAX_FIELDS_TEXT each
    for block in field_sections:
        assert sum(len(item["text"]) for item in block["fields"]) <= MAX_FIELDS_TEXT
        assert all(len(item["text"]) <= MAX_FIELD_TEXT for item in block["fields"])
    need = [b["text"]["text"] for b in blocks[-2:]]
    assert need[0].startswith("*Behov*\n") and not any(TRUNCATED in text for text in need)
    assert "".join(need).count("ord") == 1000
    assert not any(TRUNCATED in item["text"] for b in field_sections for item in b["fields"])


def test_many_replies_are_spread_over_messages_of_at_most_50_blocks() -> None:
    replies = [Reply(f"Meddelande {n}", choices=(Choice(f"v:{n}", "Ok"),)) for n in range(60)]
    messages = render_messages(replies)
    assert len(messages) == 3
    assert all(len(m.blocks) <= MAX_BLOCKS for m in messages)
    values = [
        e["value"]
        for m in messages
        for b in m.blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert values == [f"v:{n}" for n in range(60)]


def test_a_reply_with_hundreds_of_facts_is_cut_to_50_blocks_keeping_its_buttons() -> None:
    facts = tuple(Fact(str(n), "x") for n in range(1000))
    [message] = render_messages([Reply("Lista", facts=facts, choices=(Choice("ok:1", "Ok"),))])
    assert len(message.blocks) == MAX_BLOCKS
    assert message.blocks[-1]["type"] == "actions"


@settings(max_examples=60, deadline=None)
@given(
    st.text(max_size=7000),
    st.lists(st.tuples(st.text(max_size=2500), st.text(max_size=2500)), max_size=12),
)
def test_any_reply_renders_within_limits_and_safely(text: str, facts: list) -> None:
    replies = [
        Reply(
            text,
            facts=tuple(Fact(a, b) for a, b in facts),
            choices=(Choice("k:v", text[:100] or "x"),),
        )
    ]
    for message in render_messages(replies):
        assert len(message.blocks) <= MAX_BLOCKS
        json.dumps(message.blocks)
        for block in message.blocks:
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= MAX_SECTION_TEXT
            for item in block.get("fields", []):
                assert len(item["text"]) <= MAX_FIELD_TEXT
            for element in block.get("elements", []):
                assert len(element["text"]["text"]) <= 75
        for piece in [*all_texts(message.blocks), message.text]:
            assert "<" not in piece and ">" not in piece


def test_the_home_view_stays_within_100_blocks() -> None:
    from datetime import UTC, datetime

    from storage.overview import IdeaLine

    lines = [
        IdeaLine(n, f"Idé {n}", "submitted", datetime(2026, 6, 15, tzinfo=UTC)) for n in range(41)
    ]
    view = home_view("sv", mine=lines, queue=lines, shown_at_most=40)
    assert len(view["blocks"]) <= 100
    View(type="home", blocks=view["blocks"]).validate_json()


def test_text_from_slack_becomes_plain_text() -> None:
    assert from_slack("a &lt; b &amp;&amp; c &gt; d") == "a < b && c > d"
    assert from_slack("se <https://kommunen.se>") == "se https://kommunen.se"
    assert from_slack("se <https://kommunen.se|kommunens sida>") == (
        "se kommunens sida (https://kommunen.se)"
    )
    assert from_slack("<mailto:anna@kommunen.se|anna@kommunen.se>") == "anna@kommunen.se"
    assert from_slack("hej <@U024BE7LH|anna> och <@U1>") == "hej @anna och @U1"
    assert from_slack("<!channel> <!here|here>") == "@channel @here"
    assert from_slack("ge <@U024BE7LH|anna> i <#C1|allmänt>", keep_mentions=True) == (
        "ge <@U024BE7LH|anna> i <#C1|allmänt>"
    )
    assert from_slack(None) is None


@given(st.text())
def test_escaping_is_undone_by_unescaping(text: str) -> None:
    assert unescape(escape(text)) == text
    assert from_slack(escape(text)) == text


def test_slack_texts_exist_in_both_languages_with_the_same_placeholders() -> None:
    SV = {key: str(text) for key, text in messages("sv").items() if key.startswith("slack.")}
    EN = {key: str(text) for key, text in messages("en").items() if key.startswith("slack.")}
    assert SV
    assert SV.keys() == EN.keys()
    for key in SV:
        assert placeholders(SV[key]) == placeholders(EN[key]), key
