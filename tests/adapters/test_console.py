"""The terminal chat: rendering, numbers for buttons, and the real `idesluss chat` command
with piped input."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
import sys
import time
from select import select as wait_readable

import pytest
from sqlalchemy import select

from adapters.console import ConsoleChat, render
from conversations.reply import Choice, Fact, Reply
from storage.database import Database
from storage.models import Dialogue, Idea, Person
from tests.processes import ROOT, idesluss

# ── rendering ────────────────────────────────────────────────────────────────────────────


def test_render_plain_text() -> None:
    assert render(Reply("Hej Anna!")) == "Hej Anna!"


def test_render_numbers_the_choices() -> None:
    reply = Reply("Vill du vara med?", choices=(Choice("p:yes", "Ja"), Choice("p:no", "Nej")))
    assert render(reply) == "Vill du vara med?\n  [1] Ja   [2] Nej"


def test_render_facts_title_and_multiline_values() -> None:
    reply = Reply(
        "Så här ser din idé ut.",
        title="Idé 12",
        facts=(Fact("Namn", "Tryggare tunnlar"), Fact("Behov", "Rad ett.\nRad två.")),
    )
    assert render(reply) == (
        "Idé 12\n"
        "Så här ser din idé ut.\n"
        "  • Namn: Tryggare tunnlar\n"
        "  • Behov: Rad ett.\n"
        "      Rad två."
    )


# ── numbers and buttons ──────────────────────────────────────────────────────────────────


async def no_bot(incoming):  # pragma: no cover - never called in these tests
    raise AssertionError


def chat_after(replies: list[Reply]) -> ConsoleChat:
    chat = ConsoleChat(no_bot, user="anna", stdin=io.StringIO(), stdout=io.StringIO())
    chat._choices = replies[-1].choices if replies else ()
    return chat


YES_NO = Reply("Vill du vara med?", choices=(Choice("p:yes", "Ja"), Choice("p:no", "Nej")))


@pytest.mark.parametrize(("typed", "action"), [("1", "p:yes"), (" 2 ", "p:no")])
def test_a_number_is_the_button_when_the_last_reply_had_buttons(typed, action) -> None:
    incoming = chat_after([YES_NO]).incoming(typed)
    assert (incoming.action, incoming.text) == (action, None)


@pytest.mark.parametrize("typed", ["0", "3", "12", "1.", "ett", "-1", ""])
def test_other_input_is_text_even_with_buttons(typed) -> None:
    incoming = chat_after([YES_NO]).incoming(typed)
    assert (incoming.action, incoming.text) == (None, typed)


def test_a_number_is_text_when_the_last_reply_had_no_buttons() -> None:
    with_buttons_earlier = [YES_NO, Reply("Var arbetar du?")]
    incoming = chat_after(with_buttons_earlier).incoming("1")
    assert (incoming.action, incoming.text) == (None, "1")


def test_the_console_incoming_says_who_and_where() -> None:
    chat = ConsoleChat(no_bot, user="anna", language="en", stdin=io.StringIO())
    incoming = chat.incoming(opened=True)
    assert (incoming.platform, incoming.user_id, incoming.display_name) == (
        "console",
        "anna",
        "Anna",
    )
    assert incoming.language == "en" and incoming.opened and incoming.address == {"user": "anna"}


# ── the chat loop, in process ────────────────────────────────────────────────────────────

FULL_DIALOGUE = [
    "Tryggare tunnlar",
    "Många är rädda i gångtunnlarna på kvällen.",
    "Bättre belysning och konst.",
    "Invånare som går där.",
    "1",  # [1] Hoppa över
    "hoppa över",
    "1",  # [1] Ja
    "Kultur och fritid",
    "Skicka in",  # the word works as well as the number
]


async def test_a_piped_dialogue_through_the_console_chat(bot, db) -> None:
    stdout = io.StringIO()
    stdin = io.StringIO("\n".join(FULL_DIALOGUE) + "\n")
    await ConsoleChat(bot.handle, user="anna", stdin=stdin, stdout=stdout).run()
    said = stdout.getvalue()
    assert said.startswith("Hej Anna! Jag är Idéslussen.")
    assert "  [1] Hoppa över" in said and "  [1] Ja   [2] Nej" in said
    assert "  • Namn: Tryggare tunnlar" in said
    assert "Din idé ”Tryggare tunnlar” har kommit fram och har nummer 1." in said
    assert "> " not in said and "Ctrl-D" not in said  # no prompt when piped
    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
    assert (idea.first_test, idea.involved, idea.participate) == (None, None, True)


async def test_an_interactive_chat_shows_how_to_stop(bot, monkeypatch) -> None:
    lines = iter(["hjälp"])

    def fake_input(prompt: str) -> str:
        assert prompt == "> "
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)
    stdout = io.StringIO()
    chat = ConsoleChat(bot.handle, user="anna", language="en", stdout=stdout, interactive=True)
    await chat.run()
    said = stdout.getvalue()
    assert (
        "(Type your answer and press Enter. Ctrl-D quits – what you've written is saved.)" in said
    )
    assert "The name helps us talk about the idea." in said
    assert said.endswith("\n")


# ── the real command ─────────────────────────────────────────────────────────────────────


async def stored(url: str):
    database = Database(url)
    try:
        async with database.transaction() as session:
            ideas = (await session.execute(select(Idea))).scalars().all()
            dialogues = (await session.execute(select(Dialogue))).scalars().all()
            people = (await session.execute(select(Person))).scalars().all()
        return ideas, dialogues, people
    finally:
        await database.close()


def test_piping_a_whole_dialogue_into_idesluss_chat_stores_the_idea(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    lines = [
        "",  # an empty line
        "   \t ",  # only whitespace
        "\x1b[31mCyklar\x1b[0m 🚲 för hemtjänsten",
        "x" * 100_000,  # a 100 kB line
        "Personalen väntar på bilar varje morgon.",
        "Fem elcyklar vid kontoret i Väster.\x00",
        "Invånarna får besök i tid.",
        "1",
        "Fordonsenheten \u202eoch facket",
        "ja",
        "Vård och omsorg, hemtjänst Väster",
        "1",
    ]
    piped = ("\n".join(lines) + "\n").encode() + b"\xff\xfe not utf-8\n"
    result = idesluss(["chat", "--user", "anna"], piped, {"DATABASE_URL": url})
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "Traceback" not in out + err and err == ""
    assert out.count("Jag fick inget svar.") == 2
    assert "Här får svaret vara högst 4 000 tecken, och ditt var 100 000." in out
    assert "Din idé ”Cyklar 🚲 för hemtjänsten” har kommit fram och har nummer 1." in out
    assert "\x1b" not in out

    ideas, dialogues, people = asyncio.run(stored(url))
    assert [(i.id, i.title) for i in ideas] == [(1, "Cyklar 🚲 för hemtjänsten")]
    assert ideas[0].description == "Fem elcyklar vid kontoret i Väster."
    assert ideas[0].involved == "Fordonsenheten och facket"
    assert ideas[0].first_test is None and ideas[0].participate is True
    assert [(p.platform, p.platform_user_id, p.workplace) for p in people] == [
        ("console", "anna", "Vård och omsorg, hemtjänst Väster")
    ]
    # The undecodable line after the thank-you is not made into an idea: the bot asks.
    assert dialogues == []
    assert out.rstrip().endswith("[1] Ja, en ny idé   [2] Nej")


def test_a_second_piped_run_resumes_a_half_finished_dialogue(tmp_path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}"}
    first = idesluss(
        ["chat", "--user", "ben", "--lang", "en"],
        b"Shared bikes\nHome care staff wait for cars every morning.\n",
        env,
    )
    assert first.returncode == 0 and first.stderr == b""
    assert "How would the idea work?" in first.stdout.decode()
    ideas, dialogues, _ = asyncio.run(stored(env["DATABASE_URL"]))
    assert ideas == [] and [d.step for d in dialogues] == ["idea"]

    rest = "\n".join(
        [
            "Five electric bikes at the West office.",
            "Residents get visits on time.",
            "skip",
            "skip",
            "no",
            "Care services",
            "Submit",
        ]
    )
    second = idesluss(["chat", "--user", "ben"], (rest + "\n").encode(), env)
    out = second.stdout.decode()
    assert second.returncode == 0 and second.stderr == b""
    assert out.startswith("Welcome back, Ben! We were describing your idea.")
    assert "How would the idea work?" in out.split("\n\n")[1]
    assert "Your idea “Shared bikes” has arrived and has number 1." in out
    ideas, dialogues, _ = asyncio.run(stored(env["DATABASE_URL"]))
    assert dialogues == []
    assert [(i.title, i.need, i.description) for i in ideas] == [
        (
            "Shared bikes",
            "Home care staff wait for cars every morning.",
            "Five electric bikes at the West office.",
        )
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_in_the_interactive_chat_ends_it_at_once_and_keeps_the_answers(tmp_path) -> None:
    """Waiting for input at a terminal, Ctrl-C stops the chat (exit 130) instead of
    hanging until Enter; what was answered before is kept."""
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    leader, follower = os.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat", "--user", "anna"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "PYTHONIOENCODING": "utf-8"},
    )
    os.close(follower)
    seen = b""

    def read_until(pattern: bytes) -> None:
        """Read until what the chat printed since the last call matches `pattern`."""
        nonlocal seen
        start, deadline = len(seen), time.monotonic() + 30
        while not re.search(pattern, seen[start:], re.DOTALL):
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if wait_readable([leader], [], [], 0.2)[0]:
                seen += os.read(leader, 4096)

    try:
        read_until(b"> ")
        os.write(leader, b"Tryggare tunnlar\n")
        read_until(b"Vilket behov.*> ")  # the next question, then the prompt
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=10) == 130
    finally:
        if child.poll() is None:
            child.kill()
        os.close(leader)
    assert b"Traceback" not in seen
    _, dialogues, _ = asyncio.run(stored(url))
    assert [(d.step, d.answers) for d in dialogues] == [("need", {"title": "Tryggare tunnlar"})]
