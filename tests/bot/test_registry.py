"""The commands are one registry: every word has a command with a reader and a handler, the
roles, help, usage and menu texts exist, README's table and Teams' menu agree with it, and
every button value a command hands out decodes back to it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from adapters.teams.package import PACKAGE_DIR, command_lists, english
from bot.app import ROUTES
from bot.commands.catalog import BUTTONS, COMMANDS
from bot.commands.handlers import ADVANCE_BUTTON, ASSIGN_BUTTON, AdvanceArgs, AssignArgs
from bot.commands.privacy import (
    ANONYMOUS_BUTTON,
    CONFIRM_BUTTON,
    KEEP_BUTTON,
    AnonymousArgs,
    ForgetMeArgs,
)
from bot.commands.registry import CommandSet, Registry, RegistryError
from bot.commands.syntax import Command, NoArgs, no_args
from bot.questions import QUESTION_BUTTON, Answer
from bot.satisfaction import SCORE_BUTTON
from conversations.i18n import tr

README = Path(__file__).parents[2] / "README.md"
WHO = {"everyone": "everyone", "coordinator": "coordinators", "admin": "admins"}


def test_every_command_has_words_a_reader_a_handler_and_its_texts() -> None:
    for spec in COMMANDS:
        assert spec.sv and spec.en and callable(spec.read) and callable(spec.handler)
        for lang in ("sv", "en"):
            assert tr(lang, spec.usage_key)
            for _, key in spec.help:
                assert tr(lang, key)
    for word, name in COMMANDS.by_word.items():
        assert COMMANDS[name].handler is not None, word


async def _handler(ctx, args) -> list:
    return []


def test_a_word_claimed_twice_or_a_missing_text_is_refused_at_import() -> None:
    one, two = CommandSet(), CommandSet()
    one.command("help", sv=("ord",), en=("help",), role="everyone", read=no_args("a"))(_handler)
    two.command("mine", sv=("ord",), en=("word",), role="everyone", read=no_args("b"))(_handler)
    with pytest.raises(RegistryError, match="ord"):
        Registry([*one.specs, *two.specs], tr)
    lonely = CommandSet()
    lonely.command("x", sv=("x",), en=("x",), role="everyone", read=no_args("x"))(_handler)
    with pytest.raises(KeyError, match=r"usage\.x"):
        Registry(lonely.specs, tr)  # no "usage.x" text
    with pytest.raises(RegistryError, match="Swedish"):
        only_english = CommandSet()
        only_english.command("help", sv=(), en=("y",), role="everyone", read=no_args("y"))(_handler)
        Registry(only_english.specs, tr)


def _readme_rows() -> list[tuple[str, list[str]]]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## In the chat") :]
    table = table[: table.index("\n\n", table.index("| who | command |"))]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("| "):
            continue
        who, command, _ = (cell.strip() for cell in line.strip("|").split(" | ", 2))
        rows.append((who, re.findall(r"`([^`]+)`", command)))
    return rows


def _command_of(segment: str) -> str | None:
    lowered = segment.casefold()
    for phrase, name in sorted(COMMANDS.phrases.items(), key=lambda p: -len(p[0])):
        if lowered == phrase or lowered.startswith(phrase + " "):
            return name
    return COMMANDS.by_word.get(lowered.split()[0])


def test_readmes_command_table_matches_the_registry() -> None:
    rows = _readme_rows()
    listed: dict[str, str] = {}
    for who, segments in rows:
        for segment in segments:
            name = _command_of(segment)
            assert name is not None, f"README names {segment!r}, which is no command"
            spec = COMMANDS[name]
            assert who == WHO[spec.doc_role or spec.role], f"{segment!r}: {who}"
            listed[name] = who
    assert set(listed) == set(COMMANDS.by_name), set(COMMANDS.by_name) - set(listed)


def test_teams_menu_files_are_what_the_registry_makes() -> None:
    manifest = json.loads((PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["bots"][0]["commandLists"] == command_lists()
    assert json.loads((PACKAGE_DIR / "en-us.json").read_text(encoding="utf-8")) == english()
    for place, scope in zip(("personal", "group"), command_lists(), strict=True):
        titles = [command["title"] for command in scope["commands"]]
        assert titles == [spec.title for spec in COMMANDS if place in spec.menu]
        assert all(COMMANDS.by_word.get(title) for title in titles)  # Teams sends the title


@pytest.mark.parametrize(
    ("value", "meaning"),
    [
        (ASSIGN_BUTTON.value(12, "me"), Command("assign", AssignArgs(12, "me", clicked=True))),
        (ADVANCE_BUTTON.value(12, "testing"), Command("advance", AdvanceArgs(12, "testing"))),
        (
            CONFIRM_BUTTON.value("abcdefgh12"),
            Command("forget-me", ForgetMeArgs("confirm", "abcdefgh12")),
        ),
        (KEEP_BUTTON.value(), Command("forget-me", ForgetMeArgs("keep"))),
        (ANONYMOUS_BUTTON.value(7), Command("anonymous", AnonymousArgs(7))),
        (SCORE_BUTTON.value(3, 5), (3, 5)),
        (QUESTION_BUTTON.value("abcdefgh12", "yes"), Answer("yes", "abcdefgh12")),
        (QUESTION_BUTTON.value("abcdefgh12", "2"), Answer("2", "abcdefgh12")),
    ],
)
def test_every_button_value_decodes_to_what_it_was_made_for(value: str, meaning) -> None:
    assert BUTTONS.decode(value) == meaning
    assert BUTTONS.namespace_of(value) is not None


def test_the_button_formats_are_the_ones_already_sent() -> None:
    # Messages in outboxes and chats hold these values; their buttons must keep working.
    assert ASSIGN_BUTTON.value(12, "me") == "cmd:assign:12:me"
    assert ADVANCE_BUTTON.value(12, "testing") == "cmd:advance:12:testing"
    assert CONFIRM_BUTTON.value("n0nce-abc") == "privacy:forget:n0nce-abc"
    assert KEEP_BUTTON.value() == "privacy:keep"
    assert ANONYMOUS_BUTTON.value(7) == "privacy:anon:7"
    assert SCORE_BUTTON.value(3, 5) == "satisfaction:3:5"
    assert QUESTION_BUTTON.value("n0nce-abc", "no") == "question:n0nce-abc:no"


@pytest.mark.parametrize(
    "value",
    ["cmd:assign:x:me", "cmd:frobnicate:1:2", "privacy:forget:short", "privacy:anon:0",
     "satisfaction:3:9", "cmd:assign:1:me:extra", "question:short:yes",
     "question:abcdefgh12:maybe", "question:abcdefgh12:0"],
)  # fmt: skip
def test_a_forged_value_in_our_namespaces_decodes_to_nothing(value: str) -> None:
    assert BUTTONS.namespace_of(value) is not None
    assert BUTTONS.decode(value) is None


def test_a_dialogue_button_is_not_ours() -> None:
    assert BUTTONS.namespace_of("title:Tryggare tunnlar") is None
    assert BUTTONS.namespace_of("cmd") is None and BUTTONS.namespace_of(None) is None


def test_the_router_is_one_ordered_table_ending_in_the_dialogue() -> None:
    names = [route.name for route in ROUTES]
    assert names[0] == "command button" and names[-1] == "new idea" and "intake" in names
    assert len(set(names)) == len(names)


def test_a_command_without_arguments_has_none() -> None:
    assert Command("help") == Command("help", NoArgs())
