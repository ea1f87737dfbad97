"""Nothing a person types becomes markup or a mention on any platform: whatever the text, the
rendered Slack blocks and Teams cards contain it only as inert characters."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.render import fallback_text, reply_blocks
from adapters.teams.render import adaptive_card, plain_text
from conversations.reply import Choice, Fact, Reply

ATTACKS = [
    "<!channel>",
    "<!here|here>",
    "<@U024BE7LH>",
    "<#C024BE7LH>",
    "<https://evil.example|Klicka här>",
    "<at>Maria</at>",
    "<AT >Maria</at >",
    "[Klicka här](https://evil.example)",
    "![bild](https://evil.example/x.png)",
    "*fet* _kursiv_ ~struken~ `kod`",
    "# Rubrik\n- lista\n1. nummer\n> citat",
    "&lt;!channel&gt;",
]
# Text built from the characters markup is made of, plus ordinary words.
texts = st.one_of(
    st.sampled_from(ATTACKS),
    st.lists(
        st.one_of(st.sampled_from(ATTACKS), st.text("<>!@#&[]()*_~`|at: \nhUC0", max_size=30)),
        max_size=5,
    ).map("".join),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _reply(text: str) -> Reply:
    return Reply(
        text,
        title=text,
        facts=(Fact(text, text),),
        choices=(Choice("answer:yes", text or "x"),),
    )


@FAST
@given(texts)
def test_slack_blocks_hold_no_markup_from_user_text(text: str) -> None:
    reply = _reply(text)
    shown = [*_strings(reply_blocks(reply)), fallback_text(reply)]
    for value in shown:
        if value == "answer:yes":
            continue
        # Slack's mentions, links and commands all start with "<": escaped, none remain.
        assert "<" not in value and ">" not in value, value


MENTION = re.compile(r"<\s*/?\s*at\b", re.IGNORECASE)


def _rendered_markdown(card: dict) -> list[str]:
    """The strings Teams renders as markdown: TextBlock texts and FactSet titles and values.
    (Button titles and `textFormat: plain` messages are shown as they are.)"""
    found = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            if node.get("type") == "FactSet":
                found.extend(s for fact in node["facts"] for s in (fact["title"], fact["value"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def _text_runs(card: dict) -> list[str]:
    """The strings Teams shows as they are, never as markdown: TextRuns' texts."""
    return [
        run["text"]
        for element in card["body"]
        if element["type"] == "RichTextBlock"
        for run in element["inlines"]
    ]


@FAST
@given(texts)
def test_teams_cards_hold_no_mention_or_link_from_user_text(text: str) -> None:
    card = adaptive_card(_reply(text))
    # A mention needs an entity in the card's `msteams` part, which is never written.
    assert "msteams" not in card and "entities" not in json.dumps(card)
    # User text goes only into TextRuns, which are never read as markdown.
    assert _rendered_markdown(card) == []
    for value in _text_runs(card):
        assert not MENTION.search(value), value
    assert not MENTION.search(plain_text(Reply(text)))


def test_the_known_attacks_are_inert_in_a_teams_card() -> None:
    card = adaptive_card(_reply("\n".join(ATTACKS)))
    assert _rendered_markdown(card) == []
    shown = "\n".join(_text_runs(card))
    assert "<at>" not in shown.casefold()
    # Shown as the characters they are (a TextRun is no markdown): no link, no escapes.
    assert "[Klicka här](https://evil.example)" in shown and "\\" not in shown
