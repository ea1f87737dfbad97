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
    the platforms. `purpose` says what it holds ("export": the ideas; "personal_data": what
    is stored about the person who asked; "gdpr_export": about someone else; "report": the
    steering group's report), for the words around it and the audit trail."""

    name: str
    media_type: str
    data: bytes
    purpose: str = "export"
    description: str = ""  # one sentence saying what it is, for the platform's upload


@dataclass(frozen=True)
class FileRef:
    """A file kept for its person until the platform delivers it (bot/files.py): what a
    stored reply carries instead of the bytes. The adapter reads the file by `token`.
    `description` is one sentence in the person's language saying what the file is."""

    name: str
    media_type: str
    size: int
    token: str
    description: str = ""


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
    files: tuple[FileRef, ...] = ()  # kept files the platform delivers (never their bytes)

    def to_dict(self) -> dict[str, Any]:
        """The reply as JSON (an inbox item, an outbox row). Attachments are left out: their
        bytes never go into a payload; a kept file goes as its reference."""
        data: dict[str, Any] = {
            "text": self.text,
            "title": self.title,
            "choices": [{"value": c.value, "label": c.label} for c in self.choices],
            "facts": [{"label": f.label, "value": f.value} for f in self.facts],
        }
        if self.lang is not None:
            data["lang"] = self.lang
        if self.files:
            data["files"] = [
                {
                    "name": f.name,
                    "media_type": f.media_type,
                    "size": f.size,
                    "token": f.token,
                    "description": f.description,
                }
                for f in self.files
            ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data.get("text", ""),
            title=data.get("title"),
            choices=tuple(Choice(c["value"], c["label"]) for c in data.get("choices", ())),
            facts=tuple(Fact(f["label"], f["value"]) for f in data.get("facts", ())),
            lang=data.get("lang"),
            files=tuple(
                FileRef(
                    name=str(f["name"]),
                    media_type=str(f["media_type"]),
                    size=int(f["size"]),
                    token=str(f["token"]),
                    description=str(f.get("description") or ""),
                )
                for f in data.get("files", ())
            ),
        )


def payload_of(*replies: Reply) -> dict[str, Any]:
    """An outbox row's payload: `{"replies": [Reply.to_dict(), …]}`."""
    return {"replies": [reply.to_dict() for reply in replies]}


def replies_from_payload(payload: Mapping[str, Any]) -> list[Reply]:
    """The replies in an outbox payload (`{"replies": […]}`, or one reply's dict)."""
    if "replies" in payload:
        return [Reply.from_dict(item) for item in payload["replies"]]
    return [Reply.from_dict(dict(payload))]
