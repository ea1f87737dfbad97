"""`svara N …` / `reply N …`: an idea giver writes to whoever has their idea; `skriv N …` /
`message N …`: a coordinator writes to the idea giver without moving the idea. What they
do is in bot/relay.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot import relay
from bot.commands.buttons import Button
from bot.commands.handlers import CommandContext
from bot.commands.registry import COORDINATOR, EVERYONE, CommandSet
from bot.commands.syntax import MAX_COMMAND_TEXT, ParseError, with_number
from bot.process import Process
from conversations.reply import Reply
from conversations.views.common import (
    IdeaNotFound,
    NotACommand,
    not_a_command_reply,
    not_found_reply,
)
from storage.ideas import get_idea

commands = CommandSet()


@dataclass(frozen=True)
class WriteArgs:
    idea: int
    text: str | None = None  # None: from the answer button, so ask for the words


def _read_text(name: str, missing: str) -> Callable[[int, str, Process], WriteArgs | ParseError]:
    def read(number: int, rest: str, _: Process) -> WriteArgs | ParseError:
        if not rest:
            return ParseError(missing, {"number": str(number)}, name)
        return WriteArgs(number, rest)

    return read


def _write_button(fields: tuple[str, ...]) -> WriteArgs | None:
    (number,) = fields
    return WriteArgs(int(number)) if number.isdigit() else None


# "Svara Anna" under the idea giver's words (bot/relay.py): the next message goes to them.
WRITE_BUTTON = Button(("cmd", "message"), 1, _write_button)


@commands.command(
    "reply",
    sv=("svara",),
    en=("reply",),
    role=EVERYONE,
    read=with_number("reply", _read_text("reply", "relay.needs_reply")),
    help=((EVERYONE, "help.reply"),),
)
async def _reply(ctx: CommandContext, args: WriteArgs) -> list[Reply]:
    idea = await get_idea(ctx.session, args.idea, lock=True)
    if idea is None or idea.person_id != ctx.person.id or not args.text:
        # As `visa`: an idea giver learns nothing about other people's ideas.
        return [not_found_reply(ctx.lang, IdeaNotFound(args.idea, yours=True))]
    return [await relay.giver_writes(ctx, idea, args.text)]


@commands.command(
    "message",
    sv=("skriv",),
    en=("message",),
    role=COORDINATOR,
    read=with_number("message", _read_text("message", "relay.needs_message")),
    help=((COORDINATOR, "help.message"),),
    buttons=(WRITE_BUTTON,),
)
async def _message(ctx: CommandContext, args: WriteArgs) -> list[Reply]:
    idea = await get_idea(ctx.session, args.idea, lock=True)
    if idea is None:
        return [not_found_reply(ctx.lang, IdeaNotFound(args.idea))]
    if args.text is None:
        return [await relay.ask_to_write(ctx, idea)]
    text = args.text.strip()
    if not text or len(text) > MAX_COMMAND_TEXT:
        # (A typed message was checked by the parser; this is the answer button's.)
        key = "relay.needs_message" if not text else "parse.too_long"
        values = {"number": str(idea.id), "max": str(MAX_COMMAND_TEXT)}
        return [not_a_command_reply(ctx.lang, NotACommand(key, values, "message"))]
    return [await relay.coordinator_writes(ctx, idea, text)]
