"""Questions the bot asks outside a dialogue's steps, and their answers.

A command that is not sure what the person meant (`flytta 2 testning`: "Menade du
Prövas?") does nothing yet: it asks, with buttons, and remembers the question
(storage/questions.py: one per person, the newest replaces the one before). The answer comes
as a click on one of those buttons (`question:<nonce>:<answer>`; the nonce ties the button
to the one question it was made for, so an old button or somebody else's click finds no
question), or typed: "ja"/"nej" in any of the ways people say it (bot/reading.py reads
them). Anything else the person writes lets the question go, and the turn goes on as if it
had not been asked; except that a kind registered with `takes_text=True` ("Skriv ditt svar
till Anna", bot/relay.py) takes whatever they write next as its answer, unless it is a whole
command, help, or a short no ("avbryt"). A question left unanswered expires after
`ANSWER_VALID`.

Each kind of question has a handler, registered in `KINDS` with `@question_kind("…")`: it
gets the command context, the question and the answer ("yes", "no", or the key of a
button), and returns the replies. `confirm_command` is the first: its question holds the
commands to run for each answer, as text, and the one chosen runs through the normal command
path (`run_command`), so the person's role is checked again when they answer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.buttons import Button
from conversations.reply import Reply
from conversations.views.questions import QuestionAnswered, question_answered_reply
from storage.models import OpenQuestion
from storage.questions import ask_question, drop_question, waiting_question

if TYPE_CHECKING:
    from bot.commands.handlers import CommandContext

# Long enough to answer after a phone call; short enough that a "yes" still means what the
# person had in mind when they wrote the command.
ANSWER_VALID = timedelta(hours=1)
YES: Literal["yes"] = "yes"
NO: Literal["no"] = "no"
_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")
# A button's answer: yes, no, or the key of one of several choices ("1", "2" …).
_ANSWER = re.compile(r"yes|no|[1-9][0-9]?")


@dataclass(frozen=True)
class Answer:
    value: str  # "yes", "no" or the key of a choice; the text, to a question that takes text
    nonce: str | None = None  # a button's: the question it was made for; None: typed


def _clicked(fields: tuple[str, ...]) -> Answer | None:
    nonce, value = fields
    return Answer(value, nonce) if _NONCE.fullmatch(nonce) and _ANSWER.fullmatch(value) else None


# "question:<nonce>:<answer>": a button under a question of this module.
QUESTION_BUTTON = Button(("question",), 2, _clicked)

QuestionHandler = Callable[["CommandContext", OpenQuestion, str], Awaitable[list[Reply]]]
KINDS: dict[str, QuestionHandler] = {}
# The kinds whose answer is what the person types next, whatever it says ("Skriv ditt svar
# till Anna"): bot/reading.py keeps such a question open for any text but a whole command
# (which runs, and lets the question go) or a short no ("avbryt", "nej"). The handler gets
# the typed text as its answer, or "no"; a button can only say "no".
TAKES_TEXT: set[str] = set()


def question_kind(
    kind: str, *, takes_text: bool = False
) -> Callable[[QuestionHandler], QuestionHandler]:
    """Register the handler of one kind of question."""

    def register(handler: QuestionHandler) -> QuestionHandler:
        if kind in KINDS:
            raise ValueError(f"two handlers for questions of kind {kind!r}")
        KINDS[kind] = handler
        if takes_text:
            TAKES_TEXT.add(kind)
        return handler

    return register


async def ask(ctx: CommandContext, kind: str, data: Mapping[str, Any]) -> str:
    """Remember a question of `kind` for the person (it replaces any earlier one) and return
    its nonce, for the buttons: `button(nonce, "yes")`."""
    nonce = secrets.token_urlsafe(12)
    await ask_question(
        ctx.session, ctx.person.id, kind, {**data, "nonce": nonce},
        now=ctx.now, expires_at=ctx.now + ANSWER_VALID,
    )  # fmt: skip
    return nonce


def button(nonce: str, answer: str) -> str:
    return QUESTION_BUTTON.value(nonce, answer)


def clicked(action: str) -> Answer:
    """The answer a question's button carries; a value no button of ours has is an answer
    to no question."""
    return QUESTION_BUTTON.read(action) or Answer("", nonce="")


async def waiting(session: AsyncSession, person_id: int, now: datetime) -> OpenQuestion | None:
    """The person's open question, if one is waiting for an answer."""
    return await waiting_question(session, person_id, now=now)


async def let_go(session: AsyncSession, person_id: int) -> None:
    """The person wrote something else: the question is no longer asked."""
    await drop_question(session, person_id)


async def answer(ctx: CommandContext, found: Answer) -> list[Reply]:
    """Answer the person's open question; a button of a question that is not open (expired,
    answered, replaced by a newer one, or someone else's) changes nothing."""
    question = await waiting_question(ctx.session, ctx.person.id, now=ctx.now)
    if question is None or (found.nonce is not None and question.data.get("nonce") != found.nonce):
        return [question_answered_reply(ctx.lang, QuestionAnswered("gone"))]
    handler = KINDS.get(question.kind)
    if question.kind in TAKES_TEXT and found.nonce is not None and found.value != NO:
        # A button of a question that waits for words: only "no" is one of its buttons.
        return [question_answered_reply(ctx.lang, QuestionAnswered("gone"))]
    if handler is None:  # a kind this version does not know: asked by another version
        await drop_question(ctx.session, ctx.person.id)
        return [question_answered_reply(ctx.lang, QuestionAnswered("gone"))]
    return await handler(ctx, question, found.value)


@question_kind("confirm_command")
async def _confirm_command(ctx: CommandContext, question: OpenQuestion, value: str) -> list[Reply]:
    """`data["commands"]`: answer → the command to run, as typed text ("yes": "advance 2
    testing Bra jobbat"; or "1", "2" … for several choices). "no" runs nothing."""
    if value == NO:
        await drop_question(ctx.session, ctx.person.id)
        return [question_answered_reply(ctx.lang, QuestionAnswered("cancelled"))]
    text = dict(question.data.get("commands") or {}).get(value)
    if not isinstance(text, str):  # "ja" typed where there are several buttons to choose from
        return [question_answered_reply(ctx.lang, QuestionAnswered("choose"))]
    await drop_question(ctx.session, ctx.person.id)  # before: the command may ask anew
    # Imported here: the commands themselves ask questions (bot/commands/handlers.py
    # imports this module).
    from bot.commands.catalog import COMMANDS
    from bot.commands.handlers import run_command
    from bot.commands.parser import parse

    return await run_command(ctx, COMMANDS, parse(text, ctx.process))
