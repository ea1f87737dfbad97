"""Files in Teams: a reply's kept files (bot/files.py) reach the person's personal chat
through Teams' file consent flow (the app manifest declares `supportsFiles: true`).

1. With the answer goes a FileConsentCard per file (`application/vnd.microsoft.teams.card.
   file.consent`): the file's name and size, and the file's token as the accept and decline
   context. Teams shows it with Allow / Decline. Only personal chats support it, and only
   there is it sent: a file asked for in a channel goes with the answer to the personal chat
   (bot/private_answers.py).
2. The person's click comes back as an invoke activity `fileConsent/invoke`, authenticated
   like every activity (adapters/teams/endpoint.py), with `value.action` accept or decline,
   `value.context` (our context) and, on accept, `value.uploadInfo` (an upload URL into the
   person's OneDrive, the file's contentUrl, name, uniqueId and fileType).
3. On accept the bytes are PUT to the upload URL in one piece (Content-Length and
   `Content-Range: bytes 0-{n-1}/{n}`), then a FileInfoCard (`…card.file.info`) shows the
   file in the chat, and the core marks it delivered. On decline the core drops the file and
   a short word says how to get a new one. A consent for a file that is gone, used or not
   theirs gets a clear answer. The invoke is always answered 200, so Teams shows no error.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment
from botbuilder.schema.teams import (
    FileConsentCard,
    FileConsentCardResponse,
    FileInfoCard,
    FileUploadInfo,
)

from adapters.teams.render import plain_text
from bot.files import FileToSend, file_declined, file_delivered, file_failed, file_to_send, files_in
from conversations.reply import FileRef, Reply

if TYPE_CHECKING:
    from bot.app import IdeaBot

log = logging.getLogger(__name__)

PLATFORM = "msteams"
FILE_CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
FILE_CONSENT_INVOKE = "fileConsent/invoke"
# The upload goes to the person's OneDrive while Teams waits for the invoke's answer
# (the channel gives up after about 15 s): stay well inside that.
UPLOAD_TIMEOUT_SECONDS = 10.0


def consent_card(ref: FileRef) -> Activity:
    """The card that asks the person to accept the file: its token is both contexts."""
    context = {"token": ref.token}
    card = FileConsentCard(
        description=ref.description or ref.name,
        size_in_bytes=ref.size,
        accept_context=context,
        decline_context=context,
    )
    attachment = Attachment(content_type=FILE_CONSENT_CARD, name=ref.name, content=card.serialize())
    return Activity(type=ActivityTypes.message, attachments=[attachment])


def consent_cards(replies: Sequence[Reply]) -> list[Activity]:
    return [consent_card(ref) for ref in files_in(replies)]


def file_info_card(upload: FileUploadInfo) -> Activity:
    """The uploaded file, shown in the chat (opens from the person's OneDrive)."""
    card = FileInfoCard(unique_id=upload.unique_id, file_type=upload.file_type)
    attachment = Attachment(
        content_type=FILE_INFO_CARD,
        name=upload.name,
        content_url=upload.content_url,
        content=card.serialize(),
    )
    return Activity(type=ActivityTypes.message, attachments=[attachment])


def _say(reply: Reply) -> Activity:
    return Activity(type=ActivityTypes.message, text=plain_text(reply), text_format="plain")


def _token(response: FileConsentCardResponse) -> str:
    context = response.context
    token = context.get("token") if isinstance(context, dict) else None
    return token if isinstance(token, str) and 0 < len(token) <= 64 else ""


def _upload_info(response: FileConsentCardResponse) -> FileUploadInfo | None:
    info = response.upload_info
    if not isinstance(info, FileUploadInfo):
        return None
    url = info.upload_url
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    return info


class TeamsFiles:
    """Answers `fileConsent/invoke`: uploads the file the person accepted, or lets it go."""

    def __init__(self, bot: IdeaBot, *, timeout: float = UPLOAD_TIMEOUT_SECONDS) -> None:
        self.bot = bot
        self.timeout = timeout
        self._http: aiohttp.ClientSession | None = None

    async def close(self, _app: Any = None) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._http

    async def on_consent(self, turn: TurnContext) -> None:
        """The person accepted or declined a FileConsentCard; answered 200 whatever it held."""
        try:
            await self._consent(turn)
        finally:
            await turn.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200))
            )

    async def _consent(self, turn: TurnContext) -> None:
        activity = turn.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        try:
            response = FileConsentCardResponse().deserialize(value)
        except Exception:  # msrest raises several kinds for wrongly typed fields
            response = FileConsentCardResponse()
        qualified = f"{PLATFORM}:{activity.from_property.id}"
        token = _token(response)
        if response.action == "decline":
            reply = await file_declined(self.bot, qualified, token, platform=PLATFORM)
            await turn.send_activity(_say(reply))
            return
        if response.action != "accept":
            log.info("teams: a file consent without accept or decline ignored")
            return
        found = await file_to_send(self.bot, qualified, token)
        if not isinstance(found, FileToSend):
            log.info("teams: file consent for no file to send (%s)", found.reason)
            await turn.send_activity(_say(found.reply))
            return
        upload = _upload_info(response)
        failure = "no upload URL" if upload is None else await self._upload(upload, found)
        if failure is not None or upload is None:
            reason = failure or "no upload URL"
            log.warning("teams: a file upload failed: %s", reason)
            reply = await file_failed(self.bot, qualified, token, platform=PLATFORM, reason=reason)
            await turn.send_activity(_say(reply))
            return
        await turn.send_activity(file_info_card(upload))
        await file_delivered(self.bot, qualified, token, platform=PLATFORM)

    async def _upload(self, upload: FileUploadInfo, file: FileToSend) -> str | None:
        """PUT the whole file to the upload URL; None when it took it, else a short reason."""
        size = len(file.data)
        headers = {
            "Content-Length": str(size),
            "Content-Range": f"bytes 0-{size - 1}/{size}",
        }
        try:
            async with self._session().put(
                upload.upload_url, data=file.data, headers=headers
            ) as answer:
                if 200 <= answer.status < 300:
                    return None
                return f"upload answered HTTP {answer.status}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return f"upload failed: {type(exc).__name__}"
