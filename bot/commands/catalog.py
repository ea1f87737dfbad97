"""Every command the bot understands, put together from the modules that declare them, in the
order help and Teams' command menu show them. A new command is declared next to its handler
(bot/commands/registry.py says how); a new module of commands is one more line here."""

from __future__ import annotations

from bot.commands import away, day, handlers, privacy, relay, whoami
from bot.commands.buttons import Codec
from bot.commands.registry import Registry
from bot.questions import QUESTION_BUTTON
from bot.satisfaction import SCORE_BUTTON
from conversations.i18n import tr

COMMANDS = Registry(
    [
        *handlers.commands.specs,
        *away.commands.specs,
        *relay.commands.specs,
        *day.commands.specs,
        *privacy.commands.specs,
        *whoami.commands.specs,
    ],
    tr,
)
# Every button value of ours: the commands' buttons, the satisfaction question's, then the
# open questions' (bot/questions.py).
BUTTONS = Codec([*COMMANDS.codec.buttons, SCORE_BUTTON, QUESTION_BUTTON])
