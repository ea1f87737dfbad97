"""The answers around a question the bot asked outside a dialogue (bot/questions.py): a
button of a question that is no longer open, "no", and a typed "yes" where a choice of
buttons was asked for."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.i18n import tr
from conversations.reply import Reply


@dataclass(frozen=True)
class QuestionAnswered:
    # "gone": no such question is open (expired, answered, replaced, or never this
    # person's); "cancelled": they said no; "choose": a typed yes to a choice of buttons
    outcome: str


def question_answered_reply(lang: str, view: QuestionAnswered) -> Reply:
    return Reply(tr(lang, f"question.{view.outcome}"))
