"""`vem är jag` / `whoami`, the command added as one unit: a person hears their own
platform-qualified id and role, which is what an admin writes in IDESLUSS_COORDINATORS or
IDESLUSS_ADMINS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.teams.package import PACKAGE_DIR, command_lists
from bot.commands.catalog import COMMANDS
from bot.incoming import Incoming
from tests.chat import Chat

README = Path(__file__).parents[2] / "README.md"
SETTINGS_SV = "Det är så en administratör skriver dig i IDESLUSS_COORDINATORS (idéslussare)"
SETTINGS_EN = "This is how an admin writes you in IDESLUSS_COORDINATORS (coordinators)"


@pytest.mark.parametrize("typed", ["vem är jag", "Vem är jag?", "/idea vem är jag", "vemärjag"])
async def test_an_idea_giver_hears_their_id_and_role_in_swedish(bot, typed: str) -> None:
    anna = Chat(bot, user="anna", name="Anna Andersson")
    await anna.says(typed)
    anna.hears("Du är console:anna – idégivare.", SETTINGS_SV, "IDESLUSS_ADMINS")


@pytest.mark.parametrize("typed", ["whoami", "who am I", "Who am I?", "/idea whoami"])
async def test_an_idea_giver_hears_their_id_and_role_in_english(bot, typed: str) -> None:
    ben = Chat(bot, user="ben", name="Ben Smith", language="en")
    await ben.says(typed)
    ben.hears("You are console:ben – idea giver.", SETTINGS_EN, "IDESLUSS_ADMINS (admins)")


async def test_a_coordinator_and_an_admin_hear_their_roles(admin_bot) -> None:
    maria = Chat(admin_bot, user="maria", name="Maria")
    await maria.says("vem är jag")
    maria.hears("Du är console:maria – idéslussare.")
    boss = Chat(admin_bot, user="boss", name="Boss", language="en")
    await boss.says("whoami")
    boss.hears("You are console:boss – admin.")


@pytest.mark.parametrize(
    ("platform", "user_id", "qualified"),
    [
        ("slack", "U024BE7LH", "slack:U024BE7LH"),
        ("msteams", "29:1abcDEF-ghi", "msteams:29:1abcDEF-ghi"),
    ],
)
async def test_the_id_is_qualified_with_the_platform(bot, platform, user_id, qualified) -> None:
    someone = Chat(bot, user=user_id, name="Kim", platform=platform)
    await someone.says("vem är jag")
    someone.hears(f"Du är {qualified} – idégivare.")


async def test_in_the_middle_of_an_idea_the_command_answers_and_the_dialogue_waits(bot) -> None:
    anna = Chat(bot, user="anna", name="Anna Andersson")
    await anna.says("Hej")
    await anna.says("Tryggare tunnlar")  # the title: the dialogue is under way
    await anna.says("vem är jag")  # a whole command is a command at every step
    anna.hears("Du är console:anna – idégivare.", "Vi fortsätter med din idé:", "Vilket behov")
    await anna.says("/idea vem är jag")  # with the prefix too
    anna.hears("Du är console:anna – idégivare.", "Vilket behov")


async def test_in_a_shared_channel_it_is_answered_privately(bot) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    await maria.opens()  # her personal chat
    replies = await bot.handle(
        Incoming(platform="console", user_id="maria", text="vem är jag", display_name="Maria",
                 in_group=True)
    )  # fmt: skip
    assert [reply.text for reply in replies] == ["Jag har svarat dig i vår privata chatt, Maria."]
    assert "Du är console:maria – idéslussare." in await maria.receives()


async def test_it_is_in_help_for_everyone(bot) -> None:
    anna = Chat(bot, user="anna", name="Anna Andersson")
    await anna.says("hjälp")
    anna.hears("• vem är jag – ditt id här och din roll")
    ben = Chat(bot, user="ben", name="Ben", language="en")
    await ben.says("help")
    ben.hears("• who am i – your id here and your role")


def test_it_is_in_the_readme_table_and_the_teams_menu() -> None:
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if "`whoami`" in line]
    assert rows and rows[0].startswith("| everyone |") and "`vem är jag`" in rows[0]
    manifest = json.loads((PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8"))
    for menu in (manifest["bots"][0]["commandLists"], command_lists()):
        for scope in menu:
            assert "whoami" in [command["title"] for command in scope["commands"]]
    english = (PACKAGE_DIR / "en-us.json").read_text(encoding="utf-8")
    assert "Your id and your role" in english
    assert COMMANDS["whoami"].role == "everyone"
