"""A toy chat platform, the smallest thing that is one: a folder with a `Platform` class,
found through the `idesluss.platforms` entry point like Slack and Teams (the test registers
it from here, with a distribution of its own; nothing outside tests/ knows it).

Its wire format: `POST /toy/messages` with JSON `{"user": …, "name": …, "text": …}` (or `"action"`,
or `"opened": true`), answered with the replies as JSON. Its Sender drops proactive
messages into an in-memory mailbox per person."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from bot.incoming import Incoming
from bot.ports import Host, Platform, PlatformConfigError, mention
from conversations.reply import Reply

ROUTE = "/toy/messages"


def as_json(reply: Reply) -> dict[str, Any]:
    """The title (an idea's name, when it is shown) on a line of its own, the text, and, on
    lines of their own, the facts (a summary's answers)."""
    title = [reply.title] if reply.title else []
    facts = [f"{fact.label}: {fact.value}" for fact in reply.facts]
    return {
        "text": "\n".join([*title, reply.text, *facts]),
        "choices": [{"value": c.value, "label": c.label} for c in reply.choices],
    }


class ToySender:
    platform = "toy"

    def __init__(self) -> None:
        self.mailbox: dict[str, list[dict[str, Any]]] = defaultdict(list)

    async def send(self, address: dict[str, Any], replies: Sequence[Reply]) -> None:
        self.mailbox[address["user"]].extend(as_json(reply) for reply in replies)


class ToyPlatform(Platform):
    name = "toy"
    display_name = "Toy chat"
    routes = (ROUTE,)
    mention_syntax = "@{id}"
    settings_hint = "TOY_CHAT=1 (Toy chat)"

    def __init__(self) -> None:
        self.sender = ToySender()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ToyPlatform | None:
        value = environ.get("TOY_CHAT", "")
        if not value:
            return None
        if value != "1":
            raise PlatformConfigError("TOY_CHAT must be 1")
        return cls()

    async def mount(self, host: Host) -> ToySender:
        async def handle(request: web.Request) -> web.Response:
            try:
                data = json.loads(await request.read())
                user = data["user"]
                if not isinstance(data, dict) or not isinstance(user, str):
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                return web.json_response({"error": "not a toy message"}, status=400)
            text = data.get("text")
            if isinstance(text, str):
                # The toy writes mentions as @id; the core reads <@id>.
                text = " ".join(
                    mention(w[1:]) if w.startswith("@") and len(w) > 1 else w
                    for w in text.split(" ")
                )
            name = data.get("name")
            incoming = Incoming(
                self.name,
                user,
                text=text,
                display_name=name if isinstance(name, str) else None,
                action=data.get("action"),
                opened=data.get("opened") is True,
                address={"user": user},
                private_replies=True,
            )
            replies = await host.bot.handle(incoming)
            return web.json_response([as_json(reply) for reply in replies])

        host.add_route("POST", ROUTE, handle)
        return self.sender
