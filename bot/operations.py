"""Operations commands for the people who run the server: `idesluss export`, `idesluss outbox`
and `idesluss doctor`. Each is a plain async function over a Database (and the environment,
for doctor) returning what to print, so tests call them directly."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import aliased

from bot.calendar import STOCKHOLM
from storage.database import Database, DatabaseError
from storage.models import Idea, IdeaEvent, OutboxMessage, Person

ZONE = ZoneInfo(STOCKHOLM)

# ── export ───────────────────────────────────────────────────────────────────────────────

IDEA_COLUMNS = (
    "number",
    "title",
    "stage",
    "workplace",
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


def parse_since(raw: str) -> datetime:
    """`2026-01-01` (midnight, Swedish time) or an ISO 8601 moment."""
    text = raw.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=ZONE)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {raw!r} is not a date; write it like 2026-01-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZONE)


async def export_ideas(database: Database, since: datetime) -> list[dict[str, Any]]:
    """Every idea submitted or changed since `since`, with its whole history (oldest first).
    An anonymous idea's giver is not named."""
    giver, assignee = aliased(Person), aliased(Person)
    async with database.transaction() as session:
        rows = (
            await session.execute(
                select(Idea, giver.display_name, assignee.display_name)
                .join(giver, giver.id == Idea.person_id)
                .outerjoin(assignee, assignee.id == Idea.assignee_id)
                .where(or_(Idea.submitted_at >= since, Idea.updated_at >= since))
                .order_by(Idea.id)
            )
        ).tuples()
        ideas = list(rows)
        actor = aliased(Person)
        history: dict[int, list[dict[str, Any]]] = {}
        numbers = [idea.id for idea, _, _ in ideas]
        for chunk_start in range(0, len(numbers), 1000):  # bounded IN lists
            chunk = numbers[chunk_start : chunk_start + 1000]
            events = await session.execute(
                select(IdeaEvent, actor.display_name)
                .outerjoin(actor, actor.id == IdeaEvent.actor_id)
                .where(IdeaEvent.idea_id.in_(chunk))
                .order_by(IdeaEvent.idea_id, IdeaEvent.id)
            )
            for event, actor_name in events.tuples():
                history.setdefault(event.idea_id, []).append(
                    {
                        "event_at": _iso(event.created_at),
                        "event": event.kind,
                        "from_stage": event.from_stage,
                        "to_stage": event.to_stage,
                        # The giver of an anonymous idea acts anonymously in its history too.
                        "event_by": None
                        if _is_anonymous_giver(ideas, event.idea_id, event.actor_id)
                        else actor_name,
                        "event_text": event.text,
                    }
                )
    return [
        {
            "number": idea.id,
            "title": idea.title,
            "stage": idea.stage,
            "workplace": idea.workplace,
            "language": idea.language,
            "submitted_at": _iso(idea.submitted_at),
            "stage_changed_at": _iso(idea.stage_changed_at),
            "idea_giver": None if idea.anonymous else giver_name,
            "anonymous": idea.anonymous,
            "assignee": assignee_name,
            "need": idea.need,
            "idea": idea.description,
            "benefit": idea.benefit,
            "first_test": idea.first_test,
            "involved": idea.involved,
            "participate": idea.participate,
            "satisfaction": idea.satisfaction,
            "satisfaction_comment": idea.satisfaction_comment,
            "history": history.get(idea.id, []),
        }
        for idea, giver_name, assignee_name in ideas
    ]


def _is_anonymous_giver(ideas: list[tuple], idea_id: int, actor_id: int | None) -> bool:
    for idea, _, _ in ideas:
        if idea.id == idea_id:
            return bool(idea.anonymous and actor_id == idea.person_id)
    return False


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def export_json(ideas: list[dict[str, Any]]) -> str:
    return json.dumps({"ideas": ideas}, ensure_ascii=False, indent=2) + "\n"


def export_csv(ideas: list[dict[str, Any]]) -> str:
    """One row per history event, the idea's columns repeated (an idea without history has
    one row). Cells that a spreadsheet would run as formulas are quoted with a '."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*IDEA_COLUMNS, *EVENT_COLUMNS])
    for idea in ideas:
        base = [_cell(idea[column]) for column in IDEA_COLUMNS]
        for event in idea["history"] or [dict.fromkeys(EVENT_COLUMNS)]:
            writer.writerow(base + [_cell(event[column]) for column in EVENT_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# ── outbox ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class OutboxRow:
    id: int
    status: str
    kind: str
    recipient: str
    idea_id: int | None
    attempts: int
    created_at: datetime
    last_error: str | None


async def outbox_rows(
    database: Database, *, failed_only: bool = False, limit: int = 50
) -> tuple[dict[str, int], list[OutboxRow]]:
    """Counts by status, and the newest rows that are not sent (or only the failed ones)."""
    from sqlalchemy import func

    async with database.transaction() as session:
        counts = dict(
            (
                await session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                )
            ).all()
        )
        statuses = ("failed",) if failed_only else ("pending", "failed")
        rows = await session.execute(
            select(OutboxMessage, Person.platform, Person.platform_user_id)
            .join(Person, Person.id == OutboxMessage.recipient_id)
            .where(OutboxMessage.status.in_(statuses))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
        listed = [
            OutboxRow(
                row.id,
                row.status,
                row.kind,
                f"{platform}:{user_id}",
                row.idea_id,
                row.attempts,
                row.created_at,
                row.last_error,
            )
            for row, platform, user_id in rows.tuples()
        ]
    return {s: counts.get(s, 0) for s in ("pending", "sent", "failed")}, listed


class RetryRefused(Exception):
    """The row cannot be retried; the message says why."""


async def retry_outbox(database: Database, row_id: int, *, now: datetime) -> str:
    """Put a failed row back in the queue: pending, due now, attempts from zero. The
    recipient is marked reachable again (they may have come back). Returns a description."""
    async with database.transaction() as session:
        row = await session.get(OutboxMessage, row_id, with_for_update=True)
        if row is None:
            raise RetryRefused(f"there is no outbox message {row_id}")
        if row.status != "failed":
            raise RetryRefused(
                f"outbox message {row_id} is {row.status}, not failed; only failed messages "
                "are retried (pending ones go out by themselves)"
            )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(
                status="pending", attempts=0, not_before=now, claimed_until=None, claim_token=None
            )
        )
        await session.execute(
            update(Person)
            .where(Person.id == row.recipient_id, Person.reachable.is_(False))
            .values(reachable=True, updated_at=now)
        )
        return f"outbox message {row_id} ({row.kind}) is queued again"


# ── doctor ───────────────────────────────────────────────────────────────────────────────


@dataclass
class Checkup:
    """What `idesluss doctor` found: lines that are fine, and problems in plain words."""

    ok: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def report(self) -> str:
        lines = [f"ok       {line}" for line in self.ok]
        lines += [f"PROBLEM  {line}" for line in self.problems]
        lines.append(
            "All checks passed."
            if self.healthy
            else f"{len(self.problems)} problem(s) found; fix them and run idesluss doctor again."
        )
        return "\n".join(lines)


async def doctor(environ: Mapping[str, str] | None = None) -> Checkup:
    """Check a configuration: settings, the process file, the database (reachable, at the
    newest migration), each configured platform (Slack: the token works)."""
    from bot.config import Settings
    from bot.platforms import configured_platforms, platform_classes
    from bot.ports import PlatformConfigError
    from bot.process import ProcessError, load_process

    env = os.environ if environ is None else environ
    checkup = Checkup()
    try:
        settings = Settings.from_env(env)
    except ValueError as exc:
        checkup.problems.append(f"settings: {exc}")
        settings = None

    if settings is not None:
        try:
            process = load_process(settings.process_path)
            where = settings.process_path or "the shipped default"
            checkup.ok.append(f"process file ({where}): {len(process.stages)} stages")
        except ProcessError as exc:
            checkup.problems.append(f"process file: {exc}")
        await _check_database(settings.database_url, checkup)

    classes = platform_classes()
    platforms, platform_problems = [], []
    for cls in classes:
        # One platform at a time: a half-configured one must not hide another's check.
        try:
            platforms += configured_platforms(env, [cls])
        except (PlatformConfigError, ValueError) as exc:
            platform_problems += [f"{cls.display_name}: {line}" for line in str(exc).splitlines()]
    checkup.problems.extend(platform_problems)
    if not platforms and not platform_problems:
        checkup.problems.append(
            f"no chat platform is configured: set {_settings_hints(classes)}; see DEPLOYMENT.md"
        )
    for platform in platforms:
        good, problems = await platform.doctor()
        checkup.ok.extend(good)
        checkup.problems.extend(problems)
    return checkup


def _settings_hints(classes: list[Any]) -> str:
    hints = [cls.settings_hint or cls.display_name for cls in classes]
    return " or ".join(hints) if hints else "a chat platform's settings"


async def _check_database(url: str, checkup: Checkup) -> None:
    try:
        database = Database(url)
    except DatabaseError as exc:
        checkup.problems.append(f"database: {exc}")
        return
    try:
        try:
            await database.check()
        except DatabaseError as exc:
            checkup.problems.append(f"database: {exc}")
            return
        current, head = await migration_state(database)
        if current == head:
            checkup.ok.append(f"database {database.safe_url}: reachable, migrated ({head})")
        elif not current:
            checkup.problems.append(
                f"database {database.safe_url} is reachable but empty: run idesluss db upgrade "
                "(idesluss serve also does it when it starts)"
            )
        else:
            checkup.problems.append(
                f"database {database.safe_url} is at migration {', '.join(current)}, the code "
                f"expects {', '.join(head)}: run idesluss db upgrade"
            )
    finally:
        await database.close()


async def migration_state(database: Database) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the revisions the database is at, the newest revisions the code knows)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from storage.database import alembic_config

    head = tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))
    async with database.engine.connect() as conn:
        current = await conn.run_sync(
            lambda sync: tuple(sorted(MigrationContext.configure(sync).get_current_heads()))
        )
    return current, head
