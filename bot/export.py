"""The one export of ideas, for both ways out: the chat's `export` (a CSV file for the
coordinators, who pass it to assessors) and the server's `idesluss export` (CSV or JSON for
whoever runs the server). One collector, one CSV writer, one guard against CSV injection,
and one rule for an anonymous idea giver: never named, shown as "(anonym)".

The layout: one row per history event, the idea's columns repeated (an idea without
history has one row). Moments are ISO 8601 in UTC."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import DEFAULT_LANGUAGE, tr
from storage.ideas import export_rows

IDEA_COLUMNS = (
    "number",
    "title",
    "stage",
    "workplace",
    # Where the workplace is counted (the organisation file); empty when it matched none.
    "administration",
    "unit",
    "language",
    "submitted_at",
    "stage_changed_at",
    "idea_giver",
    "anonymous",
    "assignee",
    "need",
    "idea",
    "benefit",
    "first_test",
    "involved",
    "participate",
    "satisfaction",
    "satisfaction_comment",
)
EVENT_COLUMNS = ("event_at", "event", "from_stage", "to_stage", "event_by", "event_text")
# What the chat's export carries of the history: the stage path (an undone move and its
# undo both, so that the path adds up). Notes and comments are internal to the coordinators,
# and the file goes on to assessors.
STAGE_HISTORY = ("submitted", "stage", "undo")
# Characters that make a spreadsheet run a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def collect(
    session: AsyncSession,
    *,
    since: datetime | None = None,
    kinds: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Every idea (or those submitted or changed since `since`) with its history, oldest
    event first (only events of `kinds`, when given). The giver of an anonymous idea is not
    named, neither as its giver nor as who acted in its history."""
    ideas = []
    for row in await export_rows(session, since=since, kinds=kinds):
        idea = row.idea
        giver_hidden = bool(idea.anonymous)
        ideas.append(
            {
                "number": idea.id,
                "title": idea.title,
                "stage": idea.stage,
                "workplace": idea.workplace,
                "administration": idea.administration,
                "unit": idea.unit,
                "language": idea.language,
                "submitted_at": _iso(idea.submitted_at),
                "stage_changed_at": _iso(idea.stage_changed_at),
                "idea_giver": None if giver_hidden else row.giver_name,
                "anonymous": idea.anonymous,
                "assignee": row.assignee_name,
                "need": idea.need,
                "idea": idea.description,
                "benefit": idea.benefit,
                "first_test": idea.first_test,
                "involved": idea.involved,
                "participate": idea.participate,
                "satisfaction": idea.satisfaction,
                "satisfaction_comment": idea.satisfaction_comment,
                "history": [
                    {
                        "event_at": _iso(event.created_at),
                        "event": event.kind,
                        "from_stage": event.from_stage,
                        "to_stage": event.to_stage,
                        "event_by": None
                        if giver_hidden and event.actor_id == idea.person_id
                        else actor_name,
                        "event_text": event.text,
                    }
                    for event, actor_name in row.events
                ],
            }
        )
    return ideas


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def export_json(ideas: list[dict[str, Any]]) -> str:
    return json.dumps({"ideas": ideas}, ensure_ascii=False, indent=2) + "\n"


def export_csv(ideas: list[dict[str, Any]], lang: str = DEFAULT_LANGUAGE) -> str:
    """The CSV text (add a byte-order mark when writing it for Excel). Every cell passes
    `safe_cell`; the giver of an anonymous idea is shown as "(anonym)" ("(anonymous)" in an
    English chat)."""
    hidden = tr(lang, "anonymous.export")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*IDEA_COLUMNS, *EVENT_COLUMNS])
    for idea in ideas:
        shown = dict(idea)
        if idea["anonymous"]:
            shown["idea_giver"] = hidden
        base = [safe_cell(shown[column]) for column in IDEA_COLUMNS]
        for event in idea["history"] or [dict.fromkeys(EVENT_COLUMNS)]:
            writer.writerow(base + [safe_cell(event[column]) for column in EVENT_COLUMNS])
    return out.getvalue()


def safe_cell(value: object) -> object:
    """A value as a CSV cell: empty for None, yes/no for a truth value, and a text that a
    spreadsheet would run as a formula (CSV injection) quoted with a '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
