"""The coordinator's day: `att göra` (what needs them now) and `sök` (ideas by their words).

`att göra` lists, each part oldest first: the ideas they answer for whose promise to the
giver falls due within two working days or has passed; the ideas whose giver wrote and waits
for an answer (theirs first); and the new ideas nobody has taken yet. Who answers for an idea
is bot/availability.py's: their own, those of a coordinator away they stand in for, and
those nobody else answers for.
"""

from __future__ import annotations

from bot.availability import team
from bot.commands.handlers import (
    ASSIGN_BUTTON,
    LIST_LIMIT,
    SHOW_BUTTON,
    CommandContext,
    queue_line,
)
from bot.commands.listing import SearchArgs, read_search
from bot.commands.registry import COORDINATOR, EVERYONE, CommandSet
from bot.commands.relay import WRITE_BUTTON
from bot.commands.syntax import NoArgs, no_args
from conversations.reply import Choice, Reply
from conversations.views.day import (
    NEW,
    OVERDUE,
    PROMISE,
    WAITING,
    SearchView,
    TodoLine,
    TodoView,
    search_reply,
    show_choice,
    take_choice,
    todo_reply,
    write_choice,
)
from conversations.views.ideas import PageBeyond, days_since, list_beyond_reply
from storage import ideas as idea_store
from storage import overview
from storage.people import first_name

commands = CommandSet()
# A promise falling due within this many working days is on the list ("lovat svar senast
# fredag"), one that has passed too.
PROMISE_HORIZON_DAYS = 2
# Lines per part of the list, and how many of its ideas get buttons.
TODO_PER_PART = 10
TODO_LINES = 15
TODO_BUTTONS = 3


@commands.command(
    "todo",
    sv=("attgöra", "attgora"),
    en=("todo", "to-do"),
    phrases=("att göra", "att gora", "to do"),
    role=COORDINATOR,
    read=no_args("todo"),
    help=((COORDINATOR, "help.todo"),),
)
async def _todo(ctx: CommandContext, args: NoArgs) -> list[Reply]:
    now = ctx.now
    who = await _answering(ctx)
    found = await overview.day(
        ctx.session,
        who,
        due_by=ctx.calendar.end_of_working_days(now, PROMISE_HORIZON_DAYS),
        first_stage=ctx.process.first_stage,
        closed_stages=ctx.process.terminal_stages,
        limit=TODO_PER_PART,
    )
    today = ctx.calendar.local(now).date()
    seen: set[int] = set()
    lines: list[TodoLine] = []
    # A giver who wrote to us is named as waiting (their words are why the promise was
    # made), unless the promise has already passed.
    rows: list[tuple[str, overview.DayRow]] = [
        *((OVERDUE if (r.promise_due_at and r.promise_due_at < now)
           else WAITING if r.giver_waiting_since else PROMISE, r)
          for r in found.promised),
        *((WAITING, r) for r in found.waiting),
        *((NEW, r) for r in found.new),
    ]  # fmt: skip
    for why, row in rows:
        if row.id in seen:
            continue
        seen.add(row.id)
        moment = {
            WAITING: row.giver_waiting_since,
            NEW: row.stage_changed_at,
        }.get(why, row.promise_due_at) or row.submitted_at
        lines.append(
            TodoLine(
                number=row.id,
                title=row.title,
                why=why,
                day=ctx.calendar.local(moment).date(),
                giver=first_name(row.giver_name),
                heard_days=days_since(now, row.giver_heard_at),
                days=days_since(now, row.stage_changed_at) or 0,
            )
        )
    shown = lines[:TODO_LINES]
    more = sum(found.totals) - len(shown) - (len(rows) - len(lines))
    queue = 0
    if not shown:
        _, queue = await idea_store.queue(ctx.session, list(ctx.process.open_stages), limit=0)
    owners = {row.id: row.assignee_id for _, row in rows}
    buttons = _buttons(ctx, shown[:TODO_BUTTONS], owners)
    view = TodoView(today, tuple(shown), max(0, more), queue, buttons)
    return [todo_reply(ctx.lang, view)]


def _buttons(
    ctx: CommandContext, lines: list[TodoLine], owners: dict[int, int | None]
) -> tuple[Choice, ...]:
    """Show each of the first ideas; write to the giver of one with a promise or a giver
    waiting; take one that is not the coordinator's already."""
    choices: list[Choice] = []
    for line in lines:
        choices.append(show_choice(ctx.lang, SHOW_BUTTON.value(line.number), line.number))
        if line.why in (PROMISE, OVERDUE, WAITING):
            choices.append(write_choice(ctx.lang, WRITE_BUTTON.value(line.number), line.number))
        if owners.get(line.number) != ctx.person.id:
            value = ASSIGN_BUTTON.value(line.number, "me")
            choices.append(take_choice(ctx.lang, value, line.number))
    return tuple(choices)


async def _answering(ctx: CommandContext) -> overview.Answering:
    """Whose ideas the speaker answers for now (bot/availability.py's `answers_for`)."""
    now_team = await team(ctx.session, ctx.settings, ctx.now)
    me = ctx.person.id
    here = {person.id for person in now_team.here}
    ids = {me} | {
        person_id
        for person_id, absence in now_team.away.items()
        if absence.stand_in_id == me and me in here
    }
    if me not in here:
        return overview.Answering(frozenset(ids), None)
    covered = here | {
        person_id for person_id, absence in now_team.away.items() if absence.stand_in_id in here
    }
    return overview.Answering(frozenset(ids), frozenset(covered - ids))


@commands.command(
    "search",
    sv=("sök", "sok"),
    en=("search", "find"),
    role=EVERYONE,
    read=read_search,
    help=((EVERYONE, "help.search"), (COORDINATOR, "help.search.coordinator")),
)
async def _search(ctx: CommandContext, args: SearchArgs) -> list[Reply]:
    """A coordinator searches every idea; an idea giver their own."""
    own = not ctx.coordinator
    offset = (args.page - 1) * LIST_LIMIT
    rows, total = await overview.search(
        ctx.session,
        args.words,
        giver_id=ctx.person.id if own else None,
        offset=offset,
        limit=LIST_LIMIT,
    )
    command = f"{'sök' if ctx.lang == 'sv' else 'search'} {args.text}"
    if not rows and total:
        pages = -(-total // LIST_LIMIT)
        return [list_beyond_reply(ctx.lang, PageBeyond(args.page, pages, command))]
    lines = tuple(queue_line(ctx, row) for row in rows)
    view = SearchView(args.words, total, lines, start=offset + 1, own=own, command=command)
    return [search_reply(ctx.lang, view)]
