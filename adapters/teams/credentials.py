"""The bot's own credentials for calls to the Bot Connector, with one token cache.

botbuilder asks its credentials factory for new credentials on every turn and every
proactive send, and its `MicrosoftAppCredentials` keeps the MSAL token cache on the object:
left alone, every message would fetch a fresh token from Entra ID. This factory hands out
one credentials object per audience, so a token is fetched once and reused until MSAL
decides it is close to expiry. It also honours the configured authority (another cloud, or
a local fake in the tests), which `MicrosoftAppCredentials` cannot be told about.
"""

from __future__ import annotations

from botframework.connector.auth import (
    AuthenticationConstants,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from msal import ConfidentialClientApplication
from msrest.authentication import Authentication

from adapters.teams.config import PUBLIC_LOGIN_URL, TeamsConfig


class BotCredentials(MicrosoftAppCredentials):
    """Client-credentials tokens for one app id and audience, from one MSAL cache."""

    def __init__(self, config: TeamsConfig, oauth_scope: str) -> None:
        super().__init__(config.app_id, config.app_password, oauth_scope=oauth_scope)
        self.oauth_endpoint = config.authority
        public = config.login_url.rstrip("/") == PUBLIC_LOGIN_URL.rstrip("/")
        self._validate_authority = public
        self._msal: ConfidentialClientApplication | None = None

    def get_access_token(self, force_refresh: bool = False) -> str:
        scope = self.oauth_scope
        if not scope.endswith("/.default"):
            scope += "/.default"
        if self._msal is None:
            self._msal = ConfidentialClientApplication(
                client_id=self.microsoft_app_id,
                client_credential=self.microsoft_app_password,
                authority=self.oauth_endpoint,
                validate_authority=self._validate_authority,
                instance_discovery=None if self._validate_authority else False,
            )
        # MSAL answers from its cache while the token is fresh.
        result = self._msal.acquire_token_for_client(scopes=[scope])
        if "access_token" in result:
            token: str = result["access_token"]
            return token
        raise PermissionError(
            f"Entra ID gave the bot no token: {result.get('error', 'unknown error')} "
            "(check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TYPE)"
        )


class BotCredentialsFactory(ServiceClientCredentialsFactory):
    def __init__(self, config: TeamsConfig) -> None:
        self.config = config
        self._by_scope: dict[str, BotCredentials] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(self.config.app_id) and app_id == self.config.app_id

    async def is_authentication_disabled(self) -> bool:
        return not self.config.app_id

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        if await self.is_authentication_disabled():
            empty: Authentication = MicrosoftAppCredentials.empty()
            return empty
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("credentials asked for another app id than the bot's")
        scope = oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        credentials = self._by_scope.get(scope)
        if credentials is None:
            credentials = self._by_scope[scope] = BotCredentials(self.config, scope)
        return credentials
