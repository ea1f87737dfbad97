"""`vem är jag` / `whoami`: a person's own platform-qualified id and role, which is what an
admin puts in IDESLUSS_COORDINATORS or IDESLUSS_ADMINS to make them a coordinator or admin."""

from __future__ import annotations

from bot.commands.handlers import CommandContext
from bot.commands.registry import ADMIN, COORDINATOR, EVERYONE, CommandSet
from bot.commands.syntax import NoArgs, no_args
from conversations.command_views import IDEA_GIVER, WhoAmIView, whoami_reply
from conversations.reply import Reply

commands = CommandSet()


@commands.command(
    "whoami",
    sv=("vemärjag",),
    en=("whoami",),
    phrases=("vem är jag", "vem är jag?", "who am i", "who am i?"),
    role=EVERYONE,
    read=no_args("whoami"),
    help=((EVERYONE, "help.whoami"),),
    menu=("personal", "group"),
)
async def _whoami(ctx: CommandContext, _: NoArgs) -> list[Reply]:
    role = ADMIN if ctx.admin else COORDINATOR if ctx.coordinator else IDEA_GIVER
    view = WhoAmIView(ctx.person.qualified_id, role, email=ctx.person.email)
    return [whoami_reply(ctx.lang, view)]
