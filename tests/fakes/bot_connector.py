"""Fakes of the Bot Framework services around a Teams bot, as real local HTTP servers.

`FakeBotConnector` is the Bot Connector REST API (what the activity's `serviceUrl` points
at): it records `POST /v3/conversations/{id}/activities[/{replyToId}]` and can be told to
answer the next sends with 429 + Retry-After, 403 MessageWritesBlocked and so on. It runs in
the test's event loop (botbuilder sends through `requests` in a worker thread). It also
answers `GET /v3/conversations/{id}/members/{userId}` (TeamsInfo.get_member) for the members
a test adds (`add_member(user_id, email=…)`), with the Bot Connector's 404 `MemberNotFound`
for anyone else, and can be told to refuse it (`fail_members(403)`).

It also plays the person's OneDrive in Teams' file consent flow: `upload_info(name, size)`
is what Teams puts in a `fileConsent/invoke` on accept (an upload URL on this server, the
file's contentUrl, uniqueId and fileType); a PUT to the upload URL is refused unless its
Content-Length and `Content-Range: bytes 0-{n-1}/{n}` describe exactly the bytes sent and
the size the consent card announced, and is kept in `received_files` (what the person
got). `fail_uploads(503)` makes the next PUT fail.

`FakeIdentity` is Entra ID and the Bot Framework token service: the OpenID metadata and
signing keys inbound tokens are checked against, and the client-credentials token endpoint
the bot gets its outbound tokens from. botbuilder and MSAL fetch these synchronously from
the event loop, so this server runs in its own thread; MSAL only talks HTTPS, so it serves a
self-signed certificate the test trusts through REQUESTS_CA_BUNDLE. Tokens for inbound
requests are minted with its own RSA key (`identity.token(...)`). Its OpenID metadata can be
told to fail (`metadata_mode = "fail"`: HTTP 500) or to hang (`hang()`: no answer until
`release()` or close).

`BlackHole` is a host that accepts TCP connections and never answers.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import ssl
import struct
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.certificates import self_signed_certificate
from tests.fakes.net import JsonHandler

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


@dataclass
class Sent:
    conversation_id: str
    activity: dict[str, Any]
    authorization: str | None
    reply_to: str | None = None

    @property
    def card(self) -> dict[str, Any] | None:
        adaptive = self.attachment("application/vnd.microsoft.card.adaptive")
        return adaptive["content"] if adaptive is not None else None

    def attachment(self, content_type: str) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or ():
            if attachment.get("contentType") == content_type:
                return attachment
        return None

    @property
    def file_consent(self) -> dict[str, Any] | None:
        """A FileConsentCard attachment (name, content {description, sizeInBytes, …})."""
        return self.attachment(FILE_CONSENT_CARD)

    @property
    def file_info(self) -> dict[str, Any] | None:
        return self.attachment(FILE_INFO_CARD)

    @property
    def text(self) -> str:
        """What the person sees, roughly: plain text or the card's texts and facts."""
        card = self.card
        if card is None:
            return self.activity.get("text") or ""
        parts = []
        for element in card.get("body", ()):
            if element["type"] == "TextBlock":
                parts.append(element["text"])
            elif element["type"] == "FactSet":
                parts.extend(f"{f['title']}: {f['value']}" for f in element["facts"])
            elif element["type"] == "RichTextBlock":  # a line; a new paragraph has spacing
                line = "".join(run["text"] for run in element["inlines"])
                new_paragraph = parts and element.get("spacing") != "None"
                parts.append(f"\n{line}" if new_paragraph else line)
        return "\n".join(parts)

    @property
    def buttons(self) -> list[tuple[str, dict[str, Any]]]:
        """(label, data) for each button; a choice list's items as if they were buttons."""
        card = self.card or {}
        for element in card.get("body", ()):
            if element["type"] == "Input.ChoiceSet":
                return [(c["title"], {element["id"]: c["value"]}) for c in element["choices"]]
        return [(a["title"], a.get("data") or {}) for a in card.get("actions", ())]


FILE_CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_CARD = "application/vnd.microsoft.teams.card.file.info"


@dataclass
class ReceivedFile:
    """A file the bot uploaded into the person's OneDrive."""

    name: str
    data: bytes
    unique_id: str


@dataclass
class FakeBotConnector:
    sent: list[Sent] = field(default_factory=list)
    attempts: int = 0
    received_files: list[ReceivedFile] = field(default_factory=list)
    upload_requests: list[dict[str, str]] = field(default_factory=list)  # headers of each PUT
    _sessions: dict[str, tuple[str, int]] = field(default_factory=dict)  # id → (name, size)
    _upload_failures: list[int] = field(default_factory=list)
    _failures: list[tuple[int, dict[str, Any] | None, dict[str, str]]] = field(default_factory=list)
    _server: TestServer | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    member_requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    _member_failures: list[int] = field(default_factory=list)

    def add_member(
        self, user_id: str, name: str, *, email: str | None = None, upn: str | None = None
    ) -> None:
        """A member as the connector describes one (TeamsChannelAccount)."""
        member: dict[str, Any] = {"id": user_id, "name": name, "aadObjectId": f"aad-{user_id}"}
        if email is not None:
            member["email"] = email
        if upn is not None:
            member["userPrincipalName"] = upn
        self.members[user_id] = member

    def fail_members(self, status: int) -> None:
        """Answer the next member request with this status."""
        self._member_failures.append(status)

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/")).rstrip("/") + "/"

    def fail_next(
        self, status: int, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next send with this status instead of accepting it."""
        self._failures.append((status, body, headers or {}))

    def upload_info(self, name: str, size: int) -> dict[str, Any]:
        """An upload session for a file of `size` bytes, as a consent's `uploadInfo`."""
        unique_id = f"onedrive-{next(self._ids)}"
        self._sessions[unique_id] = (name, size)
        return {
            "name": name,
            "uploadUrl": f"{self.url}onedrive/upload/{unique_id}",
            "contentUrl": f"https://kommunen-my.sharepoint.invalid/personal/{unique_id}/{name}",
            "uniqueId": unique_id,
            "fileType": name.rsplit(".", 1)[-1],
        }

    def fail_uploads(self, status: int, *, times: int = 1) -> None:
        self._upload_failures.extend([status] * times)

    async def _upload(self, request: web.Request) -> web.Response:
        unique_id = request.match_info["unique_id"]
        data = await request.read()
        self.upload_requests.append(dict(request.headers))
        if self._upload_failures:
            return web.json_response({"error": "unavailable"}, status=self._upload_failures.pop(0))
        if unique_id not in self._sessions:
            return web.json_response({"error": "itemNotFound"}, status=404)
        name, size = self._sessions[unique_id]
        expected_range = f"bytes 0-{len(data) - 1}/{len(data)}"
        if (
            request.headers.get("Content-Range") != expected_range
            or request.headers.get("Content-Length") != str(len(data))
            or len(data) != size
        ):
            return web.json_response({"error": "invalidRange"}, status=416)
        del self._sessions[unique_id]  # an upload session takes one file
        self.received_files.append(ReceivedFile(name, data, unique_id))
        return web.json_response({"id": unique_id, "name": name, "size": size}, status=201)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_put("/onedrive/upload/{unique_id}", self._upload)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._post)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    async def _post(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self._failures:
            status, body, headers = self._failures.pop(0)
            return web.json_response(body or {}, status=status, headers=headers)
        activity = await request.json()
        self.sent.append(
            Sent(
                conversation_id=request.match_info["conversation"],
                activity=activity,
                authorization=request.headers.get("Authorization"),
                reply_to=request.match_info.get("reply_to"),
            )
        )
        return web.json_response({"id": f"sent-{next(self._ids)}"})

    async def _member(self, request: web.Request) -> web.Response:
        conversation, member_id = request.match_info["conversation"], request.match_info["member"]
        self.member_requests.append((conversation, member_id, request.headers.get("Authorization")))
        if self._member_failures:
            status = self._member_failures.pop(0)
            error = {"code": "Forbidden" if status == 403 else "Error", "message": "refused"}
            return web.json_response({"error": error}, status=status)
        member = self.members.get(member_id)
        if member is None:
            error = {"code": "MemberNotFound", "message": "The member could not be found."}
            return web.json_response({"error": error}, status=404)
        return web.json_response(member)

    def to(self, conversation_id: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation_id == conversation_id]


class FakeIdentity:
    """OpenID metadata + JWKS for inbound tokens, and the outbound token endpoint."""

    KEY_ID = "fake-signing-key"

    def __init__(self) -> None:
        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.token_requests: list[dict[str, list[str]]] = []
        self.metadata_requests = 0
        self.metadata_mode = "ok"  # or "fail" (HTTP 500) or "hang" (see hang())
        self.token_delay = 0.0  # seconds the token endpoint takes (a slow Entra ID)
        self._released = threading.Event()
        self._directory = tempfile.TemporaryDirectory()
        self.ca_file, key_file = self_signed_certificate(
            Path(self._directory.name), name="fake identity"
        )
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key_file)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    @property
    def login_url(self) -> str:
        return f"{self.url}/"

    def hang(self) -> None:
        """From now on the OpenID metadata does not answer (until `release`)."""
        self._released.clear()
        self.metadata_mode = "hang"

    def release(self, mode: str = "ok") -> None:
        """Let hanging metadata requests go: they, and later ones, answer as `mode` says."""
        self.metadata_mode = mode
        self._released.set()

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._directory.cleanup()

    def token(
        self,
        *,
        audience: str,
        service_url: str,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        lifetime: int | None = 3600,
        **extra_claims: Any,
    ) -> str:
        """A token as the Bot Framework channel service signs it for the bot (without
        `exp` when `lifetime` is None)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 10,
            "iat": now - 10,
        }
        if lifetime is not None:
            claims["exp"] = now + lifetime
        claims.update(extra_claims)
        private = (key or self.signing_key).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid or self.KEY_ID})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        identity = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                base = identity.url
                if self.path == "/v1/.well-known/openidconfiguration":
                    identity.metadata_requests += 1
                    if identity.metadata_mode == "hang":
                        identity._released.wait(timeout=60)
                    if identity.metadata_mode == "fail":
                        return self._json({"error": "unavailable"}, 500)
                    return self._json(
                        {"issuer": BOT_FRAMEWORK_ISSUER, "jwks_uri": f"{base}/v1/.well-known/keys"}
                    )
                if self.path == "/v1/.well-known/keys":
                    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(
                        identity.signing_key.public_key(), as_dict=True
                    )
                    jwk.update(kid=FakeIdentity.KEY_ID, use="sig", endorsements=["msteams"])
                    return self._json({"keys": [jwk]})
                if self.path.endswith("/v2.0/.well-known/openid-configuration"):
                    tenant = self.path.split("/")[1]
                    return self._json(
                        {
                            "issuer": f"{base}/{tenant}/v2.0",
                            "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
                            "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
                        }
                    )
                return self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                if self.path.endswith("/oauth2/v2.0/token"):
                    time.sleep(identity.token_delay)
                    form["tenant"] = [self.path.split("/")[1]]
                    identity.token_requests.append(form)
                    return self._json(
                        {
                            "token_type": "Bearer",
                            "expires_in": 3600,
                            "access_token": f"bot-token-{len(identity.token_requests)}",
                        }
                    )
                return self._json({"error": "not_found"}, 404)

        return Handler


class BlackHole:
    """A host that accepts TCP connections and never answers (not even a TLS handshake).
    Closing it resets the connections it holds, so a client stuck on it comes free."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, path: str = "/v1/.well-known/openidconfiguration") -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self._closed = True
        for connection in self.connections:
            with contextlib.suppress(OSError):
                # Linger 0: close with a reset, so the client's read fails at once.
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)
