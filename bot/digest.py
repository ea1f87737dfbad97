"""The coordinators' daily digest: everything a coordinator should hear about from the bot
(ideas resting too long, escalations, parked check-ins, promises about to fall due, new
ideas, ideas given to them) is kept as news (`storage.news.add_news`) and goes out as at
most ONE message a working day per coordinator, in office hours: one line per idea, the
most urgent first, with buttons for the first few ideas (show, assign to me, snooze).

News for someone who is away or gone when the digest goes is handed to whoever answers
for the idea now (bot/availability.py); news nobody can act on any more (the idea is
finished or gone) is dropped. A person's own words (an idea giver's reply) are never
digested: they go at once (bot/relay.py).

Exactly once: the digest's outbox key names the recipient and the day, and its news is
marked digested only in the transaction that wrote it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.availability import admins_here, team
from bot.calendar import WorkingCalendar
from bot.config import Settings
from bot.process import default_process
from conversations.i18n import format_weekday, person_language, tr
from conversations.reply import payload_of
from conversations.views.digest import URGENCY, Digest, DigestItem, DigestLine, digest_reply
from storage.ideas import ideas_by_id, people_by_id
from storage.models import CoordinatorNews, Idea, Person
from storage.news import add_news, mark_digested, pending_news
from storage.outbox import enqueue
from storage.people import first_name

# Ideas listed in one digest (the rest are counted: `att göra` shows them all), and ideas
# with buttons (at most three each: Slack's 25 buttons a block, Teams' card).
MOST_LINES = 12
BUTTONS_FOR = 5


@dataclass(frozen=True)
class SentDigest:
    recipient: str  # the display name
    recipient_id: int
    text: str


async def send_digests(
    session: AsyncSession,
    *,
    now: datetime,
    settings: Settings,
    calendar: WorkingCalendar,
    stages: Mapping[str, Any] | None = None,
) -> list[SentDigest]:
    """Each coordinator (or admin) with news and no digest yet today gets one now. `stages`:
    the process's stages (each with `name(lang)` and `terminal`), the shipped ones if None."""
    process = _Stages(stages if stages is not None else default_process().stages)
    news = await pending_news(session)
    if not news:
        return []
    here = {person.id: person for person in (await team(session, settings, now)).here}
    here.update({p.id: p for p in await admins_here(session, settings, now)})
    ideas = await ideas_by_id(session, {n.idea_id for n in news})
    news = await _hand_over(session, news, here, ideas, settings, now)

    by_recipient: dict[int, list[CoordinatorNews]] = defaultdict(list)
    for item in news:
        by_recipient[item.recipient_id].append(item)
    # The people lines name (who has an idea, whose it is, who gave it): read now, by id.
    named = {i.assignee_id for i in ideas.values()} | {i.person_id for i in ideas.values()}
    named |= {person_id for n in news for person_id in _people_named(n)}
    assignees = await people_by_id(session, named)
    day = calendar.local(now).date().isoformat()
    sent: list[SentDigest] = []
    for recipient_id, items in by_recipient.items():
        person = here.get(recipient_id)
        if person is None:
            continue  # written since the hand-over (another sweep): the next digest
        live = [n for n in items if n.idea_id in ideas and not _finished(ideas[n.idea_id], process)]
        if not live:
            await mark_digested(session, [n.id for n in items], now=now)
            continue
        lang = person_language(person)
        view = _view(lang, person, live, ideas, assignees, process, calendar)
        reply = digest_reply(lang, view, buttons_for=BUTTONS_FOR)
        if await enqueue(
            session,
            dedupe_key=f"digest:{recipient_id}:{day}",
            recipient_id=recipient_id,
            kind="digest",
            payload=payload_of(reply),
            now=now,
        ):
            await mark_digested(session, [n.id for n in items], now=now)
            sent.append(
                SentDigest(person.display_name or person.platform_user_id, person.id, reply.text)
            )
    return sent


class _Stages:
    def __init__(self, stages: Mapping[str, Any]) -> None:
        self.stages = stages

    def stage_name(self, stage_id: str, lang: str) -> str:
        stage = self.stages.get(stage_id)
        return str(stage.name(lang)) if stage is not None else stage_id


def _finished(idea: Idea, process: _Stages) -> bool:
    stage = process.stages.get(idea.stage)
    return stage is not None and bool(stage.terminal)


async def _hand_over(
    session: AsyncSession,
    news: list[CoordinatorNews],
    here: dict[int, Person],
    ideas: dict[int, Idea],
    settings: Settings,
    now: datetime,
) -> list[CoordinatorNews]:
    """News for someone away or gone goes to whoever answers for the idea now."""
    kept = [n for n in news if n.recipient_id in here]
    moved = [n for n in news if n.recipient_id not in here]
    if not moved:
        return kept
    now_team = await team(session, settings, now)
    for item in moved:
        idea = ideas.get(item.idea_id) if item.idea_id is not None else None
        if idea is not None:
            for person in now_team.answers_for(idea.assignee_id):
                key = f"{item.dedupe_key}>{person.id}"[:255]
                await add_news(session, dedupe_key=key, recipient_id=person.id, kind=item.kind,
                               now=now, idea_id=item.idea_id, data=item.data)  # fmt: skip
    await mark_digested(session, [n.id for n in moved], now=now)
    return await pending_news(session) if moved else kept


# The people a piece of news names, by id in its data: who acted, who had the idea, who is gone.
_NAMED = ("actor_id", "from_id", "person_id")


def _people_named(news: CoordinatorNews) -> list[int]:
    data = news.data or {}
    return [int(str(data[key])) for key in _NAMED if str(data.get(key, "")).isdigit()]


def _named(data: Mapping[str, Any], key: str, people: dict[int, Person]) -> str:
    value = str(data.get(key, ""))
    return _name(people.get(int(value))) if value.isdigit() else "?"


def _name(person: Person | None) -> str:
    if person is None:
        return "?"
    return person.display_name or person.platform_user_id


def _view(
    lang: str,
    person: Person,
    items: list[CoordinatorNews],
    ideas: dict[int, Idea],
    assignees: dict[int, Person],
    process: _Stages,
    calendar: WorkingCalendar,
) -> Digest:
    from bot.commands.handlers import ASSIGN_BUTTON, SHOW_BUTTON, SNOOZE_ASK_BUTTON
    from bot.commands.relay import WRITE_BUTTON

    per_idea: dict[int, dict[str, CoordinatorNews]] = defaultdict(dict)
    for item in items:
        assert item.idea_id is not None
        # One line per idea; of one kind, the latest says it best (a repeated reminder).
        per_idea[item.idea_id][item.kind] = item

    def urgency(idea_id: int) -> tuple[int, datetime]:
        kinds = per_idea[idea_id]
        rank = min(URGENCY.index(k) if k in URGENCY else len(URGENCY) for k in kinds)
        return rank, min(n.created_at for n in kinds.values())

    order = sorted(per_idea, key=urgency)
    lines = []
    for idea_id in order[:MOST_LINES]:
        idea = ideas[idea_id]
        kinds = per_idea[idea_id]
        shown = [k for k in URGENCY if k in kinds]
        lines.append(
            DigestLine(
                number=idea.id,
                title=idea.title,
                items=tuple(
                    _item(lang, kinds[k], idea, assignees, process, calendar) for k in shown
                ),
                show=SHOW_BUTTON.value(idea.id),
                # An idea nobody has, or whose coordinator is gone, can be taken (a click
                # on a stale one asks first: the assign button's `clicked`).
                assign_me=ASSIGN_BUTTON.value(idea.id, "me")
                if idea.assignee_id is None or "gone" in kinds
                else None,
                snooze=SNOOZE_ASK_BUTTON.value(idea.id),
                # "Skriv N": the coordinator's next words go to the giver (bot/relay.py).
                write=WRITE_BUTTON.value(idea.id)
                if "promise_warn" in kinds or idea.giver_waiting_since is not None
                else None,
            )
        )
    return Digest(
        name=first_name(person.display_name),
        lines=tuple(lines),
        more=max(0, len(order) - MOST_LINES),
    )


def _item(
    lang: str,
    news: CoordinatorNews,
    idea: Idea,
    assignees: dict[int, Person],
    process: _Stages,
    calendar: WorkingCalendar,
) -> DigestItem:
    data = news.data or {}
    stage = process.stage_name(str(data.get("stage") or idea.stage), lang)
    due = data.get("due")
    holder = assignees.get(idea.assignee_id) if idea.assignee_id else None
    who = ""
    if news.kind == "new_idea":
        who = _name(assignees.get(idea.person_id))
    elif news.kind in ("assigned", "handover"):
        who = _named(data, "actor_id", assignees)
    elif news.kind == "gone":
        who = _named(data, "person_id", assignees)
    if news.kind == "escalation":
        who = (
            (holder.display_name or holder.platform_user_id)
            if holder
            else tr(lang, "someone.coordinators.subject")
        )
    return DigestItem(
        kind=news.kind,
        days=int(data.get("days") or 0),
        stage=stage,
        date=format_weekday(calendar.local(datetime.fromisoformat(due)).date(), lang)
        if isinstance(due, str)
        else "",
        who=who,
        where=str(data.get("workplace") or ""),
        similar=tuple(int(n) for n in data.get("similar") or () if str(n).isdigit()),
        previous=_named(data, "from_id", assignees) if news.kind == "handover" else "",
        why=str(data.get("why") or "") if news.kind == "gone" else "",
    )
