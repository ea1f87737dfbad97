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
from dataclasses import dataclass, replace
from datetime import timedelta

from bot import questions
from bot.calendar import STOCKHOLM
from bot.commands.buttons import Button, number_field
from bot.commands.handlers import CommandContext, qualify
from bot.commands.registry import ADMIN, COORDINATOR, EVERYONE, CommandSet
from bot.commands.syntax import (
    MAX_NUMBER,
    NoArgs,
    ParseError,
    no_args,
    read_person,
    shorten,
    with_number,
)
from bot.process import Process
from conversations.i18n import tr
from conversations.reply import Attachment, Reply
from conversations.views.privacy import (
    Anonymity,
    Erased,
    ForgetAnswer,
    ForgetQuestion,
    GdprRefused,
    PersonalData,
    PersonalSummary,
    UnknownPerson,
    anonymity_choice,
    anonymity_reply,
    erased_reply,
    forget_answer_reply,
    forget_question_reply,
    gdpr_refused_reply,
    personal_data_reply,
    unknown_person_reply,
)
from storage import ideas as idea_store
from storage.models import Idea, OpenQuestion, Person
from storage.people import find_person
from storage.privacy import (
    ERASE_ASKED,
    erase_person,
    erase_question_asked,
    personal_data,
)
from storage.privacy import PersonalData as PersonalDocument
from storage.privacy import audit as write_audit

log = logging.getLogger(__name__)
GDPR_ACTIONS = {
    "export": ("export", "exportera"),
    "erase": ("erase", "radera", "glöm", "forget"),
}
# `anonym 12 av`: the idea giver shows their name to assessors again.
OFF_WORDS = ("av", "off", "nej", "no", "inte")
ON_WORDS = ("på", "on", "ja", "yes")
# A "yes, forget me" button older than this asks again: the person may have changed their mind.
CONFIRM_VALID = timedelta(hours=1)
# The "yes" button carries a one-time word the bot stored when it asked; a button it did not
# hand out (forged, or replayed by someone else) finds no question and is asked about again.
_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")
commands = CommandSet()
FORGET_QUESTION = "forget_me"  # the open question's kind


@dataclass(frozen=True)
class ForgetMeArgs:
    answer: str | None = None  # None: ask; "confirm" (with the question's nonce) or "keep"
    nonce: str | None = None


def _confirmed(fields: tuple[str, ...]) -> ForgetMeArgs | None:
    (nonce,) = fields
    return ForgetMeArgs("confirm", nonce) if _NONCE.fullmatch(nonce) else None


# The buttons under the forget-me question, and the one after submitting an idea.
CONFIRM_BUTTON = Button(("privacy", "forget"), 1, _confirmed)
KEEP_BUTTON = Button(("privacy", "keep"), 0, lambda _: ForgetMeArgs("keep"))


@dataclass(frozen=True)
class AnonymousArgs:
    idea: int
    hide: bool = True  # False: show the name to assessors again


def _read_anonymous(number: int, rest: str, _: Process) -> AnonymousArgs | ParseError:
    if rest and rest.casefold() not in (*OFF_WORDS, *ON_WORDS):
        return ParseError("parse.extra_words", {"words": shorten(rest, 30)}, "anonymous")
    return AnonymousArgs(number, hide=rest.casefold() not in OFF_WORDS)


def _hide_button(fields: tuple[str, ...]) -> AnonymousArgs | None:
    number = number_field(fields[0], MAX_NUMBER)
    return None if number is None else AnonymousArgs(number)


ANONYMOUS_BUTTON = Button(("privacy", "anon"), 1, _hide_button)


@dataclass(frozen=True)
class GdprArgs:
    action: str  # "export" or "erase"
    target: str  # the person


def _read_gdpr(rest: str, _process: Process) -> GdprArgs | ParseError:
    word, _, remainder = rest.partition(" ")
    for action, words in GDPR_ACTIONS.items():
        if word.casefold() in words:
            target, remainder = read_person(remainder)
            if target is None or remainder:
                return ParseError("parse.needs_person", {}, "gdpr")
            return GdprArgs(action, target)
    return ParseError("parse.gdpr_action", {}, "gdpr")


def pseudonym(person: Person) -> str:
    # Stored in Swedish, the municipality's language; the number is the row's own id.
    return tr("sv", "pseudonym", number=person.id)


@commands.command(
    "mydata",
    sv=("mina-uppgifter", "minauppgifter"),
    en=("mydata", "my-data"),
    phrases=("mina uppgifter", "min data", "mina data", "my data"),
    role=EVERYONE,
    read=no_args("mydata"),
    help=((EVERYONE, "help.mydata"),),
)
async def _mydata(ctx: CommandContext, _: NoArgs) -> list[Reply]:
    data = await personal_data(ctx.session, ctx.person, internal_notes=False)
    await write_audit(ctx.session, "gdpr_access", actor=ctx.person, subject=ctx.person, now=ctx.now)
    log.info("personal data exported", extra={"person": ctx.person.id, "by": "self"})
    name = f"mina-uppgifter-{ctx.now.astimezone(STOCKHOLM):%Y-%m-%d}.json"
    file = _json(name, data, purpose="personal_data")
    return [personal_data_reply(ctx.lang, PersonalData(_summary(data), file))]


@commands.command(
    "forget-me",
    sv=("glöm-mig", "glömmig", "glom-mig"),
    en=("forget-me", "forgetme"),
    phrases=("glöm mig", "glom mig", "forget me"),
    role=EVERYONE,
    read=no_args("forget-me", ForgetMeArgs),
    help=((EVERYONE, "help.forget-me"),),
    buttons=(CONFIRM_BUTTON, KEEP_BUTTON),
)
async def _forget_me(ctx: CommandContext, command: ForgetMeArgs) -> list[Reply]:
    if command.answer is not None:  # the question is answered, by a button or typed
        await questions.let_go(ctx.session, ctx.person.id)
    if command.answer == "keep":
        return [forget_answer_reply(ctx.lang, ForgetAnswer("kept"))]
    if command.answer == "confirm":
        asked = await erase_question_asked(ctx.session, ctx.person, command.nonce or "")
        if asked is None:  # a question never asked of this person: ask it now
            return await _forget_me(ctx, ForgetMeArgs())
        if not timedelta(0) <= ctx.now - asked <= CONFIRM_VALID:
            return [forget_answer_reply(ctx.lang, ForgetAnswer("stale"))]
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
        return [forget_answer_reply(ctx.lang, ForgetAnswer("done", name))]
    nonce = secrets.token_urlsafe(12)
    await write_audit(
        ctx.session, ERASE_ASKED, actor=ctx.person, subject=ctx.person, now=ctx.now,
        data={"nonce": nonce},
    )  # fmt: skip
    # Typed "ja" answers it too, not only the button (bot/questions.py).
    await questions.ask(ctx, FORGET_QUESTION, {"erase_nonce": nonce})
    question = ForgetQuestion(
        pseudonym(ctx.person), confirm=CONFIRM_BUTTON.value(nonce), keep=KEEP_BUTTON.value()
    )
    return [forget_question_reply(ctx.lang, question)]


@questions.question_kind(FORGET_QUESTION)
async def _forget_me_typed(ctx: CommandContext, question: OpenQuestion, value: str) -> list[Reply]:
    """ "ja" or "nej" typed to "Vill du verkligen att jag glömmer dig?"."""
    await questions.let_go(ctx.session, ctx.person.id)
    if value == questions.YES:
        nonce = str(question.data.get("erase_nonce") or "")
        return await _forget_me(ctx, ForgetMeArgs("confirm", nonce))
    return await _forget_me(ctx, ForgetMeArgs("keep"))


@commands.command(
    "gdpr",
    sv=("gdpr",),
    en=("gdpr",),
    role=EVERYONE,  # checks its own rights: export for coordinators, erase for admins
    read=_read_gdpr,
    help=((COORDINATOR, "help.gdpr"), (ADMIN, "help.gdpr.admin")),
    doc_role=COORDINATOR,
)
async def _gdpr(ctx: CommandContext, command: GdprArgs) -> list[Reply]:
    lang = ctx.lang
    if command.action == "erase" and not ctx.admin:
        log.info("gdpr erase refused", extra={"person": ctx.person.id})
        return [gdpr_refused_reply(lang, GdprRefused("erase"))]
    if command.action == "export" and not (ctx.coordinator or ctx.admin):
        log.info("gdpr export refused", extra={"person": ctx.person.id})
        return [gdpr_refused_reply(lang, GdprRefused("export"))]
    qualified = qualify(ctx.person, command.target)
    subject = await find_person(ctx.session, qualified)
    if subject is None:
        return [unknown_person_reply(lang, UnknownPerson(qualified))]
    shown = subject.display_name or qualified
    if command.action == "export":
        data = await personal_data(ctx.session, subject, internal_notes=True)
        await write_audit(
            ctx.session, "gdpr_export", actor=ctx.person, subject=subject, now=ctx.now
        )
        log.info("personal data exported", extra={"person": subject.id, "by": ctx.person.id})
        name = f"uppgifter-{subject.id}-{ctx.now.astimezone(STOCKHOLM):%Y-%m-%d}.json"
        view = PersonalData(_summary(data), _json(name, data, purpose="gdpr_export"), person=shown)
        return [personal_data_reply(lang, view)]
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
    return [erased_reply(lang, Erased(shown, name, erasure.ideas))]


def with_anonymity_choice(reply: Reply, lang: str, idea: Idea) -> Reply:
    """The reply after submitting, with a button to hide one's name from assessors."""
    choice = anonymity_choice(lang, ANONYMOUS_BUTTON.value(idea.id))
    return replace(reply, choices=(*reply.choices, choice))


@commands.command(
    "anonymous",
    sv=("anonym", "anonymt"),
    en=("anonymous",),
    role=EVERYONE,
    read=with_number("anonymous", _read_anonymous),
    help=((EVERYONE, "help.anonymous"),),
    buttons=(ANONYMOUS_BUTTON,),
)
async def _anonymous(ctx: CommandContext, command: AnonymousArgs) -> list[Reply]:
    idea = await idea_store.get_idea(ctx.session, command.idea, lock=True)
    if idea is None or idea.person_id != ctx.person.id:
        # Only the idea giver decides; nobody learns whether someone else's idea exists.
        return [anonymity_reply(ctx.lang, Anonymity(None))]
    wanted = command.hide
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
    return [anonymity_reply(ctx.lang, Anonymity(idea.id, hidden=wanted))]


def _json(name: str, data: PersonalDocument, *, purpose: str) -> Attachment:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return Attachment(name, "application/json", text.encode("utf-8"), purpose=purpose)


def _summary(data: PersonalDocument) -> PersonalSummary:
    """The short of `personal_data`'s file, for the reply's facts."""
    person, ideas = data["person"], data["ideas"]
    return PersonalSummary(
        display_name=person["display_name"],
        platform=person["platform"],
        platform_user_id=person["platform_user_id"],
        language=person["language"],
        platform_locale=person["platform_locale"],
        workplace=person["workplace"],
        ideas=tuple((i["number"], i["title"]) for i in ideas),
        idea_in_progress=bool(data["idea_in_progress"]),
        messages=len(data["messages_to_you"]),
        satisfaction_answers=sum(1 for i in ideas if i["satisfaction"] is not None),
        coordinator=bool(person["coordinator_in_table"]),
    )
