"""Replies as Slack Block Kit messages, within Slack's limits, built as data (never by pasting
JSON together). All text is escaped: nothing a person wrote can become a mention or a link.

A turn's replies go out as few messages as possible (Slack allows about one message per
second per channel): they are packed into messages of at most 50 blocks. Text longer than a
section allows is split over several sections, and cut with a marker only when a reply would
need more than MAX_SECTIONS_PER_TEXT of them; the database always keeps the whole text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.slack.markup import escape
from conversations.i18n import format_day, tr
from conversations.reply import Reply
from storage.overview import IdeaLine

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


def text_sections(text: str) -> list[Block]:
    chunks = split_text(escape(text) or " ")
    if len(chunks) > MAX_SECTIONS_PER_TEXT:
        chunks = chunks[:MAX_SECTIONS_PER_TEXT]
        chunks[-1] = clip(chunks[-1] + TRUNCATED, MAX_SECTION_TEXT)
    return [{"type": "section", "text": _mrkdwn(chunk)} for chunk in chunks]


def reply_blocks(reply: Reply, *, first_button: int = 0) -> list[Block]:
    """One reply as blocks: the title in bold, the text, the facts as fields (ten to a
    section), the choices as buttons whose value is the choice's value."""
    blocks: list[Block] = []
    if reply.title:
        title = clip(escape(" ".join(reply.title.split())), MAX_SECTION_TEXT - 2)
        blocks.append({"type": "section", "text": _mrkdwn(f"*{title}*")})
    blocks.extend(text_sections(reply.text))
    fields = [
        _mrkdwn(clip(f"*{escape(fact.label)}*\n{escape(fact.value)}", MAX_FIELD_TEXT))
        for fact in reply.facts
    ]
    for start in range(0, len(fields), MAX_FIELDS):
        blocks.append({"type": "section", "fields": fields[start : start + MAX_FIELDS]})
    choices = reply.choices[:MAX_BUTTONS]
    if choices:
        buttons = []
        for number, choice in enumerate(choices, start=first_button):
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
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


def fallback_text(reply: Reply) -> str:
    text = f"{reply.title}\n{reply.text}" if reply.title else reply.text
    return escape(text)


def render_messages(replies: Sequence[Reply]) -> list[SlackMessage]:
    """The replies of one turn as messages of at most MAX_BLOCKS blocks each."""
    messages: list[SlackMessage] = []
    blocks: list[Block] = []
    texts: list[str] = []
    buttons = 0

    def flush() -> None:
        nonlocal blocks, texts, buttons
        if blocks:
            text = clip("\n\n".join(texts), MAX_FALLBACK_TEXT)
            messages.append(SlackMessage(text=text, blocks=blocks))
        blocks, texts, buttons = [], [], 0

    for reply in replies:
        these = reply_blocks(reply, first_button=buttons)
        if blocks and len(blocks) + len(these) > MAX_BLOCKS:
            flush()
            these = reply_blocks(reply)
        if len(these) > MAX_BLOCKS:  # only a reply with hundreds of facts gets here
            these = [*these[: MAX_BLOCKS - 2], *text_sections(TRUNCATED.strip()), these[-1]]
        blocks.extend(these)
        texts.append(fallback_text(reply))
        buttons += len(reply.choices)
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
    """The Home tab: a coordinator's queue first (when `queue` is given), then the person's
    own ideas. Stays within the 100 blocks a view may have. `stage_name` gives a stage id's
    name in `lang` (from the process)."""
    blocks: list[Block] = [
        {"type": "header", "text": _plain(tr(lang, "slack.home.title"), 150)},
    ]
    if queue is not None:
        blocks.append({"type": "header", "text": _plain(tr(lang, "slack.home.queue"), 150)})
        blocks.append(
            {"type": "context", "elements": [_mrkdwn(escape(tr(lang, "slack.home.queue.intro")))]}
        )
        if not queue:
            blocks.append(
                {"type": "section", "text": _mrkdwn(escape(tr(lang, "slack.home.queue.none")))}
            )
        for idea in queue[:shown_at_most]:
            blocks.append(_idea_block(lang, idea, coordinator=True, stage_name=stage_name))
        blocks.append({"type": "divider"})
    blocks.append({"type": "header", "text": _plain(tr(lang, "slack.home.mine"), 150)})
    if not mine:
        blocks.append(
            {"type": "section", "text": _mrkdwn(escape(tr(lang, "slack.home.mine.none")))}
        )
    else:
        blocks.append(
            {"type": "context", "elements": [_mrkdwn(escape(tr(lang, "slack.home.intro")))]}
        )
    for idea in mine[:shown_at_most]:
        blocks.append(_idea_block(lang, idea, coordinator=False, stage_name=stage_name))
    if len(mine) >= shown_at_most or (queue is not None and len(queue) >= shown_at_most):
        count = shown_at_most
        blocks.append(
            {
                "type": "context",
                "elements": [_mrkdwn(escape(tr(lang, "slack.home.more", count=count)))],
            }
        )
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = blocks[:MAX_VIEW_BLOCKS]
    return {"type": "home", "blocks": blocks}
