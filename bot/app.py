"""The bot's core: one `Incoming` in, the replies for that person out.

Every turn runs in one database transaction: load the person and their dialogue, run the
pure dialogue step, save the new state (and the idea, on submit), commit. Two turns of the
same person at once are serialised by a row lock (PostgreSQL) or the write lock (SQLite),
and the dialogue's version column catches anything that slips through; the turn is then
simply run again on fresh state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.incoming import Incoming
from conversations import intake
from conversations.reply import Reply
from conversations.texts import DEFAULT_LANGUAGE, LANGUAGES, language_for, t
from storage.database import DATABASE_ERRORS, Database
from storage.dialogues import delete_dialogue, load_dialogue, save_dialogue
from storage.ideas import create_idea
from storage.models import Dialogue, Person
from storage.people import first_name, upsert_person

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Far beyond any answer's limit; longer input is cut before any work is done on it.
MAX_INPUT_CHARS = 200_000


@dataclass(frozen=True)
class TurnResult:
    replies: list[Reply]
    language: str


class IdeaBot:
    def __init__(
        self, database: Database, *, settings: Settings | None = None, clock: Clock | None = None
    ) -> None:
        self.db = database
        self.settings = settings or Settings()
        self.clock = clock or SystemClock()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Run one turn. Never raises for anything the person did; a database failure
        becomes a polite 'try again' and nothing half-done is kept."""
        incoming = _bounded(incoming)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                async with self.db.transaction() as session:
                    result = await self._turn(session, incoming)
                return result.replies
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
                    extra={"platform": incoming.platform},
                )
                break
        return [Reply(t(self._fallback_language(incoming), "error.try_again"))]

    async def _turn(self, session: AsyncSession, incoming: Incoming) -> TurnResult:
        now = self.clock.now()
        person = await upsert_person(
            session,
            incoming.platform,
            incoming.user_id,
            now=now,
            display_name=incoming.display_name,
            platform_locale=incoming.locale,
            address=incoming.address,
        )
        if incoming.language in LANGUAGES and person.locale != incoming.language:
            person.locale = incoming.language
        lang = person.locale or language_for(person.platform_locale)
        dialogue = await load_dialogue(session, person.id)
        replies = await self._intake_turn(session, incoming, person, dialogue, lang)
        log.info(
            "turn handled",
            extra={"platform": incoming.platform, "person": person.id, "replies": len(replies)},
        )
        return TurnResult(replies, lang)

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
        idea = await create_idea(session, person, turn.submitted, language=lang, now=now)
        if turn.submitted.get("workplace"):
            person.workplace = turn.submitted["workplace"]
        log.info("idea submitted", extra={"idea": idea.id, "person": person.id})
        return [
            *turn.replies,
            intake.submitted_reply(lang, _first_name(person), idea.id, idea.title),
        ]

    def _fallback_language(self, incoming: Incoming) -> str:
        if incoming.language in LANGUAGES:
            return incoming.language
        return language_for(incoming.locale) if incoming.locale else DEFAULT_LANGUAGE


def _first_name(person: Person) -> str | None:
    """The name we greet the person with, cleaned like any text they typed: a display name
    comes from the platform and must not smuggle control characters into our replies."""
    name = first_name(intake.clean_text(person.display_name, single_line=True))
    return name[:60] if name else None


def _bounded(incoming: Incoming) -> Incoming:
    """Cut absurd input before any work is done on it; the dialogue explains the limit."""
    if incoming.text is not None and len(incoming.text) > MAX_INPUT_CHARS:
        return replace(incoming, text=incoming.text[:MAX_INPUT_CHARS])
    if incoming.action is not None and len(incoming.action) > 200:
        return replace(incoming, action=incoming.action[:200])
    return incoming
