"""Replies as Teams messages: an Adaptive Card 1.5 when there are buttons or facts, plain
text otherwise.

Every string in a `Reply` is plain text, some of it typed by people. It only ever goes into
the card as a value in a data structure (the SDK serialises it to JSON); Adaptive Card
TextBlocks and FactSets render a subset of markdown, so markdown-significant characters are
escaped, and `<at>` is broken up so that no text can turn into a mention.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from conversations.reply import Reply

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
# Teams refuses cards over 28 KB; keep a margin for the activity around the card.
CARD_BUDGET_BYTES = 25_000
TEXT_BUDGET_CHARS = 20_000
# More choices than this become a list with one button: Teams shows at most six actions.
MAX_BUTTONS = 5
TRUNCATED = " (…)"

_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]~|])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+>#]|\d+[.)])", re.MULTILINE)
_MENTION_TAG = re.compile(r"<(/?)(at)\b", re.IGNORECASE)
WORD_JOINER = "\u2060"


def neutralise_mentions(text: str) -> str:
    """`<at>` only becomes a mention with an entity, which we never send; a word joiner
    inside the tag makes sure no client ever reads user text as one."""
    return _MENTION_TAG.sub(lambda m: f"<{m.group(1)}{WORD_JOINER}{m.group(2)}", text)


def escape_markdown(text: str) -> str:
    """Plain text for a TextBlock or FactSet: no emphasis, links, lists or headings."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    text = _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), text)
    return neutralise_mentions(text)


def _escape_marker(marker: str) -> str:
    if marker[-1] in ".)":  # "1." starts a numbered list
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def to_activity(reply: Reply) -> Activity:
    if not reply.choices and not reply.facts:
        return Activity(type=ActivityTypes.message, text=plain_text(reply), text_format="plain")
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=adaptive_card(reply))],
    )


def plain_text(reply: Reply) -> str:
    text = f"{reply.title}\n\n{reply.text}" if reply.title else reply.text
    if len(text) > TEXT_BUDGET_CHARS:
        text = text[: TEXT_BUDGET_CHARS - len(TRUNCATED)] + TRUNCATED
    return neutralise_mentions(text)


def adaptive_card(reply: Reply) -> dict[str, Any]:
    """The card for a reply, cut down to Teams' size limit if it has to be."""
    text = reply.text
    facts = [[fact.label, fact.value] for fact in reply.facts]
    card = _card(reply, text, facts)
    while card_size(card) > CARD_BUDGET_BYTES:
        longest = max(facts, key=lambda fact: len(fact[1]), default=None)
        if longest is not None and len(longest[1]) > 200:
            longest[1] = _shorten(longest[1])
        elif len(text) > 200:
            text = _shorten(text)
        else:  # pragma: no cover - labels alone cannot reach the limit
            break
        card = _card(reply, text, facts)
    return card


def card_size(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def _shorten(value: str) -> str:
    base = value.removesuffix(TRUNCATED)
    return base[: max(len(base) // 2, 100)].rstrip() + TRUNCATED


def _card(reply: Reply, text: str, facts: list[list[str]]) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if reply.title:
        body.append(
            {
                "type": "TextBlock",
                "text": escape_markdown(reply.title),
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            }
        )
    if text:
        body.append({"type": "TextBlock", "text": escape_markdown(text), "wrap": True})
    if facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {"title": escape_markdown(label), "value": escape_markdown(value)}
                    for label, value in facts
                ],
            }
        )
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if len(reply.choices) > MAX_BUTTONS:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "action",
                "style": "expanded",
                "isRequired": True,
                "choices": [{"title": c.label, "value": c.value} for c in reply.choices],
            }
        )
        card["actions"] = [{"type": "Action.Submit", "title": "OK"}]
    elif reply.choices:
        card["actions"] = [
            {"type": "Action.Submit", "title": choice.label, "data": {"action": choice.value}}
            for choice in reply.choices
        ]
    return card


def one_activity(replies: list[Reply]) -> Activity | None:
    """Several replies as one message, for proactive sends: one POST either delivers all
    of them or none, so a retry after a 429 never repeats the part that got through.
    None when they do not fit in one card; the caller then sends them one by one."""
    if len(replies) == 1:
        return to_activity(replies[0])
    if not any(reply.choices or reply.facts for reply in replies):
        text = "\n\n".join(plain_text(reply) for reply in replies)
        return Activity(
            type=ActivityTypes.message, text=text[:TEXT_BUDGET_CHARS], text_format="plain"
        )
    cards = [adaptive_card(reply) for reply in replies]
    card = {**cards[-1], "body": [element for c in cards for element in c["body"]]}
    actions = [action for c in cards for action in c.get("actions", ())]
    if actions:
        card["actions"] = actions
    if card_size(card) > CARD_BUDGET_BYTES or sum(len(r.choices) for r in replies) > MAX_BUTTONS:
        return None
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=card)],
    )
