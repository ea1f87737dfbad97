"""A year of ideas in a database, for the report's tests: made through the same functions
the bot uses (storage's `create_idea`, the core's `move_idea`, `undo_move` and promises),
with a fixed random seed, so that every run makes the same year.

Each idea gets a fate: how far along the main line it goes, and whether it ends there,
implemented, closed, referred, parked, or still open when the year's last day comes. A few
moves are made by mistake and undone; some promises fall due before the next news and are
broken (as the reminder sweep breaks them); most givers who are asked answer the 1–5
question. `World` keeps the truth the test can compare with where neither `stats` nor the
export carries a figure (the administrations)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.calendar import DEFAULT_CALENDAR, STOCKHOLM, WorkingCalendar
from bot.process import Process, default_process
from bot.promises import FIRST, RENEWED, due_after, promise
from bot.transitions import move_idea, undo_move
from storage.database import Database
from storage.ideas import create_idea, get_idea
from storage.models import Person
from storage.people import upsert_person
from storage.promises import settle_open_promises

ADMINISTRATIONS = (
    ("Socialförvaltningen", 5),
    ("Barn- och utbildningsförvaltningen", 4),
    ("Stadsbyggnadsförvaltningen", 2),
    ("Kultur- och fritidsförvaltningen", 2),
    (None, 1),  # the organisation file did not place the workplace
)
YEAR_START = datetime(2026, 1, 2, 9, 0, tzinfo=STOCKHOLM)
# The moment the report is made: the year's ideas are in, some are still open.
REPORT_MOMENT = datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM).astimezone(UTC)


@dataclass
class World:
    ideas: int = 0
    administration: dict[int, str | None] = field(default_factory=dict)  # idea → administration
    coordinators: list[int] = field(default_factory=list)  # person ids
    undone: int = 0
    broken: int = 0


async def seed_year(
    database: Database,
    *,
    ideas: int = 160,
    givers: int = 70,
    seed: int = 16,
    until: datetime = REPORT_MOMENT,
    process: Process | None = None,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> World:
    process = process or default_process()
    draw = random.Random(seed)
    world = World()
    people: list[Person] = []
    async with database.transaction() as session:
        for number in range(4):
            coordinator = await upsert_person(
                session,
                "console",
                f"c{number}",
                now=YEAR_START,
                display_name=f"Samordnare {number}",
            )
            world.coordinators.append(coordinator.id)
        for number in range(givers):
            people.append(
                await upsert_person(
                    session,
                    "console",
                    f"g{number}",
                    now=YEAR_START,
                    display_name=f"Givare {number}",
                )
            )
    names, weights = zip(*ADMINISTRATIONS, strict=True)
    span = (until - YEAR_START.astimezone(UTC)).total_seconds() - 86400
    moments = sorted(
        YEAR_START.astimezone(UTC) + timedelta(seconds=draw.uniform(0, span)) for _ in range(ideas)
    )
    for submitted in moments:
        # Office-ish hours: the submission at 09–16 local time on its day.
        local = submitted.astimezone(STOCKHOLM).replace(hour=draw.randint(9, 16))
        submitted = local.astimezone(UTC)
        async with database.transaction() as session:
            giver = people[min(int(draw.expovariate(1 / 20)), givers - 1)]
            coordinators = [await session.get(Person, pid) for pid in world.coordinators]
            idea = await create_idea(
                session,
                giver,
                {"title": "Idé", "need": "Behov", "idea": "Idé", "benefit": "Nytta"},
                language="sv",
                now=submitted,
                stage=process.first_stage,
            )
            idea.administration = draw.choices(names, weights)[0]
            world.administration[idea.id] = idea.administration
            idea.response_due_at = calendar.end_of_working_days(
                submitted, process.first_response_days
            )
            await promise(session, idea, due_at=idea.response_due_at, kind=FIRST, now=submitted)
            world.ideas += 1
            await _live(session, world, process, calendar, draw, idea.id, coordinators, until)
    return world


async def _live(session, world, process, calendar, draw, idea_id, coordinators, until) -> None:  # type: ignore[no-untyped-def]
    """The idea's fate, move by move, until its end or the report's moment."""
    idea = await get_idea(session, idea_id)
    assert idea is not None
    coordinator = draw.choice(coordinators)
    main = list(process.main_line)
    furthest = draw.choices(range(1, len(main)), weights=(5, 4, 3, 3, 1))[0]
    ending = draw.choices(("line", "closed", "referred", "parked"), weights=(6, 3, 1, 1))[0]
    steps: list[tuple[str, str | None, str | None]] = []  # (stage, note, where)
    for stage in main[1 : furthest + 1]:
        steps.append((stage, None, None))
    if ending != "line" and not process.stage(steps[-1][0]).terminal:
        side = {"closed": process.close_stage, "referred": process.refer_stage}.get(ending)
        stage_id = side or process.park_stage
        assert stage_id is not None
        steps.append(
            (stage_id, "skäl" if ending == "closed" else None,
             "Tekniska förvaltningen" if ending == "referred" else None)
        )  # fmt: skip
    moment = idea.submitted_at
    for stage, note, where in steps:
        moment = calendar.add_working_days(moment, max(1, int(draw.lognormvariate(1.6, 0.8))))
        moment += timedelta(minutes=draw.randint(0, 300))
        if moment >= until:
            return  # still open when the report is made
        await _break_overdue(session, world, idea, moment, calendar)
        idea.assignee_id = coordinator.id
        if draw.random() < 0.05 and process.park_stage and stage != process.park_stage:
            # A slip: the wrong stage, undone a minute later.
            wrong = await move_idea(
                session, process, idea, to_stage=process.park_stage, actor=coordinator,
                now=moment, calendar=calendar,
            )  # fmt: skip
            moment += timedelta(minutes=1)
            await undo_move(session, process, idea, wrong, actor=coordinator, now=moment,
                            calendar=calendar)  # fmt: skip
            world.undone += 1
            moment += timedelta(minutes=1)  # (a promise's stage is told apart by its moment)
        await move_idea(
            session, process, idea, to_stage=stage, actor=coordinator, now=moment, note=note,
            where=where, calendar=calendar,
        )  # fmt: skip
    if process.stage(idea.stage).terminal and draw.random() < 0.7:
        happy = idea.stage in process.main_line
        idea.satisfaction = draw.choices((1, 2, 3, 4, 5), weights=(1, 1, 3, 6, 8) if happy
                                         else (1, 2, 4, 6, 5))[0]  # fmt: skip


async def _break_overdue(session, world, idea, moment, calendar) -> None:  # type: ignore[no-untyped-def]
    """A promise that fell due before the next news is broken on its due day, and the bot
    makes a new one (bot/reminders.py does this in the sweep)."""
    while idea.promise_due_at is not None and idea.promise_due_at < moment:
        due = idea.promise_due_at
        await settle_open_promises(session, idea.id, status="broken", kept_by=None, now=due)
        world.broken += 1
        await promise(session, idea, due_at=due_after(calendar, due, 10), kind=RENEWED, now=due)
