"""The Slack app: Bolt listeners that turn Slack payloads into `Incoming` turns and post the
replies back, over the Events API (HTTP) or Socket Mode.

Every listener answers Slack at once (Slack wants an answer within 3 s) and does the real
work afterwards, as tracked background work the server finishes before it stops. Turns of one
person run one after another in arrival order, so replies come out in the order asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.registry import PlatformConfigError
from adapters.slack import texts
from adapters.slack.config import SlackConfig
from adapters.slack.markup import escape, from_slack
from adapters.slack.profiles import Profile, SlackProfiles
from adapters.slack.render import ACTION_PREFIX, home_view, render_messages
from adapters.slack.sender import SlackSender, classify
from bot.app import IdeaBot
from bot.incoming import Incoming
from bot.roles import is_coordinator
from bot.server import InFlight
from conversations.reply import Reply
from storage.overview import ideas_of, queue_of
from storage.people import find_person
from storage.processed import claim_event

log = logging.getLogger(__name__)

PLATFORM = "slack"
EVENTS_PATH = "/slack/events"
API_TIMEOUT_SECONDS = 10
HOME_ITEMS = 40
MAX_CONCURRENT_TURNS = 8
# Slack ids: users U…/W…, channels C…/D…/G…, teams T…, apps A…
_SLACK_ID = re.compile(r"^[A-Z][A-Z0-9]{1,30}$")
_HELP_WORDS = {"", "help", "hjälp", "hjalp", "?", "hej", "hi", "hello", "hallå"}
# The token was refused: starting anyway would only fail on every message.
_FATAL_AUTH_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "account_inactive"}


def _slack_id(value: Any) -> str | None:
    return value if isinstance(value, str) and _SLACK_ID.match(value) else None


class KeyedLocks:
    """One lock per key while anyone holds or waits for it (asyncio locks are fair, so the
    turns of one person run in the order they arrived)."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]


class SlackAdapter:
    def __init__(
        self,
        bot: IdeaBot,
        config: SlackConfig,
        *,
        session: aiohttp.ClientSession,
        inflight: InFlight,
    ) -> None:
        self.bot = bot
        self.config = config
        self.session = session
        self.inflight = inflight
        self.name = "slack"
        # Replies within a turn: wait out one 429 rather than lose the answer.
        self.client = self.web_client(config.bot_token)
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
        # Proactive messages: a 429 goes back to the dispatcher, which honours Retry-After.
        self.sender = SlackSender(self.web_client(config.bot_token))
        self.profiles = SlackProfiles(self.client, bot.db)
        self.locks = KeyedLocks()
        # At most this many turns in the core at once (posting the replies is outside it, so
        # a slow Slack does not hold it). Keeps the event loop's queue short, so new requests
        # are still acknowledged quickly under load, and stays within the connection pool.
        self.turns = asyncio.Semaphore(MAX_CONCURRENT_TURNS)
        self.verifier = (
            SignatureVerifier(config.signing_secret, clock=_EpochClock(bot.clock))
            if config.signing_secret
            else None
        )
        self._auth: AuthorizeResult | None = None
        self._auth_lock = asyncio.Lock()

        # Bolt passes arguments by the names in the signature, so a plain function.
        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return await self._authorize()

        self.bolt = AsyncApp(
            name="idesluss",
            client=self.web_client(None),
            authorize=authorize,
            signing_secret=config.signing_secret,
            # handle_http checks every request's signature before anything is parsed, with
            # the bot's clock; Socket Mode requests come over the app's own connection.
            request_verification_enabled=False,
            # Our listeners ack and hand the work to `inflight` themselves; Bolt then answers
            # as soon as the listener returns instead of polling for the ack.
            process_before_response=True,
            logger=logging.getLogger("slack_bolt"),
        )
        self._register()

    def web_client(self, token: str | None) -> AsyncWebClient:
        return AsyncWebClient(
            token=token,
            base_url=self.config.api_url,
            session=self.session,
            timeout=API_TIMEOUT_SECONDS,
        )

    # ── lifecycle (a background service of the server) ──────────────────────────────────

    async def start(self) -> None:
        """Check the token once at start-up (auth.test) and learn the bot's own user id."""
        try:
            await self._authorize()
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error in _FATAL_AUTH_ERRORS:
                await self.session.close()  # the server will not start: nothing else closes it
                raise PlatformConfigError(f"Slack refused SLACK_BOT_TOKEN: {error}") from None
            log.warning("slack: auth.test failed (%s); will try again on the first request", error)
        except Exception as exc:
            log.warning("slack: cannot reach Slack yet (%s); will try again", type(exc).__name__)

    async def stop(self) -> None:
        await self.session.close()

    async def _authorize(self) -> AuthorizeResult:
        if self._auth is None:
            async with self._auth_lock:
                if self._auth is None:
                    result = await self.client.auth_test()
                    self._auth = AuthorizeResult(
                        enterprise_id=result.get("enterprise_id"),
                        team_id=result.get("team_id"),
                        bot_user_id=result.get("user_id"),
                        bot_id=result.get("bot_id"),
                        bot_token=self.config.bot_token,
                    )
        return self._auth

    # ── HTTP ─────────────────────────────────────────────────────────────────────────────

    async def handle_http(self, request: web.Request) -> web.StreamResponse:
        """POST /slack/events: events, the slash command and button clicks (Bolt's default:
        one URL for all). Unsigned or stale requests get 401 before anything is parsed."""
        try:
            raw = await request.read()
        except web.HTTPException:
            raise
        except Exception:
            return web.json_response({"error": "unreadable body"}, status=400)
        if not self._signed_by_slack(raw, request.headers):
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = await to_bolt_request(request)
            if not well_formed(bolt_request.body):
                raise ValueError("not a Slack payload")
            bolt_response = await self.bolt.async_dispatch(bolt_request)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            # Signed but not a payload Slack sends (malformed JSON, a list, missing parts).
            log.warning("slack: unreadable request (%s)", type(exc).__name__)
            return web.json_response({"error": "unreadable payload"}, status=400)
        return await to_aiohttp_response(bolt_response)

    def _signed_by_slack(self, raw: bytes, headers: Any) -> bool:
        """HMAC-SHA256 over `v0:{timestamp}:{body}` with the signing secret, compared in
        constant time, and a timestamp at most five minutes away (slack_sdk's verifier)."""
        timestamp = headers.get("X-Slack-Request-Timestamp") or ""
        if self.verifier is None or not (timestamp.isascii() and timestamp.isdigit()):
            return False
        return self.verifier.is_valid(
            body=raw, timestamp=timestamp, signature=headers.get("X-Slack-Signature")
        )

    # ── listeners: answer at once, work afterwards ───────────────────────────────────────

    def _register(self) -> None:
        self.bolt.event("message")(self._on_message)
        self.bolt.event("app_mention")(self._on_mention)
        self.bolt.event("app_home_opened")(self._on_home_opened)
        self.bolt.command("/idea")(self._on_command)
        self.bolt.action(re.compile(f"^{ACTION_PREFIX}:"))(self._on_click)
        # Anything else Slack sends is acknowledged (a 404 would count as a failed delivery
        # and make Slack retry it) and otherwise ignored.
        self.bolt.event(re.compile(".*"))(self._ignore)
        self.bolt.action(re.compile(".*"))(self._ack_only)

    async def _ignore(self, body: dict[str, Any]) -> None:
        log.debug("slack: ignored event type %s", (body.get("event") or {}).get("type"))

    async def _ack_only(self, ack: Any) -> None:
        await ack()

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        # Edits, deletions, joins and bot posts carry a subtype or a bot id: not for us.
        if event.get("subtype") or event.get("bot_id") or event.get("channel_type") != "im":
            return
        user, channel = _slack_id(event.get("user")), _slack_id(event.get("channel"))
        text = event.get("text")
        if user is None or channel is None or not isinstance(text, str):
            log.info("slack: ignored a message without user, channel or text")
            return
        self.inflight.spawn(
            self._dialogue_turn(
                user,
                _team(body, event),
                channel=channel,
                event_id=_event_id(body),
                text=from_slack(text),
            ),
            name="slack message",
        )

    async def _on_click(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = _slack_id((body.get("user") or {}).get("id"))
        value = action.get("value")
        if user is None or not isinstance(value, str) or not value:
            log.info("slack: ignored a click without user or value")
            return
        team = _team(body, body.get("user") or {})
        container = body.get("container") or {}
        if container.get("is_ephemeral"):
            # A button under a command's answer: the click is a command too.
            channel = _slack_id((body.get("channel") or {}).get("id"))
            work = self._command_turn(
                user,
                team,
                action=value,
                channel=channel,
                response_url=_url(body.get("response_url")),
                in_group=not (channel or "").startswith("D"),
            )
        else:
            # The reply goes to the clicking person's own DM, never to the channel named in
            # the payload: a click can only ever act on the clicker's own conversation.
            work = self._dialogue_turn(user, team, channel=None, event_id=None, action=value)
        self.inflight.spawn(work, name="slack click")

    async def _on_command(self, ack: Any, body: dict[str, Any]) -> None:
        await ack()
        user = _slack_id(body.get("user_id"))
        if user is None:
            log.info("slack: ignored a command without user")
            return
        channel = _slack_id(body.get("channel_id"))
        text = body.get("text") if isinstance(body.get("text"), str) else ""
        self.inflight.spawn(
            self._command_turn(
                user,
                _team(body, {}),
                text=from_slack(text, keep_mentions=True),
                channel=channel,
                response_url=_url(body.get("response_url")),
                in_group=not (channel or "").startswith("D"),
            ),
            name="slack command",
        )

    async def _on_mention(
        self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]
    ) -> None:
        user, channel = _slack_id(event.get("user")), _slack_id(event.get("channel"))
        text = event.get("text")
        if user is None or channel is None or not isinstance(text, str):
            return
        bot_user = context.get("bot_user_id") or ""
        said = re.sub(rf"<@{re.escape(bot_user)}(\|[^>]*)?>", " ", text) if bot_user else text
        said = " ".join(said.split())
        self.inflight.spawn(
            self._mention_turn(
                user, _team(body, event), channel, said, api_app_id=body.get("api_app_id")
            ),
            name="slack mention",
        )

    async def _on_home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        user = _slack_id(event.get("user"))
        if user is None:
            return
        if event.get("tab") == "home":
            self.inflight.spawn(self._publish_home(user), name="slack home")
        elif event.get("tab") == "messages":
            channel = _slack_id(event.get("channel"))
            self.inflight.spawn(
                self._welcome(user, _team(body, event), channel), name="slack welcome"
            )

    # ── the work ─────────────────────────────────────────────────────────────────────────

    async def _dialogue_turn(
        self,
        user: str,
        team: str | None,
        *,
        channel: str | None,
        event_id: str | None,
        text: str | None = None,
        action: str | None = None,
        opened: bool = False,
    ) -> None:
        async with self.locks.hold(user):
            # A retried event (same event_id) is recognised by the core, in the turn's own
            # transaction, and answered with no replies.
            profile = await self.profiles.get(user)
            if channel is None:
                channel = profile.dm_channel or await self.sender.open_dm(user)
            address = profile.address_for(team=team, dm_channel=channel)
            replies = await self._ask_core(
                user, profile, address, text=text, action=action, opened=opened, event_id=event_id
            )
            await self.post(channel, replies)

    async def _ask_core(
        self, user: str, profile: Any, address: dict[str, Any] | None, **fields: Any
    ) -> list[Reply]:
        """One turn in the core for `user`, with what Slack told us about them; at most
        MAX_CONCURRENT_TURNS at once."""
        async with self.turns:
            replies = await self.bot.handle(
                Incoming(
                    platform=PLATFORM,
                    user_id=user,
                    display_name=profile.name,
                    locale=profile.locale,
                    address=address,
                    # Answers go to the DM or, in a channel, ephemerally to this person.
                    private_replies=True,
                    **fields,
                )
            )
        self.profiles.saw(profile, address)
        return replies

    async def _command_turn(
        self,
        user: str,
        team: str | None,
        *,
        channel: str | None,
        response_url: str | None,
        in_group: bool,
        text: str | None = None,
        action: str | None = None,
    ) -> None:
        async with self.locks.hold(user):
            profile = await self.profiles.get(user)
            address = profile.address_for(team=team)
            replies = await self._ask_core(
                user, profile, address, text=text, action=action, command=True, in_group=in_group
            )
            await self.post_ephemeral(
                replies, user=user, channel=channel, response_url=response_url
            )

    async def _mention_turn(
        self, user: str, team: str | None, channel: str, said: str, *, api_app_id: Any
    ) -> None:
        if said.lower().strip(" .!?") in _HELP_WORDS:
            profile = await self.profiles.get(user)
            text = how_to_start(profile, team=team, app_id=_slack_id(api_app_id))
            await self._call(self.client.chat_postEphemeral, channel=channel, user=user, text=text)
            return
        await self._command_turn(
            user,
            team,
            text=from_slack(said, keep_mentions=True),
            channel=channel,
            response_url=None,
            in_group=True,
        )

    async def _welcome(self, user: str, team: str | None, channel: str | None) -> None:
        """Someone opens the Messages tab for the first time ever: greet them and start."""
        profile = await self.profiles.get(user)
        if profile.known or channel is None:
            return
        if not await self.first_delivery(f"welcome:{user}"):
            return
        await self._dialogue_turn(user, team, channel=channel, event_id=None, opened=True)

    async def _publish_home(self, user: str) -> None:
        profile = await self.profiles.get(user)
        qualified = f"{PLATFORM}:{user}"
        process = self.bot.process
        async with self.bot.db.transaction() as session:
            person = await find_person(session, qualified)
            mine = await ideas_of(session, person.id, limit=HOME_ITEMS + 1) if person else []
            queue = None
            if await is_coordinator(session, self.bot.settings, qualified):
                coordinator_id = person.id if person else -1
                queue = await queue_of(
                    session,
                    coordinator_id,
                    closed_stages=process.terminal_stages,
                    limit=HOME_ITEMS + 1,
                )
        view = home_view(
            profile.language,
            mine=mine,
            queue=queue,
            shown_at_most=HOME_ITEMS,
            stage_name=lambda stage: process.stage_name(stage, profile.language),
        )
        await self._call(self.client.views_publish, user_id=user, view=view)

    async def first_delivery(self, key: str) -> bool:
        """True the first time `key` is seen (kept in the database, so across restarts and
        replicas). If the database cannot say, the work goes ahead."""
        try:
            async with self.bot.db.transaction() as session:
                return await claim_event(session, f"{PLATFORM}:{key}", now=self.bot.clock.now())
        except Exception as exc:
            log.error("slack: cannot record event (%s)", type(exc).__name__)
            return True

    # ── posting ──────────────────────────────────────────────────────────────────────────

    async def post(self, channel: str, replies: Sequence[Reply]) -> None:
        for message in render_messages(replies):
            if not await self._call(
                self.client.chat_postMessage, channel=channel, **message.as_kwargs()
            ):
                return

    async def post_ephemeral(
        self,
        replies: Sequence[Reply],
        *,
        user: str,
        channel: str | None,
        response_url: str | None,
    ) -> None:
        """Only the person who asked sees the answer: through the command's response_url
        (works in channels the bot is not a member of), else chat.postEphemeral."""
        for message in render_messages(replies):
            if response_url:
                webhook = AsyncWebhookClient(
                    response_url, session=self.session, timeout=API_TIMEOUT_SECONDS
                )
                try:
                    response = await webhook.send(
                        text=message.text,
                        blocks=message.blocks,
                        response_type="ephemeral",
                        replace_original=False,
                    )
                except Exception as exc:
                    log.warning("slack: response_url failed (%s)", type(exc).__name__)
                    return
                if response.status_code >= 300:
                    log.warning("slack: response_url answered HTTP %d", response.status_code)
                    return
            elif channel:
                ok = await self._call(
                    self.client.chat_postEphemeral,
                    channel=channel,
                    user=user,
                    **message.as_kwargs(),
                )
                if not ok:
                    return

    async def _call(self, method: Any, **kwargs: Any) -> bool:
        try:
            await method(**kwargs)
        except Exception as exc:
            log.warning("slack: %s failed: %s", getattr(method, "__name__", "call"), classify(exc))
            return False
        return True


def how_to_start(profile: Profile, *, team: str | None, app_id: str | None) -> str:
    """The answer to an @mention: write to me in the Messages tab (a link straight there)."""
    lang = profile.language
    if team and app_id:
        label = escape(texts.t(lang, "mention.messages_tab"))
        link = f"<slack://app?team={team}&id={app_id}&tab=messages|{label}>"
    else:
        link = escape(texts.t(lang, "mention.direct_message"))
    first = profile.name.split()[0] if profile.name and profile.name.split() else None
    table = texts.TEXTS.get(lang, texts.SV)
    if first:
        return escape(table["mention.how_to_start"]).format(name=escape(first), messages_link=link)
    return escape(table["mention.how_to_start.noname"]).format(messages_link=link)


def well_formed(body: Any) -> bool:
    """The shape Bolt relies on before any listener of ours sees the payload."""
    if not isinstance(body, dict):
        return False
    if body.get("type") == "event_callback":
        return isinstance(body.get("event"), dict) and isinstance(body["event"].get("type"), str)
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        return (
            isinstance(actions, list)
            and len(actions) > 0
            and all(isinstance(a, dict) for a in actions)
            and isinstance(body.get("user"), dict)
        )
    if "command" in body:
        return isinstance(body.get("command"), str)
    return True


def _team(body: dict[str, Any], inner: dict[str, Any]) -> str | None:
    team = body.get("team_id") or inner.get("team") or inner.get("team_id")
    if isinstance(body.get("team"), dict):
        team = team or body["team"].get("id")
    return _slack_id(team)


def _event_id(body: dict[str, Any]) -> str | None:
    event_id = body.get("event_id")
    return event_id if isinstance(event_id, str) and 0 < len(event_id) <= 100 else None


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


class _EpochClock:
    """slack_sdk's verifier asks a clock for epoch seconds: give it the bot's (injected) one,
    so the five-minute window is tested by moving time, not by racing it."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock.now().timestamp()
