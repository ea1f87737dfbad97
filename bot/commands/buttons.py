"""One codec for every button value the bot hands out outside the intake dialogue.

A value is `<namespace>:<verb…>:<field>:<field>…`: a notification's "I'll take it"
(`cmd:assign:12:me`), the forget-me question's answers (`privacy:forget:<nonce>`,
`privacy:keep`), the rating (`satisfaction:12:5`). Each kind of button is declared once, as a
`Button`, by what owns it (a command next to its handler, the satisfaction question in
bot/satisfaction.py), and both its encoding and its decoding come from that one declaration.
Any value in no namespace declared here belongs to the intake dialogue, whose buttons are
`<step>:<value>` (conversations/intake.py).

The formats never change: messages already sent hold them, and their buttons must still work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
SEPARATOR = ":"


@dataclass(frozen=True)
class Button(Generic[T]):
    """One kind of button: a fixed prefix, then `arity` fields; `decode` turns the fields
    into what the click means, or None when they are not well formed (a forged click)."""

    prefix: tuple[str, ...]
    arity: int
    decode: Callable[[tuple[str, ...]], T | None]

    @property
    def namespace(self) -> str:
        return self.prefix[0]

    def value(self, *fields: object) -> str:
        parts = [*self.prefix, *(str(field) for field in fields)]
        if len(parts) != len(self.prefix) + self.arity:
            raise ValueError(f"{SEPARATOR.join(self.prefix)} takes {self.arity} fields")
        return SEPARATOR.join(parts)

    def read(self, value: str) -> T | None:
        parts = value.split(SEPARATOR)
        size = len(self.prefix)
        if tuple(parts[:size]) != self.prefix or len(parts) != size + self.arity:
            return None
        return self.decode(tuple(parts[size:]))


class Codec:
    """Every kind of button, in the order they are tried."""

    def __init__(self, buttons: Iterable[Button[Any]]) -> None:
        self.buttons = tuple(buttons)
        self.namespaces = frozenset(button.namespace for button in self.buttons)

    def namespace_of(self, value: str | None) -> str | None:
        """The namespace of a value that is ours (None: a dialogue's button, or no click)."""
        if value is None:
            return None
        head = value.partition(SEPARATOR)[0]
        return head if head in self.namespaces and SEPARATOR in value else None

    def decode(self, value: str) -> Any | None:
        """What the click means, or None when no button of ours reads it."""
        for button in self.buttons:
            meaning = button.read(value)
            if meaning is not None:
                return meaning
        return None


def number_field(word: str, most: int) -> int | None:
    """An idea number in a button's field: plain ASCII digits in the database's range."""
    if not word.isascii() or not word.isdigit() or not 1 <= int(word) <= most:
        return None
    return int(word)
