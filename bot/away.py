"""People are away, ideas change hands, and nobody is left talking to someone who is gone.

- **Away.** A coordinator says `borta till 2027-08-10 [ersättare @per]`: an `Absence`. While it
  lasts, `bot.availability.answering_for` sends their ideas' news to the stand-in (or to the
  other coordinators), and the bot sends them nothing. When it begins (at once, or at its
  start for one planned ahead: `start_due_absences`, called by the sweep), each giver of
  their open ideas is told who has the idea meanwhile (`announce`). `tillbaka` ends it early
  with a short summary of what happened meanwhile.
- **Hand-over.** A coordinator removed from the role hands their open ideas to another
  coordinator, or spreads them over those who are here (`hand_over`); each giver is told who
  now has their idea.
- **Gone.** A coordinator whose platform says they cannot be reached, or who is no longer a
  coordinator without having handed over, is noticed at once (`notice_gone`): their open
  ideas surface to every coordinator here as news for the digest, and in each idea's
  history. `answering_for` already skips them.

Every message to an idea giver here calls `bot.promises.giver_told`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.availability import Team, team
from bot.calendar import STOCKHOLM
from bot.config import Settings
from bot.notifications import giver_language
from bot.process import Process, load_process
from bot.promises import giver_told
from conversations.i18n import person_language
from conversations.reply import Reply, payload_of
from conversations.views.away import (
    Day,
    GiverAway,
    GiverNewCoordinator,
    giver_away_message,
    giver_new_coordinator_message,
    taken_over_notice,
)
from storage import absences as absence_store
from storage import handover as handover_store
from storage.ideas import add_event
from storage.models import Absence, Idea, Person
from storage.news import add_news
from storage.outbox import enqueue
from storage.people import first_name, get_person

log = logging.getLogger(__name__)

AWAY_MESSAGE, HANDOVER_MESSAGE, TAKEN_OVER = "away_giver", "handover_giver", "taken_over"
GONE = "gone"  # the news kind, and the history event's
HANDOVER_NEWS = "handover"


def day_of(moment: datetime, now: datetime) -> Day:
    """The day `moment` falls on in Stockholm, said with the year when it is another year."""
    local = moment.astimezone(STOCKHOLM).date()
    return Day(local, other_year=local.year != now.astimezone(STOCKHOLM).year)


def name_of(person: Person | None) -> str:
    """How a coordinator is named to others: their first name, else their id."""
    if person is None:
        return "?"
    return first_name(person.display_name) or person.display_name or person.platform_user_id


# ── away ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Began:
    absence: Absence
    replaced: int  # earlier absences in the same time, taken back
    told: int  # idea givers told at once (0 for one planned ahead)


async def go_away(
    session: AsyncSession,
    settings: Settings,
    process: Process,
    person: Person,
    *,
    starts_at: datetime,
    ends_at: datetime,
    stand_in: Person | None,
    now: datetime,
) -> Began:
    """Store an absence (it replaces any other of theirs in the same time); one that begins
    now is announced to the givers at once."""
    replaced = 0
    for other in await absence_store.absences_of(session, person.id, now):
        if other.starts_at < ends_at and other.ends_at > starts_at:
            await absence_store.end_absence(session, other, now=now)
            replaced += 1
    absence = await absence_store.add_absence(
        session,
        person.id,
        starts_at=starts_at,
        ends_at=ends_at,
        stand_in_id=stand_in.id if stand_in else None,
        now=now,
    )
    told = 0
    if starts_at <= now:
        told = await announce(session, settings, process, absence, now)
    log.info("absence stored", extra={"person": person.id, "planned": starts_at > now})
    return Began(absence, replaced, told)


async def announce(
    session: AsyncSession, settings: Settings, process: Process, absence: Absence, now: datetime
) -> int:
    """Tell each giver of the away coordinator's open ideas who has the idea meanwhile.
    Returns how many were told; marks the absence announced."""
    absence.announced_at = now
    person = await get_person(session, absence.person_id)
    if person is None:
        return 0
    crew = await team(session, settings, now)
    answering = crew.answers_for(person.id)
    stand_in = answering[0] if len(answering) == 1 and answering[0].id != person.id else None
    told = 0
    for idea in await handover_store.open_ideas_assigned_to(
        session, person.id, process.open_stages
    ):
        giver = await get_person(session, idea.person_id)
        if giver is None or not giver.reachable or giver.id == person.id:
            continue
        if giver.id in crew.away:  # a coordinator's own idea, and they are away too
            continue
        lang = giver_language(idea, giver)
        reply = giver_away_message(
            lang,
            GiverAway(
                name=first_name(giver.display_name),
                title=idea.title,
                coordinator=name_of(person),
                until=day_of(absence.ends_at, now),
                stand_in=name_of(stand_in) if stand_in else None,
                alone=not answering,
            ),
        )
        if await _tell_who_has_it(
            session, idea, giver, reply, kind=AWAY_MESSAGE,
            dedupe_key=f"away:{absence.id}:{idea.id}", now=now,
        ):  # fmt: skip
            told += 1
    return told


async def _tell_who_has_it(
    session: AsyncSession,
    idea: Idea,
    giver: Person,
    reply: Reply,
    *,
    kind: str,
    dedupe_key: str,
    now: datetime,
) -> bool:
    """Queue news of who has the idea now (an absence, a hand-over), once per key. It ends
    the giver's silence but answers no promise about the idea. True if it was queued."""
    if not await enqueue(
        session,
        dedupe_key=dedupe_key,
        recipient_id=giver.id,
        kind=kind,
        payload=payload_of(reply),
        now=now,
        idea_id=idea.id,
    ):
        return False
    await giver_told(session, idea, now=now, by="coordinator", keeps=False)
    return True


async def start_due_absences(
    session: AsyncSession, settings: Settings, now: datetime, *, process: Process | None = None
) -> int:
    """For the sweep: every absence that has begun and not been announced is announced now
    (a planned one on its first day), and coordinators who are gone are noticed
    (`notice_gone`). Idempotent. Returns how many idea givers were told."""
    process = process or load_process(settings.process_path)
    told = 0
    for absence in await absence_store.absences_to_announce(session, now):
        told += await announce(session, settings, process, absence, now)
    await notice_gone(session, settings, now, process=process)
    return told


@dataclass(frozen=True)
class CameBack:
    absence: Absence | None  # None: they were not away
    ideas: list[tuple[Idea, int]]  # their open ideas with news meanwhile, and how much
    new_ideas: int


async def come_back(
    session: AsyncSession, process: Process, person: Person, now: datetime
) -> CameBack:
    """`tillbaka`: the absence going on ends now, and what happened meanwhile."""
    current = await absence_store.current_absence(session, person.id, now)
    if current is None:
        return CameBack(None, [], 0)
    await absence_store.end_absence(session, current, now=now)
    ideas = await handover_store.open_ideas_assigned_to(session, person.id, process.open_stages)
    counts = await handover_store.events_since(
        session, [i.id for i in ideas], current.starts_at, not_by=person.id
    )
    news = [(idea, counts[idea.id]) for idea in ideas if counts.get(idea.id)]
    new_ideas = await handover_store.submitted_since(session, current.starts_at)
    log.info("absence ended early", extra={"person": person.id})
    return CameBack(current, news, new_ideas)


async def cancel_planned(session: AsyncSession, person: Person, now: datetime) -> int:
    """`borta avbryt`: every absence of theirs, going on or planned, is taken back."""
    absences = await absence_store.absences_of(session, person.id, now)
    for absence in absences:
        await absence_store.end_absence(session, absence, now=now)
    return len(absences)


# ── hand-overs ─────────────────────────────────────────────────────────────────────────


async def tell_giver_new_coordinator(
    session: AsyncSession, idea: Idea, coordinator: Person, *, now: datetime, key: str
) -> bool:
    """ "Nu har Per hand om din idé …": to the idea's giver, once per `key`."""
    giver = await get_person(session, idea.person_id)
    if giver is None or not giver.reachable or giver.id == coordinator.id:
        return False
    reply = giver_new_coordinator_message(
        giver_language(idea, giver),
        GiverNewCoordinator(
            name=first_name(giver.display_name),
            number=idea.id,
            title=idea.title,
            coordinator=name_of(coordinator),
        ),
    )
    return await _tell_who_has_it(
        session, idea, giver, reply, kind=HANDOVER_MESSAGE,
        dedupe_key=f"handover:{idea.id}:{key}", now=now,
    )  # fmt: skip


def spread(ideas: Sequence[Idea], to: Sequence[Person], load: dict[int, int]) -> list[Person]:
    """Who gets each idea when they are spread: each to whoever has the fewest open ideas
    so far (the first named on a tie)."""
    load = {person.id: load.get(person.id, 0) for person in to}
    chosen = []
    for _ in ideas:
        person = min(to, key=lambda p: load[p.id])
        load[person.id] += 1
        chosen.append(person)
    return chosen


@dataclass(frozen=True)
class HandOver:
    given: list[tuple[Person, int]]  # each new coordinator and how many ideas they got
    told: int  # givers told


async def hand_over(
    session: AsyncSession,
    process: Process,
    from_person: Person,
    to: Sequence[Person],
    *,
    actor: Person,
    now: datetime,
) -> HandOver:
    """Every open idea of `from_person` goes to `to` (one person, or spread over several):
    an "assigned" event noting the hand-over, news for the new coordinator's digest, and
    the giver told who now has their idea."""
    ideas = await handover_store.open_ideas_assigned_to(
        session, from_person.id, process.open_stages, lock=True
    )
    if len(to) == 1:
        chosen = [to[0]] * len(ideas)
    else:
        load = await handover_store.open_counts(session, [p.id for p in to], process.open_stages)
        chosen = spread(ideas, to, load)
    given: dict[int, int] = {}
    told = 0
    for idea, person in zip(ideas, chosen, strict=True):
        idea.assignee_id = person.id
        idea.updated_at = now
        event = await add_event(
            session,
            idea,
            actor=actor,
            kind="assigned",
            now=now,
            data={
                "assignee_id": person.id,
                "assignee_name": person.display_name or person.platform_user_id,
                "handover_from": from_person.id,
            },
        )
        await add_news(
            session,
            dedupe_key=f"handover:{event.id}:{person.id}",
            recipient_id=person.id,
            kind=HANDOVER_NEWS,
            now=now,
            idea_id=idea.id,
            # By id: no names copied into the news (the digest reads them when written).
            data={"from_id": from_person.id, "actor_id": actor.id},
        )
        told += await tell_giver_new_coordinator(
            session, idea, person, now=now, key=f"event:{event.id}"
        )
        given[person.id] = given.get(person.id, 0) + 1
    by_id = {person.id: person for person in to}
    log.info("ideas handed over", extra={"ideas": len(ideas), "to": len(given)})
    return HandOver([(by_id[pid], count) for pid, count in given.items()], told)


async def notify_taken_over(
    session: AsyncSession,
    settings: Settings,
    idea: Idea,
    holder: Person,
    actor: Person,
    *,
    event_id: int,
    now: datetime,
) -> None:
    """The coordinator who had the idea hears that `actor` took it over (not while away or
    gone: then it waits in the idea's history)."""
    crew = await team(session, settings, now)
    if not crew.is_here(holder.id):
        return
    text = taken_over_notice(
        person_language(holder),
        name=first_name(holder.display_name),
        actor=name_of(actor),
        number=idea.id,
        title=idea.title,
    )
    await enqueue(
        session,
        dedupe_key=f"idea:{idea.id}:taken_over:{event_id}",
        recipient_id=holder.id,
        kind=TAKEN_OVER,
        payload=payload_of(Reply(text)),
        now=now,
        idea_id=idea.id,
    )


# ── gone ───────────────────────────────────────────────────────────────────────────────


def _gone_ones(crew: Team, people: dict[int, Person]) -> dict[int, str]:
    """Of the assignees in `people`: who is gone, and why ("removed", "unreachable")."""
    gone = {}
    for person_id, person in people.items():
        if person_id not in crew.members:
            gone[person_id] = "removed"
        elif not person.reachable:
            gone[person_id] = "unreachable"
    return gone


async def notice_gone(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    process: Process | None = None,
) -> int:
    """Open ideas whose coordinator is gone (no longer a coordinator, or unreachable) and
    not yet noticed: news (kind "gone") for every coordinator here, and a "gone" event in
    the idea's history. Returns how many ideas surfaced."""
    process = process or load_process(settings.process_path)
    crew = await team(session, settings, now)
    unreachable = [p for p in await _members(session, crew) if not p.reachable]
    candidates: list[Idea] = await handover_store.open_ideas_not_of(
        session, crew.members, process.open_stages
    )
    for person in unreachable:
        candidates += await handover_store.open_ideas_assigned_to(
            session, person.id, process.open_stages
        )
    if not candidates:
        return 0
    people = {
        p.id: p
        for p in [
            await get_person(session, pid)
            for pid in {i.assignee_id for i in candidates if i.assignee_id is not None}
        ]
        if p is not None
    }
    gone = _gone_ones(crew, people)
    noticed = await handover_store.gone_noticed(session, [i.id for i in candidates])
    surfaced = 0
    for idea in candidates:
        assignee_id = idea.assignee_id
        if assignee_id is None or assignee_id not in gone or (idea.id, assignee_id) in noticed:
            continue
        person = people[assignee_id]
        await add_event(
            session,
            idea,
            actor=None,
            kind=GONE,
            now=now,
            data={"person_id": person.id, "person_name": name_of(person), "why": gone[person.id]},
        )
        for recipient in crew.here:
            if recipient.id == person.id:
                continue
            await add_news(
                session,
                dedupe_key=f"gone:{idea.id}:{person.id}:{recipient.id}",
                recipient_id=recipient.id,
                kind=GONE,
                now=now,
                idea_id=idea.id,
                data={"person_id": person.id, "why": gone[person.id]},
            )
        surfaced += 1
    if surfaced:
        log.info("ideas of a coordinator who is gone surfaced", extra={"ideas": surfaced})
    return surfaced


async def _members(session: AsyncSession, crew: Team) -> list[Person]:
    return [p for p in [await get_person(session, pid) for pid in crew.members] if p is not None]
