"""`mina uppgifter`, `glöm mig` and `gdpr exportera|radera @namn`: the rights of access and
erasure in the chat. Every use is written to `audit_events` in the same transaction.

Who may do what: everyone may see and erase their own data. Coordinators (and admins) may
export another person's data, because they handle requests that come by other routes (a
letter to the registry); admins alone may erase another person, because it cannot be undone.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import replace
from datetime import timedelta

from bot.calendar import STOCKHOLM
from bot.commands.handlers import HANDLERS, CommandContext, qualify
from bot.commands.parser import MAX_NUMBER, Command, ParseError
from conversations.privacy_texts import pt
from conversations.reply import Attachment, Choice, Fact, Reply
from storage import ideas as idea_store
from storage.models import Idea, Person
from storage.people import find_person
from storage.privacy import ERASE_ASKED, erase_person, erase_question_asked, personal_data
from storage.privacy import audit as write_audit

log = logging.getLogger(__name__)
ACTION_PREFIX = "privacy:"
CONFIRM = "privacy:forget:"
KEEP = "privacy:keep"
ANONYMOUS = "privacy:anon:"
# A "yes, forget me" button older than this asks again: the person may have changed their mind.
CONFIRM_VALID = timedelta(hours=1)
# The "yes" button carries a one-time word the bot stored when it asked; a button it did not
# hand out (forged, or replayed by someone else) finds no question and is asked about again.
_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def command_from_action(action: str) -> Command | ParseError:
    """The buttons under the forget-me question."""
    if action == KEEP:
        return Command("forget-me", action="keep")
    if action.startswith(CONFIRM) and _NONCE.fullmatch(action[len(CONFIRM) :]):
        return Command("forget-me", action="confirm", text=action[len(CONFIRM) :])
    number = action[len(ANONYMOUS) :]
    if action.startswith(ANONYMOUS) and number.isdigit() and 1 <= int(number) <= MAX_NUMBER:
        return Command("anonymous", idea=int(number), action="on")
    return ParseError("parse.not_understood")


def pseudonym(person: Person) -> str:
    # Stored in Swedish, the municipality's language; the number is the row's own id.
    return pt("sv", "pseudonym", number=person.id)


async def _mydata(ctx: CommandContext, _: Command) -> list[Reply]:
    data = await personal_data(ctx.session, ctx.person, internal_notes=False)
    await write_audit(ctx.session, "gdpr_access", actor=ctx.person, subject=ctx.person, now=ctx.now)
    log.info("personal data exported", extra={"person": ctx.person.id, "by": "self"})
    name = f"mina-uppgifter-{ctx.now.astimezone(STOCKHOLM):%Y-%m-%d}.json"
    return [
        Reply(
            pt(ctx.lang, "mydata.text", file=name),
            title=pt(ctx.lang, "mydata.title"),
            facts=_facts(ctx.lang, data),
            attachments=(_json(name, data),),
        )
    ]


async def _forget_me(ctx: CommandContext, command: Command) -> list[Reply]:
    lang = ctx.lang
    if command.action == "keep":
        return [Reply(pt(lang, "forget.kept"))]
    if command.action == "confirm":
        asked = await erase_question_asked(ctx.session, ctx.person, command.text or "")
        if asked is None:  # a question never asked of this person: ask it now
            return await _forget_me(ctx, replace(command, action=None, text=None))
        if not timedelta(0) <= ctx.now - asked <= CONFIRM_VALID:
            return [Reply(pt(lang, "forget.stale"))]
        name = pseudonym(ctx.person)
        erasure = await erase_person(ctx.session, ctx.person, now=ctx.now, pseudonym=name)
        await write_audit(
            ctx.session,
            "gdpr_erase",
            actor=ctx.person,
            subject=ctx.person,
            now=ctx.now,
            data={"by": "self", "ideas": erasure.ideas, "dropped": erasure.messages_dropped},
        )
        log.info("person erased", extra={"person": ctx.person.id, "by": "self"})
        return [Reply(pt(lang, "forget.done", pseudonym=name))]
    nonce = secrets.token_urlsafe(12)
    await write_audit(
        ctx.session, ERASE_ASKED, actor=ctx.person, subject=ctx.person, now=ctx.now,
        data={"nonce": nonce},
    )  # fmt: skip
    return [
        Reply(
            pt(lang, "forget.explain", pseudonym=pseudonym(ctx.person)),
            choices=(
                Choice(f"{CONFIRM}{nonce}", pt(lang, "forget.confirm")),
                Choice(KEEP, pt(lang, "forget.keep")),
            ),
        )
    ]


async def _gdpr(ctx: CommandContext, command: Command) -> list[Reply]:
    lang = ctx.lang
    if command.action == "erase" and not ctx.admin:
        log.info("gdpr erase refused", extra={"person": ctx.person.id})
        return [Reply(pt(lang, "erase.admin_only"))]
    if command.action == "export" and not (ctx.coordinator or ctx.admin):
        log.info("gdpr export refused", extra={"person": ctx.person.id})
        return [Reply(pt(lang, "export.coordinator_only"))]
    qualified = qualify(ctx.person, command.target or "me")
    subject = await find_person(ctx.session, qualified)
    if subject is None:
        return [Reply(pt(lang, "unknown_person", person=qualified))]
    shown = subject.display_name or qualified
    if command.action == "export":
        data = await personal_data(ctx.session, subject, internal_notes=True)
        await write_audit(
            ctx.session, "gdpr_export", actor=ctx.person, subject=subject, now=ctx.now
        )
        log.info("personal data exported", extra={"person": subject.id, "by": ctx.person.id})
        name = f"uppgifter-{subject.id}-{ctx.now.astimezone(STOCKHOLM):%Y-%m-%d}.json"
        return [
            Reply(
                pt(lang, "mydata.other_text", person=shown, file=name),
                title=pt(lang, "mydata.other_title", person=shown),
                facts=_facts(lang, data),
                attachments=(_json(name, data),),
            )
        ]
    name = pseudonym(subject)
    erasure = await erase_person(ctx.session, subject, now=ctx.now, pseudonym=name)
    await write_audit(
        ctx.session,
        "gdpr_erase",
        actor=ctx.person,
        subject=subject,
        now=ctx.now,
        data={"by": "admin", "ideas": erasure.ideas, "dropped": erasure.messages_dropped},
    )
    log.info("person erased", extra={"person": subject.id, "by": ctx.person.id})
    return [Reply(pt(lang, "erase.done", person=shown, pseudonym=name, ideas=erasure.ideas))]


def with_anonymity_choice(reply: Reply, lang: str, idea: Idea) -> Reply:
    """The reply after submitting, with a button to hide one's name from assessors."""
    choice = Choice(f"{ANONYMOUS}{idea.id}", pt(lang, "anonymous.choice"))
    return replace(reply, choices=(*reply.choices, choice))


async def _anonymous(ctx: CommandContext, command: Command) -> list[Reply]:
    idea = await idea_store.get_idea(ctx.session, command.idea, lock=True)
    if idea is None or idea.person_id != ctx.person.id:
        # Only the idea giver decides; nobody learns whether someone else's idea exists.
        return [Reply(pt(ctx.lang, "anonymous.not_yours"))]
    wanted = command.action != "off"
    if idea.anonymous != wanted:
        idea.anonymous = wanted
        idea.updated_at = ctx.now
        await idea_store.add_event(
            ctx.session,
            idea,
            actor=ctx.person,
            kind="anonymous",
            now=ctx.now,
            data={"anonymous": wanted},
        )
    return [Reply(pt(ctx.lang, "anonymous.on" if wanted else "anonymous.off", number=idea.id))]


def _json(name: str, data: dict) -> Attachment:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return Attachment(name, "application/json", text.encode("utf-8"))


def _facts(lang: str, data: dict) -> tuple[Fact, ...]:
    person, ideas = data["person"], data["ideas"]
    none = pt(lang, "value.none")
    idea_lines = "\n".join(f"{i['number']} {i['title']}" for i in ideas) or none
    answers = sum(1 for i in ideas if i["satisfaction"] is not None)
    language = person["language"] or pt(
        lang, "value.language_auto", platform=person["platform_locale"] or person["platform"]
    )
    return (
        Fact(pt(lang, "fact.name"), person["display_name"] or none),
        Fact(pt(lang, "fact.platform"), f"{person['platform']}: {person['platform_user_id']}"),
        Fact(pt(lang, "fact.language"), language),
        Fact(pt(lang, "fact.workplace"), person["workplace"] or none),
        Fact(pt(lang, "fact.ideas"), idea_lines),
        Fact(
            pt(lang, "fact.draft"),
            pt(lang, "value.yes") if data["idea_in_progress"] else pt(lang, "value.no"),
        ),
        Fact(
            pt(lang, "fact.messages"), pt(lang, "value.count", count=len(data["messages_to_you"]))
        ),
        Fact(pt(lang, "fact.satisfaction"), pt(lang, "value.count", count=answers)),
        Fact(
            pt(lang, "fact.coordinator"),
            pt(lang, "value.yes") if person["coordinator_in_table"] else pt(lang, "value.no"),
        ),
    )


HANDLERS.update(
    {"mydata": _mydata, "forget-me": _forget_me, "gdpr": _gdpr, "anonymous": _anonymous}
)
