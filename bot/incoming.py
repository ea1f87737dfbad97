"""What reaches the bot from any platform, in one platform-neutral shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    # Only this person sees the replies (a personal chat, Slack's ephemeral answers). False
    # in a Teams channel or group chat, where everyone there would read them: the core then
    # sends the answer to their personal chat and says only a neutral word in the group.
    private_replies: bool = False

    @property
    def qualified_id(self) -> str:
        return f"{self.platform}:{self.user_id}"
