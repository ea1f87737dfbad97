"""An outbox row's replies as an e-mail: the same words the chat would show (title, text,
facts), as multipart/alternative plain text and HTML.

The HTML escapes every string (`html.escape`): a reply's text is plain text that people
wrote, never markup. No remote images and no style sheet, only inline styles, so that the
mail looks the same in Outlook and on a phone and loads nothing from anywhere. Buttons
cannot be clicked in mail: one line says how to answer instead.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from conversations.i18n import tr
from conversations.reply import Reply

SUBJECT_MAX = 90

FONT = "font-family:Segoe UI,Helvetica,Arial,sans-serif"
BODY_STYLE = f"margin:0;padding:16px;background:#ffffff;color:#1b1b1b;{FONT}"
BOX_STYLE = "max-width:600px;font-size:15px;line-height:1.5"
TITLE_STYLE = "margin:0 0 8px 0;font-size:18px;font-weight:600"
TEXT_STYLE = "margin:0 0 12px 0"
LABEL_STYLE = "padding:2px 12px 2px 0;vertical-align:top;font-weight:600"
VALUE_STYLE = "padding:2px 0;vertical-align:top"
ANSWER_STYLE = "margin:16px 0 0 0;color:#333333"
FOOT_STYLE = (
    "margin:20px 0 0 0;padding-top:8px;border-top:1px solid #dddddd;font-size:13px;color:#666666"
)


def chat_text(reply: Reply) -> str:
    """A reply's words as the chat shows them in plain text: title, text, then each fact."""
    lines = [reply.title] if reply.title else []
    if reply.text:
        lines.append(reply.text)
    lines.extend(f"• {fact.label}: {fact.value}" for fact in reply.facts)
    return "\n".join(lines)


def subject_of(replies: Sequence[Reply]) -> str:
    """The first reply's title, or the first line of its text, cut at a word if long."""
    first = next((r for r in replies if r.title or r.text.strip()), None)
    if first is None:
        return "Idéslussen"
    line = (first.title or first.text).strip().splitlines()[0].strip()
    if len(line) <= SUBJECT_MAX:
        return line
    cut = line[: SUBJECT_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,.;:–-")
    return f"{cut}…"


def message_id(delivery_key: str, domain: str) -> str:
    """The same Message-ID for every attempt of one outbox row: a resend after a crash is
    the same message, which mail clients show once. A hash, so that no key leaks."""
    digest = hashlib.sha256(delivery_key.encode("utf-8")).hexdigest()[:40]
    return f"<idesluss.{digest}@{domain}>"


def answer_line(language: str, *, answer_on: str | None, reply_to: bool) -> str:
    """How to answer, since buttons cannot be clicked in mail."""
    if reply_to:
        return tr(language, "mail.answer.reply_to")
    if answer_on:
        return tr(language, "mail.answer.chat", platform=answer_on)
    return tr(language, "mail.answer.coordinators")


def _html_paragraphs(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _html_reply(reply: Reply, choices_line: str | None) -> str:
    parts = []
    if reply.title:
        parts.append(f'<h2 style="{TITLE_STYLE}">{html.escape(reply.title)}</h2>')
    if reply.text:
        parts.append(f'<p style="{TEXT_STYLE}">{_html_paragraphs(reply.text)}</p>')
    if reply.facts:
        rows = "".join(
            f'<tr><td style="{LABEL_STYLE}">{html.escape(fact.label)}</td>'
            f'<td style="{VALUE_STYLE}">{_html_paragraphs(fact.value)}</td></tr>'
            for fact in reply.facts
        )
        parts.append(
            '<table role="presentation" cellpadding="0" cellspacing="0" '
            f'style="border-collapse:collapse;margin:0 0 12px 0">{rows}</table>'
        )
    if choices_line:
        parts.append(f'<p style="{TEXT_STYLE}">{html.escape(choices_line)}</p>')
    return "".join(parts)


def _files_said(language: str, reply: Reply) -> Reply:
    """A file that was to go with the reply (someone's own data, an export) is not mailed:
    personal data does not travel by e-mail. One sentence says how to get it in the chat."""
    if not reply.files:
        return reply
    notes = [tr(language, "mail.file_not_mailed", file=file.name) for file in reply.files]
    return replace(reply, text="\n\n".join([reply.text, *notes]).strip(), files=())


def _choices_line(language: str, reply: Reply) -> str | None:
    if not reply.choices:
        return None
    return tr(language, "mail.choices", choices=", ".join(c.label for c in reply.choices))


def compose(
    replies: Sequence[Reply],
    *,
    to: str,
    name: str | None,
    mail_from: str,
    domain: str,
    reply_to: str | None,
    language: str,
    delivery_key: str,
    answer_on: str | None,
    now: datetime,
) -> EmailMessage:
    """The e-mail for one outbox row, ready to send. `domain`: the sender's, where its
    Message-ID is made (MailSettings.domain)."""
    answer = answer_line(language, answer_on=answer_on, reply_to=reply_to is not None)
    why = tr(language, "mail.why")
    replies = [_files_said(language, reply) for reply in replies]

    text_blocks = []
    for reply in replies:
        block = chat_text(reply)
        choices = _choices_line(language, reply)
        text_blocks.append(f"{block}\n{choices}" if choices else block)
    plain = "\n\n".join(text_blocks) + f"\n\n{answer}\n\n-- \n{why}\n"

    body = "".join(_html_reply(reply, _choices_line(language, reply)) for reply in replies)
    page = (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject_of(replies))}</title></head>"
        f'<body style="{BODY_STYLE}"><div style="{BOX_STYLE}">{body}'
        f'<p style="{ANSWER_STYLE}">{html.escape(answer)}</p>'
        f'<p style="{FOOT_STYLE}">{html.escape(why)}</p></div></body></html>\n'
    )

    message = EmailMessage()
    message["From"] = mail_from
    local, _, to_domain = to.rpartition("@")
    message["To"] = Address(display_name=name or "", username=local, domain=to_domain)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject_of(replies)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(delivery_key, domain)
    # RFC 3834: no vacation replies or auto-forwards loops; Exchange honours the second.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(plain)
    message.add_alternative(page, subtype="html")
    # After the parts are made: making them moves every Content-* header into the first.
    message["Content-Language"] = language
    return message
