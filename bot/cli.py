"""The `idesluss` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import sys
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.logs import configure_logging
from bot.ports import DEFAULT_HOST, DEFAULT_PORT
from conversations.i18n import LANGUAGES, tr

# Each command imports what it needs when it runs: `--help` and `chat` start without the
# server stack (aiohttp, Prometheus, the platforms' SDKs), and `--help` without SQLAlchemy
# (tests/ops/test_startup.py keeps it so; bench/startup.py measures it).
if TYPE_CHECKING:
    from bot.config import Settings
    from bot.mail import MailSettings
    from bot.ports import MailSender
    from storage.database import Database

EXIT_UNEXPECTED = 1
EXIT_CONFIG = 2
EXIT_DATABASE = 3
MAX_USER_LENGTH = 64


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="idesluss",
        description="Idésluss – a chat bot for a municipality's employee idea process.",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--user", help="who you are in the chat (default: your login name)")
    chat.add_argument("--lang", help="language: sv (svenska, default) or en (English)")

    remind = commands.add_parser(
        "remind", help="run one reminder sweep: queue every reminder that is due"
    )
    remind.add_argument(
        "--now",
        help="pretend it is this moment, ISO 8601 (e.g. 2026-06-26T10:00; Swedish time "
        "unless an offset is given)",
    )
    remind.add_argument(
        "--dry-run", action="store_true", help="only print what would be sent; change nothing"
    )
    serve = commands.add_parser(
        "serve",
        help=f"run the server for {_platform_names()} (configured by environment variables)",
    )
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})"
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to listen on ({DEFAULT_PORT})"
    )

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply pending migrations")

    commands.add_parser(
        "doctor",
        help="check the configuration: database, migrations, platforms, process file",
    )
    export = commands.add_parser(
        "export", help="ideas and their history since a date, for the municipality's records"
    )
    export.add_argument(
        "--since", required=True, help="from this date (2026-01-01, Swedish time) or moment"
    )
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="csv (default)")
    export.add_argument("--out", help="write to this file (default: standard output)")
    report = commands.add_parser(
        "report",
        help="the steering group's report for a period: charts and tables, no personal data",
    )
    report.add_argument(
        "--from", dest="first", required=True, help="first day, e.g. 2026-01-01 (Swedish time)"
    )
    report.add_argument("--to", dest="last", required=True, help="last day, included")
    report.add_argument("--format", choices=("html", "pdf"), default="html", help="html (default)")
    report.add_argument("--lang", choices=LANGUAGES, default="sv", help="sv (default) or en")
    report.add_argument(
        "--out", help="write to this file (default: idesluss-rapport-FROM--TO.html here)"
    )
    outbox = commands.add_parser(
        "outbox", help="messages waiting to go out or failed; put a failed one back in the queue"
    )
    outbox.add_argument("--failed", action="store_true", help="list only failed messages")
    outbox.add_argument("--retry", type=int, metavar="ID", help="queue failed message ID again")
    organisation = commands.add_parser(
        "organisation", help="the organisation file: place the workplaces written before it"
    )
    organisation_commands = organisation.add_subparsers(
        dest="organisation_command", required=True, metavar="ACTION"
    )
    match = organisation_commands.add_parser(
        "match",
        help="which stored workplaces the organisation file surely knows (a preview); "
        "--apply stores their administration and unit",
    )
    match.add_argument("--apply", action="store_true", help="store what was matched")
    add_teams_package_command(commands)
    return parser


def _platform_names() -> str:
    """ "Slack and Teams": every platform found (bot/platforms.py), without their SDKs."""
    from bot.platforms import platform_classes

    names = [cls.display_name for cls in platform_classes()] or ["the chat platforms"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def add_teams_package_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    package = commands.add_parser(
        "teams-package", help="write the Microsoft Teams app package (zip) to upload"
    )
    package.add_argument("--app-id", required=True, help="the bot's Microsoft App ID (a GUID)")
    package.add_argument(
        "--out", default="idesluss-teams.zip", help="where to write it (default: %(default)s)"
    )
    package.add_argument(
        "--website-url",
        help="https address of a page about the bot; privacy and terms pages are below it",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(
        logging.DEBUG if args.verbose else logging.WARNING,
        os.environ.get("IDESLUSS_LOG_FORMAT"),
    )
    for stream in (sys.stdout, sys.stderr):
        # A terminal that cannot show an emoji gets a "?" rather than a crash.
        # (TextIO has no reconfigure; the real streams, TextIOWrappers, do.)
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError):
                stream.reconfigure(errors="replace")
    try:
        if args.command == "chat":
            return asyncio.run(_chat(args))
        if args.command == "remind":
            return asyncio.run(_remind(args))
        if args.command == "serve":
            return asyncio.run(_serve(args))
        if args.command == "db":
            return asyncio.run(_db_upgrade())
        if args.command == "doctor":
            return asyncio.run(_doctor())
        if args.command == "export":
            return _export(args)
        if args.command == "report":
            return asyncio.run(_report(args))
        if args.command == "outbox":
            return asyncio.run(_outbox(args))
        if args.command == "teams-package":
            return _teams_package(args)
        if args.command == "organisation":
            return asyncio.run(_organisation_match(args))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`idesluss chat | head`)
        # Point stdout at /dev/null so the flush at exit does not complain again.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        # Last resort: one plain line, the details only with --verbose.
        logging.getLogger("idesluss").debug("unexpected failure", exc_info=True)
        return fail(
            f"something went wrong ({type(exc).__name__}); run with --verbose for details.",
            EXIT_UNEXPECTED,
        )
    return EXIT_CONFIG  # pragma: no cover - argparse requires a command


def fail(message: str, code: int) -> int:
    print(f"idesluss: {message}", file=sys.stderr)
    return code


async def _open_database(settings: Settings) -> Database:
    from storage.database import Database

    database = Database(settings.database_url)
    try:
        await database.upgrade()
    except BaseException:
        await database.close()
        raise
    return database


def _both(key: str, **values: Any) -> str:
    """A message for someone who may not have chosen a language yet: Swedish, then English."""
    return " ".join(tr(lang, key, **values) for lang in LANGUAGES)


async def _chat(args: argparse.Namespace) -> int:
    from adapters.console import ConsoleChat, default_user
    from bot.app import IdeaBot
    from bot.config import Settings
    from bot.delivery import deliver_pending_for
    from bot.process import ProcessError, load_process
    from storage.database import DatabaseError

    language = args.lang.strip().lower() if args.lang else None
    if language is not None and language not in LANGUAGES:
        return fail(
            _both("cli.unknown_language", lang=repr(args.lang)),
            EXIT_CONFIG,
        )
    user = (args.user or default_user()).strip()
    if (
        not user
        or len(user) > MAX_USER_LENGTH
        or not user.isprintable()
        or any(ch.isspace() or ch == ":" for ch in user)
    ):
        return fail(
            _both("cli.bad_user", most=MAX_USER_LENGTH),
            EXIT_CONFIG,
        )
    settings = Settings.from_env()
    try:
        process = load_process(settings.process_path)
    except ProcessError as exc:
        return fail(str(exc), EXIT_CONFIG)
    try:
        database = await _open_database(settings)
    except DatabaseError as exc:
        return fail(str(exc), EXIT_DATABASE)
    try:
        # Piped bytes that are not UTF-8 become "�" instead of ending the chat.
        if not sys.stdin.isatty() and isinstance(sys.stdin, io.TextIOWrapper):
            with contextlib.suppress(ValueError):
                sys.stdin.reconfigure(errors="replace")
        bot = IdeaBot(database, settings=settings, process=process)

        async def deliver(chat: ConsoleChat) -> int:
            return await deliver_pending_for(database, chat.qualified_id, chat, bot.clock)

        await ConsoleChat(bot.handle, user=user, language=language, deliver=deliver).run()
    finally:
        await database.close()
    return 0


def parse_moment(raw: str) -> datetime:
    """An ISO 8601 moment; without an offset it is Swedish local time."""
    from bot.calendar import STOCKHOLM

    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(
            f"--now {raw!r} is not a date and time; write it like 2026-06-26T10:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    return moment


async def _remind(args: argparse.Namespace) -> int:
    from bot.calendar import STOCKHOLM
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.reminders import sweep
    from storage.database import DatabaseError

    try:
        now = parse_moment(args.now) if args.now else SystemClock().now()
        settings = Settings.from_env()
    except ValueError as exc:
        return fail(str(exc), EXIT_CONFIG)
    try:
        database = await _open_database(settings)
    except DatabaseError as exc:
        return fail(str(exc), EXIT_DATABASE)
    try:
        report = await sweep(database, now, settings=settings, dry_run=args.dry_run)
    finally:
        await database.close()
    zone = STOCKHOLM
    verb = "would send" if args.dry_run else "queued"
    print(
        f"Reminder sweep at {now.astimezone(zone):%Y-%m-%d %H:%M} (Swedish time): "
        f"{len(report.messages)} message(s) {verb}; "
        f"{report.news} piece(s) of news kept for coordinators' digests."
    )
    for message in report.messages:
        idea = (
            f"idea {message.idea_id}"
            if message.idea_id
            else "digest"
            if message.kind == "digest"
            else "dialogue"
        )
        print(
            f"- {message.kind} to {message.recipient} ({idea}), "
            f"from {message.not_before.astimezone(zone):%Y-%m-%d %H:%M}: {message.text}"
        )
    return 0


async def _serve(args: argparse.Namespace) -> int:
    import os

    from bot.app import IdeaBot
    from bot.config import Settings
    from bot.mail import MailConfigError
    from bot.observability import MetricsAccess, MetricsConfigError
    from bot.operations import coordinator_problem
    from bot.platforms import configured_platforms, platform_classes
    from bot.ports import PlatformConfigError
    from bot.server import ServerConfigError, ServerLimits, build_app, serve
    from storage.database import DatabaseError

    if not 0 < args.port < 65536:
        return fail(f"--port must be between 1 and 65535, not {args.port}", EXIT_CONFIG)
    try:
        limits = ServerLimits.from_env(os.environ)
        metrics = MetricsAccess.from_env(os.environ)
    except (ServerConfigError, MetricsConfigError) as exc:
        return fail(str(exc), EXIT_CONFIG)
    if metrics.port == args.port:
        return fail(
            f"IDESLUSS_METRICS_PORT ({metrics.port}) is the server's own port; pick another.",
            EXIT_CONFIG,
        )
    if not args.verbose:
        logging.getLogger().setLevel(logging.INFO)
    settings = Settings.from_env()
    try:
        platforms = configured_platforms(os.environ)
        mail = _mail_sender(os.environ)
    except (PlatformConfigError, MailConfigError) as exc:
        return fail(str(exc), EXIT_CONFIG)
    if not platforms:
        hints = " or ".join(cls.settings_hint or cls.display_name for cls in platform_classes())
        logging.getLogger("idesluss").warning(
            "no chat platform is configured (set %s; see README); serving /healthz only",
            hints or "a platform's settings",
        )
    try:
        database = await _open_database(settings)
    except DatabaseError as exc:
        return fail(str(exc), EXIT_DATABASE)
    try:
        if (problem := await coordinator_problem(database, settings)) is not None:
            logging.getLogger("idesluss").warning("%s", problem)
        app = await build_app(IdeaBot(database, settings=settings), platforms, mail=mail)
        await serve(app, args.host, args.port, limits=limits, metrics=metrics)
    except (PlatformConfigError, MetricsConfigError) as exc:
        await database.close()
        return fail(str(exc), EXIT_CONFIG)
    except OSError as exc:
        await database.close()
        return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", EXIT_CONFIG)
    return 0


def _mail_sender(environ: Mapping[str, str]) -> MailSender | None:
    """The e-mail sender for those the chat cannot reach, or None when mail is not set up
    (bot/mail.py). Raises MailConfigError for settings that cannot be used."""
    from adapters.email.sender import SmtpSender
    from bot.mail import MailSettings

    mail = MailSettings.from_env(environ)
    return SmtpSender(mail) if mail is not None else None


async def _db_upgrade() -> int:
    from bot.config import Settings
    from storage.database import DatabaseError

    settings = Settings.from_env()
    try:
        database = await _open_database(settings)
    except DatabaseError as exc:
        return fail(str(exc), EXIT_DATABASE)
    print(f"The database at {database.safe_url} is up to date.")
    await database.close()
    return 0


def _teams_package(args: argparse.Namespace) -> int:
    from pathlib import Path

    from adapters.teams.package import PackageError, build_package

    try:
        out = build_package(args.app_id, Path(args.out), website_url=args.website_url)
    except PackageError as exc:
        return fail(str(exc), EXIT_CONFIG)
    except OSError as exc:
        return fail(f"could not write {args.out}: {exc.strerror or exc}", EXIT_CONFIG)
    print(f"Wrote {out}. Upload it in Teams: Apps → Manage your apps → Upload an app.")
    return 0


async def _doctor() -> int:
    from bot.operations import doctor

    checkup = await doctor(mail_check=_check_mail)
    print(checkup.report())
    return 0 if checkup.healthy else 1


async def _check_mail(mail: MailSettings) -> tuple[list[str], list[str]]:
    from adapters.email.sender import SmtpSender

    return await SmtpSender(mail).check()


def _export(args: argparse.Namespace) -> int:
    from bot.config import Settings
    from bot.operations import export_csv, export_ideas, export_json, parse_since
    from storage.database import DatabaseError

    try:
        since = parse_since(args.since)
        settings = Settings.from_env()
    except ValueError as exc:
        return fail(str(exc), EXIT_CONFIG)

    async def read() -> list[dict[str, Any]]:
        database = await _open_database(settings)
        try:
            return await export_ideas(database, since)
        finally:
            await database.close()

    try:
        ideas = asyncio.run(read())
    except DatabaseError as exc:
        return fail(str(exc), EXIT_DATABASE)
    text = export_json(ideas) if args.format == "json" else export_csv(ideas)
    if args.out:
        # UTF-8 with a byte-order mark for CSV, so that Excel shows å, ä and ö right.
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        try:
            with open(args.out, "w", encoding=encoding, newline="") as out:
                out.write(text)
        except OSError as exc:
            return fail(f"cannot write {args.out}: {exc.strerror or exc}", EXIT_CONFIG)
        print(f"{len(ideas)} idea(s) written to {args.out}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


async def _organisation_match(args: argparse.Namespace) -> int:
    from bot.config import Settings
    from bot.organisation import OrganisationError, load_organisation, match_existing
    from storage.database import DatabaseError

    settings = Settings.from_env()
    try:
        organisation = load_organisation(settings.organisation_path)
    except OrganisationError as exc:
        return fail(str(exc), EXIT_CONFIG)
    try:
        database = await _open_database(settings)
    except DatabaseError as exc:
        return fail(str(exc), EXIT_DATABASE)
    try:
        report = await match_existing(database, organisation, apply=args.apply)
    finally:
        await database.close()
    verb = "placed" if report.applied else "would be placed"
    print(f"{len(report.matched)} workplace(s) {verb}, {len(report.unmatched)} not matched.")
    for workplace, place, ideas, people in report.matched:
        print(f"  {workplace!r} → {place.label}: {ideas} idea(s), {people} person(s)")
    if report.unmatched:
        print("Not matched (add an alias to the organisation file, then run this again):")
    for workplace, ideas, people in report.unmatched:
        print(f"  {workplace!r}: {ideas} idea(s), {people} person(s)")
    if report.matched and not report.applied:
        print("Nothing is stored yet: run again with --apply.")
    return 0


async def _report(args: argparse.Namespace) -> int:
    """The report holds no personal data (bot/report/__init__.py), so unlike an export it
    may be written where the command runs. matplotlib is imported only from here on."""
    from pathlib import Path

    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.process import ProcessError, load_process
    from bot.report import ReportPeriod, report_file_name, report_for
    from storage.database import DatabaseError

    try:
        first, last = (
            _report_day(args.first, "--from"),
            _report_day(args.last, "--to"),
        )
        period = ReportPeriod(first, last)
        settings = Settings.from_env()
        process = load_process(settings.process_path)
        calendar = settings.calendar()
    except (ValueError, ProcessError) as exc:
        return fail(str(exc), EXIT_CONFIG)
    out = Path(args.out or report_file_name(period, args.format, args.lang))
    try:
        database = await _open_database(settings)
    except DatabaseError as exc:
        return fail(str(exc), EXIT_DATABASE)
    try:
        data = await report_for(
            database, period, args.lang, now=SystemClock().now(), fmt=args.format,
            process=process, calendar=calendar,
        )  # fmt: skip
    finally:
        await database.close()
    try:
        await asyncio.to_thread(out.write_bytes, data)
    except OSError as exc:
        return fail(f"cannot write {out}: {exc.strerror or exc}", EXIT_CONFIG)
    print(f"The report for {first} – {last} is in {out}.", file=sys.stderr)
    return 0


def _report_day(raw: str, option: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"{option} {raw!r} is not a date; write it like 2026-01-01") from None


async def _outbox(args: argparse.Namespace) -> int:
    from bot.calendar import STOCKHOLM
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.operations import RetryRefused, outbox_rows, retry_outbox
    from storage.database import DatabaseError

    settings = Settings.from_env()
    try:
        database = await _open_database(settings)
    except DatabaseError as exc:
        return fail(str(exc), EXIT_DATABASE)
    try:
        if args.retry is not None:
            try:
                print(await retry_outbox(database, args.retry, now=SystemClock().now()))
            except RetryRefused as exc:
                return fail(str(exc), 1)
            return 0
        counts, rows = await outbox_rows(database, failed_only=args.failed)
    finally:
        await database.close()
    print(
        f"Outbox: {counts['pending']} pending, {counts['sent']} sent, {counts['failed']} failed, "
        f"{counts['withdrawn']} withdrawn."
    )
    zone = STOCKHOLM
    for row in rows:
        idea = f"idea {row.idea_id}" if row.idea_id else "-"
        line = (
            f"#{row.id} {row.status} {row.kind} to {row.recipient} ({idea}), "
            f"{row.attempts} attempt(s), created {row.created_at.astimezone(zone):%Y-%m-%d %H:%M}"
        )
        if row.last_error:
            line += f": {row.last_error}"
        print(line)
    return 0


if __name__ == "__main__":  # pragma: no cover - after every function it calls is defined
    sys.exit(main())
