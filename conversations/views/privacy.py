"""The answers of the privacy commands: `mina uppgifter`, `glöm mig`, `gdpr` and `anonym`."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.privacy_texts import pt
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
        text = pt(lang, "mydata.text", file=name)
        title = pt(lang, "mydata.title")
    else:
        text = pt(lang, "mydata.other_text", person=view.person, file=name)
        title = pt(lang, "mydata.other_title", person=view.person)
    return Reply(text, title=title, facts=_facts(lang, view.summary), attachments=(view.file,))


def _facts(lang: str, data: PersonalSummary) -> tuple[Fact, ...]:
    none = pt(lang, "value.none")
    idea_lines = "\n".join(f"{number} {title}" for number, title in data.ideas) or none
    language = data.language or pt(
        lang, "value.language_auto", platform=data.platform_locale or data.platform
    )
    return (
        Fact(pt(lang, "fact.name"), data.display_name or none),
        Fact(pt(lang, "fact.platform"), f"{data.platform}: {data.platform_user_id}"),
        Fact(pt(lang, "fact.language"), language),
        Fact(pt(lang, "fact.workplace"), data.workplace or none),
        Fact(pt(lang, "fact.ideas"), idea_lines),
        Fact(
            pt(lang, "fact.draft"),
            pt(lang, "value.yes") if data.idea_in_progress else pt(lang, "value.no"),
        ),
        Fact(pt(lang, "fact.messages"), pt(lang, "value.count", count=data.messages)),
        Fact(
            pt(lang, "fact.satisfaction"), pt(lang, "value.count", count=data.satisfaction_answers)
        ),
        Fact(
            pt(lang, "fact.coordinator"),
            pt(lang, "value.yes") if data.coordinator else pt(lang, "value.no"),
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
        pt(lang, "forget.explain", pseudonym=view.pseudonym),
        choices=(
            Choice(view.confirm, pt(lang, "forget.confirm")),
            Choice(view.keep, pt(lang, "forget.keep")),
        ),
    )


@dataclass(frozen=True)
class ForgetAnswer:
    # "kept": they said no; "stale": the question is too old; "done": erased
    outcome: str
    pseudonym: str | None = None  # "done": what they are called now


def forget_answer_reply(lang: str, view: ForgetAnswer) -> Reply:
    if view.outcome == "done":
        return Reply(pt(lang, "forget.done", pseudonym=view.pseudonym))
    return Reply(pt(lang, f"forget.{view.outcome}"))


@dataclass(frozen=True)
class GdprRefused:
    action: str  # "erase" (admins only) or "export" (coordinators only)


def gdpr_refused_reply(lang: str, view: GdprRefused) -> Reply:
    key = "erase.admin_only" if view.action == "erase" else "export.coordinator_only"
    return Reply(pt(lang, key))


@dataclass(frozen=True)
class UnknownPerson:
    person: str  # the platform-qualified id that was written


def unknown_person_reply(lang: str, view: UnknownPerson) -> Reply:
    return Reply(pt(lang, "unknown_person", person=view.person))


@dataclass(frozen=True)
class Erased:
    person: str  # their name (or id) before
    pseudonym: str  # after
    ideas: int  # whose giver is now the pseudonym


def erased_reply(lang: str, view: Erased) -> Reply:
    return Reply(
        pt(lang, "erase.done", person=view.person, pseudonym=view.pseudonym, ideas=view.ideas)
    )


@dataclass(frozen=True)
class Anonymity:
    number: int | None  # None: not one of the person's ideas
    hidden: bool = True  # the name is hidden from assessors


def anonymity_reply(lang: str, view: Anonymity) -> Reply:
    if view.number is None:
        return Reply(pt(lang, "anonymous.not_yours"))
    return Reply(pt(lang, "anonymous.on" if view.hidden else "anonymous.off", number=view.number))


def anonymity_choice(lang: str, value: str) -> Choice:
    """The button after submitting an idea that hides the giver's name from assessors."""
    return Choice(value, pt(lang, "anonymous.choice"))
