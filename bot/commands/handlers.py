"""The idea process's commands, each one unit: its arguments' class and reader, then its
declaration (words, role, help, menu, buttons) on its handler. Every handler runs inside the
turn's transaction: a refusal or an error answer changes nothing, and a change and its
messages are committed together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import away, export, questions, report
from bot.availability import team
from bot.calendar import STOCKHOLM, WorkingCalendar
from bot.commands.buttons import Button, number_field
from bot.commands.listing import ListArgs, read_list
from bot.commands.registry import ADMIN, COORDINATOR, EVERYONE, CommandSet, Registry
from bot.commands.syntax import (
    MAX_NUMBER,
    Command,
    NoArgs,
    ParseError,
    StageGuess,
    few_bare_words,
    guess_stage,
    no_args,
    read_number,
    read_person,
    read_quoted,
    read_quoted_or_word,
    read_stage,
    shorten,
    with_number,
)
from bot.config import EMAIL_PREFIX, Settings, role_entry
from bot.notifications import notify_assignee
from bot.periods import Period, PeriodWords, read_period, resolve
from bot.process import Process
from bot.reminders import ReminderPolicy, mark_activity, snooze_idea
from bot.roles import (
    add_coordinator,
    added_coordinators,
    coordinator_people,
    is_admin,
    is_coordinator,
    keys_naming,
    remove_coordinator,
    shown_entry,
)
from bot.transitions import BACK, can_undo, move_idea, undo_move
from conversations.command_views import HelpView, MineLine, help_reply, mine_reply
from conversations.reply import Attachment, Reply
from conversations.views.admin import (
    CoordinatorChanged,
    CoordinatorList,
    Exported,
    OutboxFailure,
    OutboxView,
    ReportMade,
    StatsView,
    coordinator_changed_reply,
    coordinator_list_reply,
    exported_reply,
    outbox_reply,
    report_reply,
    stats_reply,
)
from conversations.views.away import (
    HandedOver,
    HandoverQuestion,
    HandoverRefused,
    TakeOverQuestion,
    handed_over_reply,
    handover_question_reply,
    handover_refused_reply,
    take_over_question_reply,
    taken_from_note,
)
from conversations.views.common import (
    IdeaNotFound,
    NotACommand,
    Refused,
    not_a_command_reply,
    not_found_reply,
    refused_reply,
)
from conversations.views.ideas import (
    HistoryEntry,
    ListLine,
    ListView,
    PageBeyond,
    SeveralNamed,
    ShowView,
    days_since,
    list_beyond_reply,
    list_reply,
    several_named_reply,
    show_reply,
)
from conversations.views.moves import (
    Assigned,
    Moved,
    MoveQuestion,
    MoveRefused,
    Noted,
    SnoozeAsk,
    Snoozed,
    SnoozeFinished,
    Undone,
    UndoRefused,
    assigned_reply,
    move_question_reply,
    move_refused_reply,
    moved_reply,
    noted_reply,
    snoozed_reply,
    undo_refused_reply,
    undone_reply,
)
from storage import ideas as idea_store
from storage.coordinators import in_table
from storage.handover import open_ideas_assigned_to
from storage.models import Idea, Person
from storage.outbox import outbox_summary
from storage.people import (
    EMAIL_ONLY,
    ensure_email_people,
    find_person,
    first_name,
    get_person,
    person_by_email,
    upsert_person,
)

log = logging.getLogger(__name__)
LIST_LIMIT = 20
EXPORT_FORMATS = ("csv",)
# A snooze longer than a working year is a typo, not a plan.
MAX_SNOOZE_DAYS = 250
DAY_WORDS = ("dagar", "dag", "arbetsdagar", "arbetsdag", "days", "day", "working")
COORDINATOR_ACTIONS = {
    "add": ("add", "lägg", "lägg till", "ny", "new"),
    "remove": ("remove", "ta bort", "bort", "delete", "radera"),
    "list": ("list", "lista", "visa", "show"),
}
commands = CommandSet()


@dataclass
class CommandContext:
    session: AsyncSession
    settings: Settings
    process: Process
    person: Person
    lang: str
    now: datetime
    policy: ReminderPolicy
    calendar: WorkingCalendar
    coordinator: bool = False
    admin: bool = False
    registry: Registry | None = None  # every command, for help

    def touch(self, idea: Idea) -> None:
        """Something happened to the idea: restart its idle count and reschedule reminders."""
        mark_activity(idea, self.now, self.policy, self.calendar)


async def run_command(
    ctx: CommandContext, registry: Registry, command: Any | ParseError
) -> list[Reply]:
    """Check the person's role for the command, then run its handler."""
    if isinstance(command, ParseError):
        view = NotACommand(command.key, dict(command.values), command.command)
        return [not_a_command_reply(ctx.lang, view)]
    spec = registry[command.name]
    ctx.admin = is_admin(ctx.settings, ctx.person)
    # An admin may act on what they are escalated about: show, assign, write to the giver,
    # list. For coordinators' commands (and what `visa` shows) an admin counts as one.
    ctx.coordinator = ctx.admin or await is_coordinator(ctx.session, ctx.settings, ctx.person)
    if spec.role == ADMIN and not ctx.admin:
        log.info("admin command refused", extra={"command": command.name, "person": ctx.person.id})
        return [refused_reply(ctx.lang, Refused(ADMIN))]
    if spec.role == COORDINATOR and not ctx.coordinator:
        log.info(
            "coordinator command refused", extra={"command": command.name, "person": ctx.person.id}
        )
        return [refused_reply(ctx.lang, Refused(COORDINATOR))]
    ctx.registry = registry
    return await spec.handler(ctx, command.args)


# ── everyone ───────────────────────────────────────────────────────────────────────────


@commands.command(
    "help",
    sv=("hjälp", "hjalp", "?", "kommandon"),
    en=("help", "commands"),
    role=EVERYONE,
    read=no_args("help"),
    menu=("personal", "group"),
)
async def _help(ctx: CommandContext, _: NoArgs) -> list[Reply]:
    """The lines of help each command declares, in the sections of the roles the person has."""
    assert ctx.registry is not None  # set by run_command
    roles = [EVERYONE] + [COORDINATOR] * ctx.coordinator + [ADMIN] * ctx.admin
    sections = tuple(
        (role, tuple(key for spec in ctx.registry for section, key in spec.help if section == role))
        for role in roles
    )
    stages = tuple((s.name(ctx.lang), s.id) for s in ctx.process.stages.values())
    return [help_reply(ctx.lang, HelpView(sections, stages if ctx.coordinator else ()))]


@commands.command(
    "mine",
    sv=("mina", "status"),
    en=("mine",),
    role=EVERYONE,
    read=no_args("mine"),
    help=((EVERYONE, "help.mine"),),
    menu=("personal",),
)
async def _mine(ctx: CommandContext, _: NoArgs) -> list[Reply]:
    own = await idea_store.ideas_of(ctx.session, ctx.person.id)
    lines = tuple(
        MineLine(
            number=idea.id,
            title=idea.title,
            stage=_stage_name(ctx, idea.stage),
            changed=_local(max(idea.stage_changed_at, idea.last_activity_at)),
        )
        for idea in own
    )
    return [mine_reply(ctx.lang, lines)]


@commands.command(
    "list",
    sv=("lista", "kö"),
    en=("list", "queue"),
    role=COORDINATOR,
    read=read_list,
    help=((COORDINATOR, "help.list"),),
    menu=("personal", "group"),
)
async def _list(ctx: CommandContext, args: ListArgs) -> list[Reply]:
    stages = [args.stage] if args.stage else list(ctx.process.open_stages)
    assignee_id = ctx.person.id if "mine" in args.flags else None
    if args.assignee is not None or args.assignee_name is not None:
        found = await _whose(ctx, args)
        if isinstance(found, Reply):
            return [found]
        if found is None:  # nobody by that id has been given an idea
            return [list_reply(ctx.lang, ListView(0, ()))]
        assignee_id = found.id
    rows, total = await idea_store.queue(
        ctx.session,
        stages,
        unassigned="unassigned" in args.flags,
        assignee_id=assignee_id,
        workplace=args.workplace,
        giver=args.giver,
        offset=(args.page - 1) * LIST_LIMIT,
        limit=LIST_LIMIT,
    )
    word = "lista" if ctx.lang == "sv" else "list"
    command = f"{word} {args.filters}".strip()
    if not rows and total:
        pages = -(-total // LIST_LIMIT)
        return [list_beyond_reply(ctx.lang, PageBeyond(args.page, pages, command))]
    lines = tuple(queue_line(ctx, row) for row in rows)
    start = (args.page - 1) * LIST_LIMIT + 1
    return [list_reply(ctx.lang, ListView(total, lines, start=start, command=command))]


async def _whose(ctx: CommandContext, args: ListArgs) -> Person | Reply | None:
    """The coordinator `lista @per` or `lista per` names: by id, or by a name among the
    coordinators'; a reply when the name fits none or several."""
    if args.assignee is not None:
        return await find_person(ctx.session, qualify(ctx.person, args.assignee))
    wanted = (args.assignee_name or "").casefold().split()
    people = await coordinator_people(ctx.session, ctx.settings)

    def fits(person: Person) -> bool:
        if person.platform_user_id.casefold() == " ".join(wanted):
            return True
        words = (person.display_name or "").casefold().split()
        return len(words) >= len(wanted) and all(
            word.startswith(part) for word, part in zip(words, wanted, strict=False)
        )

    found = [person for person in people if fits(person)]
    if len(found) == 1:
        return found[0]
    name = args.assignee_name or ""
    if not found:
        return not_a_command_reply(
            ctx.lang, NotACommand("parse.list_word", {"word": shorten(name, 30)}, "list")
        )
    names = tuple(f"{_name(person)} (@{person.platform_user_id})" for person in found)
    return several_named_reply(ctx.lang, SeveralNamed(name, names))


def queue_line(ctx: CommandContext, row: idea_store.QueueRow) -> ListLine:
    """One idea of the queue as `lista` and `sök` show it."""
    return ListLine(
        number=row.id,
        title=row.title,
        stage=_stage_name(ctx, row.stage),
        days=max(0, (ctx.now - row.stage_changed_at).days),
        assignee=row.assignee_name,
        waiting=row.giver_waiting_since is not None,
        heard_days=days_since(ctx.now, row.giver_heard_at),
    )


@dataclass(frozen=True)
class IdeaArgs:
    idea: int


def _show_button(fields: tuple[str, ...]) -> IdeaArgs | None:
    number = number_field(fields[0], MAX_NUMBER)
    return None if number is None else IdeaArgs(number)


# "Visa 12" under a list of ideas (`att göra`), in a coordinator's daily digest (bot/digest.py)
# and under news about an idea (the giver's words, bot/relay.py).
SHOW_BUTTON = Button(("cmd", "show"), 1, _show_button)


@commands.command(
    "show",
    sv=("visa",),
    en=("show",),
    role=EVERYONE,
    read=with_number("show", lambda number, rest, _: IdeaArgs(number)),
    help=((EVERYONE, "help.show"), (COORDINATOR, "help.show.coordinator")),
    menu=("personal", "group"),
    buttons=(SHOW_BUTTON,),
)
async def _show(ctx: CommandContext, args: IdeaArgs) -> list[Reply]:
    found = await idea_store.idea_with_people(ctx.session, args.idea)
    if found is None or (not ctx.coordinator and found[0].person_id != ctx.person.id):
        # An idea giver learns nothing about other people's ideas, not even that they exist.
        return [not_found_reply(ctx.lang, IdeaNotFound(args.idea, yours=not ctx.coordinator))]
    idea, giver, assignee = found
    events = await idea_store.history(ctx.session, idea.id)
    history: list[HistoryEntry] = []
    notes: list[HistoryEntry] = []
    similar_ids: list[int] = []
    undone = {(row.event.data or {}).get("undoes") for row in events if row.event.kind == "undo"}
    for row in events:
        event = row.event
        if event.kind == "submitted":
            similar_ids = [int(i) for i in (event.data or {}).get("similar", [])]
        if event.kind not in SHOWN_EVENTS or (
            event.kind in COORDINATOR_EVENTS and not ctx.coordinator
        ):
            continue  # notes, snoozes and undos are for coordinators' eyes
        if event.id in undone and not ctx.coordinator:
            continue  # a move taken back is no part of the idea giver's story
        entry = _history_entry(ctx, row, undone=event.id in undone)
        (notes if event.kind == "note" else history).append(entry)
    similar = None
    if ctx.coordinator:
        similar_titles = await idea_store.titles(ctx.session, similar_ids)
        similar = tuple((n, similar_titles[n]) for n in similar_ids if n in similar_titles)
    view = ShowView(
        number=idea.id,
        title=idea.title,
        stage=_stage_name(ctx, idea.stage),
        giver=_name(giver),
        anonymous=idea.anonymous,
        workplace=idea.workplace,
        assignee=_name(assignee),
        submitted=_local(idea.submitted_at),
        need=idea.need,
        description=idea.description,
        benefit=idea.benefit,
        first_test=idea.first_test,
        involved=idea.involved,
        participate=idea.participate,
        satisfaction=idea.satisfaction,
        history=tuple(history),
        notes=tuple(notes),
        similar=similar,
        waiting_since=(
            _local(idea.giver_waiting_since).date()
            if ctx.coordinator and idea.giver_waiting_since
            else None
        ),
        today=_local(ctx.now).date(),
        giver_first_name=first_name(giver.display_name) if giver else None,
    )
    return [show_reply(ctx.lang, view)]


# The events `show` tells of, and those of them only coordinators see. The messages between
# the idea giver and the coordinators (bot/relay.py) are for both to see.
COORDINATOR_EVENTS = ("note", "snoozed", "undo", "gone")
SHOWN_EVENTS: tuple[str, ...] = (
    "submitted",
    "stage",
    "assigned",
    "satisfaction",
    "satisfaction_comment",
    "giver_message",
    "coordinator_message",
    *COORDINATOR_EVENTS,
)


def _history_entry(
    ctx: CommandContext, row: idea_store.HistoryRow, *, undone: bool = False
) -> HistoryEntry:
    event = row.event
    data = event.data or {}
    until = data.get("until") if event.kind == "snoozed" else None
    if event.kind == "gone":  # its coordinator is gone: who, and why (bot/away.py)
        return HistoryEntry(
            kind="gone",
            when=_local(event.created_at),
            actor=None,
            person=data.get("person_name"),
            text=data.get("why"),
        )
    return HistoryEntry(
        kind=event.kind,
        when=_local(event.created_at),
        actor=row.actor_name,
        from_stage=ctx.process.stage_name(event.from_stage, ctx.lang) if event.from_stage else None,
        to_stage=ctx.process.stage_name(event.to_stage, ctx.lang) if event.to_stage else None,
        where=data.get("where") if event.kind == "stage" else None,
        text=event.text,
        person=row.person_name,
        score=data.get("score"),
        until=_local(datetime.fromisoformat(until)) if until else None,
        undone=undone,
    )


# ── coordinators ───────────────────────────────────────────────────────────────────────


async def _locked_idea(ctx: CommandContext, number: int | None) -> Idea | Reply:
    idea = await idea_store.get_idea(ctx.session, number, lock=True) if number else None
    if idea is None:
        return not_found_reply(ctx.lang, IdeaNotFound(number))
    return idea


async def _move(
    ctx: CommandContext,
    idea: Idea,
    to_stage: str | None,
    *,
    note: str | None,
    where: str | None = None,
    kind: str = "stage",
) -> list[Reply]:
    process = ctx.process
    allowed = process.allowed_moves(idea.stage)
    refused = None
    if to_stage is None or to_stage not in allowed:
        refused = "nowhere" if not allowed else "choose" if to_stage is None else "not_allowed"
    elif process.stage(to_stage).requires == "reason" and not note:
        refused = "needs_reason"
    elif process.stage(to_stage).requires == "where" and not where:
        refused = "needs_where"
    if refused or to_stage is None:  # (no stage is always refused, as "choose")
        return [move_refused_reply(ctx.lang, _refusal(ctx, idea, refused or "choose"))]
    return await _moved(ctx, idea, to_stage, note=note, where=where, kind=kind)


async def _moved(
    ctx: CommandContext,
    idea: Idea,
    to_stage: str,
    *,
    note: str | None,
    kind: str,
    where: str | None = None,
) -> list[Reply]:
    """Make a checked move and tell the coordinator it is done."""
    from_stage = idea.stage
    await move_idea(
        ctx.session,
        ctx.process,
        idea,
        to_stage=to_stage,
        actor=ctx.person,
        now=ctx.now,
        note=note,
        where=where,
        kind=kind,
        policy=ctx.policy,
        calendar=ctx.calendar,
    )
    giver = await get_person(ctx.session, idea.person_id)
    view = Moved(
        number=idea.id,
        title=idea.title,
        from_stage=_stage_name(ctx, from_stage),
        to_stage=_stage_name(ctx, to_stage),
        giver=first_name(giver.display_name) if giver else None,
    )
    return [moved_reply(ctx.lang, view)]


def _refusal(ctx: CommandContext, idea: Idea, why: str) -> MoveRefused:
    """Why the idea does not move, with where it is and where it may go."""
    allowed = tuple(_stage_name(ctx, s) for s in ctx.process.allowed_moves(idea.stage))
    return MoveRefused(why, idea.id, _stage_name(ctx, idea.stage), allowed)


@dataclass(frozen=True)
class Unsure:
    """The words after `flytta N` are no stage, yet may have been meant as one: nothing
    moves until the coordinator says what they meant."""

    words: str  # all of them, as written
    guess: StageGuess | None = None  # the first word(s) look like this stage misspelt


@dataclass(frozen=True)
class AdvanceArgs:
    idea: int
    stage: str | None = None  # where to; None: the next stage
    text: str | None = None  # the message to the idea giver
    back: bool = False  # to the stage it came from (`flytta 12 tillbaka`)
    unsure: Unsure | None = None  # ask first what the words mean


# `flytta 12 tillbaka`: back to the stage the idea came from, whatever the process allows.
BACK_WORDS = ("tillbaka", "bakåt", "bakat", "föregående", "back", "previous")


def _read_advance(number: int, rest: str, process: Process) -> AdvanceArgs:
    """What follows `flytta N` / `advance N`, tried in this order (usage.advance and README
    say the same, in short). A word that is not a stage never reaches the idea giver unasked:

    1. nothing: the next stage of the main line;
    2. a stage's id or name in either language, exactly (the longest of up to three words):
       that stage; the rest is the message;
    3. "tillbaka", "bakåt", "back", "previous": back to the stage it came from; the rest is
       the message;
    4. a message in quotes (`flytta 12 ”pilot”`): sent as it is, with the next stage;
    5. first word(s) close to a stage (a typo, `STAGE_TYPO_CUTOFF`: "testning"): nothing
       moves; the coordinator is asked "Menade du Prövas?" (the rest goes with a yes);
    6. one or two words without sentence punctuation ("pilot", "nästa steg"): nothing
       moves; the coordinator is asked what they meant;
    7. anything else is a sentence ("Bra idé, vi tittar på den!"): the message, with the
       next stage.
    """
    stage, after = read_stage(rest, process)
    if stage is not None:
        return AdvanceArgs(number, stage=stage, text=after or None)
    if not rest:
        return AdvanceArgs(number)
    first, _, after = rest.partition(" ")
    if first.casefold().strip(".,:;!") in BACK_WORDS:
        return AdvanceArgs(number, back=True, text=after.strip() or None)
    quoted = read_quoted(rest)
    if quoted is not None:
        return AdvanceArgs(number, text=quoted)
    guess = guess_stage(rest, process)
    if guess is not None or few_bare_words(rest):
        return AdvanceArgs(number, text=rest, unsure=Unsure(rest, guess))
    return AdvanceArgs(number, text=rest)


def _advance_button(fields: tuple[str, ...]) -> AdvanceArgs | None:
    number, stage = fields
    return AdvanceArgs(int(number), stage=stage) if number.isdecimal() else None


# "Move to <stage>" under the news of a new idea (bot/notifications.py).
ADVANCE_BUTTON = Button(("cmd", "advance"), 2, _advance_button)


@commands.command(
    "advance",
    sv=("flytta",),
    en=("advance",),
    role=COORDINATOR,
    read=with_number("advance", _read_advance),
    help=((COORDINATOR, "help.advance"),),
    menu=("personal", "group"),
    buttons=(ADVANCE_BUTTON,),
)
async def _advance(ctx: CommandContext, command: AdvanceArgs) -> list[Reply]:
    idea = await _locked_idea(ctx, command.idea)
    if isinstance(idea, Reply):
        return [idea]
    if command.back:
        return await _move_back(ctx, idea, command.text)
    if command.unsure is not None:
        asked = await _ask_what_was_meant(ctx, idea, command.unsure)
        if asked is not None:
            return [asked]
    to_stage = command.stage
    if to_stage is None:
        to_stage = await _usual_move(ctx, idea)
    return await _move(ctx, idea, to_stage, note=command.text)


async def _usual_move(ctx: CommandContext, idea: Idea) -> str | None:
    """Where `flytta N` without a stage takes the idea (None: nowhere)."""
    if idea.stage == ctx.process.park_stage:
        # Back to where it rested from, when that is still allowed.
        before = await idea_store.stage_before(ctx.session, idea.id, idea.stage)
        return before if before and ctx.process.can_move(idea.stage, before) else None
    following = ctx.process.next_in_main_line(idea.stage)
    return following if following and ctx.process.can_move(idea.stage, following) else None


async def _ask_what_was_meant(ctx: CommandContext, idea: Idea, unsure: Unsure) -> Reply | None:
    """Ask before moving: "Menade du Prövas?" for a stage misspelt; for a word or two that
    are no stage, which move was meant (each a button) or whether the words are the message.
    The commands each answer runs are kept with the question (bot/questions.py). None: there
    is nothing to offer (no move from here), so the move is refused as it would be anyway."""
    process, number, guess = ctx.process, idea.id, unsure.guess
    if guess is not None and guess.stage not in process.allowed_moves(idea.stage):
        # "testning" is Prövas, but the idea cannot go there from here: offer where it can.
        guess = None
    usual = await _usual_move(ctx, idea)
    commands: dict[str, str] = {}
    moves: list[tuple[str, str]] = []  # (answer, stage id)
    if guess is not None:
        commands[questions.YES] = f"advance {number} {guess.stage} {guess.rest}".strip()
    else:
        for stage_id in process.allowed_moves(idea.stage):
            if process.stage(stage_id).requires is None:  # (a reason or place: no button)
                key = str(len(moves) + 1)
                commands[key] = f"advance {number} {stage_id}"
                moves.append((key, stage_id))
    as_message = None  # the usual move, with the words as the message (quoted: as they are)
    if usual and (guess is None or guess.rest):
        as_message = str(len(moves) + 1)
        commands[as_message] = f'advance {number} "{unsure.words}"'
    if not commands:
        return None
    nonce = await questions.ask(ctx, "confirm_command", {"commands": commands})
    view = MoveQuestion(
        number=number,
        title=idea.title,
        words=shorten(guess.said if guess else unsure.words, 40, one_line=True),
        guess=_stage_name(ctx, guess.stage) if guess else None,
        moves=tuple((questions.button(nonce, key), _stage_name(ctx, s)) for key, s in moves),
        as_message=(
            (
                questions.button(nonce, as_message),
                _stage_name(ctx, usual),
                shorten(unsure.words, 25, one_line=True),
            )
            if as_message and usual
            else None
        ),
        yes=questions.button(nonce, questions.YES) if guess else None,
        no=questions.button(nonce, questions.NO),
    )
    return move_question_reply(ctx.lang, view)


async def _move_back(ctx: CommandContext, idea: Idea, note: str | None) -> list[Reply]:
    """Back to the stage the idea came from, even where the process's moves do not go (it
    is putting right, not a step forward); the idea giver hears it plainly."""
    before = await idea_store.stage_before(ctx.session, idea.id, idea.stage)
    if before is None or before not in ctx.process.stages or before == idea.stage:
        return [move_refused_reply(ctx.lang, _refusal(ctx, idea, "no_way_back"))]
    return await _moved(ctx, idea, before, note=note, kind=BACK)


async def _special_move(
    ctx: CommandContext,
    command: MessageArgs | ReferArgs | ReasonArgs,
    to_stage: str | None,
    kind: str,
) -> list[Reply]:
    idea = await _locked_idea(ctx, command.idea)
    if isinstance(idea, Reply):
        return [idea]
    if to_stage is None:  # this process has no such stage
        return [move_refused_reply(ctx.lang, _refusal(ctx, idea, "not_allowed"))]
    where = command.target if isinstance(command, ReferArgs) else None
    return await _move(ctx, idea, to_stage, note=command.text, where=where, kind=kind)


@dataclass(frozen=True)
class MessageArgs:
    idea: int
    text: str | None = None  # the message to the idea giver


@dataclass(frozen=True)
class ReferArgs:
    idea: int
    target: str  # where it is referred
    text: str | None = None


@dataclass(frozen=True)
class ReasonArgs:
    idea: int
    text: str  # the reason (close) or the note


def _read_message(number: int, rest: str, _: Process) -> MessageArgs:
    return MessageArgs(number, text=rest or None)


def _read_refer(number: int, rest: str, _: Process) -> ReferArgs | ParseError:
    where, rest = read_quoted_or_word(rest)
    if not where:
        return ParseError("parse.needs_where", {}, "refer")
    return ReferArgs(number, target=where, text=rest or None)


def _read_reason(name: str, missing: str) -> Callable[[int, str, Process], Any]:
    def read(number: int, rest: str, _: Process) -> ReasonArgs | ParseError:
        if not rest:
            return ParseError(missing, {}, name)
        return ReasonArgs(number, text=rest)

    return read


@commands.command(
    "park",
    sv=("parkera",),
    en=("park",),
    role=COORDINATOR,
    read=with_number("park", _read_message),
    help=((COORDINATOR, "help.park"),),
)
async def _park(ctx: CommandContext, command: MessageArgs) -> list[Reply]:
    return await _special_move(ctx, command, ctx.process.park_stage, "park")


@commands.command(
    "refer",
    sv=("hänvisa", "hanvisa"),
    en=("refer",),
    role=COORDINATOR,
    read=with_number("refer", _read_refer),
    help=((COORDINATOR, "help.refer"),),
)
async def _refer(ctx: CommandContext, command: ReferArgs) -> list[Reply]:
    return await _special_move(ctx, command, ctx.process.refer_stage, "refer")


@commands.command(
    "close",
    sv=("avsluta", "stäng"),
    en=("close",),
    role=COORDINATOR,
    read=with_number("close", _read_reason("close", "parse.needs_reason")),
    help=((COORDINATOR, "help.close"),),
    menu=("personal", "group"),
)
async def _close(ctx: CommandContext, command: ReasonArgs) -> list[Reply]:
    return await _special_move(ctx, command, ctx.process.close_stage, "close")


@commands.command(
    "reopen",
    sv=("återöppna", "ateroppna", "återuppta"),
    en=("reopen",),
    role=COORDINATOR,
    read=with_number("reopen", _read_message),
    help=((COORDINATOR, "help.reopen"),),
)
async def _reopen(ctx: CommandContext, command: MessageArgs) -> list[Reply]:
    idea = await _locked_idea(ctx, command.idea)
    if isinstance(idea, Reply):
        return [idea]
    process = ctx.process
    if not process.stage(idea.stage).reopenable:
        return [move_refused_reply(ctx.lang, _refusal(ctx, idea, "not_reopenable"))]
    before = await idea_store.stage_before(ctx.session, idea.id, idea.stage)
    if before is None or before not in process.stages or process.stage(before).terminal:
        before = process.first_stage
    return await _moved(ctx, idea, before, note=command.text, kind="reopen")


# How long a coordinator may take back their own move with `ångra`. Long enough to notice a
# slip on the screen right after it and put it right; short enough that nobody has acted on
# the new stage yet, so putting the idea back is still a correction. Later, a move back
# (`flytta N tillbaka`) is a new decision the idea giver hears about as one.
UNDO_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class UndoArgs:
    idea: int | None = None  # None: the speaker's latest move, of any idea


def _read_undo(rest: str, _: Process) -> UndoArgs | ParseError:
    if not rest:
        return UndoArgs()
    number, after = read_number(rest)
    if isinstance(number, ParseError):
        return ParseError(number.key, dict(number.values), "undo")
    if number is None or after:
        return ParseError("parse.extra_words", {"words": shorten(after or rest, 30)}, "undo")
    return UndoArgs(number)


@commands.command(
    "undo",
    sv=("ångra", "angra"),
    en=("undo",),
    role=COORDINATOR,
    read=_read_undo,
    help=((COORDINATOR, "help.undo"),),
)
async def _undo(ctx: CommandContext, command: UndoArgs) -> list[Reply]:
    """Take back the speaker's own latest move (of idea N), within `UNDO_WINDOW`, as long as
    it is still the idea's latest: the idea goes back as it was, and the idea giver's message
    is withdrawn if it has not gone out, else followed by a short correction."""
    minutes = int(UNDO_WINDOW.total_seconds() // 60)
    if command.idea is not None and await idea_store.get_idea(ctx.session, command.idea) is None:
        return [not_found_reply(ctx.lang, IdeaNotFound(command.idea))]
    move = await idea_store.last_stage_change_by(ctx.session, ctx.person.id, idea_id=command.idea)
    if move is None:
        if command.idea is not None:
            latest = await idea_store.last_stage_change(ctx.session, command.idea)
            if latest is not None:
                return [_undo_refused(ctx, "someone_else", command.idea, latest[1])]
        return [_undo_refused(ctx, "nothing", command.idea, minutes=minutes)]
    number = move.idea_id
    if move.kind == "undo":
        return [_undo_refused(ctx, "already", number)]
    if ctx.now - move.created_at > UNDO_WINDOW:
        return [_undo_refused(ctx, "too_late", number, minutes=minutes)]
    idea = await _locked_idea(ctx, number)
    if isinstance(idea, Reply):
        return [idea]
    latest = await idea_store.last_stage_change(ctx.session, idea.id)
    if latest is None or latest[0].id != move.id:
        return [_undo_refused(ctx, "moved_since", number, latest[1] if latest else None)]
    if not can_undo(move) or idea.stage != move.to_stage or move.from_stage is None:
        return [_undo_refused(ctx, "too_late", number, minutes=minutes)]
    done = await undo_move(
        ctx.session, ctx.process, idea, move, actor=ctx.person, now=ctx.now,
        policy=ctx.policy, calendar=ctx.calendar,
    )  # fmt: skip
    log.info("move undone", extra={"idea": idea.id, "messages": done.messages})
    giver = await get_person(ctx.session, idea.person_id)
    view = Undone(
        number=idea.id,
        title=idea.title,
        stage=_stage_name(ctx, idea.stage),
        giver=first_name(giver.display_name) if giver else None,
        messages=done.messages,
    )
    return [undone_reply(ctx.lang, view)]


def _undo_refused(
    ctx: CommandContext, why: str, number: int | None, person: str | None = None, *,
    minutes: int = 0,
) -> Reply:  # fmt: skip
    return undo_refused_reply(ctx.lang, UndoRefused(why, number, person, minutes))


def qualify(person: Person, target: str) -> str:
    """ "me" → the speaker, "@x" → x on the speaker's platform, "slack:U1" as it is."""
    if target == "me":
        return person.qualified_id
    if target.startswith("@"):
        return f"{person.platform}:{target[1:]}"
    return target


@dataclass(frozen=True)
class AssignArgs:
    idea: int
    target: str  # "me", "@id" on the speaker's platform, or "platform:id"
    # A click on "I'll take it" under a notice that may be stale: an idea someone else has
    # is not taken without asking. Typed, `tilldela 12 mig` takes it (and says from whom).
    clicked: bool = False


def _read_assign(number: int, rest: str, _: Process) -> AssignArgs | ParseError:
    target, rest = read_person(rest)
    if target is None:
        return ParseError("parse.needs_person", {}, "assign")
    return AssignArgs(number, target=target)


def _assign_button(fields: tuple[str, ...]) -> AssignArgs | None:
    number, target = fields
    return AssignArgs(int(number), target=target, clicked=True) if number.isdecimal() else None


# "I'll take it" under the news of a new idea (bot/notifications.py).
ASSIGN_BUTTON = Button(("cmd", "assign"), 2, _assign_button)


@commands.command(
    "assign",
    sv=("tilldela",),
    en=("assign",),
    role=COORDINATOR,
    read=with_number("assign", _read_assign),
    help=((COORDINATOR, "help.assign"),),
    buttons=(ASSIGN_BUTTON,),
)
async def _assign(ctx: CommandContext, command: AssignArgs) -> list[Reply]:
    idea = await _locked_idea(ctx, command.idea)
    if isinstance(idea, Reply):
        return [idea]
    qualified = qualify(ctx.person, command.target or "me")
    if not await is_coordinator(ctx.session, ctx.settings, qualified):
        return [
            assigned_reply(ctx.lang, Assigned("not_coordinator", idea.id, idea.title, qualified))
        ]
    platform, _, user_id = qualified.partition(":")
    assignee = (
        ctx.person
        if qualified == ctx.person.qualified_id
        else await upsert_person(ctx.session, platform, user_id, now=ctx.now, lock=False)
    )
    name = _name(assignee) or ""
    if idea.assignee_id == assignee.id:
        return [assigned_reply(ctx.lang, Assigned("same", idea.id, idea.title, name))]
    holder = await get_person(ctx.session, idea.assignee_id) if idea.assignee_id else None
    if holder is not None and command.clicked and not await _gone(ctx, holder):
        return [await _ask_take_over(ctx, idea, holder, command)]
    idea.assignee_id = assignee.id
    ctx.touch(idea)
    idea.updated_at = ctx.now
    event = await idea_store.add_event(
        ctx.session,
        idea,
        actor=ctx.person,
        kind="assigned",
        now=ctx.now,
        data={"assignee_id": assignee.id, "assignee_name": name},
    )
    if assignee.id != ctx.person.id:
        await notify_assignee(
            ctx.session, idea, assignee, ctx.person, event_id=event.id, now=ctx.now
        )
    done = assigned_reply(ctx.lang, Assigned("done", idea.id, idea.title, name))
    if holder is None:
        return [done]
    # Taken from a colleague: they hear it, and so does the giver (their contact changed).
    if holder.id != ctx.person.id:
        await away.notify_taken_over(
            ctx.session, ctx.settings, idea, holder, ctx.person, event_id=event.id, now=ctx.now
        )
    await away.tell_giver_new_coordinator(
        ctx.session, idea, assignee, now=ctx.now, key=f"event:{event.id}"
    )
    return [replace(done, text=f"{done.text} {taken_from_note(ctx.lang, _name(holder) or '')}")]


async def _gone(ctx: CommandContext, holder: Person) -> bool:
    """Whether the idea's coordinator is gone (no longer one, or unreachable): their idea is
    taken without asking, as the digest's news of it says it needs someone new."""
    return (
        not holder.reachable
        or holder.id not in (await team(ctx.session, ctx.settings, ctx.now)).members
    )


async def _ask_take_over(
    ctx: CommandContext, idea: Idea, holder: Person, command: AssignArgs
) -> Reply:
    """ "Idé 12 har redan Per. Vill du ta över den?" – yes runs the typed `assign`."""
    nonce = await questions.ask(
        ctx, "confirm_command", {"commands": {questions.YES: f"assign {idea.id} {command.target}"}}
    )
    view = TakeOverQuestion(
        number=idea.id,
        title=idea.title,
        holder=_name(holder) or "",
        yes=questions.button(nonce, questions.YES),
        no=questions.button(nonce, questions.NO),
    )
    return take_over_question_reply(ctx.lang, view)


@commands.command(
    "note",
    sv=("notera", "anteckning", "anteckna"),
    en=("note",),
    role=COORDINATOR,
    read=with_number("note", _read_reason("note", "parse.needs_note")),
    help=((COORDINATOR, "help.note"),),
)
async def _note(ctx: CommandContext, command: ReasonArgs) -> list[Reply]:
    idea = await _locked_idea(ctx, command.idea)
    if isinstance(idea, Reply):
        return [idea]
    await idea_store.add_event(
        ctx.session, idea, actor=ctx.person, kind="note", text=command.text, now=ctx.now
    )
    ctx.touch(idea)
    idea.updated_at = ctx.now
    return [noted_reply(ctx.lang, Noted(idea.id))]


@dataclass(frozen=True)
class SnoozeArgs:
    idea: int
    days: int  # working days
    text: str | None = None  # the reason, kept in the idea's history


def _read_snooze(number: int, rest: str, _process: Process) -> SnoozeArgs | ParseError:
    """`snooze 12 5 [dagar] [reason]`: the days in digits, an optional unit word."""
    word, _, reason = rest.partition(" ")
    if not word:
        return ParseError("parse.needs_days", {}, "snooze")
    if not word.isascii() or not word.isdigit() or not 1 <= int(word) <= MAX_SNOOZE_DAYS:
        return ParseError(
            "parse.bad_days", {"word": shorten(word, 30), "most": str(MAX_SNOOZE_DAYS)}, "snooze"
        )
    reason = reason.strip()
    unit, _, after = reason.partition(" ")
    if unit.casefold().strip(".,:;") in DAY_WORDS:
        reason = after.strip()
        if reason.casefold().startswith("days"):  # "working days"
            reason = reason[4:].strip()
    return SnoozeArgs(number, days=int(word), text=reason or None)


def _snooze_button(fields: tuple[str, ...]) -> SnoozeArgs | None:
    (number,) = fields
    return SnoozeArgs(int(number), days=0) if number.isascii() and number.isdigit() else None


# "Snooze 12" in a coordinator's daily digest: asks for how long and the reason (days=0).
SNOOZE_ASK_BUTTON = Button(("cmd", "snooze"), 1, _snooze_button)


@commands.command(
    "snooze",
    sv=("pausa", "snooza"),
    en=("snooze",),
    role=COORDINATOR,
    read=with_number("snooze", _read_snooze),
    help=((COORDINATOR, "help.snooze"),),
    buttons=(SNOOZE_ASK_BUTTON,),
)
async def _snooze(ctx: CommandContext, command: SnoozeArgs) -> list[Reply]:
    """No reminders to coordinators about the idea for N working days; the reason is kept
    in the idea's history and goes to the idea giver with a new date."""
    idea = await _locked_idea(ctx, command.idea)
    if isinstance(idea, Reply):
        return [idea]
    if idea.stage in ctx.process.terminal_stages:
        return [snoozed_reply(ctx.lang, SnoozeFinished(idea.id, _stage_name(ctx, idea.stage)))]
    if command.days == 0:  # the digest's button: say how, nothing changes yet
        return [snoozed_reply(ctx.lang, SnoozeAsk(idea.id, idea.title))]
    days = command.days
    until = await snooze_idea(
        ctx.session,
        idea,
        days=days,
        reason=command.text,
        actor=ctx.person,
        now=ctx.now,
        policy=ctx.policy,
        calendar=ctx.calendar,
    )
    log.info("idea snoozed", extra={"idea": idea.id, "days": days})
    told = None
    if command.text:
        giver = await get_person(ctx.session, idea.person_id)
        told = (first_name(giver.display_name) if giver else None) or ""
    return [snoozed_reply(ctx.lang, Snoozed(idea.id, idea.title, days, _local(until), told))]


@dataclass(frozen=True)
class StatsArgs:
    period: PeriodWords | None = None  # None: every idea


def _read_stats(rest: str, _: Process) -> StatsArgs | ParseError:
    """`statistik`, `statistik 2026`, `statistik januari [2025]`, `statistik 2026-03`,
    `statistik förra månaden`."""
    if not rest:
        return StatsArgs()
    period = read_period(rest)
    if period is None:
        return ParseError("parse.stats_period", {"words": shorten(rest, 30)}, "stats")
    return StatsArgs(period)


@commands.command(
    "stats",
    sv=("statistik",),
    en=("stats", "statistics"),
    role=COORDINATOR,
    read=_read_stats,
    help=((COORDINATOR, "help.stats"),),
)
async def _stats(ctx: CommandContext, args: StatsArgs) -> list[Reply]:
    period = resolve(args.period, ctx.now) if args.period is not None else None
    data = await idea_store.stats(
        ctx.session,
        now=ctx.now,
        since=period.start if period else None,
        until=period.end if period else None,
    )
    stages = ctx.process.stages.values()
    view = StatsView(
        period=(period.year, period.month) if period else None,
        per_administration=tuple(data.per_administration),
        per_stage=tuple((s.name(ctx.lang), data.per_stage.get(s.id, 0)) for s in stages),
        per_workplace=tuple(data.per_workplace),
        medians=tuple(
            (s.name(ctx.lang), idea_store.median_of_histogram(data.days_in_stage[s.id]))
            for s in stages
            if data.days_in_stage.get(s.id)
        ),
        answer_due=data.answer_due,
        answered_in_time=data.answered_in_time,
        first_response_days=ctx.process.first_response_days,
        satisfaction=tuple(data.satisfaction.items()),
        report=REPORT_BUTTON.value(*_report_dates(ctx, period)),
    )
    return [stats_reply(ctx.lang, view)]


def _report_dates(ctx: CommandContext, asked: Period | None) -> tuple[str, str]:
    """The first and last day of the report for `asked` (this year so far when none was)."""
    period = (
        report.ReportPeriod.between(asked.start, asked.end)
        if asked is not None
        else report.year_to_date(ctx.now.astimezone(STOCKHOLM).date())
    )
    return period.first.isoformat(), period.last.isoformat()


@dataclass(frozen=True)
class ReportArgs:
    period: PeriodWords | None = None  # None: this year so far
    # The exact days, from the button under `statistik` (the period it showed, whenever
    # the button is clicked).
    days: tuple[date, date] | None = None


def _read_report(rest: str, _: Process) -> ReportArgs | ParseError:
    """`rapport`, `rapport 2026`, `rapport januari`, `rapport förra månaden`."""
    if not rest:
        return ReportArgs()
    period = read_period(rest)
    if period is None:
        return ParseError("parse.stats_period", {"words": shorten(rest, 30)}, "report")
    return ReportArgs(period)


def _report_button(fields: tuple[str, ...]) -> ReportArgs | None:
    try:
        first, last = date.fromisoformat(fields[0]), date.fromisoformat(fields[1])
    except ValueError:
        return None
    return ReportArgs(days=(first, last)) if first <= last else None


# "Rapport till styrgruppen" under `statistik`: the same period as a file.
REPORT_BUTTON = Button(("cmd", "report"), 2, _report_button)


@commands.command(
    "report",
    sv=("rapport",),
    en=("report",),
    role=COORDINATOR,
    read=_read_report,
    help=((COORDINATOR, "help.report"),),
    buttons=(REPORT_BUTTON,),
)
async def _report(ctx: CommandContext, args: ReportArgs) -> list[Reply]:
    """The steering group's report as an HTML file: it holds no personal data, so it may go
    wherever the chat's files go. Made only when asked, not with every `statistik`: drawing
    the charts costs a second or two."""
    if args.days is not None:
        period = report.ReportPeriod(*args.days)
    else:
        asked = resolve(args.period, ctx.now) if args.period is not None else None
        first, last = _report_dates(ctx, asked)
        period = report.ReportPeriod(date.fromisoformat(first), date.fromisoformat(last))
    data = await report.report_for(
        ctx.session, period, ctx.lang, now=ctx.now, process=ctx.process, calendar=ctx.calendar
    )
    name = report.report_file_name(period, "html", ctx.lang)
    file = Attachment(name, report.FORMATS["html"], data, purpose="report")
    return [report_reply(ctx.lang, ReportMade(period.first, period.last, file))]


async def _export(ctx: CommandContext, _: Command[ExportArgs]) -> list[Reply]:
    ideas = await export.collect(ctx.session, kinds=export.STAGE_HISTORY)
    name = f"idesluss-{ctx.now.astimezone(STOCKHOLM):%Y-%m-%d}.csv"
    # UTF-8 with a byte-order mark, so that Excel shows å, ä and ö right.
    data = export.export_csv(ideas, ctx.lang).encode("utf-8-sig")
    return [exported_reply(ctx.lang, Exported(len(ideas), Attachment(name, "text/csv", data)))]


# ── admins ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ExportArgs:
    format: str = "csv"


def _read_export(rest: str, _: Process) -> ExportArgs | ParseError:
    fmt = rest.casefold() or "csv"
    if fmt not in EXPORT_FORMATS:
        return ParseError("parse.export_format", {"format": shorten(rest, 20)}, "export")
    return ExportArgs(fmt)


# The export itself (`_export` above) is declared here, so that its body stays as it is.
commands.command(
    "export",
    sv=("exportera",),
    en=("export",),
    role=COORDINATOR,
    read=_read_export,
    help=((COORDINATOR, "help.export"),),
)(_export)


@dataclass(frozen=True)
class CoordinatorArgs:
    action: str  # "add", "remove" or "list"
    target: str | None = None  # whom to add or remove
    # Removing: to whom their open ideas go ("@per"), or `spread` over the others; neither:
    # ask, when they have any.
    to: str | None = None
    spread: bool = False


HANDOVER_TO_WORDS = ("till", "to", "åt", "at")
SPREAD_WORDS = ("fördela", "fordela", "sprid", "spread", "spread them", "fördela dem")


def _read_coordinator(rest: str, _: Process) -> CoordinatorArgs | ParseError:
    lowered = rest.casefold()
    for action, words in COORDINATOR_ACTIONS.items():
        for word in sorted(words, key=len, reverse=True):
            if lowered == word or lowered.startswith(word + " "):
                remainder = rest[len(word) :].strip()
                if action == "list":
                    return CoordinatorArgs("list")
                target, remainder = _read_person_or_address(remainder)
                if target is None or target == "me":
                    return ParseError("parse.needs_person", {}, "coordinator")
                if not remainder:
                    return CoordinatorArgs(action, target=target)
                if action == "remove":
                    return _read_handover(target, remainder)
                return ParseError("parse.needs_person", {}, "coordinator")
    if not rest:
        return CoordinatorArgs("list")
    return ParseError("parse.coordinator_action", {}, "coordinator")


def _read_person_or_address(rest: str) -> tuple[str | None, str]:
    """A person as `read_person` reads one, or an e-mail address ("maria.berg@kommun.se",
    "email:maria.berg@kommun.se") as "email:<address in lower case>" (bot/config.py)."""
    word, _, remainder = rest.strip().partition(" ")
    if "@" in word and not word.startswith(("@", "<@")):
        return role_entry(word), remainder.strip()
    return read_person(rest)


def _read_handover(target: str, rest: str) -> CoordinatorArgs | ParseError:
    """`… remove @maria till @per` / `to @per`, or `… remove @maria fördela` / `spread`."""
    if rest.casefold() in SPREAD_WORDS:
        return CoordinatorArgs("remove", target=target, spread=True)
    word, _, after = rest.partition(" ")
    if word.casefold() in HANDOVER_TO_WORDS:
        to, left = read_person(after)
        if to is not None and not left:
            return CoordinatorArgs("remove", target=target, to=to)
    return ParseError("handover.parse.to", {}, "coordinator")


@commands.command(
    "coordinator",
    sv=("idéslussare", "samordnare"),
    en=("coordinator", "coordinators"),
    role=ADMIN,
    read=_read_coordinator,
    help=((ADMIN, "help.coordinator.admin"),),
)
async def _coordinator(ctx: CommandContext, command: CoordinatorArgs) -> list[Reply]:
    if command.action == "list":
        from_settings = tuple(sorted(shown_entry(q) for q in ctx.settings.coordinators))
        added = tuple(
            shown_entry(q)
            for q in await added_coordinators(ctx.session)
            if q not in ctx.settings.coordinators
        )
        return [coordinator_list_reply(ctx.lang, CoordinatorList(from_settings, added))]
    # A platform-qualified id, or "email:<address>": the table keeps what the admin named.
    qualified = qualify(ctx.person, command.target or "")
    named = await _person_named(ctx, qualified)
    # The settings may name the same person by id or by address.
    keys = keys_naming(named.qualified_id if named else qualified, named.email if named else None)
    in_settings = qualified in ctx.settings.coordinators or any(
        key in ctx.settings.coordinators for key in keys
    )
    in_table_as = None
    for key in dict.fromkeys([qualified, *keys]):
        if await in_table(ctx.session, key):
            in_table_as = key
            break
    if command.action == "add":
        if (
            in_settings
            or in_table_as is not None
            or not await add_coordinator(
                ctx.session, qualified, added_by=ctx.person.qualified_id, now=ctx.now
            )
        ):
            outcome = "already"
        else:
            log.info("coordinator added", extra={"by": ctx.person.id})
            outcome = "added"
            if qualified.startswith(EMAIL_PREFIX) and (
                named is None or named.platform == EMAIL_ONLY
            ):
                # Nobody here has that address yet: their news waits on a row of its own.
                await ensure_email_people(
                    ctx.session, [qualified.removeprefix(EMAIL_PREFIX)], now=ctx.now
                )
                outcome = "added_unseen"
    elif in_table_as is not None:
        handed = await _hand_over_first(ctx, command, qualified)
        if handed is not None:
            return [handed]
        await remove_coordinator(ctx.session, in_table_as)
        log.info("coordinator removed", extra={"by": ctx.person.id})
        outcome = "removed"
    elif in_settings:
        outcome = "from_settings"
    else:
        outcome = "not_found"
    shown = CoordinatorChanged(outcome, shown_entry(qualified))
    return [coordinator_changed_reply(ctx.lang, shown)]


async def _person_named(ctx: CommandContext, entry: str) -> Person | None:
    """The person an id or an "email:" entry names, if they have a row (by address: a chat
    person before one known only by e-mail)."""
    if entry.startswith(EMAIL_PREFIX):
        return await person_by_email(ctx.session, entry.removeprefix(EMAIL_PREFIX))
    return await find_person(ctx.session, entry)


async def _hand_over_first(
    ctx: CommandContext, command: CoordinatorArgs, qualified: str
) -> Reply | None:
    """Before a coordinator with open ideas is removed, their ideas go to someone: the one
    named, spread over the others, or (neither said) a question with a button for each
    other coordinator and one to spread them. None: nothing to hand over, remove now."""
    leaving = await _person_named(ctx, qualified)
    if leaving is None:
        return None
    ideas = await open_ideas_assigned_to(ctx.session, leaving.id, ctx.process.open_stages)
    if not ideas:
        return None
    name = _name(leaving) or qualified
    crew = await team(ctx.session, ctx.settings, ctx.now)
    others = [p for p in crew.here if p.id != leaving.id]
    if command.to is not None:
        to_qualified = qualify(ctx.person, command.to)
        if to_qualified == qualified:
            return handover_refused_reply(ctx.lang, HandoverRefused("same", name))
        if not await is_coordinator(ctx.session, ctx.settings, to_qualified):
            return handover_refused_reply(
                ctx.lang, HandoverRefused("not_coordinator", name, to_qualified)
            )
        platform, _, user_id = to_qualified.partition(":")
        to = [await upsert_person(ctx.session, platform, user_id, now=ctx.now, lock=False)]
    elif not others:
        return handover_refused_reply(ctx.lang, HandoverRefused("nobody", name))
    elif command.spread:
        to = others
    else:
        answers = {str(n): f"coordinator remove {qualified} to {p.qualified_id}"
                   for n, p in enumerate(others[:8], start=1)}  # fmt: skip
        spread_key = str(len(answers) + 1) if len(others) > 1 else None
        if spread_key:
            answers[spread_key] = f"coordinator remove {qualified} spread"
        nonce = await questions.ask(ctx, "confirm_command", {"commands": answers})
        view = HandoverQuestion(
            person=name,
            count=len(ideas),
            to=tuple(
                (questions.button(nonce, key), away.name_of(p))
                for key, p in zip(answers, others[:8], strict=False)
            ),
            spread=questions.button(nonce, spread_key) if spread_key else None,
            cancel=questions.button(nonce, questions.NO),
        )
        return handover_question_reply(ctx.lang, view)
    await remove_coordinator(ctx.session, qualified)
    done = await away.hand_over(
        ctx.session, ctx.process, leaving, to, actor=ctx.person, now=ctx.now
    )
    log.info("coordinator removed, ideas handed over", extra={"by": ctx.person.id})
    view_done = HandedOver(
        person=name,
        given=tuple((away.name_of(p), count) for p, count in done.given),
        told=done.told,
    )
    return handed_over_reply(ctx.lang, view_done)


@commands.command(
    "outbox",
    sv=("utkorg", "utkorgen"),
    en=("outbox",),
    role=ADMIN,
    read=no_args("outbox"),
    help=((ADMIN, "help.outbox"),),
)
async def _outbox(ctx: CommandContext, _: NoArgs) -> list[Reply]:
    """Counts by status and the latest failures with their errors: numbers, kinds and
    errors only, never what the messages say."""
    summary = await outbox_summary(ctx.session)
    failures = tuple(
        OutboxFailure(
            id=row["id"],
            kind=row["kind"],
            idea=row["idea_id"],
            attempts=row["attempts"],
            error=row["last_error"],
        )
        for row in summary["failed"]
    )
    return [outbox_reply(ctx.lang, OutboxView(summary["counts"], failures))]


# ── small helpers ──────────────────────────────────────────────────────────────────────


def _stage_name(ctx: CommandContext, stage_id: str | None) -> str:
    if stage_id is None:
        return "–"
    return ctx.process.stage_name(stage_id, ctx.lang)


def _name(person: Person | None) -> str | None:
    """How a person is shown; None: not known."""
    if person is None:
        return None
    return person.display_name or person.platform_user_id


def _local(moment: datetime) -> datetime:
    """A moment in the municipality's time zone, as the answers show it."""
    return moment.astimezone(STOCKHOLM)
