"""One row of the corpus (tests/conversations/corpus.py): where a person was in the
conversation, what they wrote, and what they meant.

`at` names what the bot had just asked:

- the intake's questions: "title" and "workplace" (one line), "need", "idea", "benefit",
  "first_test", "involved" (longer text), "participate" (yes or no);
- "title_proposal": the bot proposed a short name for a long first message ("Ska idén heta
  ”…”?"), a yes or no question inside the dialogue;
- "summary" (submit, edit or cancel), "edit_choose" (which answer to change),
  "confirm_cancel" ("Vill du avbryta?");
- "confirm": a yes or no question outside the dialogue ("Menade du Prövas?", "Vill du
  beskriva det som en ny idé?", "Vill du verkligen att jag glömmer dig?");
- "score" ("Hur nöjd är du, 1–5?") and "comment" (anything more to say after the score);
- "nothing": no question open (the person writes first, or after an idea was submitted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from conversations.intake import QUESTION_BY_KEY
from conversations.understanding import Context, Expecting, Kind, Meaning

EXPECTING: dict[str, Expecting] = {
    "title": "line",
    "workplace": "line",
    "need": "text",
    "idea": "text",
    "benefit": "text",
    "first_test": "text",
    "involved": "text",
    "participate": "yesno",
    "title_proposal": "yesno",
    "summary": "summary",
    "edit_choose": "field",
    "confirm_cancel": "yesno",
    "workplace_choice": "line",
    "confirm": "yesno",
    "score": "score",
    "comment": "comment",
    "nothing": "nothing",
}
# The steps of the intake dialogue: `Context.step` for these, None elsewhere.
DIALOGUE_STEPS = (
    "title",
    "need",
    "idea",
    "benefit",
    "first_test",
    "involved",
    "participate",
    "workplace",
    "title_proposal",
    "summary",
    "edit_choose",
    "confirm_cancel",
    "workplace_choice",
)
# What an "edit" may name: the intake's answers.
FIELDS = (
    "title",
    "need",
    "idea",
    "benefit",
    "first_test",
    "involved",
    "participate",
    "workplace",
)
# The commands' registry names (bot/commands/*.py).
COMMANDS = (
    "help",
    "mine",
    "show",
    "mydata",
    "forget-me",
    "gdpr",
    "anonymous",
    "whoami",
    "list",
    "advance",
    "park",
    "refer",
    "close",
    "reopen",
    "assign",
    "note",
    "snooze",
    "stats",
    "report",
    "export",
    "coordinator",
    "outbox",
    "undo",
    "away",
    "back",
    "reply",
    "message",
    "todo",
    "search",
)
LANGUAGES = ("sv", "en")
KINDS: tuple[str, ...] = get_args(Kind)
WITH_COMMENT = ("score", "new_idea")


@dataclass(frozen=True)
class Say:
    """`text`, written at `at`, means `means` (with `value` and `comment`, see
    conversations/understanding.py). `lang` is the conversation's language, not the text's;
    `why` says, for a row that could be read two ways, why it means what it does."""

    at: str
    text: str
    means: Kind
    value: str | int | None = None
    comment: str | None = field(default=None, kw_only=True)
    lang: str = field(default="sv", kw_only=True)
    coordinator: bool = field(default=False, kw_only=True)
    why: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise ValueError(f"{self.at} {self.text!r}: {problem}")

    def _problem(self) -> str | None:
        if self.at not in EXPECTING:
            return f"unknown place {self.at!r}"
        if self.means not in KINDS:
            return f"unknown meaning {self.means!r}"
        if self.lang not in LANGUAGES:
            return f"unknown language {self.lang!r}"
        if not self.text:
            return "no text"
        value, means = self.value, self.means
        if means == "language" and value not in LANGUAGES:
            return "a language request names sv or en"
        if means == "command" and value not in COMMANDS:
            return f"unknown command {value!r}"
        if means == "score" and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
        ):
            return "a score is 1–5"
        if means == "edit" and value is not None and value not in FIELDS:
            return f"unknown field {value!r}"
        if means not in ("language", "command", "score", "edit") and value is not None:
            return f"{means} has no value"
        if self.comment is not None:
            if means not in WITH_COMMENT:
                return f"{means} has no comment"
            if not self.comment or self.comment not in self.text:
                return "the comment is the person's own words, as written"
        return None

    @property
    def meaning(self) -> Meaning:
        return Meaning(self.means, self.value, self.comment)


def context_of(say: Say) -> Context:
    """What the bot knows when `say` arrives."""
    return Context(
        expecting=EXPECTING[say.at],
        lang=say.lang,
        coordinator=say.coordinator,
        step=say.at if say.at in DIALOGUE_STEPS else None,
        optional=say.at in QUESTION_BY_KEY and QUESTION_BY_KEY[say.at].optional,
    )
