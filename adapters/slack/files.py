"""Files in Slack: a reply's kept files (bot/files.py) uploaded to the person's own DM.

Slack retired `files.upload`; a file goes up in three steps (slack_sdk's
`files_upload_v2`): `files.getUploadURLExternal` with the file's name and length, a POST
of the bytes to the upload URL it returns, and `files.completeUploadExternal`, which shares
the file in the DM with a short comment (scope `files:write`, adapters/slack/manifest.yml).

A file only ever goes to a DM (a channel id starting with D), never to a channel: an answer
given in a channel (ephemeral) has its file sent to the person's DM. A file is read from
the core by its token for this person and marked delivered right after the upload, so an
answer posted again after a crash finds it delivered and uploads nothing twice. An upload
that fails is told to the person, who can ask again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.markup import escape
from bot.files import FileToSend, file_delivered, file_failed, file_to_send
from conversations.reply import FileRef, Reply

if TYPE_CHECKING:
    from bot.app import IdeaBot

log = logging.getLogger(__name__)

PLATFORM = "slack"


def is_dm(channel: str | None) -> bool:
    return isinstance(channel, str) and channel.startswith("D")


class SlackFiles:
    def __init__(self, client: AsyncWebClient, bot: IdeaBot) -> None:
        self.client = client
        self.bot = bot

    async def deliver(self, channel: str, user: str, files: Sequence[FileRef]) -> list[Reply]:
        """Upload each file still waiting for `user` to their DM `channel`. Returns what to
        tell the person about files that failed (nothing when all went up, or when a file
        was delivered before)."""
        if not is_dm(channel):
            log.warning("slack: a file is never sent to a channel; not uploaded")
            return []
        qualified = f"{PLATFORM}:{user}"
        failures: list[Reply] = []
        for ref in files:
            found = await file_to_send(self.bot, qualified, ref.token)
            if not isinstance(found, FileToSend):
                # Delivered before (this answer is posted again), or gone: nothing to send.
                log.info("slack: file not uploaded (%s)", found.reason)
                continue
            try:
                await self.client.files_upload_v2(
                    channel=channel,
                    content=found.data,
                    filename=found.name,
                    title=found.name,
                    initial_comment=escape(ref.description) if ref.description else None,
                )
            except Exception as exc:  # SlackApiError, SlackRequestError (the upload), timeouts
                reason = _reason(exc)
                log.warning("slack: a file upload failed: %s", reason)
                failures.append(
                    await file_failed(
                        self.bot, qualified, ref.token, platform=PLATFORM, reason=reason
                    )
                )
                continue
            await file_delivered(self.bot, qualified, ref.token, platform=PLATFORM)
        return failures


def _reason(exc: Exception) -> str:
    """The failure in a few words, with nothing of the file in it."""
    response = getattr(exc, "response", None)
    error = response.get("error") if response is not None and hasattr(response, "get") else None
    if isinstance(error, str) and error:
        return f"slack: {error}"
    return f"slack: {type(exc).__name__}"
