"""Who may talk to the bot: the checks around botbuilder's validation of an inbound request.

botbuilder validates the token's signature, issuer, audience, serviceUrl and channel
endorsement. Around that, `ChannelAuthentication` refuses what botbuilder lets through or
handles badly:

- a token without `exp` (PyJWT checks `exp` only when it is there, so botbuilder accepts a
  token that never expires);
- a token botbuilder would route to its Emulator or skill validation: those fetch other
  keys, from other hosts, and this bot is neither a skill nor talked to by the Emulator
  with credentials (local Emulator use runs without authentication);
- an activity from a tenant that is not allowed (`MICROSOFT_ALLOWED_TENANTS`; by default
  the bot's own tenant when it is single-tenant): `TenantNotAllowed`, answered 403 before
  the turn runs, so nothing of its people is stored.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import jwt
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    EmulatorValidation,
    SkillValidation,
)

from adapters.teams.config import TeamsConfig
from adapters.teams.connectors import ReusingAuthentication


class TokenRefused(PermissionError):
    """The token is refused before (or after) botbuilder looks at it."""


class TenantNotAllowed(PermissionError):
    """The activity comes from a tenant the bot does not serve."""


def _bearer_token(auth_header: str) -> str:
    scheme, _, token = auth_header.partition(" ")
    if scheme != "Bearer" or not token or " " in token:
        raise TokenRefused("not a bearer token")
    return token


def _has_expiry(claims: Any) -> bool:
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return isinstance(exp, numbers.Real) and not isinstance(exp, bool)


def check_channel_token(auth_header: str) -> None:
    """Refuse, before any signing key is looked up, a token botbuilder should not see."""
    claims = jwt.decode(_bearer_token(auth_header), options={"verify_signature": False})
    if not _has_expiry(claims):
        raise TokenRefused("the token has no expiry (exp)")
    if SkillValidation.is_skill_token(auth_header) or EmulatorValidation.is_token_from_emulator(
        auth_header
    ):
        raise TokenRefused("only tokens from the Bot Framework channel are accepted")


def tenants_of(activity: Activity) -> Iterator[Any]:
    """Every tenant id the activity names: channelData.tenant.id (where Teams puts it) and
    conversation.tenantId (msrest keeps it among the extra properties, as it only knows
    "tenantID", which it also reads)."""
    data = activity.channel_data
    if isinstance(data, dict) and "tenant" in data:
        tenant = data["tenant"]
        yield tenant.get("id") if isinstance(tenant, dict) else tenant
    conversation = activity.conversation
    if conversation is not None:
        if conversation.tenant_id is not None:
            yield conversation.tenant_id
        extra = getattr(conversation, "additional_properties", None) or {}
        if "tenantId" in extra:
            yield extra["tenantId"]


def tenant_allowed(activity: Activity, allowed: frozenset[str] | None) -> bool:
    """True when every tenant id the activity names is allowed, and it names one."""
    if allowed is None:
        return True
    named = list(tenants_of(activity))
    return bool(named) and all(isinstance(t, str) and t.lower() in allowed for t in named)


class ChannelAuthentication(ReusingAuthentication):
    """botbuilder's authentication (with reused clients), with the checks above."""

    def __init__(self, inner: BotFrameworkAuthentication, config: TeamsConfig) -> None:
        super().__init__(inner)
        self.config = config
        self.allowed_tenants = config.tenant_allow_list

    async def authenticate_request(
        self, activity: Activity, auth_header: str | None
    ) -> AuthenticateRequestResult:
        if auth_header is not None or self.config.authenticated:
            # botbuilder refuses a missing header itself unless authentication is off.
            check_channel_token(auth_header or "")
        result = await super().authenticate_request(activity, auth_header)
        if self.config.authenticated and not _has_expiry(result.claims_identity.claims):
            raise TokenRefused("the token has no expiry (exp)")
        if not tenant_allowed(activity, self.allowed_tenants):
            raise TenantNotAllowed("the activity's tenant is not allowed")
        return result
