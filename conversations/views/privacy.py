"""The answers of the privacy commands: `mina uppgifter`, `glöm mig`, `gdpr` and `anonym`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from conversations.i18n import tr
from conversations.reply import Attachment, Choice, Fact, Reply


@dataclass(frozen=True)
class PersonalSummary:
    """What the file of a person's data holds, in short."""

    display_name: str | None
    platform: str
    platform_user_id: str
    language: str | None  # chosen; None: the platform's
    platform_locale: str | None
    workplace: str | None
    ideas: tuple[tuple[int, str], ...]  # (number, title)
    idea_in_progress: bool
    messages: int  # messages to them
    satisfaction_answers: int
    coordinator: bool  # in the coordinators' table


@dataclass(frozen=True)
class PersonalData:
    summary: PersonalSummary
    file: Attachment  # the whole of it, as JSON
    person: str | None = None  # whose, when it is someone else's (gdpr export); None: yours


def personal_data_reply(lang: str, view: PersonalData) -> Reply:
    name = view.file.name
    if view.person is None:
        text = tr(lang, "mydata.text", file=name)
        title = tr(lang, "mydata.title")
    else:
        text = tr(lang, "mydata.other_text", person=view.person, file=name)
        title = tr(lang, "mydata.other_title", person=view.person)
    if view.person is None:
        about = tr(lang, "file.about.mydata")
    else:
        about = tr(lang, "file.about.other", person=view.person)
    file = replace(view.file, description=about)
    return Reply(text, title=title, facts=_facts(lang, view.summary), attachments=(file,))


def _facts(lang: str, data: PersonalSummary) -> tuple[Fact, ...]:
    none = tr(lang, "value.none")
    idea_lines = "\n".join(f"{number} {title}" for number, title in data.ideas) or none
    language = data.language or tr(
        lang, "value.language_auto", platform=data.platform_locale or data.platform
    )
    return (
        Fact(tr(lang, "fact.name"), data.display_name or none),
        Fact(tr(lang, "fact.platform"), f"{data.platform}: {data.platform_user_id}"),
        Fact(tr(lang, "fact.language"), language),
        Fact(tr(lang, "fact.workplace"), data.workplace or none),
        Fact(tr(lang, "fact.ideas"), idea_lines),
        Fact(
            tr(lang, "fact.draft"),
            tr(lang, "value.yes") if data.idea_in_progress else tr(lang, "value.no"),
        ),
        Fact(tr(lang, "fact.messages"), tr(lang, "value.count", count=data.messages)),
        Fact(
            tr(lang, "fact.satisfaction"), tr(lang, "value.count", count=data.satisfaction_answers)
        ),
        Fact(
            tr(lang, "fact.coordinator"),
            tr(lang, "value.yes") if data.coordinator else tr(lang, "value.no"),
        ),
    )


@dataclass(frozen=True)
class ForgetQuestion:
    """Asked before a person's data is erased, with a yes and a no button."""

    pseudonym: str  # what they will be called afterwards
    confirm: str  # the buttons' values
    keep: str


def forget_question_reply(lang: str, view: ForgetQuestion) -> Reply:
    return Reply(
        tr(lang, "forget.explain", pseudonym=view.pseudonym),
        choices=(
            Choice(view.confirm, tr(lang, "forget.confirm")),
            Choice(view.keep, tr(lang, "forget.keep")),
        ),
    )


@dataclass(frozen=True)
class ForgetAnswer:
    # "kept": they said no; "stale": the question is too old; "done": erased
    outcome: str
    pseudonym: str | None = None  # "done": what they are called now


def forget_answer_reply(lang: str, view: ForgetAnswer) -> Reply:
    if view.outcome == "done":
        return Reply(tr(lang, "forget.done", pseudonym=view.pseudonym))
    return Reply(tr(lang, f"forget.{view.outcome}"))


@dataclass(frozen=True)
class GdprRefused:
    action: str  # "erase" (admins only) or "export" (coordinators only)


def gdpr_refused_reply(lang: str, view: GdprRefused) -> Reply:
    key = "erase.admin_only" if view.action == "erase" else "export.coordinator_only"
    return Reply(tr(lang, key))


@dataclass(frozen=True)
class UnknownPerson:
    person: str  # the platform-qualified id that was written


def unknown_person_reply(lang: str, view: UnknownPerson) -> Reply:
    return Reply(tr(lang, "privacy.unknown_person", person=view.person))


@dataclass(frozen=True)
class Erased:
    person: str  # their name (or id) before
    pseudonym: str  # after
    ideas: int  # whose giver is now the pseudonym


def erased_reply(lang: str, view: Erased) -> Reply:
    return Reply(
        tr(lang, "erase.done", person=view.person, pseudonym=view.pseudonym, ideas=view.ideas)
    )


@dataclass(frozen=True)
class Anonymity:
    number: int | None  # None: not one of the person's ideas
    hidden: bool = True  # the name is hidden from assessors


def anonymity_reply(lang: str, view: Anonymity) -> Reply:
    if view.number is None:
        return Reply(tr(lang, "anonymous.not_yours"))
    if view.hidden:
        return Reply(tr(lang, "anonymous.on", number=view.number))
    return Reply(tr(lang, "anonymous.off", number=view.number))


def anonymity_choice(lang: str, value: str) -> Choice:
    """The button after submitting an idea that hides the giver's name from assessors."""
    return Choice(value, tr(lang, "anonymous.choice"))
