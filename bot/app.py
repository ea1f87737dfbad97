"""The bot's core: one `Incoming` in, the replies for that person out.

Every turn runs in one database transaction: load the person and their dialogue, run the
pure dialogue step, save the new state (and the idea, on submit), commit. Two turns of the
same person at once are serialised by a row lock (PostgreSQL) or the write lock (SQLite),
and the dialogue's version column catches anything that slips through; the turn is then
simply run again on fresh state.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot import observability, satisfaction
from bot.clock import Clock, SystemClock
from bot.commands import privacy
from bot.commands.handlers import CommandContext, run_command
from bot.commands.parser import Command, ParseError, looks_like_command, parse, strip_prefix
from bot.config import Settings
from bot.incoming import Incoming, cleaned, unusable_user_id
from bot.notifications import COMMAND_PREFIX, SATISFACTION_PREFIX, notify_coordinators_of_new_idea
from bot.private_answers import answer_privately
from bot.process import Process, load_process
from bot.reminders import ReminderPolicy, mark_activity
from bot.roles import is_coordinator
from bot.turn_limit import TurnLimiter
from conversations import intake
from conversations.command_texts import ct
from conversations.reply import Reply
from conversations.similarity import Candidate, most_similar
from conversations.texts import DEFAULT_LANGUAGE, LANGUAGES, language_for, person_language, t
from storage.database import DATABASE_ERRORS, Database
from storage.dialogues import delete_dialogue, load_dialogue, save_dialogue
from storage.ideas import create_idea, has_ideas, recent_for_similarity
from storage.models import Dialogue, Person
from storage.outbox import wrote_outbox
from storage.people import first_name, upsert_person
from storage.processed import claim_event

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 5
# Far beyond any answer's limit; longer input is cut before any work is done on it.
MAX_INPUT_CHARS = 200_000
# A new idea is compared with this many of the newest ideas (bounded work per submission).
SIMILARITY_WINDOW = 2000
# Parse errors after which plain text from an idea giver is taken as the start of an idea
# ("Visa vägen med skyltar" is an idea, not a broken `visa N`).
_NOT_REALLY_A_COMMAND = {
    "parse.bad_number",
    "parse.needs_number",
    "parse.extra_words",
    "parse.list_word",
}

# Buttons that work outside the dialogue (a notification's, the forget-me question's, the
# rating's); any other click in a group is a dialogue's button and gets the pointer.
_BUTTONS_ANSWERED = (COMMAND_PREFIX, privacy.ACTION_PREFIX, SATISFACTION_PREFIX)


@dataclass(frozen=True)
class TurnResult:
    replies: list[Reply]
    language: str
    repeated: bool = False  # a platform's retry of a delivery already handled


class IdeaBot:
    def __init__(
        self,
        database: Database,
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        process: Process | None = None,
        reminder_policy: ReminderPolicy | None = None,
        on_outbox: Callable[[], None] | None = None,
    ) -> None:
        self.db = database
        self.settings = settings or Settings()
        self.clock = clock or SystemClock()
        # Loaded and checked now, so a broken process file stops the start, not a turn.
        self.process = process or load_process(self.settings.process_path)
        self.calendar = self.settings.calendar()
        self.reminder_policy = reminder_policy or ReminderPolicy.from_process(self.process)
        # Called after a turn committed outbox rows (the server wakes the dispatcher).
        self.on_outbox: Callable[[], None] | None = on_outbox
        self.turn_limit = TurnLimiter(self.settings.turns_per_minute)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Run one turn. Never raises for anything the person did; a database failure
        becomes a polite 'try again' and nothing half-done is kept."""
        incoming = self.prepare(incoming)
        refusal = self.refusal(incoming)
        if refusal is not None:
            return refusal
        result = await self.in_turn(incoming.platform, lambda s: self.run_turn(s, incoming))
        if result is None:
            return [Reply(t(self._fallback_language(incoming), "error.try_again"))]
        return self.delivered(incoming, result)

    def prepare(self, incoming: Incoming) -> Incoming:
        """What every turn does to what arrived before any work is done on it."""
        return _bounded(incoming)

    def refusal(self, incoming: Incoming) -> list[Reply] | None:
        """The answer to a turn that is not run: an account we cannot name, or a person
        over their turn limit (None: go on)."""
        if (problem := unusable_user_id(incoming.user_id)) is not None:
            # Nothing can be kept for an account we cannot name: one polite answer, no id logged.
            log.info("turn refused: %s user id", problem, extra={"platform": incoming.platform})
            return [Reply(t(self._fallback_language(incoming), "error.unknown_account"))]
        verdict = self.turn_limit.check(f"{incoming.platform}:{incoming.user_id}", self.clock.now())
        if verdict == "ok":
            return None
        log.info("turn refused: too many", extra={"platform": incoming.platform})
        tell = verdict == "tell"
        return [Reply(t(self._fallback_language(incoming), "error.too_many"))] if tell else []

    async def in_turn(
        self, platform: str, work: Callable[[AsyncSession], Awaitable[T]]
    ) -> T | None:
        """`work` in one transaction, run again on fresh state when another turn of the same
        person won a race; None (nothing kept) when the database failed."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                async with self.db.transaction() as session:
                    result = await work(session)
                if wrote_outbox(session):
                    self._outbox_written()
                return result
            except (StaleDataError, IntegrityError):
                # Another turn of the same person won the race; run ours on fresh state.
                log.info("turn conflict, retrying", extra={"attempt": attempt})
                if attempt == MAX_ATTEMPTS:
                    break
            except DATABASE_ERRORS as exc:
                # One line at error level; the traceback only when debugging.
                log.error(
                    "database failure during a turn: %s",
                    type(exc).__name__,
                    exc_info=log.isEnabledFor(logging.DEBUG),
                    extra={"platform": platform},
                )
                break
        observability.count_turn(platform, "error")
        return None

    def delivered(self, incoming: Incoming, result: TurnResult) -> list[Reply]:
        """The replies of a committed turn, as the platform can carry them."""
        observability.count_turn(incoming.platform, "repeated" if result.repeated else "ok")
        if incoming.accepts_files:
            return result.replies
        return [_files_explained(reply, result.language) for reply in result.replies]

    def try_again(self, incoming: Incoming) -> list[Reply]:
        return [Reply(t(self._fallback_language(incoming), "error.try_again"))]

    async def run_turn(self, session: AsyncSession, incoming: Incoming) -> TurnResult:
        """The turn itself, inside the caller's transaction."""
        now = self.clock.now()
        if incoming.event_id and not await claim_event(
            session, f"{incoming.platform}:{incoming.event_id}", now=now
        ):
            # The platform sent this delivery again (Slack retries). The first delivery was
            # handled, and answered, in a transaction of its own: nothing is done or said twice.
            log.info("repeated delivery ignored", extra={"platform": incoming.platform})
            return TurnResult([], DEFAULT_LANGUAGE, repeated=True)
        person = await upsert_person(
            session,
            incoming.platform,
            incoming.user_id,
            now=now,
            display_name=incoming.display_name,
            platform_locale=incoming.locale,
            address=incoming.address,
            # A message in a personal chat (or with an address to answer at) shows the
            # person can be reached there again; one in a Teams channel does not.
            heard_from=not incoming.in_group or incoming.address is not None,
        )
        if incoming.language in LANGUAGES and person.locale != incoming.language:
            person.locale = incoming.language
        lang = person_language(person)
        dialogue = await load_dialogue(session, person.id)
        replies = await self._route(session, incoming, person, dialogue, lang)
        log.info(
            "turn handled",
            extra={"platform": incoming.platform, "person": person.id, "replies": len(replies)},
        )
        return TurnResult(replies, lang)

    async def _route(
        self,
        session: AsyncSession,
        incoming: Incoming,
        person: Person,
        dialogue: Dialogue | None,
        lang: str,
    ) -> list[Reply]:
        """Commands and button clicks from notifications work whatever conversation is going
        on; other text answers the conversation in progress, or starts a new idea. Where
        others read the replies too (a Teams channel), the answer goes to a personal chat."""
        if incoming.in_group and not incoming.private_replies:
            return await self._group_turn(session, incoming, person, dialogue, lang)
        return await self._answer(session, incoming, person, dialogue, lang)

    async def _answer(
        self,
        session: AsyncSession,
        incoming: Incoming,
        person: Person,
        dialogue: Dialogue | None,
        lang: str,
    ) -> list[Reply]:
        in_intake = dialogue is not None and dialogue.flow == intake.FLOW
        action, text = incoming.action, incoming.text
        if action and action.startswith(COMMAND_PREFIX):
            return await self._command(session, person, lang, command_from_action(action))
        if action and action.startswith(privacy.ACTION_PREFIX):
            return await self._command(session, person, lang, privacy.command_from_action(action))
        if action and action.startswith(SATISFACTION_PREFIX):
            parsed = satisfaction.parse_action(action)
            if parsed is None:
                return [Reply(ct(lang, "satisfaction.not_asked"))]
            replies = await satisfaction.answer(
                session,
                person,
                *parsed,
                lang=lang,
                now=self.clock.now(),
                ask_comment=not in_intake,
                dialogue=None if in_intake else dialogue,
            )
            if in_intake and not incoming.in_group:  # carry on where the idea giver was
                replies += await self._intake_turn(
                    session, _opened(incoming), person, dialogue, lang
                )
            return replies
        if incoming.command or (text is not None and strip_prefix(text)[1]):
            return await self._command(session, person, lang, parse(text, self.process))
        if incoming.in_group:
            command = await self._group_command(session, incoming, person)
            if command is None:
                return [_personal_chat_pointer(person, lang)]
            return await self._command(session, person, lang, command)
        if (
            in_intake
            and text is not None
            and _at_intake_start(dialogue)
            and looks_like_command(text)
        ):
            # Right after the greeting, before any answer: "mina" or "lista 3" is a command.
            command = parse(text, self.process)
            if isinstance(command, Command) and command.name != "help":
                return await self._command(session, person, lang, command)
        if dialogue is not None and dialogue.flow == satisfaction.FLOW:
            if incoming.opened:
                return [Reply(ct(lang, "satisfaction.thanks"))]
            return await satisfaction.comment(
                session, person, dialogue, text, lang=lang, now=self.clock.now()
            )
        if dialogue is None and text is not None:
            score = satisfaction.typed_score(text)
            if score is not None:
                waiting = await satisfaction.open_question(session, person.id)
                if waiting is not None:
                    return await satisfaction.answer(
                        session,
                        person,
                        waiting.id,
                        score,
                        lang=lang,
                        now=self.clock.now(),
                        ask_comment=True,
                        dialogue=None,
                    )
            if looks_like_command(text):
                command = parse(text, self.process)
                if not (
                    isinstance(command, ParseError)
                    and command.key in _NOT_REALLY_A_COMMAND
                    and not await is_coordinator(session, self.settings, person.qualified_id)
                ):
                    return await self._command(session, person, lang, command)
        if (
            dialogue is None
            and incoming.opened
            and (
                await is_coordinator(session, self.settings, person.qualified_id)
                or await has_ideas(session, person.id)
            )
        ):
            # Coordinators come to work the queue, idea givers often to read news about their
            # ideas: greet them with what they can do instead of starting a new idea.
            name = _first_name(person)
            welcome = ct(lang, "welcome", name=name) if name else ct(lang, "welcome.noname")
            help_replies = await self._command(session, person, lang, Command("help"))
            return [Reply(welcome), *help_replies]
        return await self._intake_turn(session, incoming, person, dialogue, lang)

    async def _group_turn(
        self,
        session: AsyncSession,
        incoming: Incoming,
        person: Person,
        dialogue: Dialogue | None,
        lang: str,
    ) -> list[Reply]:
        """A channel or group chat where everyone reads what the bot posts. Only a pointer
        to a personal chat is said there for anything that is not a command (an idea is
        personal and takes several questions; no dialogue is started or moved on here). The
        answer to a command or a button click, whatever it holds, goes to the person's
        personal chat through the outbox (bot/private_answers.py); the group hears a note
        that names nothing but the person."""
        # Named before the command runs: after "glöm mig" their name is a pseudonym, which
        # the group must not see next to the person who asked.
        name = _first_name(person)
        if incoming.action is not None and incoming.action.startswith(_BUTTONS_ANSWERED):
            replies = await self._answer(session, incoming, person, dialogue, lang)
        else:
            command = await self._group_command(session, incoming, person)
            if command is None:
                return [_personal_chat_pointer(person, lang)]
            replies = await self._command(session, person, lang, command)
        return await answer_privately(
            session,
            person,
            # An outbox row carries no file; say where to get it, as in any chat without files.
            [_files_explained(reply, lang) for reply in replies],
            lang=lang,
            name=name,
            now=self.clock.now(),
            event_id=incoming.event_id,
        )

    async def _group_command(
        self, session: AsyncSession, incoming: Incoming, person: Person
    ) -> Command | ParseError | None:
        """The command a message in a channel or group chat asks for; None if it is not one
        (then it gets the pointer to a personal chat)."""
        text = incoming.text
        if incoming.command or (text is not None and strip_prefix(text)[1]):
            return parse(text, self.process)
        if text is None or not looks_like_command(text):
            return None
        command = parse(text, self.process)
        if (
            isinstance(command, ParseError)
            and command.key in _NOT_REALLY_A_COMMAND
            and not await is_coordinator(session, self.settings, person.qualified_id)
        ):
            return None
        return command

    async def _command(
        self, session: AsyncSession, person: Person, lang: str, command: Command | ParseError
    ) -> list[Reply]:
        observability.count_command(
            command.name if isinstance(command, Command) else "not_understood"
        )
        ctx = CommandContext(
            session=session,
            settings=self.settings,
            process=self.process,
            person=person,
            lang=lang,
            now=self.clock.now(),
            policy=self.reminder_policy,
            calendar=self.calendar,
        )
        return await run_command(ctx, command)

    async def _intake_turn(
        self,
        session: AsyncSession,
        incoming: Incoming,
        person: Person,
        dialogue: Dialogue | None,
        lang: str,
    ) -> list[Reply]:
        now = self.clock.now()
        ctx = intake.IntakeContext(
            lang=lang, first_name=_first_name(person), known_workplace=person.workplace
        )
        if dialogue is None or dialogue.flow != intake.FLOW:
            if incoming.action is not None and dialogue is None:
                turn = intake.stale_without_dialogue(ctx)
            else:
                # Any first message starts the dialogue; it is a greeting, not an answer.
                turn = intake.start(ctx)
        else:
            state = intake.IntakeState(
                dialogue.step, dict(dialogue.answers), dict(dialogue.context)
            )
            if incoming.opened:
                turn = intake.resume(state, ctx)
            else:
                turn = intake.answer(state, ctx, text=incoming.text, action=incoming.action)

        if turn.state is not None:
            await save_dialogue(
                session,
                person.id,
                dialogue,
                flow=intake.FLOW,
                step=turn.state.step,
                answers=turn.state.answers,
                context=turn.state.context,
                now=now,
            )
        elif dialogue is not None:
            await delete_dialogue(session, dialogue)

        if turn.submitted is None:
            return turn.replies
        similar = await self._similar(session, turn.submitted)
        idea = await create_idea(
            session,
            person,
            turn.submitted,
            language=lang,
            now=now,
            stage=self.process.first_stage,
            event_data={"similar": [number for number, _ in similar]},
        )
        idea.response_due_at = self.calendar.end_of_working_days(
            now, self.process.first_response_days
        )
        # Every activity on an idea restarts its idle count and schedules its reminders.
        mark_activity(idea, now, self.reminder_policy, self.calendar)
        if turn.submitted.get("workplace"):
            person.workplace = turn.submitted["workplace"]
        await notify_coordinators_of_new_idea(
            session, self.settings, self.process, idea, person, similar, now=now
        )
        log.info("idea submitted", extra={"idea": idea.id, "person": person.id})
        return [
            *turn.replies,
            privacy.with_anonymity_choice(
                intake.submitted_reply(lang, _first_name(person), idea.id, idea.title), lang, idea
            ),
        ]

    async def _similar(self, session: AsyncSession, answers: dict) -> list[tuple[int, str]]:
        """Up to three earlier ideas most like this one: (number, title)."""
        rows = await recent_for_similarity(session, limit=SIMILARITY_WINDOW)
        candidates = [Candidate(i, title, f"{need} {idea}") for i, title, need, idea in rows]
        best = most_similar(
            answers["title"], f"{answers.get('need', '')} {answers.get('idea', '')}", candidates
        )
        names = {i: title for i, title, _, _ in rows}
        return [(number, names[number]) for number, _ in best]

    def _outbox_written(self) -> None:
        if self.on_outbox is None:
            return
        try:
            self.on_outbox()
        except Exception as exc:  # the turn is committed; the next tick delivers anyway
            log.warning("could not wake the dispatcher: %s", type(exc).__name__)

    def _fallback_language(self, incoming: Incoming) -> str:
        if incoming.language in LANGUAGES:
            return incoming.language
        return language_for(incoming.locale) if incoming.locale else DEFAULT_LANGUAGE


def command_from_action(action: str) -> Command | ParseError:
    """ "cmd:assign:12:me" / "cmd:advance:12:assessment" from a notification's buttons."""
    parts = action.split(":")
    if len(parts) == 4 and parts[2].isdigit():
        verb, number, argument = parts[1], int(parts[2]), parts[3]
        if verb == "assign":
            return Command("assign", idea=number, target=argument)
        if verb == "advance":
            return Command("advance", idea=number, stage=argument)
    return ParseError("parse.not_understood")


def _at_intake_start(dialogue: Dialogue | None) -> bool:
    if dialogue is None or dialogue.step != intake.QUESTIONS[0].key:
        return False
    return not any(key != "workplace" for key in dialogue.answers)


def _opened(incoming: Incoming) -> Incoming:
    return replace(incoming, action=None, text=None, opened=True)


def _personal_chat_pointer(person: Person, lang: str) -> Reply:
    name = _first_name(person)
    greeting = ct(lang, "welcome", name=name) if name else ct(lang, "welcome.noname")
    return Reply(f"{greeting} {ct(lang, 'group.personal_chat')}")


def _first_name(person: Person) -> str | None:
    """The name we greet the person with, cleaned like any text they typed: a display name
    comes from the platform and must not smuggle control characters into our replies."""
    name = first_name(intake.clean_text(person.display_name, single_line=True))
    return name[:60] if name else None


def _bounded(incoming: Incoming) -> Incoming:
    """Cut absurd input before any work is done on it (the dialogue explains the limit),
    then make every piece of outside text in it safe (bot/incoming.py)."""
    if incoming.text is not None and len(incoming.text) > MAX_INPUT_CHARS:
        incoming = replace(incoming, text=incoming.text[:MAX_INPUT_CHARS])
    if incoming.action is not None and len(incoming.action) > 200:
        incoming = replace(incoming, action=incoming.action[:200])
    return cleaned(incoming)


def _files_explained(reply: Reply, lang: str) -> Reply:
    """On a platform that cannot carry a file (an export), say where to get it instead of
    dropping it silently."""
    if not reply.attachments:
        return reply
    notes = [ct(lang, "attachment.elsewhere", name=file.name) for file in reply.attachments]
    return replace(reply, text="\n\n".join([reply.text, *notes]), attachments=())
