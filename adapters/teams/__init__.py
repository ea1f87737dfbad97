"""Microsoft Teams, through botbuilder (`CloudAdapter`). Everything that knows botbuilder
lives in this folder, so moving to the Microsoft 365 Agents SDK stays a one-folder job.

The server registry uses two names: `from_env(environ)` (None when Teams is not configured;
`TeamsConfigError` for half a configuration) and `mount(app, bot, config)`, which adds
`POST /api/messages` and returns the `TeamsSender` for proactive messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.teams.config import TeamsConfig, TeamsConfigError, from_env

if TYPE_CHECKING:
    from aiohttp import web

    from adapters.teams.sender import TeamsSender

PLATFORM = "msteams"

__all__ = ["PLATFORM", "TeamsConfig", "TeamsConfigError", "from_env", "mount"]


async def mount(app: web.Application, bot: Any, config: TeamsConfig) -> TeamsSender:
    """Add `POST /api/messages` for `bot` and return the sender for proactive messages.
    botbuilder is imported here, so a server without Teams never loads it."""
    from adapters.teams.hosting import mount_teams

    return mount_teams(app, bot, config)
