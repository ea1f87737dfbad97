"""What reaches the bot from any platform, in one platform-neutral shape.

`cleaned` is the one place where text from outside is made safe: every field a person or a
platform controls goes through it before a turn runs (IdeaBot.handle), so every command,
every dialogue answer and every stored field gets clean text and nothing further in needs
to remember. `unusable_user_id` says when the id itself cannot be kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from conversations.clean import clean_address, clean_email, clean_line, clean_message

# The columns these end up in (storage/models.py): longer is cut, not a failed turn.
MAX_DISPLAY_NAME = 200  # persons.display_name
MAX_LOCALE = 16  # persons.platform_locale
MAX_USER_ID = 255  # persons.platform_user_id: longer cannot be stored, so is refused
MAX_EVENT_ID = 200  # processed_events.key holds "<platform>:<event id>" in 255
# A locale is a language tag ("sv-SE", "en_GB"): anything else in it is dropped.
_NOT_IN_LOCALE = re.compile(r"[^A-Za-z0-9_.@-]")


@dataclass(frozen=True)
class Incoming:
    platform: str  # "console", "slack", "msteams", …
    user_id: str  # the platform's own user id
    text: str | None = None  # what the person typed
    action: str | None = None  # the value of a button they clicked
    display_name: str | None = None
    locale: str | None = None  # the platform's locale hint, e.g. "sv-SE"
    language: str | None = None  # a language the person explicitly chose ("sv"/"en")
    address: dict[str, Any] | None = None  # what a proactive message to them needs
    opened: bool = False  # the person opened the chat; nothing was said yet
    event_id: str | None = None  # the platform's id for this delivery (retries repeat it)
    command: bool = False  # an explicit command (Slack's /idea), never a dialogue answer
    in_group: bool = False  # said in a channel or group chat rather than a personal chat
    accepts_files: bool = False  # the platform can carry a reply's attachments (an export)
    # The platform delivers a reply's files itself after the turn (a Slack upload, a Teams
    # file consent): the turn keeps them for the person and the replies refer to them
    # (bot/files.py), so no file's bytes sit in a stored reply.
    keeps_files: bool = False
    # Only this person sees the replies (a personal chat, Slack's ephemeral answers). False
    # in a Teams channel or group chat, where everyone there would read them: the core then
    # sends the answer to their personal chat and says only a neutral word in the group.
    private_replies: bool = False
    # The person's work e-mail as their platform gave it (lower case; not an address's shape:
    # None), and whether the platform was asked this turn (found or not): the address is
    # then kept on the person, who is not asked about again for a day (bot/people.py).
    email: str | None = None
    email_checked: bool = False

    @property
    def qualified_id(self) -> str:
        return f"{self.platform}:{self.user_id}"


def cleaned(incoming: Incoming) -> Incoming:
    """The same delivery with every piece of outside text made safe: no terminal escapes,
    control, bidi-override or invisible characters, no NUL or lone surrogate (PostgreSQL and
    UTF-8 refuse them), composed to NFC; newlines kept in what was typed; names and hints cut
    to their columns. The user id is left as it is: see `unusable_user_id`."""
    return replace(
        incoming,
        text=clean_message(incoming.text),
        # A button press stays one, even with nothing usable in it ("a card I don't know").
        action=None if incoming.action is None else clean_line(incoming.action) or "",
        display_name=clean_line(incoming.display_name, limit=MAX_DISPLAY_NAME),
        locale=_tag(incoming.locale, MAX_LOCALE),
        language=_tag(incoming.language, MAX_LOCALE),
        address=clean_address(incoming.address),
        event_id=clean_line(incoming.event_id, limit=MAX_EVENT_ID),
        email=clean_email(incoming.email),
    )


def unusable_user_id(user_id: object) -> str | None:
    """Why a platform's user id cannot be kept (a short reason for the log, never the id),
    or None when it is fine. An id is never changed to make it fit: a cleaned or cut id
    could be someone else's."""
    if not isinstance(user_id, str) or not user_id.strip():
        return "empty"
    if len(user_id) > MAX_USER_ID:
        return "too long"
    if clean_line(user_id) != user_id:
        return "unsafe characters"
    return None


def _tag(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    return _NOT_IN_LOCALE.sub("", value)[:limit] or None
