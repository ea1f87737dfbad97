"""Microsoft Teams, through botbuilder (`CloudAdapter`). Everything that knows botbuilder
lives in this folder, so moving to the Microsoft 365 Agents SDK stays a one-folder job.

This module is what the core loads to learn about Teams (`TeamsPlatform`, named in
pyproject.toml); it imports no botbuilder. `mount` brings it in, for a configured Teams
only, adds `POST /api/messages` and returns the `TeamsSender` for proactive messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from adapters.teams.config import (
    MULTI_TENANT,
    MULTI_TENANT_WARNING,
    TeamsConfig,
    TeamsConfigError,
    from_env,
)
from bot.ports import RECIPIENT, TENANT, Host, Platform, RateRule, Window

if TYPE_CHECKING:
    from adapters.teams.sender import TeamsSender

PLATFORM = "msteams"
ROUTE = "/api/messages"

__all__ = ["PLATFORM", "ROUTE", "TeamsConfig", "TeamsConfigError", "TeamsPlatform", "from_env"]


class TeamsPlatform(Platform):
    name = PLATFORM
    display_name = "Teams"
    routes = (ROUTE,)
    # Per bot per conversation: 7/1 s, 8/2 s, 60/30 s, 1800/h; per app per tenant ~30 RPS.
    rate_limits = (
        RateRule(
            RECIPIENT, (Window(7, 1.0), Window(8, 2.0), Window(60, 30.0), Window(1800, 3600.0))
        ),
        RateRule(TENANT, (Window(30, 1.0),)),
    )
    # `<at>Anna Andersson</at>` in the text, the id in its mention entity; the endpoint
    # writes it as `<@29:1abc…>` (adapters/teams/endpoint.py).
    mention_syntax = "<at>Anna Andersson</at>"
    # In personal chat through the file consent flow (adapters/teams/files.py).
    carries_files = True
    settings_hint = (
        "MICROSOFT_APP_ID, MICROSOFT_APP_TENANT_ID and MICROSOFT_APP_PASSWORD or "
        "MICROSOFT_APP_TYPE=UserAssignedMSI (Teams)"
    )

    def __init__(self, config: TeamsConfig) -> None:
        self.config = config

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> TeamsPlatform | None:
        config = from_env(environ)
        return None if config is None else cls(config)

    async def mount(self, host: Host) -> TeamsSender:
        """Add `POST /api/messages` and return the sender for proactive messages.
        botbuilder is imported here, so a server without Teams never loads it."""
        from adapters.teams.hosting import mount_teams

        return mount_teams(host, self.config)

    async def doctor(self) -> tuple[list[str], list[str]]:
        """`idesluss doctor`: the settings are whole (from_env checked them) and which
        identity the bot uses; a multi-tenant one is fine but flagged."""
        config = self.config
        good = [f"{self.display_name}: configured, credentials present"]
        if config.app_type == MULTI_TENANT:
            good.append(f"{self.display_name}: note: {MULTI_TENANT_WARNING}")
        elif config.managed_identity:
            good.append(
                f"{self.display_name}: user-assigned managed identity {config.app_id} in "
                f"tenant {config.tenant_id}"
            )
        else:
            good.append(f"{self.display_name}: SingleTenant, tenant {config.tenant_id}")
        return good, []
