"""Teams settings, read from environment variables (documented in README.md).

The Azure portal and the Bot Framework samples name them `MicrosoftAppId` and
`MicrosoftAppPassword`; both spellings work. Without an app id the endpoint is not mounted,
unless `IDESLUSS_TEAMS_INSECURE_LOCAL=1` asks for a local, unauthenticated endpoint (as the
Bot Framework Emulator uses).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.ports import PlatformConfigError

PUBLIC_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
PUBLIC_LOGIN_URL = "https://login.microsoftonline.com/"
PUBLIC_TOKEN_ISSUER = "https://api.botframework.com"
DEFAULT_CHANNEL_TENANT = "botframework.com"
APP_TYPES = {"multitenant": "MultiTenant", "singletenant": "SingleTenant"}
_TENANT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class TeamsConfigError(PlatformConfigError, ValueError):
    """A Teams setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str  # empty only in insecure local mode
    app_password: str = field(default="", repr=False)
    app_type: str = "MultiTenant"
    tenant_id: str | None = None
    insecure_local: bool = False
    # Where inbound tokens' signing keys are published, and where outbound tokens come
    # from. The public Azure cloud by default; settable for other clouds and for tests.
    openid_metadata_url: str = PUBLIC_OPENID_METADATA_URL
    login_url: str = PUBLIC_LOGIN_URL
    token_issuer: str = PUBLIC_TOKEN_ISSUER
    # MICROSOFT_ALLOWED_TENANTS, lower-case; None: the default (see tenant_allow_list).
    allowed_tenants: frozenset[str] | None = None

    @property
    def tenant_allow_list(self) -> frozenset[str] | None:
        """The tenants whose activities are accepted; None accepts any tenant. Without
        MICROSOFT_ALLOWED_TENANTS: a single-tenant bot's own tenant, else any."""
        if self.allowed_tenants is not None:
            return self.allowed_tenants
        if self.app_type == "SingleTenant" and self.tenant_id:
            return frozenset({self.tenant_id.lower()})
        return None

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    @property
    def authority(self) -> str:
        """The Entra ID authority that issues the bot's outbound tokens."""
        tenant = self.tenant_id if self.app_type == "SingleTenant" else DEFAULT_CHANNEL_TENANT
        return self.login_url.rstrip("/") + "/" + (tenant or DEFAULT_CHANNEL_TENANT)


def _first(env: Mapping[str, str], *names: str) -> str:
    for name in names:
        value = (env.get(name) or "").strip()
        if value:
            return value
    return ""


def _allowed_tenants(raw: str) -> frozenset[str] | None:
    if not raw:
        return None
    tenants = [item.strip().lower() for item in raw.split(",") if item.strip()]
    if not tenants:
        raise TeamsConfigError(
            "MICROSOFT_ALLOWED_TENANTS names no tenant: give the directory (tenant) ids "
            "allowed to use the bot, separated by commas, or leave it unset."
        )
    wrong = [t for t in tenants if not _TENANT_ID.fullmatch(t)]
    if wrong:
        raise TeamsConfigError(
            f"MICROSOFT_ALLOWED_TENANTS holds {wrong[0]!r}, which is not a tenant id: use "
            "directory (tenant) ids such as 72f988bf-86f1-41af-91ab-2d7cd011db47 "
            "(Entra ID > Overview), not domain names."
        )
    return frozenset(tenants)


def from_env(environ: Mapping[str, str] | None = None) -> TeamsConfig | None:
    """The Teams settings, or None when Teams is not configured at all."""
    env = os.environ if environ is None else environ
    app_id = _first(env, "MICROSOFT_APP_ID", "MicrosoftAppId")
    password = _first(env, "MICROSOFT_APP_PASSWORD", "MicrosoftAppPassword")
    tenant_id = _first(env, "MICROSOFT_APP_TENANT_ID", "MicrosoftAppTenantId") or None
    raw_type = _first(env, "MICROSOFT_APP_TYPE", "MicrosoftAppType") or "MultiTenant"
    insecure = _first(env, "IDESLUSS_TEAMS_INSECURE_LOCAL") == "1"
    overrides: dict[str, Any] = {
        key: value
        for key, value in (
            ("openid_metadata_url", _first(env, "IDESLUSS_TEAMS_OPENID_METADATA_URL")),
            ("login_url", _first(env, "IDESLUSS_TEAMS_LOGIN_URL")),
        )
        if value
    }
    allowed = _allowed_tenants(_first(env, "MICROSOFT_ALLOWED_TENANTS", "MicrosoftAllowedTenants"))
    if allowed is not None:
        overrides["allowed_tenants"] = allowed

    if not app_id and not password:
        if insecure:
            return TeamsConfig(app_id="", insecure_local=True, **overrides)
        return None
    if not app_id:
        raise TeamsConfigError(
            "MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is missing: set both "
            "(the bot's app id and client secret from its Azure Bot registration)."
        )
    if not password:
        raise TeamsConfigError(
            "MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is missing: set both "
            "(the bot's app id and client secret from its Azure Bot registration)."
        )
    app_type = APP_TYPES.get(raw_type.lower())
    if app_type is None:
        raise TeamsConfigError(
            f"MICROSOFT_APP_TYPE is {raw_type!r}; use MultiTenant or SingleTenant."
        )
    if app_type == "SingleTenant" and not tenant_id:
        raise TeamsConfigError(
            "MICROSOFT_APP_TYPE is SingleTenant but MICROSOFT_APP_TENANT_ID is missing: "
            "set it to the directory (tenant) id of the bot's app registration."
        )
    return TeamsConfig(
        app_id=app_id,
        app_password=password,
        app_type=app_type,
        tenant_id=tenant_id,
        **overrides,
    )
