"""The terminal chat: `idesluss chat`. The same core as every other platform, rendered as
plain text. Buttons are shown as numbered options; the number or the word both work."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.incoming import Incoming
from conversations.reply import Choice, Reply

PLATFORM = "console"
HINTS = {
    "sv": "(Skriv ditt svar och tryck Enter. Ctrl-D avslutar – det du har skrivit sparas.)",
    "en": "(Type your answer and press Enter. Ctrl-D quits – what you've written is saved.)",
}

Handler = Callable[[Incoming], Awaitable[list[Reply]]]


def default_user() -> str:
    try:
        return getpass.getuser() or "du"
    except Exception:  # no login name in some containers
        return "du"


def render(reply: Reply) -> str:
    """A reply as terminal text. Everything is plain text: nothing here is interpreted."""
    lines = [reply.title] if reply.title else []
    lines.append(reply.text)
    for fact in reply.facts:
        value = fact.value.replace("\n", "\n      ")
        lines.append(f"  • {fact.label}: {value}")
    if reply.choices:
        lines.append("  " + "   ".join(f"[{n}] {c.label}" for n, c in enumerate(reply.choices, 1)))
    return "\n".join(lines)


class ConsoleChat:
    def __init__(
        self,
        handle: Handler,
        *,
        user: str,
        language: str | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        interactive: bool | None = None,
    ) -> None:
        self.handle = handle
        self.user = user
        self.language = language
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self._choices: tuple[Choice, ...] = ()

    def incoming(self, line: str | None = None, *, opened: bool = False) -> Incoming:
        text, action = line, None
        if line is not None and self._choices:
            stripped = line.strip()
            if stripped.isdigit() and 1 <= int(stripped) <= len(self._choices):
                text, action = None, self._choices[int(stripped) - 1].value
        return Incoming(
            platform=PLATFORM,
            user_id=self.user,
            display_name=self.user[:1].upper() + self.user[1:],
            language=self.language,
            text=text,
            action=action,
            opened=opened,
            address={"user": self.user},
        )

    async def run(self) -> None:
        if self.interactive:
            # Arrow keys edit the line instead of typing escape codes into the answer.
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401
        await self._show(await self.handle(self.incoming(opened=True)))
        if self.interactive:
            self._write(HINTS.get(self.language or "sv", HINTS["sv"]) + "\n")
        while True:
            line = await self._read_line()
            if line is None:
                break
            replies = await self.handle(self.incoming(line))
            if self.interactive:
                self._write("\n")  # a blank line between what was typed and the answer
            await self._show(replies)

    async def _read_line(self) -> str | None:
        if self.interactive:
            # Read on the event loop's own thread, with Ctrl-C raising KeyboardInterrupt right
            # here: the chat has nothing else to do while it waits, and a reader thread or
            # asyncio's own Ctrl-C handling would keep the process alive until Enter.
            previous = signal.signal(signal.SIGINT, signal.default_int_handler)
            try:
                return input("> ")  # noqa: ASYNC250
            except EOFError:
                self._write("\n")
                return None
            finally:
                signal.signal(signal.SIGINT, previous)
        line = await asyncio.to_thread(self.stdin.readline)
        if line == "":
            return None
        return line.rstrip("\n")

    async def _show(self, replies: list[Reply]) -> None:
        for reply in replies:
            self._write(render(reply) + "\n\n")
        self._choices = replies[-1].choices if replies else ()

    def _write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
