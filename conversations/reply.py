"""What the bot says, independent of any chat platform. Adapters render it (Block Kit,
Adaptive Card, plain text) and must treat every string here as plain text, never markup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    """A button. `value` comes back as the action when clicked; `label` is what people see."""

    value: str
    label: str


@dataclass(frozen=True)
class Fact:
    """A labelled value, e.g. one answer in the summary of an idea."""

    label: str
    value: str


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a reply (an export): saved to disk in the terminal, uploaded on
    the platforms."""

    name: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    facts: tuple[Fact, ...] = ()
    title: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # The language it is written in, when known (the core sets it on a turn's answers), so
    # that words an adapter adds itself (a choice list's label) match the rest.
    lang: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "title": self.title,
            "choices": [{"value": c.value, "label": c.label} for c in self.choices],
            "facts": [{"label": f.label, "value": f.value} for f in self.facts],
        }
        if self.lang is not None:
            data["lang"] = self.lang
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data.get("text", ""),
            title=data.get("title"),
            choices=tuple(Choice(c["value"], c["label"]) for c in data.get("choices", ())),
            facts=tuple(Fact(f["label"], f["value"]) for f in data.get("facts", ())),
            lang=data.get("lang"),
        )


def payload_of(*replies: Reply) -> dict[str, Any]:
    """An outbox row's payload: `{"replies": [Reply.to_dict(), …]}`."""
    return {"replies": [reply.to_dict() for reply in replies]}


def replies_from_payload(payload: Mapping[str, Any]) -> list[Reply]:
    """The replies in an outbox payload (`{"replies": […]}`, or one reply's dict)."""
    if "replies" in payload:
        return [Reply.from_dict(item) for item in payload["replies"]]
    return [Reply.from_dict(dict(payload))]
