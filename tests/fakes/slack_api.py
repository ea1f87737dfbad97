"""A fake Slack Web API on a loopback port: records every call, answers the methods Idésluss
uses, and can be told to answer slowly or with an error (429 + Retry-After, 5xx, ok=false).

    api = FakeSlackApi(); await api.start()
    AsyncWebClient(base_url=api.url)               # the code under test talks to it
    api.fail("chat.postMessage", status=429, headers={"Retry-After": "7"})
    api.calls_to("chat.postMessage")               # what was sent, oldest first

Every message posted is kept per channel as Slack stores it (`api.messages_in("D…")`), and
conversations.history reads them back as Slack documents it: newest first, `oldest` /
`latest` exclusive unless `inclusive`, `limit` (default 100, at most 999) with cursor
pages, and a message's `metadata` only with `include_all_metadata`. Message timestamps come
from `now` (seconds since the epoch; default the real time), so a test clock moves them.
`api.revoke_scope("im:history")` makes the history answer `missing_scope`.

Users (`api.add_user(id, name, email=…)`) are found by users.info (the profile's `email` only
with the scope users:read.email, as Slack does) and by users.lookupByEmail (Slack's own
`users_not_found` for an address nobody has).

It also serves `response_url`s (`api.response_url("…")`) and a Socket Mode WebSocket
(apps.connections.open hands out its address; `await api.push_socket_event(body)`).

Files go up as Slack's external upload does, step by step, and each step is checked:
`files.getUploadURLExternal` wants `filename` and a whole-number `length` (sent as form or
query arguments, as slack_sdk does) and returns a `file_id` and an `upload_url` on this
server; a POST of the bytes to that URL is refused unless their length is the announced one
(`api.fail_upload(status=500)` makes the next upload fail); `files.completeUploadExternal`
wants `files` (a JSON list of {"id", "title"}) and refuses an id never handed out or never
uploaded whole (`file_not_found`), shares the file in `channel_id` with its
`initial_comment`, and keeps it: `api.files_in("D…")` is what a person received, bytes
and all. `files.upload` (retired by Slack) answers `method_deprecated`.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

BOT_USER = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0IDESLUSS"
TEAM = "T0TEAM"
# The scopes of the app's manifest (adapters/slack/manifest.yml) and the method needing each.
SCOPES = (
    "chat:write",
    "im:history",
    "im:write",
    "files:write",
    "commands",
    "users:read",
    "users:read.email",
    "app_mentions:read",
)
NEEDS_SCOPE = {
    "conversations.history": "im:history",
    "users.lookupByEmail": "users:read.email",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
# Slack refuses a message whose blocks hold more text than this (`msg_blocks_too_long`): not
# documented, but measured by people it refused (11,341 characters counted as the sum of all
# `text` strings, slackapi/bolt-js #2867; ~13,200 in #2509). The fake refuses at the lowest.
MAX_MESSAGE_BLOCKS_TEXT = 11_300
MAX_MESSAGE_BLOCKS = 50  # docs.slack.dev/reference/block-kit/blocks


def blocks_refusal(blocks: Any) -> str | None:
    """The error Slack answers a message's blocks with, or None if it takes them."""
    if not blocks:
        return None
    if not isinstance(blocks, list) or len(blocks) > MAX_MESSAGE_BLOCKS:
        return "invalid_blocks"
    if sum(len(text) for text in _all_texts(blocks)) > MAX_MESSAGE_BLOCKS_TEXT:
        return "msg_blocks_too_long"
    return None


def _all_texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [
            text
            for key, item in value.items()
            for text in ([item] if key == "text" and isinstance(item, str) else _all_texts(item))
        ]
    if isinstance(value, list):
        return [text for item in value for text in _all_texts(item)]
    return []


@dataclass
class SharedFile:
    """A file as a person received it: shared in `channel`, with the comment above it."""

    id: str
    channel: str
    filename: str
    title: str | None
    data: bytes
    initial_comment: str | None
    thread_ts: str | None = None


@dataclass
class _Upload:
    filename: str
    length: int
    data: bytes | None = None  # the bytes once uploaded (with the announced length)
    completed: bool = False


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Everything a person would read in the message: fallback text and all blocks."""
        parts = [str(self.params.get("text") or "")]
        blocks = self.params.get("blocks") or (self.params.get("view") or {}).get("blocks") or []
        parts.extend(_block_texts(blocks))
        return "\n".join(parts)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        blocks = self.params.get("blocks") or []
        return [
            element
            for block in blocks
            if block.get("type") == "actions"
            for element in block.get("elements", [])
        ]


def _block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    texts = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            texts.append(block["text"]["text"])
        for item in block.get("fields", []) + block.get("elements", []):
            if isinstance(item.get("text"), dict):
                texts.append(item["text"]["text"])
            elif isinstance(item.get("text"), str):
                texts.append(item["text"])
    return texts


@dataclass
class Planned:
    status: int = 200
    body: dict[str, Any] | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeSlackApi:
    def __init__(
        self,
        *,
        any_user: bool = False,
        record: bool = True,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.any_user = any_user  # users.info knows every U… id (for load tests)
        self.record = record  # keep every call (off for long load tests)
        self.now = now  # Slack's clock, for message timestamps
        self.scopes: set[str] = set(SCOPES)
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)  # oldest first
        self._last_ts = 0.0
        self._opened: set[str] = set()
        self.posted: dict[str, int] = defaultdict(int)  # chat.postMessage calls per channel
        self._posted_changed = asyncio.Condition()
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.delays: dict[str, float] = {}  # method ("*" for all) → seconds before answering
        self._planned: dict[str, deque[Planned]] = defaultdict(deque)
        self._late: dict[str, deque[float]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._server: TestServer | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self.socket_acks: list[dict[str, Any]] = []
        self._socket_connected = asyncio.Event()
        self._ack_arrived = asyncio.Event()
        self._release = asyncio.Event()
        self.answered: list[str] = []  # methods in the order their answers went out
        self._uploads: dict[str, _Upload] = {}  # file id → what getUploadURLExternal announced
        self._file_ids = itertools.count(1)
        self._upload_failures: deque[int] = deque()
        self.shared_files: list[SharedFile] = []  # completed uploads, oldest first
        self.uploads: list[tuple[str, int]] = []  # (file id, bytes) per POST to an upload URL

    # ── running ──────────────────────────────────────────────────────────────────────────

    async def start(self, port: int | None = None) -> FakeSlackApi:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/_posted/{channel}/{count}", self._wait_posted)
        self._server = TestServer(app, host="127.0.0.1", port=port)
        await self._server.start_server()
        return self

    async def close(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._server is not None:
            await self._server.close()

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def url(self) -> str:
        """What SLACK_API_URL would be."""
        return f"{self.base}/api/"

    def response_url(self, hook: str = "hook") -> str:
        return f"{self.base}/respond/{hook}"

    # ── steering ─────────────────────────────────────────────────────────────────────────

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """The next `times` calls of `method` answer like this instead of succeeding."""
        body: dict[str, Any] = {
            "ok": False,
            "error": error or ("ratelimited" if status == 429 else "fatal_error"),
        }
        for _ in range(times):
            self._planned[method].append(Planned(status, body, headers or {}, delay))

    def answer_late(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Carry out the next `times` calls of `method` at once (a message is posted) but
        answer only after `seconds`, or at release(): a client that gives up earlier never
        learns that Slack took it."""
        self._release.clear()
        self._late[method].extend([seconds] * times)

    def slow(self, seconds: float, method: str = "*") -> None:
        """Answer `method` (every method: "*") only after `seconds`, or at release()."""
        self._release.clear()
        self.delays[method] = seconds

    def release(self) -> None:
        """Answer every slow call now, and no longer wait on any."""
        self.delays.clear()
        self._release.set()

    async def _wait(self, seconds: float) -> None:
        if seconds and not self._release.is_set():
            try:
                async with asyncio.timeout(seconds):
                    await self._release.wait()
            except TimeoutError:
                pass

    def add_user(
        self, user_id: str, name: str, locale: str = "sv-SE", *, email: str | None = None
    ) -> None:
        profile: dict[str, Any] = {"real_name": name, "display_name": name.split()[0]}
        if email is not None:
            profile["email"] = email
        self.users[user_id] = {
            "id": user_id,
            "name": name.split()[0].lower(),
            "real_name": name,
            "locale": locale,
            "profile": profile,
        }

    def fail_upload(self, status: int = 500, *, times: int = 1) -> None:
        """The next `times` POSTs to an upload URL answer `status` and keep nothing."""
        self._upload_failures.extend([status] * times)

    def files_in(self, channel: str) -> list[SharedFile]:
        """The files shared in `channel`, oldest first: exactly what the person received."""
        return [f for f in self.shared_files if f.channel == channel]

    def revoke_scope(self, scope: str) -> None:
        """The app was installed without `scope`: methods needing it answer missing_scope."""
        self.scopes.discard(scope)

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A message in the channel without an API call: our bot's, or `user`'s (a person
        writing in the DM)."""
        message = self._store(channel, {"text": text, "metadata": metadata})
        if user is not None:
            for key in ("bot_id", "app_id", "bot_profile"):
                message.pop(key)
            message["user"] = user
        return message

    # ── reading ──────────────────────────────────────────────────────────────────────────

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """What the channel shows, oldest first (with metadata)."""
        return list(self.messages.get(channel, []))

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def forget(self) -> None:
        self.calls.clear()

    # ── serving ──────────────────────────────────────────────────────────────────────────

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        raw = await request.text()
        if raw:
            if request.content_type == "application/json":
                params.update(json.loads(raw))
            else:
                params.update(parse_qsl(raw, keep_blank_values=True))
        for key in ("blocks", "view", "metadata"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        if self.record:
            self.calls.append(Call(method, params, dict(request.headers)))
        planned = self._planned[method].popleft() if self._planned[method] else None
        delay = (
            planned.delay
            if planned and planned.delay
            else self.delays.get(method, self.delays.get("*", 0.0))
        )
        await self._wait(delay)
        if self.record:
            self.answered.append(method)
        if planned is not None:
            return web.json_response(planned.body, status=planned.status, headers=planned.headers)
        answer = self._answer(method, params, request)
        if method == "chat.postMessage" and answer.get("ok"):
            async with self._posted_changed:
                self.posted[str(params.get("channel"))] += 1
                self._posted_changed.notify_all()
        if self._late[method]:  # done; the answer is lost or late (the client may give up)
            await self._wait(self._late[method].popleft())
        return web.json_response(answer)

    async def _wait_posted(self, request: web.Request) -> web.Response:
        """Answers once `count` messages were posted to `channel` (what a person sees)."""
        channel, count = request.match_info["channel"], int(request.match_info["count"])
        async with asyncio.timeout(30), self._posted_changed:
            await self._posted_changed.wait_for(lambda: self.posted[channel] >= count)
        return web.json_response({"posted": self.posted[channel]})

    def _answer(self, method: str, params: dict[str, Any], request: web.Request) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "team_id": TEAM,
                "team": "Kommunen",
            }
        needed = NEEDS_SCOPE.get(method)
        if needed is not None and needed not in self.scopes:
            return {
                "ok": False,
                "error": "missing_scope",
                "needed": needed,
                "provided": ",".join(sorted(self.scopes)),
            }
        if method in ("chat.postMessage", "chat.postEphemeral") and (
            refusal := blocks_refusal(params.get("blocks"))
        ):
            return {"ok": False, "error": refusal}
        if method == "chat.postMessage":
            channel = str(params.get("channel"))
            message = self._store(channel, params)
            shown = {k: v for k, v in message.items() if k != "metadata"}
            return {"ok": True, "channel": channel, "ts": message["ts"], "message": shown}
        if method == "conversations.history":
            return self._history(params)
        if method == "files.getUploadURLExternal":
            return self._upload_url(params)
        if method == "files.completeUploadExternal":
            return self._complete_upload(params)
        if method == "files.upload":  # retired (new apps blocked since 2024, gone 2025)
            return {"ok": False, "error": "method_deprecated"}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "conversations.open":
            users = str(params.get("users", ""))
            channel = "D" + users.lstrip("UW")
            self._opened.add(channel)
            return {"ok": True, "channel": {"id": channel}}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V1", **(params.get("view") or {})}}
        if method == "users.info":
            user_id = str(params.get("user"))
            user = self.users.get(user_id)
            if user is None and self.any_user and user_id.startswith("U"):
                user = {
                    "id": user_id,
                    "name": user_id.lower(),
                    "real_name": f"Person {user_id}",
                    "locale": "sv-SE",
                    "profile": {"real_name": f"Person {user_id}"},
                }
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            if "users:read.email" not in self.scopes:
                profile = {k: v for k, v in user["profile"].items() if k != "email"}
                user = {**user, "profile": profile}
            return {"ok": True, "user": user}
        if method == "users.lookupByEmail":
            wanted = str(params.get("email", "")).lower()
            for user in self.users.values():
                if str(user["profile"].get("email", "")).lower() == wanted:
                    return {"ok": True, "user": user}
            return {"ok": False, "error": "users_not_found"}
        if method == "apps.connections.open":
            ws = self.base.replace("http://", "ws://")
            return {"ok": True, "url": f"{ws}/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _next_ts(self) -> str:
        # Slack's ts is the time of posting in microseconds, unique per channel.
        self._last_ts = max(round(self.now(), 6), round(self._last_ts + 0.000001, 6))
        return f"{self._last_ts:.6f}"

    def _store(self, channel: str, params: dict[str, Any]) -> dict[str, Any]:
        """The message as conversations.history returns it, for a bot token's post."""
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": params.get("text") or "",
            "ts": self._next_ts(),
            "team": TEAM,
            "bot_profile": {"id": BOT_ID, "app_id": APP_ID, "name": "Idéslussen", "team_id": TEAM},
        }
        if params.get("blocks"):
            message["blocks"] = params["blocks"]
        metadata = params.get("metadata")
        if isinstance(metadata, dict) and metadata.get("event_type"):
            message["metadata"] = {
                "event_type": metadata["event_type"],
                "event_payload": metadata.get("event_payload") or {},
            }
        self.messages[channel].append(message)
        return message

    def _exists(self, channel: str) -> bool:
        """A channel the bot can read: one it posted in or opened, or a person's DM with the
        app (it exists as soon as they write to the app, before the bot opens it)."""
        if channel in self.messages or channel in self._opened:
            return True
        if not channel.startswith("D"):
            return False
        return self.any_user or any("D" + user.lstrip("UW") == channel for user in self.users)

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if not self._exists(channel):
            return {"ok": False, "error": "channel_not_found"}
        inclusive = _flag(params.get("inclusive"))
        oldest = float(params.get("oldest") or 0)
        latest = float(params["latest"]) if params.get("latest") else float("inf")
        cursor = str(params.get("cursor") or "")
        if cursor:  # our cursors carry the ts the next page starts below
            latest = float(base64.b64decode(cursor).decode().removeprefix("next_ts:"))
        limit = min(int(params.get("limit") or 100), 999)

        def inside(message: dict[str, Any]) -> bool:
            ts = float(message["ts"])
            if cursor:
                return oldest < ts < latest or (inclusive and ts == oldest)
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [m for m in reversed(self.messages.get(channel, [])) if inside(m)]
        page, more = found[:limit], len(found) > limit
        with_metadata = _flag(params.get("include_all_metadata"))
        answer: dict[str, Any] = {
            "ok": True,
            "messages": [
                m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                for m in page
            ],
            "has_more": more,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }
        if more:
            next_ts = base64.b64encode(f"next_ts:{page[-1]['ts']}".encode()).decode()
            answer["response_metadata"] = {"next_cursor": next_ts}
        return answer

    # ── files: the external upload ───────────────────────────────────────────────────────

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        length = str(params.get("length") or "")
        if not isinstance(filename, str) or not filename or not length.isdigit():
            return {
                "ok": False,
                "error": "invalid_arguments",
                "response_metadata": {"messages": ["[ERROR] filename and length are required"]},
            }
        if int(length) == 0:
            return {"ok": False, "error": "invalid_length"}
        file_id = f"F{next(self._file_ids):08d}"
        self._uploads[file_id] = _Upload(filename, int(length))
        return {"ok": True, "upload_url": f"{self.base}/upload/v1/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: the bytes, exactly as many as announced."""
        file_id = request.match_info["file_id"]
        data = await request.read()
        self.uploads.append((file_id, len(data)))
        if self._upload_failures:
            return web.Response(status=self._upload_failures.popleft(), text="upload failed")
        upload = self._uploads.get(file_id)
        if upload is None or upload.completed:
            return web.Response(status=404, text="no such upload")
        if len(data) != upload.length:
            return web.Response(
                status=400, text=f"length {len(data)} is not the announced {upload.length}"
            )
        upload.data = data
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            files = json.loads(str(params.get("files") or ""))
        except json.JSONDecodeError:
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel = params.get("channel_id")
        uploads = []
        for item in files:
            file_id = item.get("id") if isinstance(item, dict) else None
            upload = self._uploads.get(str(file_id))
            # Never handed out, never uploaded, uploaded with the wrong size, or done already.
            if upload is None or upload.data is None or upload.completed:
                return {"ok": False, "error": "file_not_found"}
            uploads.append((str(file_id), item, upload))
        if channel is not None and not self._exists(str(channel)):
            return {"ok": False, "error": "channel_not_found"}
        shown = []
        for file_id, item, upload in uploads:
            upload.completed = True
            if channel is not None:
                assert upload.data is not None
                self.shared_files.append(
                    SharedFile(
                        file_id,
                        str(channel),
                        upload.filename,
                        item.get("title"),
                        upload.data,
                        params.get("initial_comment"),
                        params.get("thread_ts"),
                    )
                )
            shown.append({"id": file_id, "title": item.get("title") or upload.filename})
        if channel is not None and params.get("initial_comment"):
            self._store(str(channel), {"text": params["initial_comment"]})
        return {"ok": True, "files": shown}

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call("response_url", body, dict(request.headers)))
        await self._wait(self.delays.get("response_url", self.delays.get("*", 0.0)))
        self.answered.append("response_url")
        if refusal := blocks_refusal(body.get("blocks")):
            return web.Response(status=400, text=refusal)
        return web.Response(text="ok")

    # ── Socket Mode ──────────────────────────────────────────────────────────────────────

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        self._socket_connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                self._ack_arrived.set()
        return ws

    async def wait_for_socket(self, seconds: float = 5.0) -> None:
        async with asyncio.timeout(seconds):
            await self._socket_connected.wait()

    async def push_socket_event(self, body: dict[str, Any], *, kind: str = "events_api") -> str:
        """Send a payload over Socket Mode; return its envelope id."""
        envelope_id = f"env-{next(self._ts)}"
        self._ack_arrived.clear()
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": body,
                "accepts_response_payload": False,
            }
        )
        return envelope_id

    async def wait_for_ack(self, envelope_id: str, seconds: float = 5.0) -> dict[str, Any]:
        async with asyncio.timeout(seconds):
            while True:
                for ack in self.socket_acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
                self._ack_arrived.clear()
                await self._ack_arrived.wait()


def _flag(value: Any) -> bool:
    """A Slack boolean argument: true/1 (slack_sdk sends "1" in a query string)."""
    return str(value).lower() in {"1", "true"}
