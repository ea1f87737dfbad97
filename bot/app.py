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
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot import questions, relay, satisfaction, telemetry
from bot.clock import Clock, SystemClock
from bot.commands import privacy
from bot.commands.catalog import BUTTONS, COMMANDS
from bot.commands.handlers import CommandContext, run_command
from bot.commands.parser import Command, ParseError, looks_like_command, parse
from bot.commands.syntax import strip_prefix
from bot.config import Settings
from bot.files import keep_files
from bot.incoming import Incoming, cleaned, unusable_user_id
from bot.notifications import notify_coordinators_of_new_idea
from bot.organisation import load_organisation
from bot.people import turn_party_of
from bot.private_answers import answer_privately
from bot.process import Process, load_process
from bot.promises import FIRST
from bot.reading import Reading, read
from bot.reminders import ReminderPolicy, mark_activity
from bot.roles import all_coordinators, is_admin, is_coordinator
from bot.turn_limit import TurnLimiter
from conversations import intake
from conversations.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    language_for,
    person_language,
    tr,
    tr_n,
)
from conversations.reply import Choice, Reply
from conversations.similarity import Candidate, most_similar
from conversations.understanding import Meaning
from conversations.workplaces import Organisation
from storage.database import DATABASE_ERRORS, Database
from storage.dialogues import delete_dialogue, save_dialogue
from storage.ideas import count_waiting, create_idea, has_ideas, recent_for_similarity
from storage.models import Dialogue, Idea, OpenQuestion, Person
from storage.outbox import wrote_outbox
from storage.people import first_name
from storage.processed import claim_event, claim_once
from storage.promises import make_promise

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 5
# Far beyond any answer's limit; longer input is cut before any work is done on it.
MAX_INPUT_CHARS = 200_000
# A new idea is compared with this many of the newest ideas (bounded work per submission).
SIMILARITY_WINDOW = 2000
# Parse errors after which plain text from an idea giver is taken as the start of an idea
# ("Visa vägen med skyltar" is an idea, not a broken `visa N`).
# What answers "Vill du berätta mer?" without being a comment.
_NO_COMMENT = frozenset({"skip", "no", "thanks", "greeting", "small_talk"})
_NOT_REALLY_A_COMMAND = {
    "parse.bad_number",
    "parse.needs_number",
    "parse.extra_words",
    "parse.list_word",
    # "Borta bra men hemma bäst", "Ledig tid för alla": no day in them, so an idea.
    "away.parse.bad_date",
    "away.parse.needs_until",
    "away.parse.needs_stand_in",
    # "Sök pengar från EU till solceller": a sentence, no search (at most two words are).
    "search.too_many_words",
    # "Statistik över cykelolyckor": no period in it, so an idea.
    "parse.stats_period",
}
# The namespaces of the commands' buttons (a notification's, the forget-me question's).
_COMMAND_BUTTONS = frozenset(button.namespace for button in COMMANDS.codec.buttons)
# The open question "Ska vi beskriva det som en ny idé?", asked of words the bot cannot place.
UNPLACED = "unplaced"


@dataclass(frozen=True)
class Turn:
    """What one turn is about, as the routes see it."""

    session: AsyncSession
    incoming: Incoming
    person: Person
    dialogue: Dialogue | None
    lang: str
    reading: Reading | None = None  # a typed message, read in its context

    @property
    def in_intake(self) -> bool:
        return self.dialogue is not None and self.dialogue.flow == intake.FLOW

    @property
    def meaning(self) -> Meaning | None:
        return self.reading.meaning if self.reading is not None else None


@dataclass(frozen=True)
class Route:
    """One row of the turn router: `match` gives what it found (None: not this route), and
    `answer` answers the turn with it. The first route that matches answers the turn."""

    name: str
    match: Callable[[IdeaBot, Turn], Awaitable[Any | None]]
    answer: Callable[[IdeaBot, Turn, Any], Awaitable[list[Reply]]]


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
        organisation: Organisation | None = None,
    ) -> None:
        self.db = database
        self.settings = settings or Settings()
        self.clock = clock or SystemClock()
        # Loaded and checked now, so a broken process file stops the start, not a turn.
        self.process = process or load_process(self.settings.process_path)
        # The same for the organisation file: the workplaces' administrations and units.
        self.organisation = organisation or load_organisation(self.settings.organisation_path)
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
            return [Reply(tr(self._fallback_language(incoming), "error.try_again"))]
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
            return [Reply(tr(self._fallback_language(incoming), "error.unknown_account"))]
        verdict = self.turn_limit.check(f"{incoming.platform}:{incoming.user_id}", self.clock.now())
        if verdict == "ok":
            return None
        log.info("turn refused: too many", extra={"platform": incoming.platform})
        tell = verdict == "tell"
        return [Reply(tr(self._fallback_language(incoming), "error.too_many"))] if tell else []

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
        telemetry.count_turn(platform, "error")
        return None

    def delivered(self, incoming: Incoming, result: TurnResult) -> list[Reply]:
        """The replies of a committed turn, as the platform can carry them."""
        telemetry.count_turn(incoming.platform, "repeated" if result.repeated else "ok")
        # Each answer says its language, for the words an adapter adds (a list's label).
        replies = [r if r.lang else replace(r, lang=result.language) for r in result.replies]
        if incoming.accepts_files:
            return replies
        return [_files_explained(reply, result.language) for reply in replies]

    def try_again(self, incoming: Incoming) -> list[Reply]:
        return [Reply(tr(self._fallback_language(incoming), "error.try_again"))]

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
        # The person, their dialogue and their open question: one statement on most turns.
        person, dialogue, question = await turn_party_of(
            session,
            incoming,
            now=now,
            # A message in a personal chat (or with an address to answer at) shows the
            # person can be reached there again; one in a Teams channel does not.
            heard_from=not incoming.in_group or incoming.address is not None,
        )
        # A language given by the platform or the terminal's --lang counts when the chat
        # opens or the person has chosen none; after that, what they ask for in the chat wins.
        chosen = incoming.language in LANGUAGES and (incoming.opened or person.locale is None)
        if chosen and person.locale != incoming.language:
            person.locale = incoming.language
        lang = person_language(person)
        replies = await self._route(session, incoming, person, dialogue, lang, question)
        replies += await self._nobody_coordinates(session, incoming, person, lang)
        if incoming.keeps_files:
            # The file goes to the person's own chat; an answer in a channel only to them
            # (Slack's ephemeral one) says it went to their private chat.
            replies = await keep_files(
                session,
                person,
                replies,
                lang=person_language(person),
                now=now,
                elsewhere=incoming.in_group,
            )
        log.info(
            "turn handled",
            extra={"platform": incoming.platform, "person": person.id, "replies": len(replies)},
        )
        return TurnResult(replies, lang)

    async def _nobody_coordinates(
        self, session: AsyncSession, incoming: Incoming, person: Person, lang: str
    ) -> list[Reply]:
        """An admin who writes or opens the chat while no coordinator exists hears once (ever)
        how to add one: until then new ideas reach nobody but the admins."""
        if not is_admin(self.settings, person):
            return []
        if incoming.in_group and not incoming.private_replies:
            return []  # said where others read it; the personal chat will do
        if self.settings.coordinators or await all_coordinators(session, self.settings):
            return []  # (the settings name some: no need to read the table on every turn)
        if not await claim_once(session, f"no_coordinator:{person.id}", now=self.clock.now()):
            return []
        return [Reply(tr(lang, "admin.no_coordinator"))]

    async def _route(
        self,
        session: AsyncSession,
        incoming: Incoming,
        person: Person,
        dialogue: Dialogue | None,
        lang: str,
        question: OpenQuestion | None,
    ) -> list[Reply]:
        """Commands and button clicks from notifications work whatever conversation is going
        on; other text answers the conversation in progress, or starts a new idea. Where
        others read the replies too (a Teams channel), the answer goes to a personal chat.
        `question`: the open question read with the person (expired or not)."""
        if incoming.in_group and not incoming.private_replies:
            return await self._group_turn(session, incoming, person, dialogue, lang, question)
        return await self._answer(session, incoming, person, dialogue, lang, question)

    async def _answer(
        self,
        session: AsyncSession,
        incoming: Incoming,
        person: Person,
        dialogue: Dialogue | None,
        lang: str,
        question: OpenQuestion | None,
    ) -> list[Reply]:
        """The first route of ROUTES (below) that matches answers the turn."""
        reading = None
        text = incoming.text
        if text is not None and not incoming.command and not strip_prefix(text)[1]:
            reading = await read(
                session,
                self.settings,
                self.process,
                person,
                dialogue,
                text,
                lang=lang,
                now=self.clock.now(),
                question=question,
            )
        turn = Turn(session, incoming, person, dialogue, lang, reading)
        for route in ROUTES:
            found = await route.match(self, turn)
            if found is not None:
                return await route.answer(self, turn, found)
        raise AssertionError("the last route answers every turn")  # pragma: no cover

    # ── the routes' matchers and answers, in the order of ROUTES ───────────────────────

    async def _command_button(self, turn: Turn) -> str | None:
        action = turn.incoming.action
        return action if BUTTONS.namespace_of(action) in _COMMAND_BUTTONS else None

    async def _run_command_button(self, turn: Turn, action: str) -> list[Reply]:
        command = BUTTONS.decode(action)
        if not isinstance(command, Command):  # a button of ours no command reads: forged
            command = ParseError("parse.not_understood")
        return await self._command(turn.session, turn.person, turn.lang, command)

    async def _score_button(self, turn: Turn) -> str | None:
        action = turn.incoming.action
        return (
            action if BUTTONS.namespace_of(action) == satisfaction.SCORE_BUTTON.namespace else None
        )

    async def _run_score_button(self, turn: Turn, action: str) -> list[Reply]:
        parsed = satisfaction.SCORE_BUTTON.read(action)
        if parsed is None:
            return [Reply(tr(turn.lang, "satisfaction.not_asked"))]
        in_intake = turn.in_intake
        replies = await satisfaction.answer(
            turn.session,
            turn.person,
            *parsed,
            lang=turn.lang,
            now=self.clock.now(),
            ask_comment=not in_intake,
            dialogue=None if in_intake else turn.dialogue,
        )
        if in_intake and not turn.incoming.in_group:  # carry on where the idea giver was
            replies += await self._intake_turn(turn, opened=True)
        return replies

    async def _open_question(self, turn: Turn) -> questions.Answer | None:
        """A click on a question's button, or "ja"/"nej" typed while a question waits. Any
        other text lets the question go, and the turn goes on as if it had not been asked."""
        action = turn.incoming.action
        if action is not None:
            ours = BUTTONS.namespace_of(action) == questions.QUESTION_BUTTON.namespace
            return questions.clicked(action) if ours else None
        # The reader let the question go already when the words were not an answer to it.
        reading = turn.reading
        if reading is None or reading.question is None:
            return None
        kind = reading.meaning.kind
        if kind == "answer" and reading.question.kind in questions.TAKES_TEXT:
            return questions.Answer(turn.incoming.text or "")
        return questions.Answer(kind) if kind in ("yes", "no") else None

    async def _answer_question(self, turn: Turn, answer: questions.Answer) -> list[Reply]:
        ctx = self._context(turn.session, turn.person, turn.lang)
        question = await questions.waiting(turn.session, turn.person.id, self.clock.now())
        if question is not None and question.kind == UNPLACED:
            if answer.nonce is not None and question.data.get("nonce") != answer.nonce:
                return await questions.answer(ctx, answer)  # an old button: says so
            return await self._run_unplaced_answer(turn, question, answer.value)
        return await questions.answer(ctx, answer)

    async def _command_found(self, turn: Turn, command: Command[Any] | ParseError) -> list[Reply]:
        return await self._command(turn.session, turn.person, turn.lang, command)

    async def _typed_command(self, turn: Turn) -> Command[Any] | ParseError | None:
        """A slash command, or text with `/idea` in front: a command, whatever it says."""
        text = turn.incoming.text
        if turn.incoming.command or (text is not None and strip_prefix(text)[1]):
            return parse(text, self.process)
        return None

    async def _run_typed_command(
        self, turn: Turn, command: Command[Any] | ParseError
    ) -> list[Reply]:
        if isinstance(command, Command) and not turn.incoming.in_group:
            return await self._run_understood_command(turn, command)
        return await self._command_found(turn, command)

    async def _in_group(self, turn: Turn) -> bool | None:
        return True if turn.incoming.in_group else None

    async def _run_in_group(self, turn: Turn, _: bool) -> list[Reply]:
        command = await self._group_command(turn)
        if command is None:
            return [_personal_chat_pointer(turn.person, turn.lang)]
        return await self._command(turn.session, turn.person, turn.lang, command)

    async def _opened_returning(self, turn: Turn) -> bool | None:
        """Coordinators come to work the queue, idea givers often to read news about their
        ideas: when they open the chat, greet them with their news instead of a new idea."""
        if turn.dialogue is not None or not turn.incoming.opened:
            return None
        return True if await self._is_returning(turn) else None

    async def _returning_greeting(self, turn: Turn) -> bool | None:
        """ "Hej!" from someone who has been here before, with nothing going on."""
        meaning = turn.meaning
        if turn.dialogue is not None or meaning is None or meaning.kind != "greeting":
            return None
        return True if await self._is_returning(turn) else None

    async def _is_returning(self, turn: Turn) -> bool:
        """A coordinator, or someone who has told an idea before (and so was introduced)."""
        person = turn.person
        if person.introduced_at is not None and await has_ideas(turn.session, person.id):
            return True
        return await is_coordinator(turn.session, self.settings, person)

    async def _run_returning(self, turn: Turn, _: bool) -> list[Reply]:
        """News before help: a coordinator hears how many ideas wait, an idea giver how their
        ideas are doing; then one line on what they can write."""
        lang = turn.lang
        welcome = tr(lang, "welcome", first_name=_first_name(turn.person))
        if await is_coordinator(turn.session, self.settings, turn.person):
            waiting = await count_waiting(turn.session, [self.process.first_stage])
            news = tr_n(lang, "chat.queue", waiting)
            return [Reply(f"{welcome} {news} {tr(lang, 'chat.hint.coordinator')}")]
        mine = await self._command(turn.session, turn.person, lang, Command("mine"))
        first, *rest = mine
        return [
            replace(first, text=f"{welcome} {first.text}"),
            *rest,
            Reply(tr(lang, "chat.hint")),
        ]

    async def _run_unplaced_answer(
        self, turn: Turn, question: OpenQuestion, answer: str
    ) -> list[Reply]:
        """The answer to "Vill du att jag hjälper dig att beskriva det som en ny idé?"."""
        text = str(question.data.get("text") or "") or None
        await questions.let_go(turn.session, turn.person.id)
        if answer != "yes":
            return [Reply(tr(turn.lang, "chat.unplaced.no"))]
        if turn.in_intake:
            # A dialogue started meanwhile (on another device): it goes on; nothing is lost.
            return await self._intake_turn(turn, opened=True)
        return await self._intake_turn(turn, start_text=text)

    async def _understood_command(self, turn: Turn) -> Command[Any] | None:
        reading = turn.reading
        if reading is None or reading.meaning.kind != "command":
            return None
        return reading.command if isinstance(reading.command, Command) else None

    async def _run_understood_command(self, turn: Turn, command: Command[Any]) -> list[Reply]:
        """A command at any step: it is run, and the dialogue waits where it was."""
        replies = await self._command(turn.session, turn.person, turn.lang, command)
        if not turn.in_intake or turn.dialogue is None:
            return replies
        if any(reply.choices for reply in replies):
            # The command asks something of its own ("Vill du verkligen …?"): answer that
            # first; the idea waits.
            return [*replies, Reply(tr(turn.lang, "resume.later"))]
        state = _intake_state(turn.dialogue)
        return [*replies, *intake.carry_on(state, self._intake_context(turn))]

    async def _mistyped_command(self, turn: Turn) -> Command[Any] | ParseError | None:
        """With nothing going on, words that start like a command but are not a whole one
        are explained (a coordinator's "flytta två"), and a command someone may not use is
        refused with why; an idea giver's sentence that only starts with a command word
        ("Visa vägen med skyltar") is not a command."""
        reading = turn.reading
        if turn.dialogue is not None or reading is None or reading.command is None:
            return None
        if reading.meaning.kind not in ("statement", "new_idea"):
            return None
        return await self._unless_an_idea(turn, reading.command)

    async def _language_request(self, turn: Turn) -> str | None:
        meaning = turn.meaning
        if meaning is None or meaning.kind != "language" or turn.in_intake:
            return None  # in the intake, the dialogue itself switches (and asks again)
        return str(meaning.value) if meaning.value in LANGUAGES else None

    async def _run_language(self, turn: Turn, lang: str) -> list[Reply]:
        """From now on in that language, for this person, on every platform."""
        turn.person.locale = lang
        if turn.dialogue is None and not await self._is_returning(turn):
            # Someone new who asked first: the introduction and the first question, in theirs.
            switched = replace(turn, lang=lang)
            return [
                Reply(tr(lang, "language.switched")),
                *await self._intake_turn(switched),
            ]
        return [Reply(tr(lang, "chat.language"))]

    async def _satisfaction_comment(self, turn: Turn) -> Dialogue | None:
        dialogue = turn.dialogue
        return dialogue if dialogue is not None and dialogue.flow == satisfaction.FLOW else None

    async def _run_satisfaction_comment(self, turn: Turn, dialogue: Dialogue) -> list[Reply]:
        if turn.incoming.opened:
            return [Reply(tr(turn.lang, "satisfaction.thanks"))]
        meaning = turn.meaning
        # "tack!" or "nej" after "Vill du berätta mer?" is no comment.
        skipped = meaning is not None and meaning.kind in _NO_COMMENT
        return await satisfaction.comment(
            turn.session,
            turn.person,
            dialogue,
            None if skipped else turn.incoming.text,
            lang=turn.lang,
            now=self.clock.now(),
        )

    async def _intake_going_on(self, turn: Turn) -> bool | None:
        return True if turn.in_intake else None

    async def _typed_score(self, turn: Turn) -> Meaning | None:
        """A score in a message ("meh, 3 kanske"), when a satisfaction question is open."""
        meaning = turn.meaning
        return meaning if meaning is not None and meaning.kind == "score" else None

    async def _run_typed_score(self, turn: Turn, meaning: Meaning) -> list[Reply]:
        waiting = await satisfaction.open_question(turn.session, turn.person.id)
        if waiting is None or not isinstance(meaning.value, int):
            return [Reply(tr(turn.lang, "satisfaction.not_asked"))]
        return await satisfaction.answer(
            turn.session,
            turn.person,
            waiting.id,
            meaning.value,
            lang=turn.lang,
            now=self.clock.now(),
            ask_comment=meaning.comment is None,
            dialogue=None,
            comment=meaning.comment,
        )

    async def _social(self, turn: Turn) -> str | None:
        """Thanks or small talk with nothing going on: a short answer, and no new idea."""
        meaning = turn.meaning
        if turn.dialogue is not None or meaning is None:
            return None
        if meaning.kind in ("thanks", "small_talk"):
            return meaning.kind
        # A yes or no when nothing was asked (or the question has expired).
        return "small_talk" if meaning.kind in ("yes", "no") else None

    async def _run_social(self, turn: Turn, kind: str) -> list[Reply]:
        key = "chat.thanks" if kind == "thanks" else "chat.small_talk"
        return [Reply(tr(turn.lang, key, first_name=_first_name(turn.person)))]

    async def _help_asked(self, turn: Turn) -> bool | None:
        meaning = turn.meaning
        return True if turn.dialogue is None and meaning and meaning.kind == "help" else None

    async def _run_help(self, turn: Turn, _: bool) -> list[Reply]:
        return await self._command(turn.session, turn.person, turn.lang, Command("help"))

    async def _statement(self, turn: Turn) -> str | None:
        meaning = turn.meaning
        if turn.dialogue is not None or meaning is None or meaning.kind != "statement":
            return None
        return meaning.text or turn.incoming.text

    async def _run_statement(self, turn: Turn, text: str) -> list[Reply]:
        """Something the bot cannot place is never silently made into an idea: it asks, and
        keeps the words so that a yes starts the idea with them. Someone new who writes
        first, and not a question, has come with an idea: the name is proposed from it."""
        now = self.clock.now()
        if (
            turn.person.introduced_at is None
            and not text.rstrip().endswith("?")
            and not await self._is_returning(turn)
        ):
            return await self._intake_turn(turn, start_text=text)
        kept = intake.clean_text(text)[: intake.QUESTION_BY_KEY["idea"].max_length]
        ctx = self._context(turn.session, turn.person, turn.lang)
        nonce = await questions.ask(ctx, UNPLACED, {"text": kept})
        lang = turn.lang
        choices = (
            Choice(questions.button(nonce, "yes"), tr(lang, "choice.new_idea")),
            Choice(questions.button(nonce, "no"), tr(lang, "choice.not_idea")),
        )
        question = Reply(tr(lang, "chat.unplaced"), choices=choices)
        if turn.person.introduced_at is None:
            turn.person.introduced_at = now
            return [Reply(tr(lang, "greeting", first_name=_first_name(turn.person))), question]
        return [question]

    async def _giver_reply(self, turn: Turn) -> list[Idea] | None:
        """Words with nothing going on, none of the above, from someone who lately heard
        about one of their ideas (or waits for an answer about one): a reply about it."""
        meaning = turn.meaning
        if turn.dialogue is not None or meaning is None or meaning.kind != "statement":
            return None
        if not relay.has_words(turn.incoming.text or ""):
            return None  # a lone "5" or "?!" is nobody's message: it is asked about
        ideas = await relay.ideas_replied_about(turn.session, turn.person, self.clock.now())
        return ideas or None

    async def _run_giver_reply(self, turn: Turn, ideas: list[Idea]) -> list[Reply]:
        ctx = self._context(turn.session, turn.person, turn.lang)
        return await relay.reply_about(ctx, ideas, turn.incoming.text or "")

    async def _anything(self, turn: Turn) -> bool:
        return True

    async def _run_intake(self, turn: Turn, _: bool) -> list[Reply]:
        meaning = turn.meaning
        topic = meaning.comment if meaning is not None and meaning.kind == "new_idea" else None
        new_idea = meaning is not None and meaning.kind == "new_idea"
        return await self._intake_turn(
            turn, start_text=topic, opened=turn.incoming.opened, new_idea=new_idea
        )

    async def _group_turn(
        self,
        session: AsyncSession,
        incoming: Incoming,
        person: Person,
        dialogue: Dialogue | None,
        lang: str,
        question: OpenQuestion | None,
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
        if BUTTONS.namespace_of(incoming.action) is not None:
            # A button of ours (a notification's, the forget-me question's, the rating's);
            # any other click in a group is a dialogue's button and gets the pointer.
            replies = await self._answer(session, incoming, person, dialogue, lang, question)
        else:
            turn = Turn(session, incoming, person, dialogue, lang)
            command = await self._group_command(turn)
            if command is None:
                return [_personal_chat_pointer(person, lang)]
            replies = await self._command(session, person, lang, command)
        if incoming.keeps_files:
            # The answer, and its file, go to the personal chat: an outbox row carries the
            # file's reference, and the platform's sender delivers the file there.
            now = self.clock.now()
            replies = await keep_files(
                session, person, replies, lang=person_language(person), now=now, elsewhere=False
            )
        else:
            # An outbox row carries no file; say where to get it, as in any chat without files.
            replies = [_files_explained(reply, lang) for reply in replies]
        return await answer_privately(
            session,
            person,
            replies,
            lang=lang,
            name=name,
            now=self.clock.now(),
            event_id=incoming.event_id,
        )

    async def _group_command(self, turn: Turn) -> Command[Any] | ParseError | None:
        """The command a message in a channel or group chat asks for; None if it is not one
        (then it gets the pointer to a personal chat)."""
        typed = await self._typed_command(turn)
        return typed if typed is not None else await self._command_unless_idea(turn)

    async def _command_unless_idea(self, turn: Turn) -> Command[Any] | ParseError | None:
        """Text that starts like a command is one, except that an idea giver's text the
        parser cannot make sense of ("Visa vägen med skyltar") is the start of an idea."""
        text = turn.incoming.text
        if text is None or not looks_like_command(text):
            return None
        return await self._unless_an_idea(turn, parse(text, self.process))

    async def _unless_an_idea(
        self, turn: Turn, command: Command[Any] | ParseError
    ) -> Command[Any] | ParseError | None:
        """A parse error on words an idea giver may well mean as an idea ("Visa vägen med
        skyltar": no number after "visa") is no command for them; a coordinator is told."""
        if isinstance(command, ParseError) and command.key in _NOT_REALLY_A_COMMAND:
            coordinator = await is_coordinator(turn.session, self.settings, turn.person)
            return command if coordinator else None
        return command

    async def _command(
        self, session: AsyncSession, person: Person, lang: str, command: Command[Any] | ParseError
    ) -> list[Reply]:
        telemetry.count_command(command.name if isinstance(command, Command) else "not_understood")
        return await run_command(self._context(session, person, lang), COMMANDS, command)

    def _context(self, session: AsyncSession, person: Person, lang: str) -> CommandContext:
        return CommandContext(
            session=session,
            settings=self.settings,
            process=self.process,
            person=person,
            lang=lang,
            now=self.clock.now(),
            policy=self.reminder_policy,
            calendar=self.calendar,
        )

    def _intake_context(self, turn: Turn) -> intake.IntakeContext:
        person = turn.person
        return intake.IntakeContext(
            lang=turn.lang,
            first_name=_first_name(person),
            known_workplace=person.workplace,
            introduced=person.introduced_at is not None,
            organisation=self.organisation,
            known_administration=person.administration,
            known_unit=person.unit,
        )

    async def _intake_turn(
        self,
        turn: Turn,
        *,
        start_text: str | None = None,
        opened: bool = False,
        new_idea: bool = False,
    ) -> list[Reply]:
        session, incoming, person, dialogue = (
            turn.session,
            turn.incoming,
            turn.person,
            turn.dialogue,
        )
        now = self.clock.now()
        lang = turn.lang
        ctx = self._intake_context(turn)
        if dialogue is None or dialogue.flow != intake.FLOW:
            if incoming.action is not None and dialogue is None and not start_text:
                result = intake.stale_without_dialogue(ctx)
            else:
                # A first message starts the dialogue: a greeting is greeted, an idea's
                # first words ("jag har en idé om lånecyklar") become the proposed name.
                result = intake.start(ctx, text=start_text, new_idea=new_idea)
                person.introduced_at = person.introduced_at or now
        else:
            state = _intake_state(dialogue)
            if opened or incoming.opened:
                result = intake.resume(state, ctx)
            else:
                result = intake.answer(
                    state, ctx, text=incoming.text, action=incoming.action, meaning=turn.meaning
                )
        if result.language is not None:
            person.locale = lang = result.language

        if result.state is not None:
            await save_dialogue(
                session,
                person.id,
                dialogue,
                flow=intake.FLOW,
                step=result.state.step,
                answers=result.state.answers,
                context=result.state.context,
                now=now,
            )
        elif dialogue is not None:
            await delete_dialogue(session, dialogue)

        if result.submitted is None:
            return result.replies
        similar = await self._similar(session, result.submitted)
        if result.submitted.get("workplace"):
            person.workplace = result.submitted["workplace"]
            person.administration = result.submitted.get("administration")
            person.unit = result.submitted.get("unit")
        due = self.calendar.end_of_working_days(now, self.process.first_response_days)

        def decide(idea: Idea) -> None:
            # The receipt promises an answer within the first response time: a commitment
            # (a new idea has no earlier promise to replace).
            idea.response_due_at = idea.promise_due_at = due
            # Every activity on an idea restarts its idle count and schedules its reminders.
            mark_activity(idea, now, self.reminder_policy, self.calendar)

        idea = await create_idea(
            session,
            person,
            result.submitted,
            language=lang,
            now=now,
            stage=self.process.first_stage,
            event_data={"similar": [number for number, _ in similar]},
            decide=decide,
        )
        await make_promise(session, idea.id, due_at=due, kind=FIRST, now=now)
        told = await notify_coordinators_of_new_idea(
            session, self.settings, self.process, idea, person, similar, now=now
        )
        log.info("idea submitted", extra={"idea": idea.id, "person": person.id})
        # No promise of a coordinator who does not exist: who will read it, as it is.
        reader: intake.Reader = "coordinator"
        if not await all_coordinators(session, self.settings):
            reader = "admin" if told else "nobody"
        receipt = intake.submitted_reply(
            lang, _first_name(person), idea.id, idea.title, reader=reader
        )
        return [*result.replies, privacy.with_anonymity_choice(receipt, lang, idea)]

    async def _similar(
        self, session: AsyncSession, answers: dict[str, Any]
    ) -> list[tuple[int, str]]:
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


# The turn router: the first route that matches answers the turn. A typed message has been
# read in its context first (bot/reading.py: `Turn.meaning`). Buttons, and a question the bot
# asked outside the dialogue, come first; then a whole command, at any step (the dialogue
# waits); a change of language; the conversation in progress; and with nothing going on:
# a score, a returning person's news, thanks and small talk, help, a reply to news about one
# of their ideas (bot/relay.py), a question about words the bot cannot place, and last the
# start of a new idea.
ROUTES: tuple[Route, ...] = (
    Route("command button", IdeaBot._command_button, IdeaBot._run_command_button),
    Route("satisfaction button", IdeaBot._score_button, IdeaBot._run_score_button),
    Route("open question", IdeaBot._open_question, IdeaBot._answer_question),
    Route("typed command", IdeaBot._typed_command, IdeaBot._run_typed_command),
    Route("in a group", IdeaBot._in_group, IdeaBot._run_in_group),
    Route("chat opened", IdeaBot._opened_returning, IdeaBot._run_returning),
    Route("command", IdeaBot._understood_command, IdeaBot._run_understood_command),
    Route("mistyped command", IdeaBot._mistyped_command, IdeaBot._command_found),
    Route("language", IdeaBot._language_request, IdeaBot._run_language),
    Route("satisfaction comment", IdeaBot._satisfaction_comment, IdeaBot._run_satisfaction_comment),
    Route("intake", IdeaBot._intake_going_on, IdeaBot._run_intake),
    Route("typed score", IdeaBot._typed_score, IdeaBot._run_typed_score),
    Route("returning person", IdeaBot._returning_greeting, IdeaBot._run_returning),
    Route("thanks and small talk", IdeaBot._social, IdeaBot._run_social),
    Route("help", IdeaBot._help_asked, IdeaBot._run_help),
    Route("reply about an idea", IdeaBot._giver_reply, IdeaBot._run_giver_reply),
    Route("something to place", IdeaBot._statement, IdeaBot._run_statement),
    Route("new idea", IdeaBot._anything, IdeaBot._run_intake),
)


def _intake_state(dialogue: Dialogue) -> intake.IntakeState:
    return intake.IntakeState(dialogue.step, dict(dialogue.answers), dict(dialogue.context))


def _personal_chat_pointer(person: Person, lang: str) -> Reply:
    name = _first_name(person)
    greeting = tr(lang, "welcome", first_name=name)
    return Reply(f"{greeting} {tr(lang, 'group.personal_chat')}")


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
    notes = [tr(lang, "attachment.elsewhere", file=file.name) for file in reply.attachments]
    return replace(reply, text="\n\n".join([reply.text, *notes]), attachments=())
