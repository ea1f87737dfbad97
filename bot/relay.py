"""Replies both ways, between an idea giver and the coordinators, kept in the idea's history.

What an idea giver writes back after news about their idea ("Men varför? Kan jag prata med
Maria?") is about that idea: it goes at once (the outbox, never a digest) to whoever answers
for the idea now (bot/availability.py), with buttons to write back and to see the idea; the
idea notes that its giver waits for an answer (`giver_waiting_since`), and the giver hears
who has their words and by when they hear back (a promise, bot/promises.py). When several of
their ideas could be meant, they are asked which. A coordinator writes to the giver without
moving the idea (`skriv N …`, or the button and then their next message): one message to
the giver, one event in the history, the silence ended and the promise kept.

The router decides when words are a reply (bot/app.py, "reply about an idea"): with nothing
going on, words that are not a command, greeting, thanks or help, from someone who lately
heard about one of their ideas (`REPLY_WINDOW`) or waits for an answer about one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import questions
from bot.availability import answering_for
from bot.commands.handlers import CommandContext
from bot.commands.syntax import MAX_COMMAND_TEXT
from bot.notifications import giver_language
from bot.promises import COORDINATOR, giver_told, promise
from conversations.i18n import person_language
from conversations.intake import clean_text
from conversations.reply import Reply, payload_of
from conversations.views.common import IdeaNotFound, not_found_reply
from conversations.views.questions import QuestionAnswered, question_answered_reply
from conversations.views.relay import (
    CoordinatorWrote,
    GiverMessageSent,
    GiverWrote,
    MessageOutcome,
    WhichIdea,
    coordinator_wrote_reply,
    giver_message_sent_reply,
    giver_wrote_reply,
    message_outcome_reply,
    not_relayed_reply,
    which_idea_reply,
)
from storage.ideas import add_event, get_idea
from storage.models import Idea, OpenQuestion, Person
from storage.outbox import enqueue
from storage.people import first_name, get_person
from storage.privacy import FORGOTTEN_PREFIX
from storage.relay import COORDINATOR_MESSAGE, GIVER_MESSAGE, ideas_with_news, open_promise_due

log = logging.getLogger(__name__)

# What a person writes this long after news about their idea is still read as a reply to it.
REPLY_WINDOW = timedelta(days=30)
# The giver is promised an answer by the end of this many working days (unless an earlier
# promise stands).
ANSWER_DAYS = 2
# At most this many ideas to choose from, the latest news first.
MAX_CHOICES = 5
WHICH = "relay_which"  # the open question: which of your ideas is it about?
WRITE = "relay_write"  # the open question: the coordinator's next words go to the giver


async def ideas_replied_about(session: AsyncSession, person: Person, now: datetime) -> list[Idea]:
    """The ideas what `person` writes now may be a reply about (latest news first)."""
    return await ideas_with_news(session, person.id, since=now - REPLY_WINDOW)


def has_words(text: str) -> bool:
    """Whether the text says something a coordinator can read (a word, not "5" or "!!")."""
    return sum(char.isalpha() for char in text) >= 2


def _name(person: Person) -> str:
    return person.display_name or person.platform_user_id


async def reply_about(ctx: CommandContext, ideas: list[Idea], text: str) -> list[Reply]:
    """The giver's words about one of `ideas`: relayed, or, with several, asked which."""
    if len(ideas) == 1:
        idea = await get_idea(ctx.session, ideas[0].id, lock=True)
        assert idea is not None  # just read
        return [await giver_writes(ctx, idea, text)]
    shown = ideas[:MAX_CHOICES]
    keys = {str(index): idea.id for index, idea in enumerate(shown, start=1)}
    kept = clean_text(text)[:MAX_COMMAND_TEXT]
    nonce = await questions.ask(ctx, WHICH, {"text": kept, "ideas": keys})
    view = WhichIdea(
        first_name=first_name(ctx.person.display_name),
        ideas=tuple(
            (questions.button(nonce, key), idea.id, idea.title)
            for key, idea in zip(keys, shown, strict=True)
        ),
        none=questions.button(nonce, questions.NO),
    )
    return [which_idea_reply(ctx.lang, view)]


@questions.question_kind(WHICH)
async def _which(ctx: CommandContext, question: OpenQuestion, value: str) -> list[Reply]:
    """The answer to "Vilken av dina idéer gäller det?": the idea's button, or none."""
    number = dict(question.data.get("ideas") or {}).get(value)
    text = str(question.data.get("text") or "")
    if value != questions.NO and (not isinstance(number, int) or not text):
        # "ja" typed where a choice of ideas was asked for
        return [question_answered_reply(ctx.lang, QuestionAnswered("choose"))]
    await questions.let_go(ctx.session, ctx.person.id)
    if value == questions.NO or not isinstance(number, int):
        return [not_relayed_reply(ctx.lang)]
    idea = await get_idea(ctx.session, number, lock=True)
    if idea is None or idea.person_id != ctx.person.id:  # erased or handed on meanwhile
        return [not_found_reply(ctx.lang, IdeaNotFound(number, yours=True))]
    return [await giver_writes(ctx, idea, text)]


async def giver_writes(ctx: CommandContext, idea: Idea, text: str) -> Reply:
    """The idea giver's words about their idea: kept in its history, sent at once to whoever
    answers for it, and the giver told who has them and by when they hear back."""
    session, now = ctx.session, ctx.now
    text = clean_text(text)[:MAX_COMMAND_TEXT]
    event = await add_event(session, idea, actor=ctx.person, kind=GIVER_MESSAGE, text=text, now=now)
    if idea.giver_waiting_since is None:
        idea.giver_waiting_since = now
    idea.updated_at = now
    recipients = [
        person
        for person in await answering_for(session, ctx.settings, idea, now)
        if person.id != ctx.person.id
    ]
    # Declared with their commands (which import this module's callers): imported here.
    from bot.commands.handlers import SHOW_BUTTON
    from bot.commands.relay import WRITE_BUTTON

    giver = first_name(ctx.person.display_name)
    for recipient in recipients:
        lang = person_language(recipient)
        notice = GiverWrote(
            giver=giver,
            number=idea.id,
            title=idea.title,
            stage=ctx.process.stage_name(idea.stage, lang),
            text=text,
            answer=WRITE_BUTTON.value(idea.id),
            show=SHOW_BUTTON.value(idea.id),
        )
        await enqueue(
            session,
            dedupe_key=f"idea:{idea.id}:{GIVER_MESSAGE}:{event.id}:{recipient.id}",
            recipient_id=recipient.id,
            kind=GIVER_MESSAGE,
            payload=payload_of(giver_wrote_reply(lang, notice)),
            now=now,
            idea_id=idea.id,
        )
    answer_by = None
    closed = ctx.process.stage(idea.stage).terminal
    # A closed idea gets no dated promise: the sweep keeps no promise on a closed idea (its
    # reminders end with it), so none is made; the coordinators see that the giver waits.
    if recipients and not closed:
        due = ctx.calendar.end_of_working_days(now, ANSWER_DAYS)
        standing = await open_promise_due(session, idea.id)
        if standing is None or standing > due or standing < now:
            await promise(session, idea, due_at=due, kind="answer", now=now,
                          policy=ctx.policy, calendar=ctx.calendar)  # fmt: skip
            standing = due
        answer_by = ctx.calendar.local(standing).date()
    log.info("giver message relayed", extra={"idea": idea.id, "recipients": len(recipients)})
    view = GiverMessageSent(
        first_name=giver,
        number=idea.id,
        title=idea.title,
        to=tuple(_name(person) for person in recipients),
        answer_by=answer_by,
        closed=closed,
        assigned=idea.assignee_id is not None,
    )
    return giver_message_sent_reply(ctx.lang, view)


async def coordinator_writes(ctx: CommandContext, idea: Idea, text: str) -> Reply:
    """A coordinator's words to the idea giver, the idea where it is: one message, one event
    in the history; the giver has heard from us (the promise is kept) and waits no more."""
    session, now = ctx.session, ctx.now
    giver = await get_person(session, idea.person_id)
    if giver is None or giver.platform_user_id.startswith(FORGOTTEN_PREFIX):
        return message_outcome_reply(ctx.lang, MessageOutcome("forgotten", idea.id, idea.title))
    giver_name = first_name(giver.display_name)
    event = await add_event(
        session, idea, actor=ctx.person, kind=COORDINATOR_MESSAGE, text=text, now=now
    )
    lang = giver_language(idea, giver)
    message = CoordinatorWrote(
        first_name=giver_name,
        coordinator=ctx.person.display_name,
        number=idea.id,
        title=idea.title,
        text=text,
    )
    await enqueue(
        session,
        dedupe_key=f"idea:{idea.id}:{COORDINATOR_MESSAGE}:{event.id}",
        recipient_id=giver.id,
        kind=COORDINATOR_MESSAGE,
        payload=payload_of(coordinator_wrote_reply(lang, message)),
        now=now,
        idea_id=idea.id,
    )
    await giver_told(session, idea, now=now, by=COORDINATOR)
    idea.giver_waiting_since = None
    if idea.first_response_at is None:
        idea.first_response_at = now
    ctx.touch(idea)
    idea.updated_at = now
    log.info("coordinator message queued", extra={"idea": idea.id})
    return message_outcome_reply(
        ctx.lang, MessageOutcome("sent", idea.id, idea.title, giver=giver_name)
    )


async def ask_to_write(ctx: CommandContext, idea: Idea) -> Reply:
    """The coordinator's next message goes to the idea's giver (the answer button)."""
    giver = await get_person(ctx.session, idea.person_id)
    if giver is None or giver.platform_user_id.startswith(FORGOTTEN_PREFIX):
        return message_outcome_reply(ctx.lang, MessageOutcome("forgotten", idea.id, idea.title))
    nonce = await questions.ask(ctx, WRITE, {"idea": idea.id})
    view = MessageOutcome(
        "ask", idea.id, idea.title, giver=first_name(giver.display_name),
        cancel=questions.button(nonce, questions.NO),
    )  # fmt: skip
    return message_outcome_reply(ctx.lang, view)


@questions.question_kind(WRITE, takes_text=True)
async def _write(ctx: CommandContext, question: OpenQuestion, value: str) -> list[Reply]:
    """The coordinator's words after the answer button, or "avbryt". They go through the
    command itself, so the coordinator's role is checked again now."""
    await questions.let_go(ctx.session, ctx.person.id)
    number = question.data.get("idea")
    number = number if isinstance(number, int) else None
    idea = await get_idea(ctx.session, number) if number is not None else None
    if idea is None:
        return [not_found_reply(ctx.lang, IdeaNotFound(number))]
    if value == questions.NO:
        giver = await get_person(ctx.session, idea.person_id)
        name = first_name(giver.display_name) if giver else None
        view = MessageOutcome("cancelled", idea.id, idea.title, giver=name)
        return [message_outcome_reply(ctx.lang, view)]
    # Imported here: the commands import this module.
    from bot.commands.catalog import COMMANDS
    from bot.commands.handlers import run_command
    from bot.commands.relay import WriteArgs
    from bot.commands.syntax import Command

    return await run_command(ctx, COMMANDS, Command("message", WriteArgs(idea.id, value)))
