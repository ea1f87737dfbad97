"""`lista` and `visa`: the coordinators' queue and one idea with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as day
from datetime import datetime

from conversations.i18n import tr, tr_n
from conversations.reply import Fact, Reply
from conversations.views.common import date, days
from conversations.views.relay import history_line as relay_line
from conversations.views.relay import waiting_marker, waiting_value

# A chat message has limits; the export has the whole history (and every note).
MAX_HISTORY_LINES = 25


@dataclass(frozen=True)
class ListLine:
    number: int
    title: str
    stage: str  # its name, in the reader's language
    days: int  # in the stage
    assignee: str | None  # None: nobody
    waiting: bool = False  # its giver waits for an answer from us
    heard_days: int | None = None  # since the giver last heard from us; None: not known


@dataclass(frozen=True)
class ListView:
    total: int  # how many match, of which `lines` are the first
    lines: tuple[ListLine, ...]
    start: int = 1  # the place of the first line among all (a page further on: 21)
    command: str | None = None  # the list as written ("lista @per"), to ask for a page


def days_since(now: datetime, moment: datetime | None) -> int | None:
    """Whole days from `moment` to `now` (None: not known)."""
    return None if moment is None else max(0, (now - moment).days)


def heard(lang: str, heard_days: int | None) -> str:
    """ ", hörde från oss för 3 dagar sedan": since the giver last heard from us."""
    if heard_days is None:
        return ""
    if heard_days == 0:
        return tr(lang, "list.heard.today")
    return tr(lang, "list.heard", days=days(lang, heard_days))


def page_note(lang: str, *, start: int, shown: int, total: int, command: str | None) -> str:
    """ "Visar 1–20 av 34. Skriv lista sida 2 för fler." under a page of a longer list."""
    last = start + shown - 1
    if last >= total or command is None:
        return tr(lang, "list.page.last", first=start, last=last, total=total)
    page = (start - 1) // shown + 2  # (a page before the last is a whole page)
    word = "sida" if lang == "sv" else "page"
    return tr(
        lang, "list.page", first=start, last=last, total=total,
        command=f"{command} {word} {page}",
    )  # fmt: skip


def list_reply(lang: str, view: ListView) -> Reply:
    if not view.lines:
        return Reply(tr(lang, "list.empty"))
    total = view.total
    lines = [tr_n(lang, "list.intro", total)]
    for line in view.lines:
        lines.append(
            tr(
                lang,
                "list.line",
                number=line.number,
                title=line.title,
                stage=line.stage,
                days=days(lang, line.days),
                assignee=line.assignee or tr(lang, "nobody"),
            )
            + heard(lang, line.heard_days)
            + (waiting_marker(lang) if line.waiting else "")
        )
    if view.command is not None and (view.start > 1 or total > len(view.lines)):
        lines.append(
            page_note(
                lang, start=view.start, shown=len(view.lines), total=total, command=view.command
            )
        )
    elif total > len(view.lines):
        lines.append(tr(lang, "list.more", more=total - len(view.lines)))
    return Reply("\n".join(lines))


@dataclass(frozen=True)
class PageBeyond:
    """`lista sida 9` when the list has fewer pages."""

    page: int
    pages: int
    command: str  # the list as written, without the page


def list_beyond_reply(lang: str, view: PageBeyond) -> Reply:
    word = "sida" if lang == "sv" else "page"
    return Reply(
        tr_n(
            lang, "list.beyond", view.pages, page=view.page,
            command=f"{view.command} {word} {view.pages}",
        )
    )  # fmt: skip


@dataclass(frozen=True)
class SeveralNamed:
    """`lista per` when more than one coordinator is called Per."""

    name: str
    people: tuple[str, ...]  # "Per Persson (@per)"


def several_named_reply(lang: str, view: SeveralNamed) -> Reply:
    return Reply(tr(lang, "list.several", wanted=view.name, people=", ".join(view.people)))


@dataclass(frozen=True)
class HistoryEntry:
    """One event in an idea's history, as far as the reader may see it."""

    kind: str  # "submitted", "stage", "assigned", "satisfaction", "satisfaction_comment",
    # "note", "snoozed", "undo"
    when: datetime
    actor: str | None  # None: a person no longer known
    from_stage: str | None = None  # stage names, in the reader's language
    to_stage: str | None = None
    where: str | None = None  # where it was referred
    text: str | None = None  # the message to the giver, the note, the snooze's reason
    person: str | None = None  # whom it was given to
    score: object = None
    until: datetime | None = None  # a snooze's end
    undone: bool = False  # a move its coordinator took back (shown to coordinators only)


@dataclass(frozen=True)
class ShowView:
    number: int
    title: str
    stage: str  # its name, in the reader's language
    giver: str | None  # None: a person no longer known
    anonymous: bool  # the giver hides their name from assessors
    workplace: str | None
    assignee: str | None  # None: nobody
    submitted: datetime
    need: str
    description: str
    benefit: str
    first_test: str | None
    involved: str | None
    participate: bool
    satisfaction: int | None
    history: tuple[HistoryEntry, ...]  # oldest first, notes not among them
    notes: tuple[HistoryEntry, ...] = ()  # a coordinator's notes, for coordinators only
    similar: tuple[tuple[int, str], ...] | None = None  # (number, title); None: not shown
    waiting_since: day | None = None  # the giver waits for an answer since then (coordinators)
    today: day | None = None
    giver_first_name: str | None = None


def show_reply(lang: str, view: ShowView) -> Reply:
    giver = view.giver or tr(lang, "unknown_person")
    if view.anonymous:
        # Coordinators see the name, marked so that they do not pass it on to assessors.
        giver = tr(lang, "anonymous.marker", giver=giver)
    empty = tr(lang, "value.empty")
    facts = [
        Fact(tr(lang, "show.stage"), view.stage),
        Fact(tr(lang, "show.giver"), giver),
        Fact(tr(lang, "field.workplace"), view.workplace or empty),
        Fact(tr(lang, "show.assignee"), view.assignee or tr(lang, "nobody")),
        Fact(tr(lang, "show.submitted"), date(view.submitted, lang)),
        Fact(tr(lang, "field.need"), view.need),
        Fact(tr(lang, "field.idea"), view.description),
        Fact(tr(lang, "field.benefit"), view.benefit),
        Fact(tr(lang, "field.first_test"), view.first_test or empty),
        Fact(tr(lang, "field.involved"), view.involved or empty),
        Fact(
            tr(lang, "field.participate"),
            tr(lang, "value.yes") if view.participate else tr(lang, "value.no"),
        ),
    ]
    if view.satisfaction is not None:
        facts.append(
            Fact(
                tr(lang, "show.satisfaction"),
                tr(lang, "show.satisfaction_value", score=view.satisfaction),
            )
        )
    if view.similar is not None:
        similar = "\n".join(f"{number} {title}" for number, title in view.similar)
        facts.append(Fact(tr(lang, "show.similar"), similar or tr(lang, "show.no_similar")))
    if view.waiting_since is not None:
        today = view.today or view.waiting_since
        waiting = waiting_value(lang, view.giver_first_name, view.waiting_since, today)
        facts.insert(1, Fact(tr(lang, "relay.show.waiting"), waiting))
    history = [line for e in view.history if (line := history_line(lang, e)) is not None]
    if len(history) > MAX_HISTORY_LINES:
        history = ["…", *history[-MAX_HISTORY_LINES:]]
    facts.append(Fact(tr(lang, "show.history"), "\n".join(history)))
    notes = [line for e in view.notes if (line := history_line(lang, e)) is not None]
    if len(notes) > MAX_HISTORY_LINES:  # the newest, like the history
        notes = ["…", *notes[-MAX_HISTORY_LINES:]]
    if notes:
        facts.append(Fact(tr(lang, "show.notes"), "\n".join(notes)))
    return Reply(
        "", title=tr(lang, "show.title", number=view.number, title=view.title), facts=tuple(facts)
    )


def history_line(lang: str, entry: HistoryEntry) -> str | None:
    actor = entry.actor or tr(lang, "unknown_person")
    when = date(entry.when, lang)
    if entry.kind == "submitted":
        return tr(lang, "history.submitted", date=when, actor=actor)
    if entry.kind == "stage":
        line = tr(
            lang,
            "history.stage",
            date=when,
            actor=actor,
            from_stage=entry.from_stage or "–",
            to_stage=entry.to_stage or "–",
        )
        if entry.where:
            line += f" ({entry.where})"
        if entry.text:
            line += tr(lang, "history.message", text=entry.text)
        if entry.undone:
            line += tr(lang, "history.undone")
        return line
    if entry.kind == "undo":
        return tr(
            lang,
            "history.undo",
            date=when,
            actor=actor,
            from_stage=entry.from_stage or "–",
            to_stage=entry.to_stage or "–",
        )
    if entry.kind == "assigned":
        return tr(lang, "history.assigned", date=when, actor=actor, person=entry.person or "?")
    if entry.kind == "satisfaction":
        return tr(lang, "history.satisfaction", date=when, actor=actor, score=entry.score)
    if entry.kind == "satisfaction_comment":
        return tr(lang, "history.satisfaction_comment", date=when, actor=actor)
    if entry.kind in ("giver_message", "coordinator_message"):
        return relay_line(lang, when, actor, entry.text)
    if entry.kind == "note":
        return tr(lang, "history.note", date=when, actor=actor, text=entry.text or "")
    if entry.kind == "gone":  # entry.text: why ("removed", "unreachable")
        key = "handover.history.removed" if entry.text == "removed" else "handover.history.gone"
        return tr(lang, key, date=when, person=entry.person or tr(lang, "unknown_person"))
    if entry.kind == "snoozed":
        until = date(entry.until, lang) if entry.until else "?"
        line = tr(lang, "history.snoozed", date=when, actor=actor, until=until)
        if entry.text:
            line += tr(lang, "history.message", text=entry.text)
        return line
    return None
