"""Moving an idea from one stage to another, and undoing a move: the idea, its history and
the idea giver's messages change together, in the caller's transaction, or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import DEFAULT_CALENDAR, WorkingCalendar
from bot.notifications import (
    back_message,
    correction_message,
    satisfaction_question,
    stage_message,
)
from bot.process import Process
from bot.promises import STAGE, due_after, forget_promise, giver_told, promise
from bot.reminders import ReminderPolicy, mark_activity, reschedule
from conversations.reply import payload_of
from storage.ideas import add_event
from storage.models import Idea, IdeaEvent, Person
from storage.outbox import enqueue, withdraw_unsent
from storage.people import get_person

# The command of a move back to the stage the idea came from (`flytta 12 tillbaka`): its
# message says so plainly instead of the stage's own message.
BACK = "back"


async def move_idea(
    session: AsyncSession,
    process: Process,
    idea: Idea,
    *,
    to_stage: str,
    actor: Person,
    now: datetime,
    note: str | None = None,
    where: str | None = None,
    kind: str = "stage",
    policy: ReminderPolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> IdeaEvent:
    """Move the idea (the caller has checked the move is allowed), record who did it and what
    they said, and queue the idea giver's message; on a terminal stage, also queue the
    satisfaction question, once per idea.

    The event keeps what an undo needs (`undo_move`): the idea's times as they were before
    the move, and the dedupe keys of the messages it queued."""
    from_stage = idea.stage
    before = {
        "stage_changed_at": _iso(idea.stage_changed_at),
        "first_response_at": _iso(idea.first_response_at),
        "satisfaction_asked_at": _iso(idea.satisfaction_asked_at),
        "giver_heard_at": _iso(idea.giver_heard_at),
        "promise_due_at": _iso(idea.promise_due_at),
    }
    data: dict[str, Any] = {"where": where} if where else {}
    if kind != "stage":
        data["command"] = kind
    event = await add_event(
        session,
        idea,
        actor=actor,
        kind="stage",
        from_stage=from_stage,
        to_stage=to_stage,
        text=note,
        data=data or None,
        now=now,
    )
    event.seconds_in_stage = max(0, int((now - idea.stage_changed_at).total_seconds()))
    idea.stage = to_stage
    idea.stage_changed_at = now
    mark_activity(idea, now, policy, calendar)
    idea.updated_at = now
    if idea.first_response_at is None:
        idea.first_response_at = now

    giver = await get_person(session, idea.person_id)
    assert giver is not None  # a foreign key
    if kind == BACK:
        message = back_message(
            process, idea, giver, to_stage, coordinator_name=actor.display_name, note=note
        )
    else:
        message = stage_message(
            process, idea, giver, to_stage, coordinator_name=actor.display_name, note=note,
            where=where,
        )  # fmt: skip
    messages = {"stage": f"idea:{idea.id}:event:{event.id}"}
    await enqueue(
        session,
        dedupe_key=messages["stage"],
        recipient_id=giver.id,
        kind="stage",
        payload=payload_of(message),
        now=now,
        idea_id=idea.id,
    )
    # The message keeps the promise the giver had, and its next step makes a new one.
    await _told_and_promised(session, process, idea, to_stage, now, policy, calendar)
    if process.stage(to_stage).terminal and idea.satisfaction_asked_at is None:
        idea.satisfaction_asked_at = now
        question = payload_of(satisfaction_question(idea, giver))
        # Once per idea; asked again only after an undo took the first question back, and
        # then under a key of this move's own.
        for key in (f"idea:{idea.id}:satisfaction", f"idea:{idea.id}:satisfaction:{event.id}"):
            if await enqueue(
                session,
                dedupe_key=key,
                recipient_id=giver.id,
                kind="satisfaction",
                payload=question,
                now=now,
                idea_id=idea.id,
            ):
                messages["satisfaction"] = key
                break
    event.data = {**data, "undo": {**before, "messages": messages}}
    await session.flush()
    return event


@dataclass(frozen=True)
class Undone:
    """What undoing a move did about the idea giver's messages."""

    event: IdeaEvent  # the undo, in the idea's history
    # "withdrawn": nothing had gone out, and now nothing will; "corrected": a message may
    # have reached the idea giver, so a correction follows it; "none": there was none to
    # take back (the idea giver's data was erased)
    messages: str


def can_undo(move: IdeaEvent) -> bool:
    """Whether the move kept what undoing it needs (moves made before undo existed did not)."""
    return move.kind == "stage" and isinstance((move.data or {}).get("undo"), dict)


async def undo_move(
    session: AsyncSession,
    process: Process,
    idea: Idea,
    move: IdeaEvent,
    *,
    actor: Person,
    now: datetime,
    policy: ReminderPolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> Undone:
    """Put the idea back as it was before `move` (its latest stage change; the caller has
    checked who may, and when): its stage and times, its reminders restarted as after a
    move. Messages the move queued that have not gone out are withdrawn; if one may have
    reached the idea giver, a short correction is queued after it."""
    before: dict[str, Any] = (move.data or {})["undo"]
    mistaken, restored = idea.stage, move.from_stage or idea.stage
    idea.stage = restored
    idea.stage_changed_at = _moment(before["stage_changed_at"]) or idea.stage_changed_at
    idea.first_response_at = _moment(before.get("first_response_at"))
    idea.satisfaction_asked_at = _moment(before.get("satisfaction_asked_at"))
    mark_activity(idea, now, policy, calendar)
    idea.updated_at = now

    messages: dict[str, str] = dict(before.get("messages") or {})
    withdrawn = await withdraw_unsent(session, messages.values(), now=now)
    reached = {kind for kind, key in messages.items() if withdrawn.get(key) is False}
    outcome = "corrected" if reached else "withdrawn" if withdrawn else "none"
    event = await add_event(
        session,
        idea,
        actor=actor,
        kind="undo",
        from_stage=mistaken,
        to_stage=restored,
        data={"undoes": move.id, "messages": outcome},
        now=now,
    )
    if not reached and withdrawn:
        # Nothing reached the giver: what they last heard, and were promised, stands.
        idea.giver_heard_at = _moment(before.get("giver_heard_at")) or idea.giver_heard_at
        promised = _moment(before.get("promise_due_at"))
        if promised is not None:
            await promise(session, idea, due_at=promised, kind=STAGE, now=now, policy=policy,
                          calendar=calendar)  # fmt: skip
        else:
            await forget_promise(session, idea, now=now)
    if reached:
        giver = await get_person(session, idea.person_id)
        assert giver is not None  # a foreign key
        correction = correction_message(
            process, idea, giver, restored, coordinator_name=actor.display_name,
            satisfaction="satisfaction" in reached,
        )  # fmt: skip
        await enqueue(
            session,
            dedupe_key=f"idea:{idea.id}:undo:{event.id}",
            recipient_id=giver.id,
            kind="correction",
            payload=payload_of(correction),
            now=now,
            idea_id=idea.id,
        )
        await _told_and_promised(session, process, idea, restored, now, policy, calendar)
    reschedule(idea, now, policy, calendar)
    await session.flush()
    return Undone(event, outcome)


async def _told_and_promised(
    session: AsyncSession,
    process: Process,
    idea: Idea,
    stage_id: str,
    now: datetime,
    policy: ReminderPolicy | None,
    calendar: WorkingCalendar | None,
) -> None:
    """A message about the idea in `stage_id` went to the giver: it keeps their promise,
    and the stage's next step (`promise_days`) is the new one."""
    await giver_told(session, idea, now=now, policy=policy, calendar=calendar)
    stage = process.stages.get(stage_id)
    if stage is not None and stage.promise_days and not stage.terminal:
        cal = calendar or DEFAULT_CALENDAR
        await promise(session, idea, due_at=due_after(cal, now, stage.promise_days), kind=STAGE,
                      now=now, policy=policy, calendar=calendar)  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None
