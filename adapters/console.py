"""The terminal chat: `idesluss chat`. The same core as every other platform, rendered as
plain text. Buttons are shown as numbered options; the number or the word both work.
At a terminal, a pasted text is one message, as it is in Slack or Teams; piped input is one
message per line."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import getpass
import io
import os
import select
import sys
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

from bot.incoming import Incoming
from conversations.clean import strip_unsafe
from conversations.i18n import DEFAULT_LANGUAGE, tr
from conversations.reply import Choice, Reply

PLATFORM = "console"

Handler = Callable[[Incoming], Awaitable[list[Reply]]]
# Shows the person's waiting messages (from the outbox) through the chat's sender.
Deliver = Callable[["ConsoleChat"], Awaitable[Any]]
T = TypeVar("T")

# Lines that follow each other this closely came in one go. A paste (from a terminal window,
# tmux `send-keys` or `paste-buffer`, or over ssh) is written to the terminal at once, or in
# chunks a few milliseconds apart; at a terminal a line only counts once Enter ends it, and no
# one types a whole line, not even "ja" and Enter, in 50 ms (a fast typist needs about 100 ms
# for each key). 50 ms is also too short for anyone to notice before the answer is sent.
PASTE_WINDOW = 0.05


def default_user() -> str:
    try:
        return getpass.getuser() or "du"
    except Exception:  # no login name in some containers
        return "du"


async def _in_background(read: Callable[..., T], *args: object) -> T:
    """Wait for a line without blocking the event loop. The reader is a daemon thread, not
    asyncio's executor: when Ctrl-C ends the chat, nobody waits for a line that will never
    come (the executor would keep the process alive until Enter)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def succeed(result: T) -> None:
        if not future.done():  # done: the chat ended while we were waiting
            future.set_result(result)

    def fail(error: BaseException) -> None:
        if not future.done():
            future.set_exception(error)

    def reader() -> None:
        settle: Callable[[], None]
        try:
            result = read(*args)
        except BaseException as exc:  # EOFError, or the stream closing under us
            settle = functools.partial(fail, exc)
        else:
            settle = functools.partial(succeed, result)
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is listening
            loop.call_soon_threadsafe(settle)

    threading.Thread(target=reader, name="console-input", daemon=True).start()
    return await future


def _never(seconds: float) -> bool:
    return False


def waiting_on(stream: TextIO) -> Callable[[float], bool]:
    """Whether a line is waiting on `stream`, or arrives within the given seconds. A terminal
    reports a line as readable only once Enter (or the paste's newline) has ended it."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):  # not a real stream: no pastes
        return _never

    def waiting(seconds: float) -> bool:
        try:
            return bool(select.select([fd], [], [], seconds)[0])
        except (OSError, ValueError):  # closed, or a console select() cannot wait on
            return False

    return waiting


class Keyboard:
    """The person at a terminal. A pasted text is one message with its newlines kept: when
    a line has been read, the next is already waiting. Lines typed one by one stay one message
    each. `read_line` is `input`; `waiting(seconds)` says whether another line comes within
    that time (`waiting_on` the terminal; a test passes its own, with its own clock)."""

    def __init__(
        self,
        read_line: Callable[[str], str] = input,
        waiting: Callable[[float], bool] = _never,
        *,
        window: float = PASTE_WINDOW,
    ) -> None:
        self._read_line = read_line
        self._waiting = waiting
        self.window = window
        self._ended = False

    def message(self, prompt: str) -> str | None:
        """The next message, waiting for it; None once input has ended (Ctrl-D)."""
        if self._ended:
            return None
        try:
            lines = [self._read_line(prompt)]
        except EOFError:
            self._ended = True
            return None
        while self._waiting(self.window):
            try:
                lines.append(self._read_line(""))  # already on screen: no prompt
            except EOFError:  # Ctrl-D right after a paste: send the paste, then stop
                self._ended = True
                break
        return "\n".join(lines)


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


def files_folder(environ: Mapping[str, str] | None = None) -> Path:
    """Where the terminal chat keeps the files it is given (someone's own data, an export, a
    report): IDESLUSS_FILES_DIR, else the user's data folder (`$XDG_DATA_HOME/idesluss/files`,
    by default ~/.local/share/idesluss/files)."""
    env = os.environ if environ is None else environ
    if chosen := (env.get("IDESLUSS_FILES_DIR") or "").strip():
        return Path(chosen).expanduser()
    data_home = (env.get("XDG_DATA_HOME") or "").strip()
    base = Path(data_home) if data_home else Path.home() / ".local" / "share"
    return base / "idesluss" / "files"


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
        keyboard: Keyboard | None = None,
    ) -> None:
        self.handle = handle
        self.deliver = deliver
        self.save_folder = save_folder
        self.user = user
        self.language = language
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        # At a terminal, pasted lines are one message; piped input is one message per line.
        self.keyboard = keyboard or Keyboard(input, waiting_on(self.stdin))
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
            message = await _in_background(self.keyboard.message, "> ")
            if message is None:
                self._write("\n")
            return message
        line: str = await _in_background(self.stdin.readline)
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
        """Save in a folder of the user's own (never where the chat was started: that is
        often a checkout of this repository, and a file may hold personal data), readable
        by the user alone, never over an existing file."""
        folder = self.save_folder or files_folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        safe = Path(name).name or "export"
        path, counter = folder / safe, 1
        while True:
            try:
                # O_EXCL: a file that appeared meanwhile is not overwritten; 0600: only its owner.
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                break
            except FileExistsError:
                path = folder / f"{Path(safe).stem}-{counter}{Path(safe).suffix}"
                counter += 1
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return path

    def _write(self, text: str) -> None:
        # Text is cleaned where it enters the core; this also covers rows stored before that.
        self.stdout.write(strip_unsafe(text))
        self.stdout.flush()
