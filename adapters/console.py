"""The terminal chat: `idesluss chat`. The same core as every other platform, rendered as
plain text. Buttons are shown as numbered options; the number or the word both work."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.incoming import Incoming
from conversations.clean import strip_unsafe
from conversations.i18n import DEFAULT_LANGUAGE, tr
from conversations.reply import Choice, Reply

PLATFORM = "console"

Handler = Callable[[Incoming], Awaitable[list[Reply]]]
# Shows the person's waiting messages (from the outbox) through the chat's sender.
Deliver = Callable[["ConsoleChat"], Awaitable[Any]]


def default_user() -> str:
    try:
        return getpass.getuser() or "du"
    except Exception:  # no login name in some containers
        return "du"


async def _in_background(read: Callable[..., str], *args: object) -> str:
    """Wait for a line without blocking the event loop. The reader is a daemon thread, not
    asyncio's executor: when Ctrl-C ends the chat, nobody waits for a line that will never
    come (the executor would keep the process alive until Enter)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def deliver(line: str | None, error: BaseException | None) -> None:
        if future.done():  # the chat ended while we were waiting
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(line or "")

    def reader() -> None:
        line: str | None = None
        error: BaseException | None = None
        try:
            line = read(*args)
        except BaseException as exc:  # EOFError, or the stream closing under us
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is listening
            loop.call_soon_threadsafe(deliver, line, error)

    threading.Thread(target=reader, name="console-input", daemon=True).start()
    return await future


def render(reply: Reply) -> str:
    """A reply as terminal text. Everything is plain text: nothing here is interpreted."""
    lines = [reply.title] if reply.title else []
    if reply.text or not lines:
        lines.append(reply.text)
    for fact in reply.facts:
        value = fact.value.replace("\n", "\n      ")
        lines.append(f"  • {fact.label}: {value}")
    if reply.choices:
        lines.append("  " + "   ".join(f"[{n}] {c.label}" for n, c in enumerate(reply.choices, 1)))
    return "\n".join(lines)


class ConsoleChat:
    platform = PLATFORM  # the `Sender` contract: which platform's messages it delivers

    def __init__(
        self,
        handle: Handler,
        *,
        user: str,
        language: str | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        interactive: bool | None = None,
        deliver: Deliver | None = None,
        save_folder: Path | None = None,
    ) -> None:
        self.handle = handle
        self.deliver = deliver
        self.save_folder = save_folder
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
            accepts_files=True,  # an export is saved next to where the chat runs
        )

    @property
    def qualified_id(self) -> str:
        return f"{PLATFORM}:{self.user}"

    async def run(self) -> None:
        await self._show(await self.handle(self.incoming(opened=True)))
        await self._deliver()
        if self.interactive:
            self._write(tr(self.language or DEFAULT_LANGUAGE, "console.hint") + "\n")
        while True:
            line = await self._read_line()
            if line is None:
                break
            replies = await self.handle(self.incoming(line))
            if self.interactive:
                self._write("\n")  # a blank line between what was typed and the answer
            await self._show(replies)
            await self._deliver()

    async def _deliver(self) -> None:
        if self.deliver is not None:
            await self.deliver(self)

    async def send(self, address: dict[str, Any], replies: Sequence[Reply]) -> None:
        """The `Sender` contract: a message for the person at the keyboard appears here."""
        shown = list(replies)
        for reply in shown:
            self._write(render(reply) + "\n\n")
        if any(reply.choices for reply in shown):
            self._choices = next(r.choices for r in reversed(shown) if r.choices)

    async def _read_line(self) -> str | None:
        if self.interactive:
            try:
                return await _in_background(input, "> ")
            except EOFError:
                self._write("\n")
                return None
        line = await _in_background(self.stdin.readline)
        if line == "":
            return None
        return line.rstrip("\n")

    async def _show(self, replies: list[Reply]) -> None:
        for reply in replies:
            self._write(render(reply) + "\n\n")
            for attachment in reply.attachments:
                path = self._save(attachment.name, attachment.data)
                saved = tr(self.language or DEFAULT_LANGUAGE, "console.saved", path=path)
                self._write(saved + "\n\n")
        self._choices = replies[-1].choices if replies else ()

    def _save(self, name: str, data: bytes) -> Path:
        """Save next to where the chat was started, never over an existing file."""
        folder = self.save_folder or Path.cwd()
        safe = Path(name).name or "export"
        path, counter = folder / safe, 1
        while path.exists():
            path = folder / f"{Path(safe).stem}-{counter}{Path(safe).suffix}"
            counter += 1
        path.write_bytes(data)
        return path

    def _write(self, text: str) -> None:
        # Text is cleaned where it enters the core; this also covers rows stored before that.
        self.stdout.write(strip_unsafe(text))
        self.stdout.flush()
