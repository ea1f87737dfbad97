"""Pure renderers of what commands found: a handler gathers the facts (view data, below) and
these turn them into the words of a `Reply`, in Swedish or English. No I/O, no database, so
they are tested like the intake dialogue: data in, text out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conversations.i18n import tr
from conversations.reply import Reply
from conversations.views.common import date

# The roles a person can have, as `whoami` names them (the registry's roles, plus the idea
# giver: anyone who is neither coordinator nor admin).
IDEA_GIVER = "giver"


@dataclass(frozen=True)
class HelpView:
    """Help for one person: per role they have, the text keys of the lines the commands
    declare; and the stages (name, id) when they may move ideas."""

    sections: tuple[tuple[str, tuple[str, ...]], ...]
    stages: tuple[tuple[str, str], ...] = ()


def help_reply(lang: str, view: HelpView) -> Reply:
    parts = []
    for role, keys in view.sections:
        lines = [tr(lang, f"help.{role}"), *(f"• {tr(lang, key)}" for key in keys)]
        if role == "everyone":
            lines.append(f"• {tr(lang, 'help.new_idea')}")
        parts.append("\n".join(lines))
        if role == "coordinator" and view.stages:
            stages = ", ".join(f"{name} ({stage_id})" for name, stage_id in view.stages)
            parts.append(tr(lang, "help.stages", stages=stages))
    return Reply("\n\n".join(parts))


@dataclass(frozen=True)
class MineLine:
    number: int
    title: str
    stage: str  # its name, in the reader's language
    changed: datetime  # last, in the municipality's time zone


def mine_reply(lang: str, ideas: tuple[MineLine, ...]) -> Reply:
    if not ideas:
        return Reply(tr(lang, "mine.none"))
    lines = [tr(lang, "mine.intro")]
    for idea in ideas:
        lines.append(
            tr(
                lang,
                "mine.line",
                number=idea.number,
                title=idea.title,
                stage=idea.stage,
                date=date(idea.changed),
            )
        )
    lines.append(tr(lang, "mine.hint"))
    return Reply("\n".join(lines))


@dataclass(frozen=True)
class WhoAmIView:
    qualified_id: str  # "slack:U024BE7LH", "msteams:29:1abc…", "console:anna"
    role: str  # "admin", "coordinator" or IDEA_GIVER
    email: str | None = None  # the work address their platform gave (their own data)


def whoami_reply(lang: str, view: WhoAmIView) -> Reply:
    role = tr(lang, f"whoami.role.{view.role}")
    lines = [tr(lang, "whoami.id", id=view.qualified_id, role=role), tr(lang, "whoami.settings")]
    if view.email:
        lines.append(tr(lang, "whoami.email", email=view.email))
    return Reply("\n".join(lines))
