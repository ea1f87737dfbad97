"""The coordinators' and admins' overviews: `statistik`, `exportera`'s answer,
`idéslussare` and `utkorg`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from babel.dates import format_date

from conversations.clean import shorten
from conversations.i18n import DATE_LOCALES, tr
from conversations.reply import Attachment, Choice, Fact, Reply
from conversations.views.common import decimal


@dataclass(frozen=True)
class StatsView:
    per_stage: tuple[tuple[str, int], ...]  # (stage name, ideas there), every stage in order
    per_workplace: tuple[tuple[str | None, int], ...]  # the largest first; None: no workplace
    medians: tuple[tuple[str, float], ...]  # (stage name, median days) where there are any
    answer_due: int  # ideas that should have had their first answer by now
    answered_in_time: int  # of those, answered within the process's days
    first_response_days: int
    satisfaction: tuple[tuple[int, int], ...]  # (score 1–5, answers)
    # (administration, ideas), the largest first; None: a workplace the organisation file
    # has no place for
    per_administration: tuple[tuple[str | None, int], ...] = ()
    # The ideas submitted in this year, or this month of it; None: all of them.
    period: tuple[int, int | None] | None = None
    # The button that makes the steering group's report for the same period (`rapport`).
    report: str | None = None


def period_name(lang: str, year: int, month: int | None) -> str:
    """ "januari 2026", "January 2026", "2026"."""
    if month is None:
        return str(year)
    locale = DATE_LOCALES.get(lang, "sv_SE")
    return format_date(date(year, month, 1), format="LLLL yyyy", locale=locale)


def stats_reply(lang: str, view: StatsView) -> Reply:
    none = tr(lang, "stats.none")
    per_stage = ", ".join(f"{name} {count}" for name, count in view.per_stage)
    # The largest first, and the ideas of no known administration last, whatever their count.
    ranked = sorted(view.per_administration, key=lambda row: (row[0] is None, -row[1]))
    per_administration = ", ".join(
        f"{administration or tr(lang, 'stats.no_administration')} {count}"
        for administration, count in ranked
    )
    per_workplace = ", ".join(
        f"{workplace or tr(lang, 'stats.no_workplace')} {count}"
        for workplace, count in view.per_workplace
    )
    medians = ", ".join(
        tr(lang, "stats.median_line", stage=name, days=decimal(lang, median))
        for name, median in view.medians
    )
    heard = none
    if view.answer_due:
        heard = tr(
            lang,
            "stats.heard_back_value",
            share=round(100 * view.answered_in_time / view.answer_due),
            ok=view.answered_in_time,
            count=view.answer_due,
            days=view.first_response_days,
        )
    scores = dict(view.satisfaction)
    answers = sum(scores.values())
    satisfaction = none
    if answers:
        mean = sum(score * n for score, n in scores.items()) / answers
        distribution = " · ".join(f"{score}: {scores.get(score, 0)}" for score in range(1, 6))
        satisfaction = tr(
            lang,
            "stats.satisfaction_value",
            mean=decimal(lang, mean),
            count=answers,
            distribution=distribution,
        )
    facts = (
        Fact(tr(lang, "stats.total"), str(sum(count for _, count in view.per_stage))),
        Fact(tr(lang, "stats.per_stage"), per_stage),
        Fact(tr(lang, "stats.per_administration"), per_administration or none),
        Fact(tr(lang, "stats.per_workplace"), per_workplace or none),
        Fact(tr(lang, "stats.median"), medians or none),
        Fact(tr(lang, "stats.heard_back"), heard),
        Fact(tr(lang, "stats.satisfaction"), satisfaction),
    )
    title = tr(lang, "stats.title")
    text = ""
    if view.period is not None:
        title = tr(lang, "stats.title.period", period=period_name(lang, *view.period))
        text = tr(lang, "stats.period_note")
    choices = () if view.report is None else (Choice(view.report, tr(lang, "stats.report")),)
    return Reply(text, title=title, facts=facts, choices=choices)


@dataclass(frozen=True)
class ReportMade:
    first: date
    last: date
    file: Attachment  # the report as HTML


def report_reply(lang: str, view: ReportMade) -> Reply:
    locale = DATE_LOCALES.get(lang, "sv_SE")
    first = format_date(view.first, format="long", locale=locale)
    last = format_date(view.last, format="long", locale=locale)
    about = tr(lang, "file.about.report", first=first, last=last)
    return Reply(
        tr(lang, "report.made", first=first, last=last),
        attachments=(replace(view.file, description=about),),
    )


@dataclass(frozen=True)
class Exported:
    count: int  # ideas in the file
    file: Attachment


def exported_reply(lang: str, view: Exported) -> Reply:
    text = tr(lang, "export.done", count=view.count)
    return Reply(text, attachments=(replace(view.file, description=text),))


@dataclass(frozen=True)
class CoordinatorList:
    from_settings: tuple[str, ...]  # ids and addresses, from IDESLUSS_COORDINATORS
    added: tuple[str, ...]  # added in the chat


def coordinator_list_reply(lang: str, view: CoordinatorList) -> Reply:
    if not view.from_settings and not view.added:
        return Reply(tr(lang, "coord.list_empty"))
    shown = [f"{q} {tr(lang, 'coord.list_settings')}" for q in view.from_settings]
    return Reply(tr(lang, "coord.list", people=", ".join([*shown, *view.added])))


@dataclass(frozen=True)
class CoordinatorChanged:
    # "added", "already", "removed"; "from_settings": cannot be removed in the chat;
    # "not_found": was not one; "added_unseen": added by an address nobody here has yet
    outcome: str
    person: str  # platform-qualified id, or the e-mail address the admin named


def coordinator_changed_reply(lang: str, view: CoordinatorChanged) -> Reply:
    return Reply(tr(lang, f"coord.{view.outcome}", person=view.person))


@dataclass(frozen=True)
class OutboxFailure:
    id: int
    kind: str
    idea: int | None
    attempts: int
    error: str | None  # as the platform said it; None: none recorded


@dataclass(frozen=True)
class OutboxView:
    """Numbers, kinds and errors only, never what the messages say."""

    counts: Mapping[str, int]  # "pending", "sent", "failed", "withdrawn"
    failures: tuple[OutboxFailure, ...]  # the latest


def outbox_reply(lang: str, view: OutboxView) -> Reply:
    counts: dict[str, Any] = dict(view.counts)
    lines = [tr(lang, "outbox.counts", **counts)]
    if not view.failures:
        lines.append(tr(lang, "outbox.no_failures"))
    else:
        lines.append(tr(lang, "outbox.failures"))
        for row in view.failures:
            idea = tr(lang, "outbox.failure_idea", number=row.idea) if row.idea else ""
            lines.append(
                tr(
                    lang,
                    "outbox.failure",
                    id=row.id,
                    kind=row.kind,
                    idea=idea,
                    attempts=row.attempts,
                    error=shorten(row.error or tr(lang, "outbox.no_error"), 200, one_line=True),
                )
            )
    return Reply("\n".join(lines))
