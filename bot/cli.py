"""The `idesluss` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import Settings
from conversations.texts import LANGUAGES
from storage.database import Database, DatabaseError

EXIT_CONFIG = 2
EXIT_DATABASE = 3


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

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply pending migrations")
    add_teams_package_command(commands)
    return parser


def add_teams_package_command(commands: argparse._SubParsersAction) -> None:
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
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    try:
        if args.command == "chat":
            return asyncio.run(_chat(args))
        if args.command == "db":
            return asyncio.run(_db_upgrade())
        if args.command == "teams-package":
            return _teams_package(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    return EXIT_CONFIG  # pragma: no cover - argparse requires a command


def fail(message: str, code: int) -> int:
    print(f"idesluss: {message}", file=sys.stderr)
    return code


async def _open_database(settings: Settings) -> Database:
    database = Database(settings.database_url)
    try:
        await database.upgrade()
    except BaseException:
        await database.close()
        raise
    return database


async def _chat(args: argparse.Namespace) -> int:
    from adapters.console import ConsoleChat, default_user
    from bot.app import IdeaBot

    language = args.lang.strip().lower() if args.lang else None
    if language is not None and language not in LANGUAGES:
        return fail(
            f"okänt språk {args.lang!r} – välj sv (svenska) eller en (English). "
            f"Unknown language {args.lang!r} – choose sv (Swedish) or en (English).",
            EXIT_CONFIG,
        )
    user = (args.user or default_user()).strip()
    if not user or any(ch.isspace() or ch == ":" for ch in user):
        return fail("--user must be one word without spaces or ':' (e.g. --user anna)", EXIT_CONFIG)
    settings = Settings.from_env()
    try:
        database = await _open_database(settings)
    except DatabaseError as exc:
        return fail(str(exc), EXIT_DATABASE)
    try:
        if not sys.stdin.isatty():
            sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
        bot = IdeaBot(database, settings=settings)
        await ConsoleChat(bot.handle, user=user, language=language).run()
    finally:
        await database.close()
    return 0


async def _db_upgrade() -> int:
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
