"""Replies as Teams messages: an Adaptive Card 1.5 when there are buttons or facts, plain
text otherwise.

Every string in a `Reply` is plain text, some of it typed by people. It only ever goes into
the card as a value in a data structure (the SDK serialises it to JSON), and always as the
text of a `TextRun` in a `RichTextBlock`, never as a `TextBlock` or `FactSet`:

- TextBlocks and facts render a subset of markdown, so user text there had to be escaped
  (`\\*`, `1\\.`), and some Teams mobile clients show those escapes literally (AdaptiveCards
  #5590). A TextRun's text is never read as markdown: `**Gratis**`, `1. nummer`, `# rubrik`
  and `[x](y)` show exactly as written, with nothing added.
- A single `\\n` inside a TextBlock or a fact does not break the line in Teams (only a blank
  line does, AdaptiveCards #5538), and whitespace inside a run is renderer-dependent. So every
  line becomes a block of its own: lines of one paragraph follow each other with no spacing,
  a blank line starts a new paragraph with the normal spacing. That is structure, not
  whitespace, so it looks the same on desktop, web and mobile.
- The bot's own emphasis stays: the title is a bold, larger run, and a fact's label a bold
  run before its value (on the same line when the value is one line, above it otherwise).
- `<at>` is broken up so that no text can turn into a mention (Teams needs an entity for a
  mention, which we never send; the word joiner keeps any client from trying).
"""

from __future__ import annotations

import json
import re
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from conversations.i18n import DEFAULT_LANGUAGE, tr
from conversations.reply import Reply

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
# Teams refuses cards over 28 KB; keep a margin for the activity around the card.
CARD_BUDGET_BYTES = 25_000
TEXT_BUDGET_CHARS = 20_000
# More choices than this become a list with one button: Teams shows at most six actions.
MAX_BUTTONS = 5
TRUNCATED = " (…)"
# The JSON of a RichTextBlock around a line, in characters (see text_blocks).
LINE_COST = 70

_MENTION_TAG = re.compile(r"<(/?)(at)\b", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")
WORD_JOINER = "\u2060"


def neutralise_mentions(text: str) -> str:
    """`<at>` only becomes a mention with an entity, which we never send; a word joiner
    inside the tag makes sure no client ever reads user text as one."""
    return _MENTION_TAG.sub(lambda m: f"<{m.group(1)}{WORD_JOINER}{m.group(2)}", text)


def paragraphs(text: str) -> list[list[str]]:
    """The text's paragraphs (split at blank lines), each as its lines; blank edges and
    runs of blank lines dropped, other whitespace kept as written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = []
    for paragraph in _BLANK_LINES.split(text):
        lines = paragraph.split("\n")
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if lines:
            found.append(lines)
    return found


def text_run(text: str, **style: Any) -> dict[str, Any]:
    """Text shown as it is: a TextRun is never read as markdown."""
    return {"type": "TextRun", "text": neutralise_mentions(text), **style}


def rich_line(*runs: dict[str, Any], spacing: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "RichTextBlock", "inlines": list(runs)}
    if spacing is not None:
        block["spacing"] = spacing
    return block


def text_blocks(text: str, **style: Any) -> list[dict[str, Any]]:
    """One RichTextBlock per line: `\\n` inside a block would not break the line in Teams.
    Lines of a paragraph sit right under each other; paragraphs get the normal spacing."""
    blocks = []
    for paragraph in paragraphs(text):
        for number, line in enumerate(paragraph):
            blocks.append(rich_line(text_run(line, **style), spacing="None" if number else None))
    return blocks


def fact_blocks(label: str, value: str, *, first: bool) -> list[dict[str, Any]]:
    """`Label: value` on one line when the value is one line; else the label, then the
    value's lines below it (a FactSet's value would be read as markdown and lose its line
    breaks, see the module docstring)."""
    spacing = None if first else "Small"
    label_run = text_run(f"{label}:", weight="Bolder")
    value_lines = [line for paragraph in paragraphs(value) for line in paragraph]
    if len(value_lines) <= 1:
        shown = value_lines[0] if value_lines else ""
        return [rich_line(label_run, text_run(f" {shown}"), spacing=spacing)]
    lines = text_blocks(value)
    lines[0]["spacing"] = "None"  # right under its label
    return [rich_line(label_run, spacing=spacing), *lines]


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
        heaviest = max(facts, key=lambda fact: _weight(fact[1]), default=None)
        if (
            heaviest is not None
            and _weight(heaviest[1]) > 200
            and (_weight(heaviest[1]) >= _weight(text) or _weight(text) <= 200)
        ):
            heaviest[1] = _shorten(heaviest[1])
        elif _weight(text) > 200:
            text = _shorten(text)
        else:  # pragma: no cover - labels alone cannot reach the limit
            break
        card = _card(reply, text, facts)
    return card


def _weight(value: str) -> int:
    """Roughly what a value adds to the card: its characters, and a block per line."""
    return len(value) + LINE_COST * value.count("\n")


def card_size(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def _shorten(value: str) -> str:
    base = value.removesuffix(TRUNCATED)
    return base[: max(len(base) // 2, 100)].rstrip() + TRUNCATED


def _card(reply: Reply, text: str, facts: list[list[str]]) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if reply.title:
        body += text_blocks(reply.title, weight="Bolder", size="Medium")
    body += text_blocks(text)
    for number, (label, value) in enumerate(facts):
        body += fact_blocks(label, value, first=number == 0)
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if len(reply.choices) > MAX_BUTTONS:
        lang = reply.lang or DEFAULT_LANGUAGE
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "action",
                "style": "expanded",
                # Required inputs want a label and an error message (screen readers, and
                # what Teams shows when OK is pressed with nothing chosen).
                "label": tr(lang, "teams.choice_list.label"),
                "isRequired": True,
                "errorMessage": tr(lang, "teams.choice_list.error"),
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
