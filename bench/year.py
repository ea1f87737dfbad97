"""A municipality's year with the idea sluice, played against the real core with a frozen clock.

    python -m bench.year --seed 1                       # both runs, the table on stdout
    python -m bench.year --seed 1 --write-results       # and into bench/RESULTS.md
    python -m bench.year --seed 1 --days 60 --ideas 80 --with-only
    python -m bench.year --seed 1 --database-url postgresql://postgres@127.0.0.1/postgres

The world (bench/year_world.py, seeded): 300 employees tell 415 ideas through the intake
dialogue (`IdeaBot.handle`, turn by turn), six coordinators read what the bot sends them with
realistic delays (nothing while on holiday; one leaves in October and their account is gone:
the sender reports them unreachable), take ideas, move them along each idea's hidden fate, write
notes, snooze, and use the newer commands (`skriv`, `borta till`, `att göra`, digest buttons)
only where the bot has them. The reminder sweep runs as the scheduler would (08:00, 10:00, 13:00
and 15:00 on working days) and the dispatcher delivers through a recording sender.

Two runs per seed: **with the bot** (the process file's reminders as shipped) and **without**
(the same world and the same draws, but no reminders, escalations, check-ins, "still with us"
notes or nudges). The measurements (bench/year_metrics.py) are read from the outbox afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import logging
import os
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.year_metrics import (
    CONFIRMATION,
    Delivery,
    IdeaLife,
    Log,
    Move,
    Report,
    kinds_table,
    report,
    table,
)
from bench.year_world import (
    ADMIN,
    CLOSE_REASONS,
    PARK_REASONS,
    REFER_TO,
    STEP_DAYS,
    WAITING_NOTES,
    Coordinator,
    IdeaPlan,
    World,
    build_world,
    lognormal_days,
)
from bot.app import IdeaBot
from bot.calendar import STOCKHOLM
from bot.clock import FrozenClock
from bot.commands.catalog import BUTTONS, COMMANDS
from bot.commands.handlers import ASSIGN_BUTTON
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.incoming import Incoming
from bot.ports import Unreachable
from bot.reminders import ReminderPolicy, StagePolicy, sweep
from conversations.reply import Reply, replies_from_payload
from storage.database import Database
from storage.models import CoordinatorNews, Idea, IdeaEvent, OutboxMessage, Person

ROOT = Path(__file__).resolve().parent.parent
SWEEP_HOURS = (8, 10, 13, 15)
TURN_SECONDS = 40  # between two turns of one person telling an idea
GIVER_KINDS_ANSWERED = frozenset({"stage", "reminder_giver"})


# ── which commands the bot has today ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class Commands:
    """The newer commands, used only when the bot has them (looked up in the catalog)."""

    write: bool  # skriv N text
    away: bool  # borta till DATE
    back: bool  # tillbaka
    todo: bool  # att göra
    snooze: bool

    @classmethod
    def available(cls) -> Commands:
        words, names = COMMANDS.by_word, COMMANDS.by_name
        return cls(
            write="skriv" in words,
            away="borta" in words,
            back="tillbaka" in words,
            todo="todo" in names or "att göra" in COMMANDS.phrases or "todo" in words,
            snooze="snooze" in names,
        )


# ── the policies of people ───────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class CoordinatorPolicy:
    """How a coordinator reacts: delays in working days (lognormal median, sigma) and the
    chances of each choice. One instance for all six; each decision draws from the world's
    generator for that decision."""

    read_delay: tuple[float, float] = (1.5, 0.9)  # a message, once here
    catch_up: tuple[float, float] = (2.5, 0.7)  # after a holiday, before reading the backlog
    take_new: float = 0.35  # a new-idea notice: "I'll take it"
    take_reminded: float = 0.7  # a reminder about an idea nobody (here) has
    click_stale: float = 0.15  # clicks "I'll take it" on a stale notice without looking
    forget: float = 0.45  # a step whose time has come is not done then, but later
    forget_days: tuple[float, float] = (15.0, 1.0)  # how much later
    note_instead: float = 0.45  # reminded before the step is ready: a note ("Väntar på …")
    write_instead: float = 0.5  # … or, where `skriv` exists, a word to the giver
    snooze_instead: float = 0.15
    todo_daily: float = 0.5  # looks at `att göra` on a working morning
    # Reminded this many times about one idea since its last move, they stop writing notes:
    # the step is done now when its work is nearly ready, else the idea is parked with a
    # reason (resting on purpose, and said so).
    reminded_enough: int = 3
    nearly_ready_days: int = 10
    admin_read: tuple[float, float] = (1.0, 0.6)  # the admin reads a digest of escalations

    def when_read(
        self, world: World, who: Coordinator, sent: datetime, key: tuple[Any, ...]
    ) -> datetime | None:
        rng = world.draw("read", who.user, *key)
        return later(world, who, sent, lognormal_days(rng, *self.read_delay), rng, self)


@dataclass(frozen=True)
class GiverPolicy:
    ask_why: float = 0.12  # "Men varför? Kan jag prata med Maria?"
    thanks: float = 0.15
    score: float = 0.3  # answers the satisfaction question


def later(
    world: World,
    who: Coordinator,
    start: datetime,
    days: float,
    rng: Any,
    policy: CoordinatorPolicy,
) -> datetime | None:
    """`days` working days (a fraction is a time of day) after `start`, pushed past a
    holiday (then the catch-up delay from the first day back); None once they have left."""
    cal = world.calendar
    whole = int(days)
    moment = cal.add_working_days(cal.next_office_moment(start), whole)
    local = cal.local(moment)
    hour = 8 + (days - whole) * 8.5
    at = local.replace(hour=int(hour), minute=int((hour % 1) * 60))
    moment = cal.next_office_moment(max(at.astimezone(UTC), start))
    away = who.away_on(cal.local(moment).date())
    if away is not None:
        back = cal.next_office_moment(
            datetime.combine(away[1] + timedelta(days=1), clock_time(0), STOCKHOLM)
        )
        catch_up = lognormal_days(rng, *policy.catch_up)
        return later(world, who, back, catch_up, rng, policy)
    if who.leaves_at is not None and moment >= who.leaves_at:
        return None
    return moment


# ── the simulation ───────────────────────────────────────────────────────────────────────


@dataclass
class IdeaState:
    plan: IdeaPlan
    number: int | None = None
    owner: str | None = None  # a coordinator's user ("c3")
    step: int = 0  # the next of plan.steps
    ready_at: datetime | None = None  # when the work for the next step is done
    planned: int = 0  # the own-initiative event that counts (older ones are dropped)
    asked: str | None = None  # the giver's question waiting for an answer
    reminded: int = 0  # reminders read by the owner since the last move
    parked: bool = False  # parked with a reason until its work is ready (not its fate)

    @property
    def done(self) -> bool:
        return self.step >= len(self.plan.steps)


@dataclass
class Stats:
    turns: int = 0
    intake_failed: int = 0
    intake_restarted: int = 0  # the bot did not ask what a person expects
    submitted: int = 0
    commands: Counter[str] = field(default_factory=Counter)
    sweeps: int = 0
    dispatched: int = 0


class RecordingSender:
    """The console platform's sender: records nothing itself (the outbox is the record) and
    reports a coordinator whose account is gone as unreachable, as a platform does."""

    platform = "console"

    def __init__(self, sim: Year) -> None:
        self.sim = sim

    async def send(self, address: dict[str, Any], replies: Sequence[Reply]) -> None:
        user = address.get("user", "")
        who = self.sim.coordinators.get(user)
        if who is not None and who.leaves_at is not None and self.sim.clock.now() >= who.leaves_at:
            self.sim.refused.setdefault(address.get("user", ""), self.sim.clock.now())
            raise Unreachable("the account was moved")


class Year:
    def __init__(
        self,
        world: World,
        db: Database,
        *,
        with_bot: bool,
        commands: Commands | None = None,
        coordinator: CoordinatorPolicy | None = None,
        giver: GiverPolicy | None = None,
    ) -> None:
        self.world, self.db, self.with_bot = world, db, with_bot
        self.cal = world.calendar
        self.commands = commands or Commands.available()
        self.policy = coordinator or CoordinatorPolicy()
        self.giver_policy = giver or GiverPolicy()
        self.clock = FrozenClock(world.start)
        self.coordinators = {c.user: c for c in world.coordinators}
        self.settings = Settings(
            database_url="(the simulation's)",
            coordinators=frozenset(c.qualified for c in world.coordinators),
            admins=frozenset({ADMIN[0]}),
            outbox_retention_days=10_000,  # the texts are read after the run
            draft_retention_days=30,
        )
        shipped = ReminderPolicy.default()
        self.reminders = shipped if with_bot else silent_policy(shipped)
        self.bot = IdeaBot(
            db, settings=self.settings, clock=self.clock, reminder_policy=self.reminders,
            on_outbox=self._wrote,
        )  # fmt: skip
        self.dirty = False  # rows were written since the last dispatch

        async def no_sleep(_: float) -> None:
            await asyncio.sleep(0)

        self.dispatcher = Dispatcher(
            db, [RecordingSender(self)], settings=self.settings, clock=self.clock, sleep=no_sleep
        )
        self.ideas: dict[int, IdeaState] = {}  # by the bot's number
        self.states = [IdeaState(plan) for plan in world.ideas]
        self.names = {e.user: e.name for e in world.employees}
        self.names.update({c.user: c.name for c in world.coordinators})
        self.names[ADMIN[0].split(":")[1]] = ADMIN[1]
        self.confirmations: list[Delivery] = []
        self.stats = Stats()
        self.events: list[tuple[datetime, int, Callable[[], Awaitable[None]]]] = []
        self.order = itertools.count()
        self.seen_outbox = 0
        self.counts: Counter[tuple[Any, ...]] = Counter()
        self.refused: dict[str, datetime] = {}  # user → the first delivery the platform refused

    # The event queue --------------------------------------------------------------------

    def at(self, moment: datetime | None, work: Callable[[], Awaitable[None]]) -> None:
        if moment is not None and moment < self.world.end:
            heapq.heappush(self.events, (moment, next(self.order), work))

    def nth(self, *key: Any) -> int:
        self.counts[key] += 1
        return self.counts[key]

    async def run(self) -> None:
        start = self.world.start
        self.at(start + timedelta(hours=1), self._hello)
        day = self.cal.local(start).date()
        while day < self.cal.local(self.world.end).date():
            if self.cal.is_working_day(day):
                for hour in SWEEP_HOURS:
                    moment = datetime.combine(day, clock_time(hour), STOCKHOLM).astimezone(UTC)
                    self.at(moment, self._tick)
                    if hour == 8 and self.commands.todo:
                        self.at(moment + timedelta(minutes=20), self._todo_round)
            day += timedelta(days=1)
        for state in self.states:
            self.at(state.plan.at, self._intake(state))
        for who in self.world.coordinators:
            self._plan_absence(who)
        while self.events:
            moment, _, work = heapq.heappop(self.events)
            if moment > self.clock.now():
                self.clock.set(moment)
            await work()
        self.clock.set(max(self.clock.now(), self.world.end))

    async def _tick(self) -> None:
        await sweep(self.db, self.clock.now(), policy=self.reminders, settings=self.settings)
        self.stats.sweeps += 1
        # What waited for office hours goes out now, and whatever the sweep wrote.
        await self._dispatch(force=True)

    def _wrote(self) -> None:
        self.dirty = True

    async def _dispatch(self, *, force: bool = False) -> None:
        """A dispatcher pass, as the server's wake-up after a turn that wrote outbox rows
        (and every tick) would run one; then what was delivered reaches people."""
        if not (force or self.dirty) or not self.cal.is_office_moment(self.clock.now()):
            return
        self.dirty = False
        delivered = await self.dispatcher.run_until_idle()
        self.stats.dispatched += delivered
        if not delivered:
            return
        for row in await sent_after(self.db, self.seen_outbox):
            self.seen_outbox = max(self.seen_outbox, row.id)
            self._delivered(row)

    # Turns --------------------------------------------------------------------------------

    async def turn(
        self, user: str, text: str | None = None, action: str | None = None
    ) -> list[Reply]:
        self.stats.turns += 1
        return await self.bot.handle(
            Incoming(
                platform="console",
                user_id=user,
                display_name=self.names.get(user),
                text=text,
                action=action,
                address={"user": user},
                accepts_files=True,
            )
        )

    async def command(self, user: str, text: str, *, then_dispatch: bool = True) -> list[Reply]:
        self.stats.commands[text.split(" ", 1)[0]] += 1
        replies = await self.turn(user, text)
        if then_dispatch:
            await self._dispatch()
        return replies

    async def _hello(self) -> None:
        for who in self.world.coordinators:
            await self.command(who.user, "hjälp", then_dispatch=False)
        await self.command(ADMIN[0].split(":")[1], "hjälp")

    def _intake(self, state: IdeaState) -> Callable[[], Awaitable[None]]:
        async def tell() -> None:
            plan = state.plan
            user = plan.giver.user
            answers = (
                ("Vad vill du kalla", plan.title),
                ("Vilket behov", plan.need),
                ("Hur skulle idén fungera", plan.description),
                ("Vem har nytta", plan.benefit),
                ("i liten skala", "hoppa över"),
                ("Vilka enheter", "hoppa över"),
                ("Vill du själv vara med", "ja"),
                ("Var arbetar du", plan.giver.workplace),
                ("Ska idén heta", "ja"),
                ("Stämmer det?", "skicka"),
                ("beskriva det som en ny idé", "ja"),
                ("Vill du avbryta?", "nej"),
            )
            replies = await self.turn(user, "Jag har en idé")
            for _ in range(20):  # a person answers what they are asked
                said = _text(replies)
                if re.search(r"nummer (\d+)", said):
                    break
                self.clock.advance(seconds=TURN_SECONDS)
                answer = next((a for q, a in answers if q in said), None)
                if answer is None:
                    self.stats.intake_restarted += 1
                    answer = "Jag har en idé"
                replies = await self.turn(user, answer)
            said = _text(replies)
            found = re.search(r"nummer (\d+)", said)
            if found is None:
                self.stats.intake_failed += 1
                await self.turn(user, "avbryt")
                return
            state.number = int(found.group(1))
            self.ideas[state.number] = state
            self.stats.submitted += 1
            self.confirmations.append(
                Delivery(self.clock.now(), plan.giver.qualified, CONFIRMATION, said, state.number)
            )
            await self._dispatch()

        return tell

    # What reached people ------------------------------------------------------------------

    def _delivered(self, row: SentRow) -> None:
        user = row.recipient.split(":", 1)[1]
        who = self.coordinators.get(user)
        if who is not None:
            key = (row.kind, row.idea_id, self.nth("coord", user, row.kind, row.idea_id))
            self.at(self.policy.when_read(self.world, who, row.sent_at, key), self._read(who, row))
            return
        if f"console:{user}" == ADMIN[0]:
            if row.kind == "digest":
                rng = self.world.draw("admin", row.id)
                days = lognormal_days(rng, *self.policy.admin_read)
                moment = self.cal.add_working_days(row.sent_at, int(days))
                self.at(self.cal.next_office_moment(moment), self._admin_reads(row))
            return
        state = self.ideas.get(row.idea_id) if row.idea_id is not None else None
        if state is None or state.plan.giver.user != user:
            return
        n = self.nth("giver", row.idea_id, row.kind)
        rng = self.world.draw("giver", state.plan.index, row.kind, n)
        hours = rng.uniform(0.5, 30.0)
        roll = rng.random()
        if row.kind == "satisfaction":
            if roll < self.giver_policy.score and row.replies and row.replies[0].choices:
                value = rng.choice(row.replies[0].choices).value
                self.at(row.sent_at + timedelta(hours=hours), self._giver_clicks(user, value))
            return
        if roll < self.giver_policy.ask_why:
            owner = self.names.get(state.owner or "", "någon av er")
            words = f"Men varför? Kan jag prata med {owner.split()[0]}?"
            self.at(row.sent_at + timedelta(hours=hours), self._giver_asks(state, words))
        elif roll < self.giver_policy.ask_why + self.giver_policy.thanks:
            self.at(row.sent_at + timedelta(hours=hours), self._giver_says(user, "Tack!"))

    def _giver_clicks(self, user: str, value: str) -> Callable[[], Awaitable[None]]:
        async def click() -> None:
            await self.turn(user, action=value)
            await self._dispatch()

        return click

    def _giver_says(self, user: str, text: str) -> Callable[[], Awaitable[None]]:
        async def say() -> None:
            await self.turn(user, text)
            await self._dispatch()

        return say

    def _giver_asks(self, state: IdeaState, words: str) -> Callable[[], Awaitable[None]]:
        async def ask() -> None:
            state.asked = words
            replies = await self.turn(state.plan.giver.user, words)
            # Asked whether this is a new idea: it is not.
            for reply in replies:
                for choice in reply.choices:
                    if choice.label.casefold().startswith(("nej", "no")):
                        await self.turn(state.plan.giver.user, action=choice.value)
                        break
            await self._dispatch()

        return ask

    def _read(self, who: Coordinator, row: SentRow) -> Callable[[], Awaitable[None]]:
        async def read() -> None:
            numbers = ideas_in(row)
            for number in numbers:
                state = self.ideas.get(number)
                if state is not None:
                    await self._prompted(who, state, row)
            await self._dispatch()

        return read

    async def _todo_round(self) -> None:
        today = self.cal.local(self.clock.now()).date()
        for who in self.world.coordinators:
            if self._absent(who, self.clock.now()):
                continue
            rng = self.world.draw("todo", who.user, today)
            if rng.random() >= self.policy.todo_daily:
                continue
            replies = await self.command(who.user, "att göra", then_dispatch=False)
            row = SentRow(0, who.qualified, "todo", None, self.clock.now(), tuple(replies))
            for number in ideas_in(row)[:3]:
                state = self.ideas.get(number)
                if state is not None:
                    await self._prompted(who, state, row)
        await self._dispatch()

    def _admin_reads(self, row: SentRow) -> Callable[[], Awaitable[None]]:
        """The admin acts on each escalated idea within days: an idea whose work is still far
        from done is parked with a reason; one whose coordinator is here is done by them as
        soon as its work is ready; any other (nobody has it, or its coordinator is away or
        gone) goes to the coordinator here with the fewest open ideas, who does the same."""

        async def read() -> None:
            admin = ADMIN[0].split(":")[1]
            for number in ideas_in(row):
                state = self.ideas.get(number)
                if state is None or state.done or state.number is None:
                    continue
                self.stats.commands["[admin]"] += 1
                now = self.clock.now()
                far = self.cal.add_working_days(now, self.policy.nearly_ready_days)
                if state.ready_at is not None and state.ready_at > far:
                    await self._park(admin, state)
                    continue
                holder = self.coordinators.get(state.owner or "")
                if holder is not None and not self._absent(holder, now):
                    # Its coordinator is here: the admin asks them (a word in the corridor,
                    # not the bot), and they do the step as soon as its work is ready.
                    state.reminded = 0
                    self._push(holder, state)
                    continue
                here = [
                    c for c in self.world.coordinators
                    if not self._absent(c, now) and not self._absent(c, far)
                ] or [c for c in self.world.coordinators if not self._absent(c, now)]  # fmt: skip
                if not here:
                    continue
                load = Counter(s.owner for s in self.ideas.values() if not s.done)
                to = min(here, key=lambda c: (load[c.user], c.user))
                await self.command(admin, f"tilldela {number} @{to.user}", then_dispatch=False)
                state.owner, state.reminded = to.user, 0
                self._push(to, state)
            await self._dispatch()

        return read

    def _push(self, who: Coordinator, state: IdeaState) -> None:
        """The step is done as soon as its work is ready (read within the usual delay): no
        forgetting after being asked by the admin or reminded enough."""
        now = self.clock.now()
        if state.ready_at is None:
            self._plan_step(state, from_now=True)
        start = max(now, state.ready_at or now)
        key = ("push", state.plan.index, state.step)
        when = self.policy.when_read(self.world, who, start, key)
        state.planned += 1
        mine = state.planned

        async def act() -> None:
            if state.planned != mine or state.owner != who.user or state.done:
                return
            await self._step(who, state)
            await self._dispatch()

        self.at(when, act)

    async def _park(self, user: str, state: IdeaState) -> None:
        """Parked with a reason: the idea rests on purpose until its work is ready."""
        rng = self.world.draw("park", state.plan.index, state.step)
        await self.command(user, f"parkera {state.number} {rng.choice(PARK_REASONS)}",
                           then_dispatch=False)  # fmt: skip
        state.reminded = 0
        if state.plan.steps[state.step] == "parked":
            state.step += 1
            state.ready_at = None
            self._plan_step(state)
        else:
            state.parked = True

    def _absent(self, who: Coordinator, moment: datetime) -> bool:
        if who.leaves_at is not None and moment >= who.leaves_at:
            return True
        return who.away_on(self.cal.local(moment).date()) is not None

    # A coordinator's decisions -----------------------------------------------------------

    async def _prompted(self, who: Coordinator, state: IdeaState, row: SentRow) -> None:
        """Something about this idea reached them and they read it now."""
        if state.done or state.number is None:
            return
        p, number = self.policy, state.number
        n = self.nth("prompt", who.user, number)
        rng = self.world.draw("prompt", who.user, state.plan.index, n)
        roll = rng.random()
        if state.asked and state.asked in _text(row.replies) and self.commands.write:
            # The giver's words, relayed: whoever they reached answers them.
            await self.command(
                who.user,
                f"skriv {number} Hej! Bra att du frågar. Jag ringer dig i veckan så "
                "pratar vi om det.",
            )
            state.asked = None
            return
        owner_gone = state.owner is not None and self._gone(state.owner)
        if state.owner is None or owner_gone:
            chance = p.take_new if row.kind == "new_idea" else p.take_reminded
            if roll < chance:
                await self._take(who, state, row)
            return
        if state.owner != who.user:
            if row.kind == "new_idea" and roll < p.click_stale:
                await self._take(who, state, row)  # the stale button: taken from a colleague
            elif row.kind == "new_idea" and roll < p.take_new:
                await self.command(who.user, f"visa {number}")  # looks first: it is taken
            return
        if state.ready_at is not None and self.clock.now() >= state.ready_at:
            await self._step(who, state)
            return
        if row.kind == "digest" and not state.parked:
            state.reminded += 1
        if state.reminded >= p.reminded_enough and not state.parked:
            far = self.cal.add_working_days(self.clock.now(), p.nearly_ready_days)
            if state.ready_at is not None and state.ready_at > far:
                await self._park(who.user, state)
            else:
                state.reminded = 0
                self._push(who, state)
            return
        if self.commands.write and roll < p.write_instead:
            await self.command(
                who.user,
                f"skriv {number} Hej! Vi väntar fortfarande på besked, jag hör av mig så "
                "snart jag vet mer.",
            )
        elif roll < p.note_instead:
            await self.command(who.user, f"notera {number} {rng.choice(WAITING_NOTES)}")
        elif roll < p.note_instead + p.snooze_instead and self.commands.snooze:
            await self.command(who.user, f"pausa {number} 10 {rng.choice(WAITING_NOTES)}")

    def _gone(self, user: str) -> bool:
        who = self.coordinators.get(user)
        return who is not None and who.leaves_at is not None and self.clock.now() >= who.leaves_at

    async def _take(self, who: Coordinator, state: IdeaState, row: SentRow) -> None:
        assert state.number is not None
        button = ASSIGN_BUTTON.value(state.number, "me")
        if any(c.value == button for reply in row.replies for c in reply.choices):
            self.stats.commands["[tilldela-knapp]"] += 1
            await self.turn(who.user, action=button)
        else:
            await self.command(who.user, f"tilldela {state.number} mig", then_dispatch=False)
        state.owner = who.user
        self._plan_step(state, from_now=state.ready_at is None)
        await self._dispatch()

    def _plan_step(self, state: IdeaState, *, from_now: bool = True) -> None:
        """The owner's own initiative: the next step when its work is done — or, forgotten,
        some time later."""
        if state.done or state.owner is None:
            return
        who = self.coordinators[state.owner]
        step = state.plan.steps[state.step]
        rng = self.world.draw("step", state.plan.index, state.step)
        work = lognormal_days(rng, *STEP_DAYS[step])
        if from_now or state.ready_at is None:
            ready = self.cal.add_working_days(self.clock.now(), max(1, round(work)))
            state.ready_at = ready
        slip = (
            lognormal_days(rng, *self.policy.forget_days)
            if rng.random() < self.policy.forget
            else 0
        )
        state.planned += 1
        mine = state.planned
        assert state.ready_at is not None
        when = later(self.world, who, state.ready_at, slip, rng, self.policy)

        async def own_initiative() -> None:
            if state.planned != mine or state.owner != who.user or state.done:
                return
            await self._step(who, state)
            await self._dispatch()

        self.at(when, own_initiative)

    async def _step(self, who: Coordinator, state: IdeaState) -> None:
        number, rng = state.number, self.world.draw("words", state.plan.index, state.step)
        step = state.plan.steps[state.step]
        texts = {
            "assessment": f"flytta {number} bedömning",
            "testing": f"flytta {number} prövas Vi börjar på en arbetsplats i höst.",
            "development": f"flytta {number} utveckling",
            "implemented": f"flytta {number} införd",
            "closed": f"avsluta {number} {rng.choice(CLOSE_REASONS)}",
            "parked": f"parkera {number} {rng.choice(PARK_REASONS)}",
            "referred": f"hänvisa {number} ”{rng.choice(REFER_TO)}” De har hand om sådant.",
        }
        await self.command(who.user, texts[step], then_dispatch=False)
        state.step += 1
        state.ready_at = None
        state.reminded, state.parked = 0, False
        self._plan_step(state)

    # Holidays -------------------------------------------------------------------------------

    def _plan_absence(self, who: Coordinator) -> None:
        for first, last in who.holidays:
            before = first - timedelta(days=1)
            while not self.cal.is_working_day(before):
                before -= timedelta(days=1)
            if self.commands.away:
                moment = datetime.combine(before, clock_time(15, 30), STOCKHOLM).astimezone(UTC)
                # The last day away, said as people say it in an out-of-office.
                self.at(moment, self._says(who, f"borta till och med {last.isoformat()}"))
            if self.commands.back:
                back = last + timedelta(days=1)
                while not self.cal.is_working_day(back):
                    back += timedelta(days=1)
                moment = datetime.combine(back, clock_time(8, 5), STOCKHOLM).astimezone(UTC)
                self.at(moment, self._says(who, "tillbaka"))

    def _says(self, who: Coordinator, text: str) -> Callable[[], Awaitable[None]]:
        async def say() -> None:
            if who.leaves_at is None or self.clock.now() < who.leaves_at:
                await self.command(who.user, text)

        return say


def silent_policy(shipped: ReminderPolicy) -> ReminderPolicy:
    """The baseline: the same stages, no idle/escalation/check-in/giver days, no promise
    warnings or honest notes, no nudges."""
    return ReminderPolicy(
        stages={
            stage_id: StagePolicy(names=stage.names, terminal=stage.terminal)
            for stage_id, stage in shipped.stages.items()
        },
        max_silence_days=None,
        keep_promises=False,
        nudge_flows=frozenset(),
    )


def _text(replies: Sequence[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


def ideas_in(row: SentRow) -> list[int]:
    """The ideas a message is about: its idea, else those its buttons name and the numbers
    its lines begin with (a digest, a to-do list)."""
    if row.idea_id is not None:
        return [row.idea_id]
    found: list[int] = []
    for reply in row.replies:
        for choice in reply.choices:
            meaning = BUTTONS.decode(choice.value)
            number = getattr(getattr(meaning, "args", None), "idea", None)
            if isinstance(number, int) and number not in found:
                found.append(number)
    # Every line too, not only the ideas with buttons (a digest lists more than it has
    # buttons for).
    for line in _text(row.replies).splitlines():
        match = re.match(r"\s*(?:[•\-*]\s*)?(?:idé\s+|nr\s+|#)?(\d{1,5})[.:)\s]", line)
        if match and int(match.group(1)) not in found:
            found.append(int(match.group(1)))
    return found


# ── reading the database ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class SentRow:
    id: int
    recipient: str
    kind: str
    idea_id: int | None
    sent_at: datetime
    replies: tuple[Reply, ...]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def sent_after(db: Database, last_id: int) -> list[SentRow]:
    """Outbox rows delivered, with an id above `last_id` (what the last pass delivered)."""
    async with db.read() as session:
        rows = await session.execute(
            select(OutboxMessage, Person.platform, Person.platform_user_id)
            .join(Person, Person.id == OutboxMessage.recipient_id)
            .where(OutboxMessage.id > last_id, OutboxMessage.status == "sent")
            .order_by(OutboxMessage.id)
        )
        return [
            SentRow(
                row.id,
                f"{plat}:{user}",
                row.kind,
                row.idea_id,
                _utc(row.sent_at),
                tuple(replies_from_payload(row.payload)),
            )
            for row, plat, user in rows.all()
            if row.sent_at is not None
        ]


async def read_log(
    db: Database,
    confirmations: Sequence[Delivery] = (),
    refused: Mapping[str, datetime] | None = None,
) -> Log:
    """Everything the measurements need, read from the database after the run: delivered
    outbox rows (and rows written but never delivered), and each idea's stage moves."""
    async with db.read() as session:
        people = {
            pid: f"{plat}:{user}"
            for pid, plat, user in (
                await session.execute(select(Person.id, Person.platform, Person.platform_user_id))
            ).all()
        }
        deliveries, undelivered = list(confirmations), []
        for row in (
            await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        ).scalars():
            who = people[row.recipient_id]
            if row.status == "sent" and row.sent_at is not None:
                text = "\n".join(r.text for r in replies_from_payload(row.payload or {"text": ""}))
                deliveries.append(Delivery(_utc(row.sent_at), who, row.kind, text, row.idea_id))
            else:
                undelivered.append((_utc(row.created_at), who, row.kind))
        moves: dict[int, list[Move]] = {}
        for event in (
            await session.execute(
                select(IdeaEvent)
                .where(IdeaEvent.kind == "stage")
                .order_by(IdeaEvent.idea_id, IdeaEvent.created_at, IdeaEvent.id)
            )
        ).scalars():
            if event.to_stage:
                moves.setdefault(event.idea_id, []).append(
                    Move(_utc(event.created_at), event.to_stage, event.text)
                )
        lives = tuple(
            IdeaLife(
                idea.id,
                people[idea.person_id],
                _utc(idea.submitted_at),
                tuple(moves.get(idea.id, ())),
            )
            for idea in (await session.execute(select(Idea).order_by(Idea.id))).scalars()
        )
        news = tuple(
            (_utc(item.created_at), people[item.recipient_id], item.kind, item.idea_id)
            for item in (
                await session.execute(select(CoordinatorNews).order_by(CoordinatorNews.id))
            ).scalars()
        )
    known = {f"console:{user}": moment for user, moment in (refused or {}).items()}
    return Log(tuple(deliveries), lives, tuple(undelivered), news, known)


# ── one run, both runs, the results file ─────────────────────────────────────────────────


@dataclass(frozen=True)
class RunResult:
    report: Report
    stats: Stats
    seconds: float
    commands: Commands


async def run_year(world: World, *, with_bot: bool, database_url: str | None = None) -> RunResult:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/year.db"
        db = Database(url)
        try:
            if database_url:
                await _empty(db)
            await db.upgrade()
            sim = Year(world, db, with_bot=with_bot)
            await sim.run()
            log = await read_log(db, sim.confirmations, sim.refused)
        finally:
            await db.close()
    terminal = [s for s, p in ReminderPolicy.default().stages.items() if p.terminal]
    result = report(log, world.staff(), terminal, world.start, world.end, world.calendar)
    return RunResult(result, sim.stats, time.perf_counter() - started, sim.commands)


async def _empty(db: Database) -> None:
    """A PostgreSQL database given on the command line starts empty (every table dropped)."""
    from sqlalchemy import text

    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))


def machine() -> str:
    return (
        f"{os.cpu_count()} cores (`nproc`), {platform.machine()} (`uname -m`), "
        f"Python {platform.python_version()}"
    )


def section(seed: int, command: str, with_bot: RunResult | None, without: RunResult | None) -> str:
    a = with_bot.report if with_bot else None
    b = without.report if without else None
    runs = [r for r in (with_bot, without) if r is not None]
    timing = "; ".join(
        f"{'with the bot' if r is with_bot else 'without'}: {r.seconds:.0f} s, "
        f"{r.stats.turns} turns, {r.stats.sweeps} sweeps, {r.stats.dispatched} deliveries"
        for r in runs
    )
    first = runs[0]
    used = ", ".join(name for name, on in vars(first.commands).items() if on) or "none"
    worst = a.worst_silence if a else None
    lines = [
        "## Year simulation (bench/year.py)",
        "",
        "A municipality's year played against the real core (`IdeaBot.handle` for every message",
        "typed or clicked, `reminders.sweep` at 08:00/10:00/13:00/15:00 on working days, the",
        "`Dispatcher` with a recording console sender) with a frozen clock; the same world and",
        "the same draws without reminders as the baseline. Measured from the delivered outbox.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine()}. Run time: {timing}.",
        "",
        f"Seed {seed}: {first.stats.submitted} ideas submitted through the intake dialogue "
        f"({first.stats.intake_failed} failed; {first.stats.intake_restarted} times a person "
        f"had to start again); newer commands used where the bot has them: {used}.",
        "",
        table(a, b),
        "",
        kinds_table(a, b),
        "",
    ]
    if worst is not None:
        lines += [
            f"The longest silence with the bot: idea {worst.idea_id}, {worst.working_days} "
            f"working days from {worst.start:%Y-%m-%d} to {worst.end:%Y-%m-%d}.",
            "",
        ]
    return "\n".join(lines)


def write_results(text: str, path: Path = ROOT / "bench" / "RESULTS.md") -> None:
    """Replace the section "Year simulation" in RESULTS.md (or add it at the end)."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Year simulation.*?(?=^## |\Z)", re.S | re.M)
    body = text.rstrip() + "\n\n"
    new = pattern.sub(lambda _: body, old) if pattern.search(old) else old.rstrip() + "\n\n" + body
    path.write_text(new.rstrip() + "\n", encoding="utf-8")


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--ideas", type=int, default=415)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--with-only", action="store_true")
    only.add_argument("--without-only", action="store_true")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    world = build_world(args.seed, days=args.days, ideas=args.ideas)
    with_bot = without = None
    if not args.without_only:
        with_bot = await run_year(world, with_bot=True, database_url=args.database_url)
        print(f"with the bot: {with_bot.seconds:.0f} s", file=sys.stderr)
    if not args.with_only:
        without = await run_year(world, with_bot=False, database_url=args.database_url)
        print(f"without: {without.seconds:.0f} s", file=sys.stderr)
    shown = " ".join(
        a for a in (argv if argv is not None else sys.argv[1:]) if a != "--write-results"
    )
    text = section(args.seed, f"python -m bench.year {shown}".strip(), with_bot, without)
    print(text)
    if args.write_results:
        write_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
