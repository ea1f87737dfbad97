"""Operations commands for the people who run the server: `idesluss export`, `idesluss outbox`
and `idesluss doctor`. Each is a plain async function over a Database (and the environment,
for doctor) returning what to print, so tests call them directly."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from bot.calendar import STOCKHOLM
from bot.export import collect, export_csv, export_json
from bot.mail import MailConfigError, MailSettings
from storage.database import DATABASE_ERRORS, Database, DatabaseError
from storage.outbox import get_message, newest_unsent, outbox_counts, queue_again
from storage.people import reachable_again

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = [
    "Checkup",
    "OutboxRow",
    "RetryRefused",
    "doctor",
    "export_csv",
    "export_ideas",
    "export_json",
    "migration_state",
    "outbox_rows",
    "parse_since",
    "retry_outbox",
]

# ── export (the writer is bot/export.py, shared with the chat's `export`) ────────────────


def parse_since(raw: str) -> datetime:
    """`2026-01-01` (midnight, Swedish time) or an ISO 8601 moment."""
    text = raw.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=STOCKHOLM)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {raw!r} is not a date; write it like 2026-01-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=STOCKHOLM)


async def export_ideas(database: Database, since: datetime) -> list[dict[str, Any]]:
    """Every idea submitted or changed since `since`, with its whole history (oldest first).
    An anonymous idea's giver is not named."""
    async with database.transaction() as session:
        return await collect(session, since=since)


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
    async with database.transaction() as session:
        counts = await outbox_counts(session)
        statuses = ("failed",) if failed_only else ("pending", "failed")
        listed = [
            OutboxRow(
                row.id,
                row.status,
                row.kind,
                recipient,
                row.idea_id,
                row.attempts,
                row.created_at,
                row.last_error,
            )
            for row, recipient in await newest_unsent(session, statuses, limit=limit)
        ]
    return counts, listed


class RetryRefused(Exception):
    """The row cannot be retried; the message says why."""


async def retry_outbox(database: Database, row_id: int, *, now: datetime) -> str:
    """Put a failed row back in the queue: pending, due now, attempts from zero. The
    recipient is marked reachable again (they may have come back). Returns a description."""
    async with database.transaction() as session:
        row = await get_message(session, row_id, lock=True)
        if row is None:
            raise RetryRefused(f"there is no outbox message {row_id}")
        if row.status != "failed":
            raise RetryRefused(
                f"outbox message {row_id} is {row.status}, not failed; only failed messages "
                "are retried (pending ones go out by themselves)"
            )
        await queue_again(session, row_id, now=now)
        await reachable_again(session, row.recipient_id, now=now)
        return f"outbox message {row_id} ({row.kind}) is queued again"


# ── doctor ───────────────────────────────────────────────────────────────────────────────


@dataclass
class Checkup:
    """What `idesluss doctor` found: lines that are fine, and problems in plain words."""

    ok: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Worth knowing, not wrong (a coordinator named by e-mail who has not written yet).
    warnings: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def report(self) -> str:
        lines = [f"ok       {line}" for line in self.ok]
        lines += [f"WARNING  {line}" for line in self.warnings]
        lines += [f"PROBLEM  {line}" for line in self.problems]
        lines.append(
            "All checks passed."
            if self.healthy
            else f"{len(self.problems)} problem(s) found; fix them and run idesluss doctor again."
        )
        return "\n".join(lines)


async def doctor(
    environ: Mapping[str, str] | None = None,
    *,
    mail_check: Callable[[MailSettings], Awaitable[tuple[list[str], list[str]]]] | None = None,
) -> Checkup:
    """Check a configuration: settings, the process file, the database (reachable, at the
    newest migration), each configured platform (Slack: the token works), and e-mail when
    it is set up (`mail_check`, from the composition root: connect, EHLO, STARTTLS, log in)."""
    from bot.config import Settings
    from bot.organisation import OrganisationError, load_organisation
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
        try:
            organisation = load_organisation(settings.organisation_path)
            where = settings.organisation_path or "the shipped example"
            checkup.ok.append(
                f"organisation file ({where}): {len(organisation.administrations)} "
                f"administrations, {len(organisation.places)} places"
            )
        except OrganisationError as exc:
            checkup.problems.append(f"organisation file: {exc}")
        await _check_database(settings, checkup)

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
    if settings is not None and not any(p.startswith("database") for p in checkup.problems):
        await _check_people_named_by_email(settings, platforms, checkup)
    await _check_mail(env, checkup, mail_check)
    return checkup


async def _check_people_named_by_email(
    settings: Any, platforms: list[Any], checkup: Checkup
) -> None:
    """The people IDESLUSS_COORDINATORS, IDESLUSS_ADMINS and the coordinators table name by
    e-mail address: each is known once a chat platform gave that address (they wrote to the
    bot) or found it (Slack's users.lookupByEmail, asked now; what it finds is kept). The
    others are warnings, with a row kept for their news; a problem only when every
    coordinator is such an address, so nobody at all can be reached yet."""
    from bot.people import record_found
    from bot.roles import all_coordinators, named_emails, split_entries
    from storage.people import emails_without_chat_person, ensure_email_people

    try:
        database = Database(settings.database_url)
    except DatabaseError:
        return  # reported by the database check
    try:
        now = datetime.now(UTC)
        async with database.transaction() as session:
            emails = await named_emails(session, settings)
            missing = await emails_without_chat_person(session, emails)
            coordinator_ids, coordinator_emails = split_entries(
                await all_coordinators(session, settings)
            )
        if not emails:
            return
        for platform in platforms:
            if not missing:
                break
            answer = await platform.find_by_email(missing)
            if answer.problem:
                checkup.warnings.append(answer.problem)
            async with database.transaction() as session:
                for address, who in answer.found.items():
                    await record_found(
                        session, platform.name, who.user_id, address,
                        now=now, address=who.address, display_name=who.name,
                    )  # fmt: skip
                    checkup.ok.append(f"{address}: found in {platform.display_name}")
            missing = [a for a in missing if a not in answer.found]
        async with database.transaction() as session:
            await ensure_email_people(session, missing, now=now)
        seen = len(emails) - len(missing)
        checkup.ok.append(f"people named by e-mail: {seen} of {len(emails)} known to the bot")
        for address in missing:
            checkup.warnings.append(
                f"{address}: not seen yet – they have to write to the bot once in Teams, or be "
                "found in Slack; their news is kept until then"
            )
        if not coordinator_ids and coordinator_emails and coordinator_emails <= set(missing):
            checkup.problems.append(
                "no coordinator can be reached yet: everyone in IDESLUSS_COORDINATORS is named by "
                "an e-mail address nobody has written from; ask one of them to write to the bot"
            )
    except DATABASE_ERRORS:
        return  # reported by the database check
    finally:
        await database.close()


async def _check_mail(
    env: Mapping[str, str],
    checkup: Checkup,
    mail_check: Callable[[MailSettings], Awaitable[tuple[list[str], list[str]]]] | None,
) -> None:
    try:
        mail = MailSettings.from_env(env)
    except MailConfigError as exc:
        checkup.problems.append(f"e-mail: {exc}")
        return
    if mail is None:
        checkup.ok.append(
            "e-mail: off (set IDESLUSS_SMTP_HOST to mail those the chat cannot reach)"
        )
        return
    if mail_check is None:
        checkup.ok.append(f"e-mail: {mail.host}:{mail.port} configured ({mail.security})")
        return
    good, problems = await mail_check(mail)
    checkup.ok.extend(good)
    checkup.problems.extend(problems)


def _settings_hints(classes: list[Any]) -> str:
    hints = [cls.settings_hint or cls.display_name for cls in classes]
    return " or ".join(hints) if hints else "a chat platform's settings"


NO_COORDINATOR = (
    "no coordinator: new ideas are kept, but no coordinator hears of them (only the admins "
    "in IDESLUSS_ADMINS, if any). Set IDESLUSS_COORDINATORS=slack:U024BE7LH,… (see README), "
    "or let an admin write `coordinator add @name` in the chat"
)


async def coordinator_problem(database: Database, settings: Settings) -> str | None:
    """NO_COORDINATOR when nobody is a coordinator (neither IDESLUSS_COORDINATORS nor the
    coordinators table), else None."""
    if settings.coordinators:
        return None
    from bot.roles import all_coordinators

    async with database.transaction() as session:
        return None if await all_coordinators(session, settings) else NO_COORDINATOR


async def _check_database(settings: Settings, checkup: Checkup) -> None:
    try:
        database = Database(settings.database_url)
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
            problem = await coordinator_problem(database, settings)
            if problem is None:
                checkup.ok.append("coordinators: at least one")
            else:
                checkup.problems.append(problem)
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
