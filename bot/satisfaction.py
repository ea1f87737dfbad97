"""The idea giver's answer to "how satisfied are you with how your idea was handled?" (1–5),
and the optional comment after it. Asked once per idea, when it reaches a terminal stage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.buttons import Button
from conversations.i18n import tr
from conversations.intake import clean_text
from conversations.reply import Reply
from storage.dialogues import delete_dialogue, save_dialogue
from storage.ideas import add_event, get_idea, open_satisfaction_question
from storage.models import Dialogue, Idea, Person

FLOW = "satisfaction"
COMMENT_STEP = "comment"
MAX_COMMENT = 2000


def _score(fields: tuple[str, ...]) -> tuple[int, int] | None:
    idea, score = fields
    if not idea.isdecimal() or score not in ("1", "2", "3", "4", "5"):
        return None
    return int(idea), int(score)


# "satisfaction:<idea>:<1-5>": the idea giver's answer to the question, as (idea, score).
SCORE_BUTTON = Button(("satisfaction",), 2, _score)


async def open_question(session: AsyncSession, person_id: int) -> Idea | None:
    """The person's latest idea whose satisfaction question is asked and not yet answered."""
    return await open_satisfaction_question(session, person_id)


async def answer(
    session: AsyncSession,
    person: Person,
    idea_id: int,
    score: int,
    *,
    lang: str,
    now: datetime,
    ask_comment: bool,
    dialogue: Dialogue | None,
    comment: str | None = None,
) -> list[Reply]:
    """Store the score, and the person's words beside it ("3 – lite besviken") as the
    comment. With no other conversation going on and no words yet, invite a comment next."""
    idea = await get_idea(session, idea_id, lock=True)
    if idea is None or idea.person_id != person.id or idea.satisfaction_asked_at is None:
        return [Reply(tr(lang, "satisfaction.not_asked"))]
    if idea.satisfaction is not None:
        return [Reply(tr(lang, "satisfaction.already", title=idea.title))]
    idea.satisfaction = score
    idea.updated_at = now
    await add_event(
        session, idea, actor=person, kind="satisfaction", data={"score": score}, now=now
    )
    if comment and (kept := clean_text(comment)[:MAX_COMMENT]):
        await _keep_comment(session, person, idea, kept, now=now)
        return [Reply(tr(lang, "satisfaction.comment_saved"))]
    if not ask_comment:
        return [Reply(tr(lang, "satisfaction.thanks_short", title=idea.title))]
    await save_dialogue(
        session,
        person.id,
        dialogue,
        flow=FLOW,
        step=COMMENT_STEP,
        answers={},
        context={"idea": idea.id},
        now=now,
    )
    return [Reply(tr(lang, "satisfaction.thanks"))]


async def comment(
    session: AsyncSession,
    person: Person,
    dialogue: Dialogue,
    text: str | None,
    *,
    lang: str,
    now: datetime,
) -> list[Reply]:
    """The optional comment after the score; None (the person said no, skip or thanks, or
    clicked past it) ends it without one."""
    await delete_dialogue(session, dialogue)
    cleaned = clean_text(text)[:MAX_COMMENT]
    if not cleaned:
        return [Reply(tr(lang, "satisfaction.comment_skipped"))]
    idea = await get_idea(session, int(dialogue.context.get("idea", 0)), lock=True)
    if idea is None or idea.person_id != person.id:
        return [Reply(tr(lang, "satisfaction.comment_skipped"))]
    await _keep_comment(session, person, idea, cleaned, now=now)
    return [Reply(tr(lang, "satisfaction.comment_saved"))]


async def _keep_comment(
    session: AsyncSession, person: Person, idea: Idea, comment: str, *, now: datetime
) -> None:
    idea.satisfaction_comment = comment
    idea.updated_at = now
    await add_event(session, idea, actor=person, kind="satisfaction_comment", text=comment, now=now)
