"""The keys inbound Bot Framework tokens are signed with, fetched without stopping anyone.

botbuilder checks a token's signature against keys its `_OpenIdMetadata` fetches from the
channel's OpenID metadata with blocking `requests.get` calls, without a timeout, inside the
event loop: whenever its cache is empty or a day old, and whenever a token names a key id
it does not know (at most hourly, but on every request after a failed fetch). One request
with a self-made token could so freeze the whole server for as long as the metadata host
took to answer, or for ever.

`SigningKeys` takes the place of that object in botbuilder's own cache
(`JwtTokenExtractor.metadataCache`, keyed by the metadata URL), so botbuilder's validation
of the token itself is unchanged. It fetches with aiohttp, in the event loop but without
blocking it, with a connect and a total timeout, one fetch at a time, and only:

- when there are no keys yet (at start-up in the background, then at most every
  `RETRY_WITHOUT_KEYS_SECONDS` while the host fails);
- when the keys are a day old (in the background: tokens keep being checked against the
  keys at hand, which Microsoft rotates with weeks of overlap);
- when a token names an unknown key id, at most once per `UNKNOWN_KEY_REFRESH_SECONDS`
  for all key ids together; any other token with an unknown key id is refused at once.

A fetch that fails keeps the keys already there and is logged as a warning.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from jwt.algorithms import RSAAlgorithm
from requests.utils import DEFAULT_CA_BUNDLE_PATH

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 3.0
TOTAL_TIMEOUT_SECONDS = 5.0
MAX_AGE_SECONDS = 24 * 3600.0
UNKNOWN_KEY_REFRESH_SECONDS = 5 * 60.0
RETRY_WITHOUT_KEYS_SECONDS = 30.0
MAX_DOCUMENT_BYTES = 1 << 20  # the real documents are a few kB


class UnknownSigningKey(PermissionError):
    """The token is not signed with one of the channel's keys (as far as we know them)."""


@dataclass(frozen=True)
class SigningKey:
    """What botbuilder's `JwtTokenExtractor` reads from a key: `public_key`, `endorsements`."""

    public_key: Any
    endorsements: list[str] = field(default_factory=list)


def _trusted_certificates() -> ssl.SSLContext:
    """Trust what `requests` trusts (botbuilder's other calls and MSAL go through it), so
    a CA bundle configured for them (REQUESTS_CA_BUNDLE) holds for these fetches too."""
    bundle = (
        os.environ.get("REQUESTS_CA_BUNDLE")
        or os.environ.get("CURL_CA_BUNDLE")
        or DEFAULT_CA_BUNDLE_PATH
    )
    return ssl.create_default_context(cafile=bundle)


def _parse_keys(document: Any) -> dict[str, SigningKey]:
    entries = document.get("keys") if isinstance(document, dict) else None
    keys: dict[str, SigningKey] = {}
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except Exception:  # one unusable key does not spoil the others
            continue
        endorsements = entry.get("endorsements")
        if not isinstance(endorsements, list):
            endorsements = []
        keys[kid] = SigningKey(public_key, [e for e in endorsements if isinstance(e, str)])
    if not keys:
        raise ValueError("the key document holds no usable RSA signing key")
    return keys


class SigningKeys:
    """botbuilder's `_OpenIdMetadata` (its one method, `get(key_id)`), without blocking."""

    def __init__(
        self,
        metadata_url: str,
        *,
        now: Callable[[], float] = time.monotonic,
        connect_timeout: float | None = None,
        total_timeout: float | None = None,
    ) -> None:
        self.url = metadata_url
        self._now = now
        self.connect_timeout = connect_timeout or CONNECT_TIMEOUT_SECONDS
        self.total_timeout = total_timeout or TOTAL_TIMEOUT_SECONDS
        self._ssl = _trusted_certificates() if metadata_url.startswith("https:") else None
        self._keys: dict[str, SigningKey] = {}
        self._loaded_at: float | None = None
        self._last_attempt: float | None = None  # of a fetch that counts for the limits
        self._fetch: asyncio.Task[bool] | None = None
        self.fetches = 0  # started, for tests and diagnostics

    @property
    def loaded(self) -> bool:
        return bool(self._keys)

    async def start(self, *_: Any) -> None:
        """At start-up: fetch in the background and return at once. A failure here does
        not count against the retry limit, so the first real request tries again."""
        self._start_fetch(counted=False)

    async def close(self, *_: Any) -> None:
        task, self._fetch = self._fetch, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def get(self, key_id: Any) -> SigningKey:
        if not isinstance(key_id, str) or not key_id:
            raise UnknownSigningKey("the token names no signing key")
        if self._keys and self._is_old() and self._may_fetch(UNKNOWN_KEY_REFRESH_SECONDS):
            self._start_fetch(counted=True)  # served from the keys at hand meanwhile
        key = self._keys.get(key_id)
        if key is None:
            task = self._fetch_for_unknown_key()
            if task is not None:
                await self._wait(task)
                key = self._keys.get(key_id)
        if key is None:
            raise UnknownSigningKey("the token's key id is not one of the channel's keys")
        return key

    def _is_old(self) -> bool:
        return self._loaded_at is not None and self._now() - self._loaded_at >= MAX_AGE_SECONDS

    def _may_fetch(self, interval: float) -> bool:
        last = max(
            (t for t in (self._last_attempt, self._loaded_at) if t is not None), default=None
        )
        return last is None or self._now() - last >= interval

    def _fetch_for_unknown_key(self) -> asyncio.Task[bool] | None:
        """The fetch a token with an unknown key id may wait for, if any."""
        if self._fetch is not None and not self._fetch.done():
            return self._fetch  # join it: never a second fetch at the same time
        interval = UNKNOWN_KEY_REFRESH_SECONDS if self._keys else RETRY_WITHOUT_KEYS_SECONDS
        if not self._may_fetch(interval):
            return None
        return self._start_fetch(counted=True)

    def _start_fetch(self, *, counted: bool) -> asyncio.Task[bool]:
        if self._fetch is None or self._fetch.done():
            if counted:
                self._last_attempt = self._now()
            self.fetches += 1
            self._fetch = asyncio.create_task(self._refresh(), name="teams-signing-keys")
        return self._fetch

    async def _wait(self, task: asyncio.Task[bool]) -> None:
        try:
            # Shielded: a request that gives up does not cancel the fetch others wait for.
            await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            # The fetch itself was cancelled (the server is stopping): no keys came.

    async def _refresh(self) -> bool:
        try:
            async with asyncio.timeout(self.total_timeout):
                keys = await self._download()
        except Exception as exc:  # TimeoutError, aiohttp errors, bad documents
            log.warning(
                "could not fetch the Bot Framework signing keys from %s (%s); %s",
                self.url,
                type(exc).__name__,
                "keeping the keys at hand" if self._keys else "tokens are refused until then",
            )
            return False
        self._keys = keys
        self._loaded_at = self._now()
        log.info("Bot Framework signing keys fetched (%d keys)", len(keys))
        return True

    async def _download(self) -> dict[str, SigningKey]:
        timeout = aiohttp.ClientTimeout(
            total=self.total_timeout,
            connect=self.connect_timeout,
            sock_connect=self.connect_timeout,
        )
        async with aiohttp.ClientSession(timeout=timeout, trust_env=True) as session:
            metadata = await self._get_json(session, self.url)
            jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
            schemes = ("https://",) if self._ssl is not None else ("https://", "http://")
            if not isinstance(jwks_uri, str) or not jwks_uri.startswith(schemes):
                raise ValueError("the OpenID metadata names no usable jwks_uri")
            return _parse_keys(await self._get_json(session, jwks_uri))

    async def _get_json(self, session: aiohttp.ClientSession, url: str) -> Any:
        async with session.get(url, ssl=self._ssl or True) as response:
            response.raise_for_status()
            body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
        if len(body) > MAX_DOCUMENT_BYTES:
            raise ValueError("the document is too large")
        return json.loads(body)


class NoSigningKeys:
    """For a metadata URL whose tokens this bot never accepts (the Emulator's and skills'):
    botbuilder finds this instead of fetching anything, and the token is refused."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def get(self, key_id: Any) -> SigningKey:
        raise UnknownSigningKey("this bot accepts only tokens from the Bot Framework channel")
