"""Replies as Slack Block Kit messages, within Slack's limits, built as data (never by pasting
JSON together). All text is escaped: nothing a person wrote can become a mention or a link.

A turn's replies go out as few messages as possible (Slack allows about one message per
second per channel), but no message holds more than MAX_BLOCKS blocks or more than
MAX_MESSAGE_TEXT characters of text in its blocks: Slack refuses a message whose blocks hold
too much text in all (`msg_blocks_too_long`), a limit it does not document (see
MAX_MESSAGE_TEXT). A long reply (`visa 12` of a full idea with notes) is split between
blocks into several messages, its buttons on the last. Text longer than a section allows is
split over several sections at a paragraph, line or word, and cut with a marker only when it
would need more than MAX_SECTIONS_PER_TEXT of them; the database always keeps the whole text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.slack.markup import escape
from conversations.i18n import format_day, tr
from conversations.reply import Fact, Reply
from storage.overview import IdeaLine

# Block Kit's limits (docs.slack.dev/reference/block-kit: blocks, section block, button
# element, text object; PLATFORM-FACTS.md).
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_BUTTONS = 25
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_FALLBACK_TEXT = 3000
# The text of all blocks of one message, counted as Slack appears to count it (every `text`
# string in the blocks: block_text_length). Slack documents no such cap for sections, yet
# refuses with msg_blocks_too_long: its maintainers put it at "12,000 text characters with a
# buffer for block containers" and a refusal was measured at 11,341 (slackapi/bolt-js #2509,
# #2867). Half of that leaves room for whatever else Slack counts, and still takes two full
# sections (2 × 3000) or a section with a full row of buttons.
MAX_MESSAGE_TEXT = 6000
# The text of one section's fields together, so that any one block fits a message with room
# for the reply's buttons (25 × 75 characters) beside it.
MAX_FIELDS_TEXT = 4000
MAX_SECTIONS_PER_TEXT = 4
TRUNCATED = " […]"
ACTION_PREFIX = "idesluss"

Block = dict[str, Any]


@dataclass
class SlackMessage:
    """One chat.postMessage worth: the blocks and the plain text Slack shows in
    notifications and to screen readers."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def clip(escaped: str, limit: int) -> str:
    """Cut already-escaped text to `limit` characters with a marker, never inside an entity."""
    if len(escaped) <= limit:
        return escaped
    cut = limit - len(TRUNCATED)
    amp = escaped.rfind("&", max(0, cut - 5), cut)
    if amp != -1 and ";" not in escaped[amp:cut]:
        cut = amp
    return escaped[:cut].rstrip() + TRUNCATED


def split_text(escaped: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Split escaped text into chunks of at most `limit`, at a paragraph, line or word if one
    is near, never inside an entity."""
    chunks: list[str] = []
    rest = escaped
    while len(rest) > limit:
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = rest.rfind(separator, limit // 2, limit)
            if cut != -1:
                break
        if cut == -1:
            cut = limit
            amp = rest.rfind("&", limit - 5, limit)
            if amp != -1 and ";" not in rest[amp:limit]:
                cut = amp
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": clip(escape(text), limit), "emoji": True}


def block_texts(value: Any) -> Iterator[str]:
    """Every `text` string in blocks (section text, fields, context elements, headers,
    button labels), as Slack's own count seems to take them (slackapi/bolt-js #2867)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from block_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from block_texts(item)


def block_text_length(blocks: Sequence[Block]) -> int:
    return sum(len(text) for text in block_texts(list(blocks)))


def readable_text(blocks: Sequence[Block], limit: int = MAX_FALLBACK_TEXT) -> str:
    """What the blocks say, as one plain message (for when Slack refuses the blocks): their
    texts, already escaped mrkdwn, one to a line, button labels left out."""
    texts = [
        text
        for block in blocks
        if block.get("type") != "actions"
        for text in block_texts(block)
        if text.strip()
    ]
    return clip("\n".join(texts), limit)


def text_sections(escaped: str) -> list[Block]:
    """Escaped text as sections; none for blank text (Slack shows a section of a single
    space as an empty gap)."""
    if not escaped.strip():
        return []
    chunks = split_text(escaped)
    if len(chunks) > MAX_SECTIONS_PER_TEXT:
        chunks = chunks[:MAX_SECTIONS_PER_TEXT]
        chunks[-1] = clip(chunks[-1] + TRUNCATED, MAX_SECTION_TEXT)
    return [{"type": "section", "text": _mrkdwn(chunk)} for chunk in chunks]


def _fact_text(fact: Fact) -> str:
    return f"*{escape(fact.label)}*\n{escape(fact.value)}"


def fact_blocks(facts: Sequence[Fact]) -> list[Block]:
    """Short facts as fields, side by side (at most MAX_FIELDS and MAX_FIELDS_TEXT to a
    section); a fact too long for a field gets sections of its own, whole, in its place."""
    blocks: list[Block] = []
    fields: list[Block] = []

    def close_fields() -> None:
        if fields:
            blocks.append({"type": "section", "fields": list(fields)})
            fields.clear()

    for fact in facts:
        text = _fact_text(fact)
        if len(text) > MAX_FIELD_TEXT:
            close_fields()
            blocks.extend(text_sections(text))
            continue
        used = sum(len(item["text"]) for item in fields)
        if len(fields) == MAX_FIELDS or used + len(text) > MAX_FIELDS_TEXT:
            close_fields()
        fields.append(_mrkdwn(text))
    close_fields()
    return blocks


def reply_blocks(reply: Reply, *, first_button: int = 0) -> list[Block]:
    """One reply as blocks: the title in bold, the text, the facts (see fact_blocks), the
    choices as buttons whose value is the choice's value. Never more than MAX_BLOCKS: a reply
    with hundreds of facts is cut with a marker, keeping its buttons."""
    blocks: list[Block] = []
    if reply.title and reply.title.strip():
        title = clip(escape(" ".join(reply.title.split())), MAX_SECTION_TEXT - 2)
        blocks.append({"type": "section", "text": _mrkdwn(f"*{title}*")})
    blocks.extend(text_sections(escape(reply.text)))
    blocks.extend(fact_blocks(reply.facts))
    buttons: list[Block] = []
    for number, choice in enumerate(reply.choices[:MAX_BUTTONS], start=first_button):
        value = choice.value[:MAX_BUTTON_VALUE]
        buttons.append(
            {
                "type": "button",
                "text": _plain(choice.label, MAX_BUTTON_LABEL),
                "value": value,
                # Unique in the message (the number) and readable in logs (the value).
                "action_id": f"{ACTION_PREFIX}:{number}:{value}"[:MAX_ACTION_ID],
            }
        )
    room = MAX_BLOCKS - (1 if buttons else 0)
    if len(blocks) > room:  # only a reply with hundreds of facts gets here
        blocks = [*blocks[: room - 1], *text_sections(TRUNCATED.strip())]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


def fallback_text(reply: Reply) -> str:
    text = f"{reply.title}\n{reply.text}" if reply.title else reply.text
    return escape(text.strip())


def render_messages(replies: Sequence[Reply]) -> list[SlackMessage]:
    """The replies of one turn as messages within MAX_BLOCKS and MAX_MESSAGE_TEXT each,
    split only between blocks, a reply's buttons never alone in a message."""
    messages: list[SlackMessage] = []
    blocks: list[Block] = []
    owners: list[int] = []  # which reply each block of the message comes from
    fallbacks: list[str] = []
    buttons = 0

    def flush(keep: int = 0) -> None:
        """Send the blocks so far, but the last `keep` (they go on with the next)."""
        nonlocal blocks, owners
        cut = len(blocks) - keep
        if cut > 0:
            texts = [fallbacks[r] for r in dict.fromkeys(owners[:cut]) if fallbacks[r]]
            text = clip("\n\n".join(texts), MAX_FALLBACK_TEXT) or readable_text(blocks[:cut])
            messages.append(SlackMessage(text=text, blocks=blocks[:cut]))
            blocks, owners = blocks[cut:], owners[cut:]

    for index, reply in enumerate(replies):
        fallbacks.append(fallback_text(reply))
        # Buttons are numbered through the turn: unique in whatever message they land in.
        for block in reply_blocks(reply, first_button=buttons):
            size = block_text_length([block])
            if blocks and (
                len(blocks) == MAX_BLOCKS or block_text_length(blocks) + size > MAX_MESSAGE_TEXT
            ):
                # The buttons take the block before them along, if both fit together.
                glue = block["type"] == "actions" and len(blocks) > 1 and owners[-1] == index
                glue = glue and block_text_length(blocks[-1:]) + size <= MAX_MESSAGE_TEXT
                flush(keep=1 if glue else 0)
            blocks.append(block)
            owners.append(index)
        buttons += min(len(reply.choices), MAX_BUTTONS)
    flush()
    return messages


# ── the App Home tab ────────────────────────────────────────────────────────────────────


def slack_date(moment: datetime, lang: str) -> str:
    """A date Slack shows in the reader's own time zone and format (the fallback, for clients
    that cannot, in the reader's language)."""
    fallback = format_day(moment, lang)
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}}|{fallback}>"


def _idea_block(
    lang: str, idea: IdeaLine, *, coordinator: bool, stage_name: Callable[[str], str]
) -> Block:
    title = clip(escape(" ".join(idea.title.split())), 400)
    details = [
        escape(tr(lang, "slack.home.idea.stage", stage=stage_name(idea.stage))),
        tr(lang, "slack.home.idea.updated", date=slack_date(idea.updated_at, lang)),
    ]
    if coordinator:
        if idea.giver_name:
            details.append(escape(tr(lang, "slack.home.idea.giver", giver=idea.giver_name)))
        if idea.assigned_to_me:
            details.append(escape(tr(lang, "slack.home.idea.yours")))
        else:
            details.append(escape(tr(lang, "slack.home.idea.unassigned")))
    text = f"*{idea.id}. {title}*\n" + " · ".join(details)
    return {"type": "section", "text": _mrkdwn(clip(text, MAX_SECTION_TEXT))}


def home_view(
    lang: str,
    *,
    mine: Sequence[IdeaLine],
    queue: Sequence[IdeaLine] | None = None,
    shown_at_most: int = 40,
    stage_name: Callable[[str], str] = str,
) -> dict[str, Any]:
    """The Home tab: a coordinator's queue first (when `queue` is given, oldest first), then
    the person's own ideas (the last changed first). Each list has its own heading, and says
    under it when it shows only some (pass one more than `shown_at_most` to know). Slack
    shows the app's name above the tab, so no title of ours stands over the headings. Stays
    within the 100 blocks a view may have. `stage_name` gives a stage id's name in `lang`
    (from the process)."""
    blocks: list[Block] = []

    def context(text: str) -> None:
        blocks.append({"type": "context", "elements": [_mrkdwn(escape(text))]})

    if queue is not None:
        blocks.append({"type": "header", "text": _plain(tr(lang, "slack.home.queue"), 150)})
        context(tr(lang, "slack.home.queue.intro"))
        if not queue:
            blocks.append(
                {"type": "section", "text": _mrkdwn(escape(tr(lang, "slack.home.queue.none")))}
            )
        for idea in queue[:shown_at_most]:
            blocks.append(_idea_block(lang, idea, coordinator=True, stage_name=stage_name))
        if len(queue) > shown_at_most:
            context(tr(lang, "slack.home.queue.more", count=shown_at_most))
        blocks.append({"type": "divider"})
    blocks.append({"type": "header", "text": _plain(tr(lang, "slack.home.mine"), 150)})
    if not mine:
        blocks.append(
            {"type": "section", "text": _mrkdwn(escape(tr(lang, "slack.home.mine.none")))}
        )
    else:
        context(tr(lang, "slack.home.intro"))
    for idea in mine[:shown_at_most]:
        blocks.append(_idea_block(lang, idea, coordinator=False, stage_name=stage_name))
    if len(mine) > shown_at_most:
        context(tr(lang, "slack.home.mine.more", count=shown_at_most))
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = blocks[:MAX_VIEW_BLOCKS]
    return {"type": "home", "blocks": blocks}
