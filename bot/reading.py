"""How the bot reads a typed message before it answers: what the person was asked, which
command the words are (the bot owns the commands), and then what the person means
(conversations/understanding.py decides that, pure and without the database).

One rule for commands, at every step of every dialogue: a message is a command when its
words are a whole command this person may use ("mina", "visa 3", "glöm mig", a coordinator's
"flytta 2 prövas"). A command word at the start of a real answer ("Visa vägen med skyltar",
"Mina sidor för vikarier") is not one, because the rest is not that command's arguments; a
coordinator command from someone who is not a coordinator is not one either. `/idea` in
front always makes a command (the router handles that before this).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz import process as fuzzy
from sqlalchemy.ext.asyncio import AsyncSession

from bot import satisfaction
from bot.commands.catalog import COMMANDS
from bot.commands.parser import Command, ParseError, first_word, parse
from bot.commands.registry import ADMIN, COORDINATOR
from bot.config import Settings
from bot.process import Process
from bot.questions import TAKES_TEXT
from bot.roles import is_admin, is_coordinator
from conversations import intake
from conversations.understanding import (
    Context,
    Expecting,
    Meaning,
    may_be_score,
    may_be_yes_or_no,
    understand,
)
from storage.models import Dialogue, OpenQuestion, Person
from storage.questions import drop_question, still_waiting

# A typo in a command word is forgiven in short messages only ("visaa 3", "mnia"); in a
# sentence a near-miss is far more likely an ordinary word.
FUZZY_COMMAND_WORDS = 4
FUZZY_COMMAND_SCORE = 80
# Commands whose words are also the dialogue's own: inside a dialogue, the dialogue's.
DIALOGUE_FIRST = frozenset({"back"})
# The words that are long enough to be matched fuzzily ("?" and "kö" are not).
_FUZZY_WORDS = [word for word in COMMANDS.by_word if len(word) >= 4]
# What lets even a question that waits for words go: a whole command, help, a language.
_LET_GO = frozenset({"command", "help", "language"})


@dataclass(frozen=True)
class Reading:
    """A typed message, read in its context."""

    meaning: Meaning
    # The command the words are, when they are one this person may use; a ParseError when
    # they start like a command but are not one (the router decides whether to explain).
    command: Command[Any] | ParseError | None
    question: OpenQuestion | None  # a yes/no the bot asked outside a dialogue, waiting


async def read(
    session: AsyncSession,
    settings: Settings,
    process: Process,
    person: Person,
    dialogue: Dialogue | None,
    text: str,
    *,
    lang: str,
    now: datetime,
    question: OpenQuestion | None,
) -> Reading:
    """`question`: the person's open question as read with them at the start of the turn
    (storage/people.py `person_in_turn`), expired or not; None when they have none."""
    asked = await still_waiting(session, question, now=now)
    command = command_in(text, process)
    usable = None
    if isinstance(command, Command) and await _may_use(session, settings, person, command):
        usable = command.name
    if usable in DIALOGUE_FIRST and dialogue is not None:
        # "tillbaka" in the middle of describing an idea is the dialogue's "back a question",
        # also from a coordinator (`/idea tillbaka` is still the command).
        usable = None
    question = None
    expecting: Expecting
    step = None
    if dialogue is None:
        question = asked
        if question is not None:
            expecting = "yesno"
        else:
            expecting = await _nothing_or_score(session, person, text)
    elif dialogue.flow == intake.FLOW:
        step = dialogue.step
        expecting = intake.EXPECTING.get(dialogue.step, "text")
    elif dialogue.flow == satisfaction.FLOW:
        expecting = "comment"
    else:
        expecting = "text"
    question_asked = intake.QUESTION_BY_KEY.get(step or "")
    optional = question_asked is not None and question_asked.optional
    context = Context(expecting, lang=lang, step=step, command=usable, optional=optional)
    meaning = understand(text, context)
    if question is not None and question.kind in TAKES_TEXT and meaning.kind not in _LET_GO:
        # A question that waits for words ("Skriv ditt svar till Anna"): they are the
        # answer, whatever they say, except a short no ("avbryt", "nej").
        short_no = meaning.kind == "no" and len(text.split()) <= 2
        meaning = Meaning("no") if short_no else Meaning("answer")
    elif question is not None and meaning.kind not in ("yes", "no"):
        # Not an answer to the question: it is let go, and the words are read as if it had
        # never been asked ("flytta 2 testning", then "lista": the list).
        await drop_question(session, person.id)
        question = None
        expecting = await _nothing_or_score(session, person, text)
        context = replace(context, expecting=expecting)
        meaning = understand(text, context)
    elif (
        dialogue is not None
        and expecting in ("line", "text")
        and len(text.split()) <= 4
        and may_be_yes_or_no(text)
    ):
        # A yes to a question asked in the middle of a dialogue ("Menade du Prövas?", "Vill
        # du verkligen att jag glömmer dig?"): the answer to that question, if one waits.
        as_answer = understand(text, replace(context, expecting="yesno", step=None))
        if as_answer.kind in ("yes", "no"):
            question = asked
            if question is not None:
                meaning = as_answer
    return Reading(meaning, command, question)


async def _nothing_or_score(session: AsyncSession, person: Person, text: str) -> Expecting:
    """With no dialogue: a score, when the person has a satisfaction question open."""
    if may_be_score(text) and await satisfaction.open_question(session, person.id):
        return "score"
    return "nothing"


def command_in(text: str, process: Process) -> Command[Any] | ParseError | None:
    """The command the words read as: exactly, or with a typo in a short message's first
    word; None when the first word is no command word at all."""
    command = parse(text, process)
    if isinstance(command, Command) or command.key != "parse.unknown_command":
        return command
    word = first_word(text)
    if len(text.split()) > FUZZY_COMMAND_WORDS or len(word) < 4:
        return None
    best = fuzzy.extractOne(word, _FUZZY_WORDS, scorer=fuzz.ratio, score_cutoff=FUZZY_COMMAND_SCORE)
    if best is None:
        return None
    rest = text.strip().split(maxsplit=1)[1:]
    corrected = parse(" ".join([best[0], *rest]), process)
    return corrected if isinstance(corrected, Command) else None


async def _may_use(
    session: AsyncSession, settings: Settings, person: Person, command: Command[Any]
) -> bool:
    role = COMMANDS[command.name].role
    if role == ADMIN:
        return is_admin(settings, person)
    if role == COORDINATOR:  # an admin may act on what they are escalated about
        return is_admin(settings, person) or await is_coordinator(session, settings, person)
    return True
