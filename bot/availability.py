"""Who answers for an idea now: its coordinator, unless they are away (then their stand-in)
or gone (no longer a coordinator, or unreachable); with nobody, every coordinator who is
here. Reminders, promises about to fall due and the idea giver's replies all ask this, so
that no message goes to someone who is away or gone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.roles import admin_people, coordinator_people
from storage.absences import absences_at
from storage.models import Absence, Idea, Person


@dataclass(frozen=True)
class Team:
    """The coordinators at one moment: who is here, and who is away (with their absence)."""

    here: tuple[Person, ...]  # coordinators with a person row, reachable and not away
    away: dict[int, Absence]  # person id → absence, coordinators away now
    members: frozenset[int]  # every coordinator's person id, here or not

    def answers_for(self, assignee_id: int | None) -> list[Person]:
        """Who hears about an idea assigned to `assignee_id` (None: nobody)."""
        by_id = {person.id: person for person in self.here}
        if assignee_id is not None and assignee_id in by_id:
            return [by_id[assignee_id]]
        # Away: their stand-in; a stand-in away too hands on to their own stand-in, and so
        # on (each person once: two who stand in for each other end with everyone here).
        seen: set[int] = set()
        current = assignee_id
        while current is not None and current not in seen:
            seen.add(current)
            absence = self.away.get(current)
            stand_in = absence.stand_in_id if absence is not None else None
            if stand_in is not None and stand_in in by_id:
                return [by_id[stand_in]]
            current = stand_in if stand_in in self.members else None
        return list(self.here)

    def is_here(self, person_id: int | None) -> bool:
        return person_id is not None and any(person.id == person_id for person in self.here)


async def team(session: AsyncSession, settings: Settings, now: datetime) -> Team:
    coordinators = await coordinator_people(session, settings)
    away = await absences_at(session, now, [person.id for person in coordinators])
    here = tuple(p for p in coordinators if p.reachable and p.id not in away)
    return Team(here=here, away=away, members=frozenset(p.id for p in coordinators))


async def answering_for(
    session: AsyncSession, settings: Settings, idea: Idea, now: datetime
) -> list[Person]:
    """The people who answer for `idea` at `now` (see the module's docstring)."""
    return (await team(session, settings, now)).answers_for(idea.assignee_id)


async def admins_here(session: AsyncSession, settings: Settings, now: datetime) -> list[Person]:
    """The admins who can hear about an escalation now: reachable and not away."""
    admins = await admin_people(session, settings)
    away = await absences_at(session, now, [person.id for person in admins])
    return [person for person in admins if person.reachable and person.id not in away]
