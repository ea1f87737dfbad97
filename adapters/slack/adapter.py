"""The Slack app: Bolt listeners that turn Slack payloads into `Incoming` turns and post the
replies back, over the Events API (HTTP) or Socket Mode.

Every listener commits what Slack delivered to the inbox (bot/inbox.py) and only then answers
Slack (well within its 3 s), so an acknowledged message survives a crash; the turn runs
afterwards, as tracked background work the server finishes before it stops. One person's
turns run one after another in the order they wrote, across replicas, and a retried or
replayed delivery (same event id, same trigger id, same signed body) runs once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import Clock as EpochClock
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.config import EVENTS_PATH, SlackConfig
from adapters.slack.directory import SlackDirectory
from adapters.slack.files import SlackFiles, is_dm
from adapters.slack.markup import escape, from_slack
from adapters.slack.profiles import Profile, SlackProfiles
from adapters.slack.render import ACTION_PREFIX, home_view, render_messages
from adapters.slack.sender import (
    SlackSender,
    as_plain_text,
    classify,
    post_or_plain,
    refused_blocks,
)
from bot.clock import Clock
from bot.files import file_failed, files_in
from bot.inbox import Answered, Delivery
from bot.incoming import Incoming
from bot.people import home_of, names_anyone_by_email
from bot.ports import DeliveryError, Host, PlatformConfigError, RetryLater
from conversations.i18n import DEFAULT_LANGUAGE, tr
from conversations.reply import Reply
from storage.database import DATABASE_ERRORS

log = logging.getLogger(__name__)

PLATFORM = "slack"
__all__ = ["EVENTS_PATH", "SlackAdapter"]
API_TIMEOUT_SECONDS = 10
HOME_ITEMS = 40
# Where a turn's replies go: the person's DM, or only to them under a command (ephemeral).
DM, EPHEMERAL = "dm", "ephemeral"
# Slack ids: users U…/W…, channels C…/D…/G…, teams T…, apps A…
_SLACK_ID = re.compile(r"^[A-Z][A-Z0-9]{1,30}$")
_HELP_WORDS = {"", "help", "hjälp", "hjalp", "?", "hej", "hi", "hello", "hallå"}
# The token was refused: starting anyway would only fail on every message.
_FATAL_AUTH_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "account_inactive"}


def _slack_id(value: Any) -> str | None:
    return value if isinstance(value, str) and _SLACK_ID.match(value) else None


class SlackAdapter:
    def __init__(self, host: Host, config: SlackConfig, *, session: aiohttp.ClientSession) -> None:
        bot = host.bot
        self.bot = bot
        self.config = config
        self.session = session
        # Work done after Slack got its answer; the server finishes it before it stops.
        self.spawn = host.spawn
        self.inbox = inbox = host.inbox
        self.name = PLATFORM
        # Replies within a turn: wait out one 429 rather than lose the answer.
        self.client = self.web_client(config.bot_token)
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
        # Proactive messages: a 429 goes back to the dispatcher, which honours Retry-After.
        # Files go up with the replies' client (one 429 waited out, like a reply).
        self.files = SlackFiles(self.client, bot)
        self.sender = SlackSender(self.web_client(config.bot_token), files=self.files)
        self.profiles = SlackProfiles(self.client, bot)
        # Coordinators named by e-mail, found before they write (no retries: it stops at a 429).
        self.directory = SlackDirectory(self.web_client(config.bot_token), bot)
        inbox.register(self)
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
        self.directory.start(at_once=names_anyone_by_email(self.bot.settings))

    async def stop(self) -> None:
        await self.directory.stop()
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

    async def _on_message(
        self, event: dict[str, Any], body: dict[str, Any], request: AsyncBoltRequest
    ) -> None:
        # Edits, deletions, joins and bot posts carry a subtype or a bot id: not for us.
        if event.get("subtype") or event.get("bot_id") or event.get("channel_type") != "im":
            return
        user, channel = _slack_id(event.get("user")), _slack_id(event.get("channel"))
        text = event.get("text")
        if user is None or channel is None or not isinstance(text, str):
            log.info("slack: ignored a message without user, channel or text")
            return
        await self._accept(
            request,
            Incoming(PLATFORM, user, text=from_slack(text)),
            {"kind": DM, "channel": channel, "team": _team(body, event)},
            name="event",
            written=event.get("ts"),
        )

    async def _on_click(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], request: AsyncBoltRequest
    ) -> None:
        user = _slack_id((body.get("user") or {}).get("id"))
        value = action.get("value")
        if user is None or not isinstance(value, str) or not value:
            log.info("slack: ignored a click without user or value")
            await ack()
            return
        team = _team(body, body.get("user") or {})
        container = body.get("container") or {}
        if container.get("is_ephemeral"):
            # A button under a command's answer: the click is a command too.
            channel = _slack_id((body.get("channel") or {}).get("id"))
            in_group = not is_dm(channel)
            incoming = Incoming(PLATFORM, user, action=value, command=True, in_group=in_group)
            reply_to = {
                "kind": EPHEMERAL,
                "channel": channel,
                "response_url": _url(body.get("response_url")),
                "team": team,
            }
        else:
            # The reply goes to the clicking person's own DM, never to the channel named in
            # the payload: a click can only ever act on the clicker's own conversation.
            incoming = Incoming(PLATFORM, user, action=value)
            reply_to = {"kind": DM, "channel": None, "team": team}
        await self._accept(
            request, incoming, reply_to, name="click", written=action.get("action_ts")
        )
        await ack()

    async def _on_command(self, ack: Any, body: dict[str, Any], request: AsyncBoltRequest) -> None:
        user = _slack_id(body.get("user_id"))
        if user is None:
            log.info("slack: ignored a command without user")
            await ack()
            return
        channel = _slack_id(body.get("channel_id"))
        text = body.get("text") if isinstance(body.get("text"), str) else ""
        incoming = Incoming(
            PLATFORM,
            user,
            text=from_slack(text, keep_mentions=True),
            command=True,
            in_group=not is_dm(channel),
        )
        reply_to = {
            "kind": EPHEMERAL,
            "channel": channel,
            "response_url": _url(body.get("response_url")),
            "team": _team(body, {}),
        }
        try:
            await self._accept(request, incoming, reply_to, name="command", written=None)
        except DATABASE_ERRORS:
            # Slack never resends a slash command: say so rather than fail in silence.
            await ack(text=escape(tr(DEFAULT_LANGUAGE, "slack.command.try_again")))
            return
        await ack()

    async def _on_mention(
        self,
        event: dict[str, Any],
        body: dict[str, Any],
        context: dict[str, Any],
        request: AsyncBoltRequest,
    ) -> None:
        user, channel = _slack_id(event.get("user")), _slack_id(event.get("channel"))
        text = event.get("text")
        if user is None or channel is None or not isinstance(text, str):
            return
        bot_user = context.get("bot_user_id") or ""
        said = re.sub(rf"<@{re.escape(bot_user)}(\|[^>]*)?>", " ", text) if bot_user else text
        said = " ".join(said.split())
        team = _team(body, event)
        if said.lower().strip(" .!?") in _HELP_WORDS:
            # Only a pointer to the Messages tab: nothing changes, so nothing to keep.
            self.spawn(
                self._how_to_start(user, team, channel, api_app_id=body.get("api_app_id")),
                name="slack mention",
            )
            return
        await self._accept(
            request,
            Incoming(
                PLATFORM,
                user,
                text=from_slack(said, keep_mentions=True),
                command=True,
                in_group=True,
            ),
            {"kind": EPHEMERAL, "channel": channel, "response_url": None, "team": team},
            name="event",
            written=event.get("ts"),
        )

    async def _on_home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        user = _slack_id(event.get("user"))
        if user is None:
            return
        if event.get("tab") == "home":
            self.spawn(self._publish_home(user), name="slack home")
        elif event.get("tab") == "messages":
            channel = _slack_id(event.get("channel"))
            self.spawn(self._welcome(user, _team(body, event), channel), name="slack welcome")

    # ── the inbox: keep first, answer Slack, work afterwards ─────────────────────────────

    async def _accept(
        self,
        request: AsyncBoltRequest,
        incoming: Incoming,
        reply_to: dict[str, Any],
        *,
        name: str,
        written: Any,
    ) -> None:
        """Commit the delivery before Slack gets its answer, then run the person's queue.
        A database failure propagates: Slack gets an error and sends the event again."""
        delivery = Delivery(
            key=delivery_key(request.body, request.raw_body, kind=name),
            incoming=incoming,
            reply_to=reply_to,
            written_at=_written_at(written, self.bot.clock.now()),
        )
        if await self.inbox.accept(delivery):
            self.inbox.wake(PLATFORM, incoming.user_id)

    async def _welcome(self, user: str, team: str | None, channel: str | None) -> None:
        """Someone opens the Messages tab for the first time ever: greet them and start.
        Its key is the person's, so they are greeted once, whichever replica sees it."""
        profile = await self.profiles.get(user)
        if profile.known or channel is None:
            return
        delivery = Delivery(
            key=f"{PLATFORM}:welcome:{user}",
            incoming=Incoming(PLATFORM, user, opened=True),
            reply_to={"kind": DM, "channel": channel, "team": team},
            written_at=self.bot.clock.now(),
        )
        try:
            new = await self.inbox.accept(delivery)
        except DATABASE_ERRORS as exc:
            log.error("slack: cannot record the welcome (%s)", type(exc).__name__)
            return
        if new:
            self.inbox.wake(PLATFORM, user)

    # The QueuePlatform the inbox runs Slack's queues with.

    async def person_context(self, user_id: str) -> Profile:
        return await self.profiles.get(user_id)

    def complete(self, incoming: Incoming, reply_to: dict[str, Any], context: Any) -> Incoming:
        profile: Profile = context
        if reply_to.get("kind") == DM:
            address = profile.address_for(
                team=reply_to.get("team"), dm_channel=reply_to.get("channel")
            )
        else:
            address = profile.address_for(team=reply_to.get("team"))
        self.profiles.saw(profile, address)
        return replace(
            incoming,
            display_name=profile.name,
            locale=profile.locale,
            address=address,
            # Answers go to the DM or, in a channel, ephemerally to this person.
            private_replies=True,
            email=profile.email,
            email_checked=profile.email_checked,
            # Files are uploaded to the person's DM after the turn (adapters/slack/files.py).
            keeps_files=True,
        )

    async def post_answer(self, answered: Answered, context: Any) -> None:
        profile: Profile = context
        reply_to = answered.reply_to
        if reply_to.get("kind") == EPHEMERAL:
            await self.post_ephemeral(
                answered.replies,
                user=profile.user_id,
                channel=reply_to.get("channel"),
                response_url=reply_to.get("response_url"),
            )
            if files_in(answered.replies):
                await self._files_to_dm(answered, profile)
            return
        channel = reply_to.get("channel") or profile.dm_channel
        if channel is not None and not is_dm(channel):
            channel = None  # never a channel: the sender opens the person's DM
        address = {"user": profile.user_id, **({"channel": channel} if channel else {})}
        try:
            # The sender's own way to a DM (opened if need be, opened again if it vanished),
            # each message marked with the delivery key: replies a dead poster may have
            # posted already are found in the DM and not shown twice.
            await self.sender.send(
                address,
                answered.replies,
                delivery_key=answered.key,
                possibly_delivered=answered.maybe_posted,
                since=answered.answered_at,
            )
        except RetryLater:
            raise  # the inbox posts them again after its lease
        except DeliveryError as outcome:
            log.warning("slack: a reply could not be posted: %s", outcome)

    async def _files_to_dm(self, answered: Answered, profile: Profile) -> None:
        """The files of an answer given only to the person in a channel go to their DM,
        never to the channel."""
        channel = profile.dm_channel
        try:
            if not is_dm(channel):
                channel = await self.sender.open_dm(profile.user_id)
        except Exception as exc:
            reason = str(classify(exc))
            log.warning("slack: cannot open a DM for a file: %s", reason)
            qualified = f"{PLATFORM}:{profile.user_id}"
            told = [
                await file_failed(self.bot, qualified, ref.token, platform=PLATFORM, reason=reason)
                for ref in files_in(answered.replies)
            ]
            reply_to = answered.reply_to
            await self.post_ephemeral(
                told,
                user=profile.user_id,
                channel=reply_to.get("channel"),
                response_url=reply_to.get("response_url"),
            )
            return
        assert channel is not None
        await self.sender.send_files(channel, profile.user_id, answered.replies)

    async def _how_to_start(
        self, user: str, team: str | None, channel: str, *, api_app_id: Any
    ) -> None:
        profile = await self.profiles.get(user)
        text = how_to_start(profile, team=team, app_id=_slack_id(api_app_id))
        await self._call(self.client.chat_postEphemeral, channel=channel, user=user, text=text)

    async def _publish_home(self, user: str) -> None:
        profile = await self.profiles.get(user)
        process = self.bot.process
        home = await home_of(self.bot, f"{PLATFORM}:{user}", limit=HOME_ITEMS + 1)
        view = home_view(
            profile.language,
            mine=home.mine,
            queue=home.queue,
            shown_at_most=HOME_ITEMS,
            stage_name=lambda stage: process.stage_name(stage, profile.language),
        )
        await self._call(self.client.views_publish, user_id=user, view=view)

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
                    response = await webhook.send_dict(
                        {
                            **message.as_kwargs(),
                            "response_type": "ephemeral",
                            "replace_original": False,
                        }
                    )
                    if response.status_code >= 300 and refused_blocks(
                        response.body.strip(), message.as_kwargs()
                    ):
                        response = await webhook.send_dict(
                            {
                                **as_plain_text(message.as_kwargs()),
                                "response_type": "ephemeral",
                                "replace_original": False,
                            }
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
        """One Web API call (blocks Slack refuses are sent again as plain text); a failure
        is logged, never raised."""
        try:
            await post_or_plain(method, kwargs)
        except Exception as exc:
            log.warning("slack: %s failed: %s", getattr(method, "__name__", "call"), classify(exc))
            return False
        return True


def how_to_start(profile: Profile, *, team: str | None, app_id: str | None) -> str:
    """The answer to an @mention: write to me in the Messages tab (a link straight there)."""
    lang = profile.language
    if team and app_id:
        label = escape(tr(lang, "slack.mention.messages_tab"))
        link = f"<slack://app?team={team}&id={app_id}&tab=messages|{label}>"
    else:
        link = escape(tr(lang, "slack.mention.direct_message"))
    first = profile.name.split()[0] if profile.name and profile.name.split() else None
    # The text is escaped for mrkdwn, the link (already escaped, and Slack markup) goes in after.
    slot = "\x00link\x00"
    text = tr(lang, "slack.mention.how_to_start", first_name=first, messages_link=slot)
    return escape(text).replace(slot, link)


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


def delivery_key(body: Any, raw_body: str, *, kind: str) -> str:
    """What makes a delivery the same delivery: Slack's event id (a retry repeats it), the
    interaction's trigger id, or else the signed body itself (a replay is byte-identical,
    and anything else would need a new signature)."""
    if isinstance(body, dict):
        event_id = _event_id(body)
        if kind == "event" and event_id:
            return f"{PLATFORM}:event:{event_id}"
        trigger = body.get("trigger_id")
        if isinstance(trigger, str) and 0 < len(trigger) <= 100:
            return f"{PLATFORM}:trigger:{trigger}"
    digest = hashlib.sha256(raw_body.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{PLATFORM}:body:{digest}"


def _written_at(ts: Any, now: datetime) -> datetime:
    """When the person wrote it, from Slack's `ts` ("1700000000.123456"); `now` if absent."""
    try:
        moment = datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
    return moment


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


class _EpochClock(EpochClock):
    """slack_sdk's verifier asks a clock for epoch seconds: give it the bot's (injected) one,
    so the five-minute window is tested by moving time, not by racing it."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock.now().timestamp()
