"""What a person means by a message, read in its context before any dialogue step sees it.

People do not answer like a form. Between the bot's questions they greet it, thank it,
apologise for a pause, ask where they were, ask for English, type a command, answer yes in
ten ways and give a score in a sentence. `understand` reads one message with what the bot
just asked (`Context`) and says what it is (`Meaning`); the dialogue and the router act on
that, so a greeting is never stored as an idea's name and "mina" is never stored as a need.

Pure, no I/O, and deliberately plain: word lists and a few rules that a reader can follow,
with rapidfuzz only where people make typos (command words, yes and no).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What the bot is waiting for when the message arrives.
Expecting = Literal[
    "line",  # a short answer on one line (an idea's name, a workplace)
    "text",  # a longer answer (the need, the idea, the benefit …)
    "yesno",  # a yes or no question
    "summary",  # the summary: submit, edit or cancel
    "field",  # which answer to change
    "score",  # how satisfied, 1–5
    "comment",  # an optional comment after the score
    "nothing",  # no question open: the person writes first, or after an idea is in
]

Kind = Literal[
    "answer",  # an answer to the question asked (the text as written)
    "greeting",  # "Hej!", "God morgon", "Hello 👋"
    "thanks",  # "Tack!", "tack så mycket 😊", "thanks"
    "small_talk",  # "förlåt, var tvungen att springa", "var var vi?", "haha", "ok"
    "help",  # "hjälp", "vad ska jag skriva?", "help"
    "language",  # value: "sv" or "en" ("English please", "på svenska tack")
    "command",  # value: the command's name ("mine", "show", "forget-me", "advance" …)
    "yes",
    "no",
    "score",  # value: 1–5; comment: the rest of the message, if any
    "skip",  # "hoppa över", "vet inte än"
    "back",  # "tillbaka", "förra frågan"
    "cancel",  # "avbryt", "jag vill inte längre"
    "edit",  # value: the field to change ("title", "need" …) or None
    "new_idea",  # "jag har en idé"; comment: what followed the lead-in, if anything
    "statement",  # something said with no question open that is none of the above
]


@dataclass(frozen=True)
class Context:
    """What the bot knows when the message arrives."""

    expecting: Expecting
    lang: str = "sv"  # the conversation's language
    coordinator: bool = False
    step: str | None = None  # the dialogue's step ("title", "need" …), if any


@dataclass(frozen=True)
class Meaning:
    kind: Kind
    value: str | int | None = None
    comment: str | None = None  # the words beside a score, or after "jag har en idé:"


def understand(text: str, context: Context) -> Meaning:
    """What `text` means, said in `context`. Total: every text has one meaning."""
    raise NotImplementedError
