"""Teams settings, read from environment variables (documented in README.md).

The Azure portal and the Bot Framework samples name them `MicrosoftAppId` and
`MicrosoftAppPassword`; both spellings work. Without an app id the endpoint is not mounted,
unless `IDESLUSS_TEAMS_INSECURE_LOCAL=1` asks for a local, unauthenticated endpoint (as the
Bot Framework Emulator uses).

The bot's identity (`MICROSOFT_APP_TYPE`) is one of:
- `SingleTenant`, the default: an app registration in the organisation's own Entra ID
  tenant, with a client secret; tokens come from that tenant.
- `UserAssignedMSI`: a user-assigned managed identity (no secret at all); the app id is the
  identity's client id and tokens come from the Azure host's identity endpoint.
- `MultiTenant`: Azure creates no new multi-tenant bots since 31 July 2025; existing
  registrations keep working when it is set explicitly (with a warning).
Both SingleTenant and UserAssignedMSI need `MICROSOFT_APP_TENANT_ID`.
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
SINGLE_TENANT = "SingleTenant"
MULTI_TENANT = "MultiTenant"
MANAGED_IDENTITY = "UserAssignedMSI"
APP_TYPES = {t.lower(): t for t in (SINGLE_TENANT, MANAGED_IDENTITY, MULTI_TENANT)}
WHERE_THE_TENANT_ID_IS = (
    "It is the directory (tenant) id: in the Azure portal, the Azure Bot resource's "
    "Settings > Configuration shows it as App Tenant ID (below the Microsoft App ID), and "
    "Microsoft Entra ID > Overview as Tenant ID."
)
MULTI_TENANT_WARNING = (
    "Teams runs as MultiTenant (MICROSOFT_APP_TYPE=MultiTenant): this works for a bot "
    "registered before August 2025, but Azure no longer creates multi-tenant bots. Move it to "
    "SingleTenant with MICROSOFT_APP_TENANT_ID when you can (DEPLOYMENT.md, Microsoft Teams)."
)
_TENANT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class TeamsConfigError(PlatformConfigError, ValueError):
    """A Teams setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str  # empty only in insecure local mode
    app_password: str = field(default="", repr=False)
    app_type: str = SINGLE_TENANT
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
        if self.app_type != MULTI_TENANT and self.tenant_id:
            return frozenset({self.tenant_id.lower()})
        return None

    @property
    def managed_identity(self) -> bool:
        """Tokens from the Azure host's managed identity endpoint, not from a secret."""
        return self.app_type == MANAGED_IDENTITY

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    @property
    def authority(self) -> str:
        """The Entra ID authority that issues the bot's outbound tokens."""
        tenant = self.tenant_id if self.app_type != MULTI_TENANT else DEFAULT_CHANNEL_TENANT
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
    raw_type = _first(env, "MICROSOFT_APP_TYPE", "MicrosoftAppType") or SINGLE_TENANT
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

    # MICROSOFT_APP_TYPE alone does not switch Teams on: docker-compose.yml always sets it.
    if not app_id and not password:
        if insecure:
            return TeamsConfig(app_id="", insecure_local=True, **overrides)
        return None
    app_type = APP_TYPES.get(raw_type.lower())
    if app_type is None:
        raise TeamsConfigError(
            f"MICROSOFT_APP_TYPE is {raw_type!r}; use SingleTenant (the default, an app "
            "registration with a client secret), UserAssignedMSI (a user-assigned managed "
            "identity) or MultiTenant (only for a bot registered as multi-tenant before "
            "August 2025)."
        )
    _check_credentials(app_type, app_id, password)
    if app_type != MULTI_TENANT:
        _check_tenant(app_type, tenant_id)
    return TeamsConfig(
        app_id=app_id,
        app_password=password,
        app_type=app_type,
        tenant_id=tenant_id.lower() if tenant_id and app_type != MULTI_TENANT else tenant_id,
        **overrides,
    )


def _check_credentials(app_type: str, app_id: str, password: str) -> None:
    if app_type == MANAGED_IDENTITY:
        if not app_id:
            raise TeamsConfigError(
                "MICROSOFT_APP_TYPE is UserAssignedMSI but MICROSOFT_APP_ID is missing: set it "
                "to the managed identity's Client ID (Managed Identities > the identity > "
                "Overview), the one the Azure Bot resource was created with."
            )
        if password:
            raise TeamsConfigError(
                "MICROSOFT_APP_TYPE is UserAssignedMSI but MICROSOFT_APP_PASSWORD is set: a "
                "managed identity has no secret. Remove MICROSOFT_APP_PASSWORD, or use "
                "MICROSOFT_APP_TYPE=SingleTenant for an app registration with a client secret."
            )
        return
    if not app_id:
        raise TeamsConfigError(
            "MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is missing: set both "
            "(the bot's app id and client secret from its Azure Bot registration)."
        )
    if not password:
        raise TeamsConfigError(
            "MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is missing: set both "
            "(the bot's app id and client secret from its Azure Bot registration), or "
            "MICROSOFT_APP_TYPE=UserAssignedMSI for a bot that uses a managed identity."
        )


def _check_tenant(app_type: str, tenant_id: str | None) -> None:
    if not tenant_id:
        if app_type == MANAGED_IDENTITY:
            why = (
                "a bot with a user-assigned managed identity (MICROSOFT_APP_TYPE="
                "UserAssignedMSI) belongs to one Entra ID tenant and serves only that one."
            )
            way_out = ""
        else:
            why = (
                "a SingleTenant bot (the default: Azure creates no new multi-tenant bots) gets "
                "its tokens from its own Entra ID tenant."
            )
            way_out = (
                " A bot registered as multi-tenant before August 2025 may instead set "
                "MICROSOFT_APP_TYPE=MultiTenant."
            )
        raise TeamsConfigError(
            f"MICROSOFT_APP_TENANT_ID is missing: {why} {WHERE_THE_TENANT_ID_IS}{way_out}"
        )
    if not _TENANT_ID.fullmatch(tenant_id.lower()):
        raise TeamsConfigError(
            f"MICROSOFT_APP_TENANT_ID is {tenant_id!r}, which is not a tenant id: use the "
            "directory (tenant) id, such as 72f988bf-86f1-41af-91ab-2d7cd011db47, not a "
            f"domain name. {WHERE_THE_TENANT_ID_IS}"
        )
