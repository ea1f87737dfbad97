"""Messages to people other than the one in the current turn: built here, written to the
outbox in the caller's transaction (so they exist exactly when the change does), delivered
later through the recipient's platform.

The buttons in these messages are declared by what answers them (bot/commands/buttons.py
is the one codec): "I'll take it" and "Move to <stage>" with the `assign` and `advance`
commands, the satisfaction answer in bot/satisfaction.py.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.availability import admins_here, answering_for
from bot.config import Settings
from bot.process import Process
from bot.roles import keep_coordinator_people
from bot.satisfaction import SCORE_BUTTON
from conversations.i18n import tr
from conversations.reply import Choice, Reply
from storage.models import Idea, Person
from storage.news import add_news, add_news_many
from storage.people import first_name


def giver_language(idea: Idea, giver: Person) -> str:
    """The language the idea giver last chose, else the one they wrote the idea in."""
    return giver.locale or idea.language


def stage_message(
    process: Process,
    idea: Idea,
    giver: Person,
    to_stage: str,
    *,
    coordinator_name: str | None,
    note: str | None,
    where: str | None = None,
) -> Reply:
    """The personal message the idea giver gets when their idea enters `to_stage`."""
    lang = giver_language(idea, giver)
    stage = process.stage(to_stage)
    coordinator = coordinator_name or tr(lang, "someone")
    values = {
        "first_name": first_name(giver.display_name) or "",
        "title": idea.title,
        "reference": idea.id,
        "coordinator": coordinator,
        "where": where or "",
    }
    next_step = stage.next_steps[lang].format(**values)
    quoted = tr(lang, "note.quoted", coordinator=coordinator, note=note) if note else ""
    text = stage.messages[lang].format(**values, note=quoted, next_step=next_step)
    return Reply(_tidy(text))


def _stage_values(
    process: Process, idea: Idea, giver: Person, stage_id: str, coordinator: str | None
) -> tuple[str, str, str]:
    """The idea giver's language, the stage's name in it and its next step, filled in."""
    lang = giver_language(idea, giver)
    stage = process.stage(stage_id)
    values = {
        "first_name": first_name(giver.display_name) or "",
        "title": idea.title,
        "reference": idea.id,
        "coordinator": coordinator or tr(lang, "someone"),
        "where": "",
    }
    return lang, stage.name(lang), stage.next_steps[lang].format(**values)


def back_message(
    process: Process,
    idea: Idea,
    giver: Person,
    to_stage: str,
    *,
    coordinator_name: str | None,
    note: str | None,
) -> Reply:
    """The idea is back in the stage it came from (`flytta 12 tillbaka`): said plainly, not
    with the stage's "your idea has just arrived" message."""
    lang, stage, next_step = _stage_values(process, idea, giver, to_stage, coordinator_name)
    coordinator = coordinator_name or tr(lang, "someone")
    text = tr(
        lang,
        "back.message",
        first_name=first_name(giver.display_name),
        title=idea.title,
        number=idea.id,
        stage=stage,
    )
    if note:
        text += " " + tr(lang, "note.quoted", coordinator=coordinator, note=note)
    return Reply(_tidy(f"{text}\n\n{next_step}"))


def correction_message(
    process: Process,
    idea: Idea,
    giver: Person,
    stage_id: str,
    *,
    coordinator_name: str | None,
    satisfaction: bool,
) -> Reply:
    """A coordinator undid a move whose message may already have reached the idea giver:
    where the idea really is, an apology, and what happens next. `satisfaction`: the
    question about how it was handled went out too, and does not apply yet."""
    lang, stage, next_step = _stage_values(process, idea, giver, stage_id, coordinator_name)
    text = tr(
        lang, "undo.correction", first_name=first_name(giver.display_name),
        title=idea.title, stage=stage,
    )  # fmt: skip
    if satisfaction:
        text += " " + tr(lang, "undo.correction_question")
    return Reply(_tidy(f"{text}\n\n{next_step}"))


def _tidy(text: str) -> str:
    """Drop the gaps an empty placeholder leaves: "Hej !", blank lines, trailing spaces."""
    text = re.sub(r"[ \t]+([!,.?])", r"\1", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    return "\n\n".join(paragraphs)


def satisfaction_question(idea: Idea, giver: Person) -> Reply:
    lang = giver_language(idea, giver)
    name = first_name(giver.display_name)
    text = tr(lang, "satisfaction.ask", first_name=name, title=idea.title)
    choices = tuple(
        Choice(SCORE_BUTTON.value(idea.id, score), tr(lang, f"satisfaction.choice.{score}"))
        for score in range(1, 6)
    )
    return Reply(text, choices=choices)


def new_idea_message(
    lang: str,
    process: Process,
    idea: Idea,
    giver: Person,
    similar: list[tuple[int, str]],
) -> Reply:
    text = tr(
        lang,
        "notify.new_idea",
        number=idea.id,
        title=idea.title,
        giver=giver.display_name or giver.platform_user_id,
        workplace=idea.workplace or tr(lang, "stats.no_workplace"),
    )
    if similar:
        listed = "; ".join(
            f"{number} ”{title}”" if lang == "sv" else f"{number} “{title}”"
            for number, title in similar
        )
        text += "\n" + tr(lang, "notify.similar", similar=listed)
    else:
        text += "\n" + tr(lang, "notify.no_similar")
    # Declared with their commands, which themselves send notifications: imported here.
    from bot.commands.handlers import ADVANCE_BUTTON, ASSIGN_BUTTON

    choices = [Choice(ASSIGN_BUTTON.value(idea.id, "me"), tr(lang, "choice.assign_me"))]
    following = process.next_in_main_line(idea.stage)
    if following:
        choices.append(
            Choice(
                ADVANCE_BUTTON.value(idea.id, following),
                tr(lang, "choice.advance_to", stage=process.stage(following).name(lang)),
            )
        )
    return Reply(text, choices=tuple(choices))


async def notify_coordinators_of_new_idea(
    session: AsyncSession,
    settings: Settings,
    process: Process,
    idea: Idea,
    giver: Person,
    similar: list[tuple[int, str]],
    *,
    now: datetime,
) -> int:
    """News of the idea for the next digest of every coordinator who answers for it now
    (all who are here: nobody has it yet; bot/availability.py), or, with no coordinator
    here (none yet, or all away), of every admin who is: a new idea is never news to
    nobody. Coordinators who never talked to the bot get a person row, so that they are
    known when they do. Returns how many will hear of it."""
    await keep_coordinator_people(session, settings, now=now)
    data = {
        "stage": idea.stage,
        "workplace": idea.workplace,
        "similar": [number for number, _ in similar],
    }
    readers = await answering_for(session, settings, idea, now)
    recipients = dict.fromkeys(p.id for p in readers or await admins_here(session, settings, now))
    news = [
        {
            "dedupe_key": f"new_idea:{idea.id}:{recipient_id}",
            "recipient_id": recipient_id,
            "kind": "new_idea",
            "idea_id": idea.id,
            "data": data,
            "created_at": now,
        }
        for recipient_id in recipients
    ]
    return len(await add_news_many(session, news))


async def notify_assignee(
    session: AsyncSession,
    idea: Idea,
    assignee: Person,
    actor: Person,
    *,
    event_id: int,
    now: datetime,
) -> None:
    """News for the new assignee's next digest (handed on if they are away by then)."""
    await add_news(
        session,
        dedupe_key=f"assigned:{idea.id}:{event_id}:{assignee.id}",
        recipient_id=assignee.id,
        kind="assigned",
        now=now,
        idea_id=idea.id,
        # Who, by id: no personal data copied into the news (erasure finds it where it is).
        data={"actor_id": actor.id, "stage": idea.stage},
    )
