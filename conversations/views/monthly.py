"""The admins' monthly digest: the headline figures of the month before, in one message."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.i18n import tr
from conversations.reply import Fact, Reply
from conversations.views.common import decimal


@dataclass(frozen=True)
class MonthlyDigest:
    name: str | None  # the reader's first name
    period: str  # "maj 2026", as the reader's language writes it
    new: int
    moved: int
    implemented: int
    closed: int
    promises_due: int
    promises_kept: int
    scores: tuple[tuple[int, int], ...]  # (score 1–5, answers given in the month)


def monthly_reply(lang: str, view: MonthlyDigest) -> Reply:
    none = tr(lang, "stats.none")
    kept = none
    if view.promises_due:
        kept = tr(
            lang,
            "monthly.kept_value",
            share=round(100 * view.promises_kept / view.promises_due),
            kept=view.promises_kept,
            count=view.promises_due,
        )
    answers = sum(n for _, n in view.scores)
    satisfaction = none
    if answers:
        mean = sum(score * n for score, n in view.scores) / answers
        satisfaction = tr(
            lang, "monthly.satisfaction_value", mean=decimal(lang, mean), count=answers
        )
    facts = (
        Fact(tr(lang, "monthly.new"), str(view.new)),
        Fact(tr(lang, "monthly.moved"), str(view.moved)),
        Fact(tr(lang, "monthly.implemented"), str(view.implemented)),
        Fact(tr(lang, "monthly.closed"), str(view.closed)),
        Fact(tr(lang, "monthly.kept"), kept),
        Fact(tr(lang, "stats.satisfaction"), satisfaction),
    )
    text = tr(lang, "monthly.head", first_name=view.name, period=view.period)
    return Reply(f"{text}\n\n{tr(lang, 'monthly.more')}", facts=facts)
