"""Teams as the channel service drives the bot: Activity JSON posted over real HTTP to
`/api/messages`, with a Bot Framework token when the bot has an app id, and the bot's
answers read from the fake Bot Connector. Tests read like the chat:

await anna.says("Tryggare tunnlar")
anna.hears("Vilket behov")
await anna.clicks("Ja")
"""

from __future__ import annotations

import itertools
from typing import Any

import aiohttp

from tests.fakes.bot_connector import FakeBotConnector, FakeIdentity, Sent

APP_ID = "8e0f4ad5-0c3b-4b6e-9d7e-1d2f3a4b5c6d"
BOT_ID = f"28:{APP_ID}"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
_ids = itertools.count(1)


class TeamsChannel:
    """Posts activities to the bot the way the Teams channel service does."""

    def __init__(
        self,
        base_url: str,
        connector: FakeBotConnector,
        identity: FakeIdentity | None,
        app_id: str = APP_ID,
    ) -> None:
        self.endpoint = base_url.rstrip("/") + "/api/messages"
        self.connector = connector
        self.identity = identity
        self.app_id = app_id
        self.session = aiohttp.ClientSession()

    async def close(self) -> None:
        await self.session.close()

    def activity(
        self,
        kind: str,
        *,
        user_id: str,
        name: str | None,
        conversation_id: str,
        conversation_type: str = "personal",
        locale: str | None = "sv-SE",
        **extra: Any,
    ) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": kind,
            "id": f"1:{next(_ids)}",
            "timestamp": "2026-06-15T07:00:00.000Z",
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": {"id": user_id, "name": name, "aadObjectId": f"aad-{user_id}"},
            "recipient": {"id": BOT_ID, "name": "Idéslussen"},
            "conversation": {
                "id": conversation_id,
                "conversationType": conversation_type,
                "tenantId": TENANT_ID,
                **({"isGroup": True} if conversation_type != "personal" else {}),
            },
            "channelData": {"tenant": {"id": TENANT_ID}},
        }
        if locale:
            activity["locale"] = locale
        activity.update(extra)
        return activity

    def bearer(self, **token_args: Any) -> dict[str, str]:
        if self.identity is None:
            return {}
        args = {"audience": self.app_id, "service_url": self.connector.url, **token_args}
        return {"Authorization": f"Bearer {self.identity.token(**args)}"}

    async def post(
        self, body: Any, *, headers: dict[str, str] | None = None, raw: bool = False
    ) -> tuple[int, str, list[Sent]]:
        """Post and return (status, response text, what the bot sent meanwhile)."""
        before = len(self.connector.sent)
        if headers is None:
            headers = self.bearer()
        if raw:
            data = body if isinstance(body, bytes) else str(body).encode()
            headers = {"Content-Type": "application/json", **headers}
            async with self.session.post(self.endpoint, data=data, headers=headers) as response:
                text = await response.text()
        else:
            async with self.session.post(self.endpoint, json=body, headers=headers) as response:
                text = await response.text()
        return response.status, text, self.connector.sent[before:]


class TeamsUser:
    """One person in Teams personal chat with the bot (or in a channel, mentioning it)."""

    def __init__(
        self,
        channel: TeamsChannel,
        *,
        user_id: str,
        name: str | None,
        locale: str | None = "sv-SE",
        conversation_id: str | None = None,
    ) -> None:
        self.channel = channel
        self.user_id = user_id
        self.name = name
        self.locale = locale
        self.conversation_id = conversation_id or f"a:personal-{user_id}"
        self.received: list[Sent] = []
        self.status = 0

    def _activity(self, kind: str, **extra: Any) -> dict[str, Any]:
        return self.channel.activity(
            kind,
            user_id=self.user_id,
            name=self.name,
            conversation_id=self.conversation_id,
            locale=self.locale,
            **extra,
        )

    async def _post(self, activity: dict[str, Any]) -> list[Sent]:
        self.status, _, self.received = await self.channel.post(activity)
        assert self.status == 200, f"the bot answered HTTP {self.status}"
        return self.received

    async def installs(self) -> list[Sent]:
        return await self._post(
            self._activity(
                "conversationUpdate",
                membersAdded=[{"id": BOT_ID}],
            )
        )

    async def says(self, text: str, **extra: Any) -> list[Sent]:
        return await self._post(self._activity("message", text=text, textFormat="plain", **extra))

    async def submits(self, value: Any) -> list[Sent]:
        """An Adaptive Card Action.Submit: Teams sends the button's data as `value`."""
        return await self._post(self._activity("message", value=value))

    async def clicks(self, label: str) -> list[Sent]:
        for sent in reversed(self.received):
            for button, data in sent.buttons:
                if button == label:
                    return await self.submits(data)
        raise AssertionError(f"no button {label!r} in:\n{self.transcript()}")

    def file_consent_invoke(self, value: Any) -> dict[str, Any]:
        activity = self._activity("invoke", value=value)
        activity["name"] = "fileConsent/invoke"  # the invoke's name (`name` is the person's)
        return activity

    def file_offers(self) -> list[dict[str, Any]]:
        """The FileConsentCards the bot sent in what was last received."""
        return [sent.file_consent for sent in self.received if sent.file_consent is not None]

    async def answers_file(
        self,
        action: str,
        offer: dict[str, Any],
        *,
        upload_info: dict[str, Any] | None = None,
    ) -> tuple[int, str, list[Sent]]:
        """Allow or Decline on a FileConsentCard: Teams' `fileConsent/invoke`, with the
        card's context and, on accept, where to upload (the person's OneDrive)."""
        content = offer["content"]
        context = content["acceptContext" if action == "accept" else "declineContext"]
        value: dict[str, Any] = {"type": "fileUpload", "action": action, "context": context}
        if action == "accept":
            value["uploadInfo"] = upload_info or self.channel.connector.upload_info(
                offer["name"], content["sizeInBytes"]
            )
        activity = self.file_consent_invoke(value)
        status, body, self.received = await self.channel.post(activity)
        return status, body, self.received

    def transcript(self) -> str:
        return "\n\n".join(sent.text for sent in self.received)

    def buttons(self) -> list[str]:
        return [label for sent in self.received for label, _ in sent.buttons]

    def hears(self, *fragments: str) -> None:
        said = self.transcript()
        for fragment in fragments:
            assert fragment in said, f"expected {fragment!r} in the bot's answer:\n{said}"

    def does_not_hear(self, *fragments: str) -> None:
        said = self.transcript()
        for fragment in fragments:
            assert fragment not in said, f"did not expect {fragment!r} in:\n{said}"
