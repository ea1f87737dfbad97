"""At a terminal, a pasted text is one message with its newlines kept, as in Slack or Teams;
lines typed one by one are one message each. The person is a fake terminal with its own
clock: each line says how long after the line before it is complete."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
import time
from select import select as wait_readable

import pytest
from sqlalchemy import select

from adapters.console import PASTE_WINDOW, ConsoleChat, Keyboard, waiting_on
from storage.models import Dialogue, Idea
from tests.adapters.contract import RecordingBot
from tests.adapters.test_console import stored
from tests.processes import ROOT

END = None  # Ctrl-D


class Terminal:
    """A person at a terminal. `lines` are (seconds after the line before, the line); a paste
    is lines 0 seconds apart. The clock moves only as lines are waited for."""

    def __init__(self, *lines: tuple[float, str | None]) -> None:
        self.lines = list(lines)
        self.now = 0.0
        self.prompts: list[str] = []

    def read_line(self, prompt: str) -> str:
        self.prompts.append(prompt)
        assert self.lines, "nobody waits for a line that will never come"
        after, line = self.lines.pop(0)
        self.now += after
        if line is END:
            raise EOFError
        return line

    def waiting(self, seconds: float) -> bool:
        if not self.lines:
            return False
        after, _ = self.lines[0]
        if after <= seconds:
            return True
        self.now += seconds
        self.lines[0] = (after - seconds, self.lines[0][1])
        return False

    def keyboard(self) -> Keyboard:
        return Keyboard(self.read_line, self.waiting)


def messages(terminal: Terminal) -> list[str]:
    keyboard, said = terminal.keyboard(), []
    while (message := keyboard.message("> ")) is not None:
        said.append(message)
    return said


# ── what is one message ──────────────────────────────────────────────────────────────────


def test_pasted_lines_are_one_message_with_the_newlines_kept() -> None:
    terminal = Terminal(
        (4.0, "Tre saker:"), (0, "- bilarna räcker inte"), (0, "- vi väntar"), (30, END)
    )
    assert messages(terminal) == ["Tre saker:\n- bilarna räcker inte\n- vi väntar"]


def test_lines_typed_one_by_one_are_one_message_each() -> None:
    terminal = Terminal((3.0, "Lånecyklar"), (6.5, "Bilarna räcker inte"), (2.0, "ja"), (9, END))
    assert messages(terminal) == ["Lånecyklar", "Bilarna räcker inte", "ja"]
    assert terminal.prompts == ["> ", "> ", "> ", "> "]  # every message gets its prompt


def test_a_paste_arriving_in_chunks_is_one_message_when_they_come_within_the_window() -> None:
    just_within, just_after = PASTE_WINDOW, PASTE_WINDOW + 0.001
    terminal = Terminal((1, "rad ett"), (just_within, "rad två"), (just_after, "rad tre"), (5, END))
    assert messages(terminal) == ["rad ett\nrad två", "rad tre"]


def test_the_continuation_of_a_paste_is_read_without_a_prompt() -> None:
    terminal = Terminal((1, "rad ett"), (0, "rad två"), (0, "rad tre"), (30, END))
    assert messages(terminal) == ["rad ett\nrad två\nrad tre"]
    assert terminal.prompts == ["> ", "", "", "> "]


def test_ctrl_d_right_after_a_paste_sends_the_paste_then_ends() -> None:
    terminal = Terminal((1, "rad ett"), (0, "rad två"), (0, END))
    keyboard = terminal.keyboard()
    assert keyboard.message("> ") == "rad ett\nrad två"
    assert keyboard.message("> ") is None
    assert keyboard.message("> ") is None  # and nobody waits for more after the end
    assert terminal.prompts == ["> ", "", ""]


def test_empty_lines_inside_a_paste_are_kept() -> None:
    terminal = Terminal((1, "Stycke ett."), (0, ""), (0, "Stycke två."), (60, END))
    assert messages(terminal) == ["Stycke ett.\n\nStycke två."]


def test_waiting_on_a_stream_without_a_file_says_no() -> None:
    assert waiting_on(io.StringIO("rad ett\nrad två\n"))(0.0) is False


def test_waiting_on_a_pipe_sees_a_line_that_is_already_there() -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as reading, os.fdopen(write_end, "w") as writing:
        waiting = waiting_on(reading)
        assert waiting(0.0) is False
        writing.write("rad två\n")
        writing.flush()
        assert waiting(0.0) is True


# ── into the core ────────────────────────────────────────────────────────────────────────


async def test_a_paste_into_the_intake_reaches_the_core_as_one_incoming(bot, db) -> None:
    terminal = Terminal(
        (5.0, "Lånecyklar för hemtjänsten"),
        (20.0, "Det här händer varje morgon:"),
        (0, "- bilarna räcker inte"),
        (0, "- vi står och väntar en halvtimme"),
        (40.0, END),
    )
    recording, stdout = RecordingBot(bot), io.StringIO()
    chat = ConsoleChat(
        recording.handle,
        user="lena",
        stdout=stdout,
        interactive=True,
        keyboard=terminal.keyboard(),
    )
    await chat.run()
    assert [incoming.text for incoming in recording.incomings] == [
        None,  # the chat opening
        "Lånecyklar för hemtjänsten",
        "Det här händer varje morgon:\n- bilarna räcker inte\n- vi står och väntar en halvtimme",
    ]
    assert stdout.getvalue().count("Hur skulle idén fungera?") == 1  # one answer, one question
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        assert (await session.execute(select(Idea))).first() is None
    assert dialogue.step == "idea"
    assert dialogue.answers["need"] == (
        "Det här händer varje morgon:\n- bilarna räcker inte\n- vi står och väntar en halvtimme"
    )


async def test_piped_lines_stay_one_message_each_though_they_arrive_together(bot) -> None:
    """`printf '…\\n…\\n' | idesluss chat` answers one question per line (README)."""
    recording = RecordingBot(bot)
    stdin = io.StringIO("Lånecyklar för hemtjänsten\nBilarna räcker inte på morgonen.\n")
    chat = ConsoleChat(recording.handle, user="lena", stdin=stdin, stdout=io.StringIO())
    await chat.run()
    assert [incoming.text for incoming in recording.incomings] == [
        None,
        "Lånecyklar för hemtjänsten",
        "Bilarna räcker inte på morgonen.",
    ]


# ── a real terminal ──────────────────────────────────────────────────────────────────────


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_paste_into_a_real_terminal_is_one_answer(tmp_path) -> None:
    """Three lines written to the terminal at once, as a paste is, answer one question; a line
    typed afterwards answers the next."""
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    leader, follower = os.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat", "--user", "lena"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "PYTHONIOENCODING": "utf-8"},
    )
    os.close(follower)
    seen = b""

    def read_until(pattern: bytes) -> None:
        nonlocal seen
        start, deadline = len(seen), time.monotonic() + 30
        while not re.search(pattern, seen[start:], re.DOTALL):
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if wait_readable([leader], [], [], 0.2)[0]:
                seen += os.read(leader, 4096)

    try:
        read_until(b"> ")
        os.write(leader, "Lånecyklar\n".encode())
        read_until(b"Vilket behov.*> ")
        os.write(leader, "Varje morgon:\n- bilarna räcker inte\n- vi väntar\n".encode())
        read_until("Hur skulle idén fungera.*> ".encode())
        os.write(leader, b"Elcyklar vid kontoret\n")
        read_until(b"Vem har nytta.*> ")
        os.write(leader, b"\x04")  # Ctrl-D
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
        os.close(leader)
    assert b"Traceback" not in seen and b"Det blev lite kort" not in seen
    _, dialogues, _ = asyncio.run(stored(url))
    assert [(d.step, d.answers) for d in dialogues] == [
        (
            "benefit",
            {
                "title": "Lånecyklar",
                "need": "Varje morgon:\n- bilarna räcker inte\n- vi väntar",
                "idea": "Elcyklar vid kontoret",
            },
        )
    ]
