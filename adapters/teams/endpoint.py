"""`POST /api/messages`: Teams activities in, the shared core, replies out.

The request is parsed and authenticated here (every failure of the token, whatever
botbuilder raises for it, is a 401), then the activity runs through botbuilder's
`CloudAdapter`, which creates the turn and the Bot Connector client for the replies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount
from botframework.connector.auth import BotFrameworkAuthentication

from adapters.teams.files import FILE_CONSENT_INVOKE, TeamsFiles, consent_cards
from adapters.teams.inbound import TenantNotAllowed
from adapters.teams.members import MemberEmail, TeamsMembers
from adapters.teams.render import to_activity
from adapters.teams.sender import TeamsSender
from bot.inbox import Answered, Delivery, Inbox
from bot.incoming import Incoming
from bot.people import installation_changed
from bot.ports import DeliveryError, RetryLater, mention
from conversations.reply import Reply
from storage.database import DATABASE_ERRORS

log = logging.getLogger(__name__)

PLATFORM = "msteams"
GROUP_CONVERSATIONS = {"channel", "groupchat"}
# Teams user ids ("29:1abc…", AAD object ids); anything else is left as the typed name.
_MENTIONABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,200}")
_LEFTOVER_MENTION = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)


class BadActivity(ValueError):
    """The request is not an activity we can act on; the message says why."""


def parse_activity(body: bytes) -> Activity:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BadActivity("the body is not JSON we can read") from exc
    if not isinstance(data, dict):
        raise BadActivity("the body is not a JSON object")
    try:
        activity = Activity().deserialize(data)
    except Exception as exc:  # msrest raises several kinds for wrongly typed fields
        raise BadActivity("the body is not a Bot Framework activity") from exc
    if not isinstance(activity.type, str) or not activity.type:
        raise BadActivity("the activity has no type")
    if not activity.service_url or not isinstance(activity.service_url, str):
        raise BadActivity("the activity has no serviceUrl")
    if not activity.channel_id or not isinstance(activity.channel_id, str):
        raise BadActivity("the activity has no channelId")
    return activity


def _has_id(account: Any) -> bool:
    return (
        account is not None and isinstance(getattr(account, "id", None), str) and bool(account.id)
    )


def is_group(activity: Activity) -> bool:
    conversation = activity.conversation
    kind = (conversation.conversation_type or "").lower() if conversation else ""
    return kind in GROUP_CONVERSATIONS or bool(conversation and conversation.is_group)


def conversation_reference(activity: Activity) -> dict[str, Any]:
    """What a proactive message to this person needs, as JSON for the database."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None  # proactive messages start a new thread, not a reply
    if reference.conversation is not None and not reference.conversation.tenant_id:
        # Teams sends the tenant as conversation.tenantId and channelData.tenant.id; the
        # Python schema only reads "tenantID", so take it from where Teams puts it.
        reference.conversation.tenant_id = tenant_of(activity)
    serialized: dict[str, Any] = reference.serialize()
    return serialized


def tenant_of(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    return tenant_id if isinstance(tenant_id, str) and tenant_id else None


def message_text(activity: Activity) -> str:
    """What the person typed, without the bot's @mention (channels and group chats)."""
    if not isinstance(activity.text, str):
        return ""
    text = activity.text
    if _has_id(activity.recipient):
        try:
            text = TurnContext.remove_recipient_mention(activity) or ""
        except (KeyError, TypeError, AttributeError, re.error):
            # A malformed mention entity; fall back to dropping the tags below.
            text = activity.text
    text = _people_mentioned(activity, text)
    # A bot mention whose entity was unusable goes too; other mentions keep the name.
    bot_name = getattr(activity.recipient, "name", None)

    def unwrap(match: re.Match[str]) -> str:
        return "" if bot_name and match.group(1).strip() == bot_name else match.group(1)

    return _LEFTOVER_MENTION.sub(unwrap, text).strip()


def _people_mentioned(activity: Activity, text: str) -> str:
    """`<at>Maria Berg</at>` → `<@29:1abc…>` for every mention entity of someone other than
    the bot, so that `assign 12 @Maria Berg` names Maria by the id the core knows her by
    (the same `from.id` her own messages carry). A mention whose entity is unusable keeps
    the name as typed."""
    bot_id = activity.recipient.id if _has_id(activity.recipient) else None
    for entity in activity.entities or ():
        if (getattr(entity, "type", None) or "").lower() != "mention":
            continue
        properties = getattr(entity, "additional_properties", None) or {}
        mentioned, tagged = properties.get("mentioned"), properties.get("text")
        user_id = mentioned.get("id") if isinstance(mentioned, dict) else None
        if (
            not isinstance(user_id, str)
            or user_id == bot_id
            or not _MENTIONABLE_ID.fullmatch(user_id)
            or not isinstance(tagged, str)
            or not tagged
        ):
            continue
        text = text.replace(tagged, mention(user_id), 1)
    return text


def delivery_key(activity: Activity) -> str:
    """One activity, whichever replica it reaches and however often Teams sends it: its id
    within its conversation (ids are unique only per conversation)."""
    conversation = activity.conversation.id if activity.conversation else ""
    if isinstance(activity.id, str) and activity.id:
        digest = hashlib.sha256(f"{conversation}\n{activity.id}".encode()).hexdigest()
        return f"{PLATFORM}:activity:{digest}"
    return f"{PLATFORM}:unnamed:{uuid.uuid4()}"  # nothing to recognise a repeat by


def _written_at(activity: Activity, now: datetime) -> datetime:
    """When the person wrote it (the activity's timestamp), else when it arrived."""
    moment = activity.timestamp
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return now


def locale_of(activity: Activity) -> str | None:
    if isinstance(activity.locale, str) and activity.locale:
        return activity.locale[:16]
    for entity in activity.entities or ():
        if getattr(entity, "type", None) == "clientInfo":
            locale = (entity.additional_properties or {}).get("locale")
            if isinstance(locale, str) and locale:
                return locale[:16]
    return None


class TeamsEndpoint:
    """The Teams side of the server, and the QueuePlatform its inbox queues run with."""

    name = PLATFORM

    def __init__(
        self,
        adapter: CloudAdapter,
        authentication: BotFrameworkAuthentication,
        bot: Any,
        *,
        inbox: Inbox,
        sender: TeamsSender,
        files: TeamsFiles | None = None,
    ) -> None:
        self.adapter = adapter
        self.authentication = authentication
        self.bot = bot
        self.inbox = inbox
        self.sender = sender
        self.files = files or TeamsFiles(bot)
        # The requests waiting for their delivery's answer: it goes back on their turn.
        self._turns: dict[str, TurnContext] = {}
        # A live turn of each person whose queue runs now: the member lookup goes through it.
        self._live: dict[str, TurnContext] = {}
        self.members = TeamsMembers(bot)
        adapter.on_turn_error = self._on_turn_error
        inbox.register(self)

    async def handle(self, request: web.Request) -> web.Response:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            activity = parse_activity(await request.read())
        except BadActivity as exc:
            return web.json_response({"error": str(exc)}, status=400)
        try:
            # None, not "", when absent: the SDK only allows that when auth is disabled.
            auth = await self.authentication.authenticate_request(
                activity, request.headers.get("Authorization")
            )
        except TenantNotAllowed:
            log.info("teams activity from a tenant not in MICROSOFT_ALLOWED_TENANTS refused")
            return web.json_response({"error": "this tenant may not use the bot"}, status=403)
        except Exception as exc:  # botbuilder raises PermissionError, jwt errors, IndexError…
            log.info("teams request refused: %s", type(exc).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        invoke_response = await self.adapter.process_activity(auth, activity, self.on_turn)
        if invoke_response is not None:
            return web.json_response(invoke_response.body, status=invoke_response.status)
        return web.Response(status=200)

    async def on_turn(self, turn: TurnContext) -> None:
        activity = turn.activity
        if not _has_id(activity.from_property) or not (
            activity.conversation and activity.conversation.id
        ):
            log.info("teams activity without sender or conversation ignored")
            return
        if activity.type == ActivityTypes.message:
            await self._on_message(turn)
        elif activity.type == ActivityTypes.conversation_update:
            await self._on_conversation_update(turn)
        elif activity.type == ActivityTypes.installation_update:
            await self._on_installation_update(turn)
        elif activity.type == ActivityTypes.invoke and activity.name == FILE_CONSENT_INVOKE:
            # The person accepted or declined a file (adapters/teams/files.py).
            await self.files.on_consent(turn)
        elif activity.type == ActivityTypes.invoke:
            # No other invokes are used (cards use Action.Submit); answer so Teams shows no
            # error.
            await turn.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200))
            )
        else:
            log.debug("teams activity of type %r ignored", activity.type)

    async def _on_message(self, turn: TurnContext) -> None:
        activity = turn.activity
        in_group = is_group(activity)
        action = None
        if activity.value is not None:
            # An Adaptive Card button. Anything but our own {"action": "..."} is a card we
            # no longer understand; an empty action lets the core say so.
            value = activity.value
            raw = value.get("action") if isinstance(value, dict) else None
            action = raw if isinstance(raw, str) else ""
        text = None if action is not None else message_text(activity)
        incoming = self._incoming(activity, text=text, action=action, in_group=in_group)
        await self._through_inbox(turn, incoming)

    async def _on_conversation_update(self, turn: TurnContext) -> None:
        activity = turn.activity
        bot_id = activity.recipient.id if _has_id(activity.recipient) else None
        added: list[ChannelAccount] = activity.members_added or []
        if bot_id is None or not any(getattr(m, "id", None) == bot_id for m in added):
            return
        if is_group(activity):
            return  # added to a team or group chat: the dialogue happens in personal chat
        await self._through_inbox(turn, self._incoming(activity, opened=True))

    async def _on_installation_update(self, turn: TurnContext) -> None:
        """Teams sends this beside the conversationUpdate that greets; here the address
        is only remembered (or, on removal, the person marked unreachable)."""
        activity = turn.activity
        if is_group(activity):
            return
        action = (activity.action or "").lower()
        if not action.startswith(("add", "remove")):
            return
        # Through the core, as a turn: the delivery claimed, the person's turn limit kept.
        incoming = self._incoming(activity)
        await installation_changed(self.bot, incoming, installed=action.startswith("add"))

    def _incoming(self, activity: Activity, **fields: Any) -> Incoming:
        in_group = fields.pop("in_group", False)
        user = activity.from_property
        return Incoming(
            platform=PLATFORM,
            user_id=user.id,
            display_name=user.name if isinstance(user.name, str) and user.name else None,
            locale=locale_of(activity),
            # A group conversation is not where this person's own messages should go.
            address=None if in_group else conversation_reference(activity),
            event_id=activity.id if isinstance(activity.id, str) else None,
            in_group=in_group,
            # Teams has no ephemeral messages: in a channel or group chat everyone there
            # reads the bot's replies.
            private_replies=not in_group,
            # Files go to the personal chat by file consent (adapters/teams/files.py).
            keeps_files=True,
            **fields,
        )

    async def _through_inbox(self, turn: TurnContext, incoming: Incoming) -> None:
        """Keep the activity, then run the person's queue and answer within this request.
        Every replica takes one person's activities in the order written (their
        timestamps), and a redelivered activity (same conversation and id) runs once."""
        activity = turn.activity
        key = delivery_key(activity)
        delivery = Delivery(
            key=key,
            incoming=incoming,
            reply_to=conversation_reference(activity),
            written_at=_written_at(activity, self.bot.clock.now()),
        )
        try:
            await self.inbox.accept(delivery)
        except DATABASE_ERRORS as exc:
            log.error("teams: cannot keep an activity: %s", type(exc).__name__)
            await self._reply(turn, self.bot.try_again(incoming))
            return
        self._turns[key] = turn
        self._live[incoming.user_id] = turn
        try:
            await self.inbox.run(PLATFORM, incoming.user_id)
        finally:
            self._turns.pop(key, None)
            if self._live.get(incoming.user_id) is turn:
                del self._live[incoming.user_id]

    # The QueuePlatform the inbox runs Teams queues with.

    async def person_context(self, user_id: str) -> MemberEmail | None:
        # Everything else the turn needs came with the activity; the e-mail is asked for
        # at most once a day (adapters/teams/members.py).
        return await self.members.email_for(user_id, self._live.get(user_id))

    def complete(self, incoming: Incoming, reply_to: dict[str, Any], context: Any) -> Incoming:
        if isinstance(context, MemberEmail):
            return replace(incoming, email=context.email, email_checked=True)
        return incoming

    async def post_answer(self, answered: Answered, context: Any) -> None:
        turn = self._turns.get(answered.key)
        if turn is not None:
            await self._reply(turn, answered.replies)
            return
        # Its request is gone (the replica that took it died): the same conversation,
        # written to proactively.
        try:
            await self.sender.send(answered.reply_to, answered.replies)
        except RetryLater:
            raise
        except DeliveryError as outcome:
            log.warning("teams: an answer could not be posted: %s", outcome)

    async def _reply(self, turn: TurnContext, replies: list[Reply]) -> None:
        if replies:
            # A reply's files follow it as consent cards; only a personal chat's answer has
            # any (one asked for in a group goes to the personal chat through the outbox).
            activities = [to_activity(reply) for reply in replies]
            await turn.send_activities([*activities, *consent_cards(replies)])

    async def _on_turn_error(self, turn: TurnContext, error: Exception) -> None:
        # No activity content at this level: it may hold an idea or a name.
        log.error(
            "teams turn failed: %s",
            type(error).__name__,
            exc_info=log.isEnabledFor(logging.DEBUG),
        )
