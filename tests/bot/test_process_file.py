"""The process file: the shipped default, what each kind of mistake in it says, and another
municipality's process working without code changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.app import IdeaBot
from bot.config import Settings
from bot.process import DEFAULT_PROCESS_PATH, ProcessError, load_process
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat


def test_the_shipped_process() -> None:
    process = load_process()
    assert process.main_line == (
        "submitted", "assessment", "testing", "development", "implemented", "spread",
    )  # fmt: skip
    assert process.stage("assessment").name("sv") == "Bedömning"
    assert process.stage("parked").name("en") == "Parked"
    assert process.allowed_moves("assessment") == ("testing", "parked", "referred", "closed")
    assert process.allowed_moves("closed") == ()
    assert process.terminal_stages == ("implemented", "spread", "referred", "closed")
    assert process.stage("closed").reopenable and process.stage("closed").requires == "reason"
    # What the reminders read: per-stage thresholds in working days.
    assert (process.stage("submitted").idle_days, process.stage("submitted").escalate_days) == (
        5,
        10,
    )
    assert process.stage("parked").check_in_days == 60
    assert process.max_silence_days == 10 and process.first_response_days == 5
    assert process.find_stage("PRÖVAS") == "testing"


def test_the_environment_variable_points_at_another_file(tmp_path: Path) -> None:
    path = tmp_path / "min-process.toml"
    path.write_text(DEFAULT_PROCESS_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings.from_env({"IDESLUSS_PROCESS": str(path)})
    assert settings.process_path == str(path)
    assert load_process(settings.process_path).path == str(path)


def _broken(tmp_path: Path, old: str, new: str, *, count: int = 1) -> Path:
    text = DEFAULT_PROCESS_PATH.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "process.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


BROKEN = [
    pytest.param(
        '[stages.testing]\nname = { sv = "Prövas", en = "Testing" }',
        '[stages.testing]\nname = { sv = "Prövas", en = "Testing" ',
        r"not valid TOML: .*line \d+",
        id="toml-syntax",
    ),
    pytest.param(
        'next = ["testing"]',
        'next = ["testin"]',
        r"stages\.assessment\.next\[0\] \(in the table on line \d+\): 'testin' is not a stage",
        id="unknown-stage-in-next",
    ),
    pytest.param(
        "Hej {first_name}! {coordinator} har börjat",
        "Hej {frist_name}! {coordinator} har börjat",
        r"stages\.assessment\.message\.sv .*unknown placeholder \{frist_name\}; allowed: ",
        id="unknown-placeholder",
    ),
    pytest.param(
        'name = { sv = "Prövas", en = "Testing" }',
        'name = { sv = "Prövas" }',
        r"stages\.testing\.name\.en .*is missing or empty; every text needs sv and en",
        id="missing-language",
    ),
    pytest.param(
        'next_step.sv = "Du hör av oss igen inom två veckor."',
        'next_step.sv = "Du hör av oss igen inom {två veckor."',
        r"stages\.assessment\.next_step\.sv .*broken placeholder",
        id="broken-brace",
    ),
    pytest.param(
        "idle_days = 10\n",
        'idle_days = "tio"\n',
        r"stages\.assessment\.idle_days .*must be a whole number of days \(1–1000\), not 'tio'",
        id="threshold-not-a-number",
    ),
    pytest.param(
        "idle_days = 10\nescalate_days = 20",
        "idle_days = 10\nescalate_days = 5",
        r"stages\.assessment\.escalate_days .*must be more than idle_days \(10\)",
        id="escalation-before-reminder",
    ),
    pytest.param(
        "idle_days = 10\n",
        "idle_dayz = 10\n",
        r"stages\.assessment\.idle_dayz .*unknown key; allowed here: ",
        id="misspelt-key",
    ),
    pytest.param(
        'first_stage = "submitted"',
        'first_stage = "inkommen"',
        r"process\.first_stage .*'inkommen' is not a stage",
        id="unknown-first-stage",
    ),
    pytest.param(
        'main_line = ["submitted", "assessment", ',
        'main_line = ["assessment", "submitted", ',
        r"process\.main_line .*must start with the first stage 'submitted'",
        id="main-line-start",
    ),
    pytest.param(
        'terminal = true\nrequires = "reason"',
        'terminal = ja\nrequires = "reason"',
        r"not valid TOML",
        id="bad-value",
    ),
    pytest.param(
        'requires = "reason"',
        'requires = "skäl"',
        r"stages\.closed\.requires .*must be \"reason\" or \"where\", not 'skäl'",
        id="bad-requires",
    ),
    pytest.param(
        "{where}, so we have passed it on",
        "them, so we have passed it on",
        r"stages\.referred\.message\.en .*requires = \"where\" but the text never says \{where\}",
        id="referral-without-where",
    ),
    pytest.param(
        "[stages.spread]",
        "[stages.Spread]",
        r"stages\.Spread .*a stage id is lower-case letters",
        id="bad-stage-id",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
def test_each_kind_of_mistake_names_the_file_and_the_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(ProcessError) as raised:
        load_process(path)
    text = str(raised.value)
    assert text.startswith(f"{path}: "), text
    assert re.search(message, text), text


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProcessError, match=r"saknas\.toml: the process file does not exist"):
        load_process(tmp_path / "saknas.toml")


def test_the_bot_does_not_start_with_a_broken_process(tmp_path: Path, db) -> None:
    path = _broken(tmp_path, 'next = ["testing"]', 'next = ["testin"]')
    with pytest.raises(ProcessError, match="testin"):
        IdeaBot(db, settings=Settings(process_path=str(path)))


def test_the_cli_explains_a_broken_process_file(tmp_path: Path, monkeypatch, capsys) -> None:
    from bot.cli import EXIT_CONFIG, main

    path = _broken(tmp_path, 'next = ["testing"]', 'next = ["testin"]')
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("IDESLUSS_PROCESS", str(path))
    assert main(["chat", "--user", "anna"]) == EXIT_CONFIG
    assert "stages.assessment.next[0]" in capsys.readouterr().err


OTHER_MUNICIPALITY = """
# Lillby kommun: a shorter process with its own stages and words.
[process]
first_stage = "ny"
main_line = ["ny", "utredning", "klar"]
from_any_open = ["nej"]
close_stage = "nej"
first_response_days = 3

[stages.ny]
name = { sv = "Ny", en = "New" }
next = ["utredning"]
idle_days = 3
message.sv = "Hej {first_name}, din idé {title} är ny igen. {next_step}"
message.en = "Hi {first_name}, your idea {title} is new again. {next_step}"
next_step = { sv = "Vi hör av oss.", en = "We will be in touch." }

[stages.utredning]
name = { sv = "Utredning", en = "Investigation" }
next = ["klar"]
idle_days = 15
escalate_days = 25
message.sv = "Hej {first_name}! {coordinator} utreder {title} (nr {reference}). {note} {next_step}"
message.en = "Hi {first_name}! {coordinator} investigates {title} ({reference}). {note} {next_step}"
next_step = { sv = "Besked inom en månad.", en = "An answer within a month." }

[stages.klar]
name = { sv = "Klar", en = "Done" }
terminal = true
message.sv = "Hej {first_name}! {title} är genomförd. Tack! {next_step}"
message.en = "Hi {first_name}! {title} is done. Thank you! {next_step}"
next_step = { sv = "Skriv gärna igen.", en = "Do write again." }

[stages.nej]
name = { sv = "Inte nu", en = "Not now" }
terminal = true
requires = "reason"
reopenable = true
message.sv = "Hej {first_name}. Vi går inte vidare med {title} nu. {note} {next_step}"
message.en = "Hi {first_name}. We won't take {title} further now. {note} {next_step}"
next_step = { sv = "Skriv gärna igen.", en = "Do write again." }
"""


async def test_another_municipalitys_process_works_without_code_changes(
    tmp_path: Path, db, clock, database_url
) -> None:
    path = tmp_path / "lillby.toml"
    path.write_text(OTHER_MUNICIPALITY, encoding="utf-8")
    settings = Settings(
        database_url=database_url, coordinators=frozenset({"console:maria"}), process_path=str(path)
    )
    bot = IdeaBot(db, settings=settings, clock=clock)
    anna = Chat(bot, user="anna", name="Anna")
    maria = Chat(bot, user="maria", name="Maria")
    await submit_idea(anna, "Tryggare tunnlar")
    await run_sweep(bot)
    said = await maria.receives()  # the new idea, in the day's digest, in this process's words
    assert "1 ”Tryggare tunnlar” – ny idé från Anna (Kultur och fritid)" in said
    assert maria.buttons() == ["Visa 1", "Ta 1", "Pausa 1"]
    await maria.says("list ny")
    maria.hears("1. Tryggare tunnlar – Ny i 0 dagar")
    await maria.says("park 1")  # this municipality has no parked stage
    maria.hears("Därifrån kan den gå till: Utredning, Inte nu.")
    await maria.says("advance 1 klar")
    maria.hears("Därifrån kan den gå till: Utredning, Inte nu.")
    await maria.says("advance 1 utredning")
    maria.hears("gick från Ny till Utredning")
    assert await anna.receives() == (
        "Hej Anna! Maria utreder Tryggare tunnlar (nr 1). Besked inom en månad."
    )
    await maria.says("advance 1 inte nu")  # a stage name of two words
    maria.hears("För att avsluta idé 1 behöver jag ett skäl.")
    await maria.says("close 1 Budgeten räcker inte i år.")
    maria.hears("gick från Utredning till Inte nu")
    said = await anna.receives()
    assert said.startswith("Hej Anna. Vi går inte vidare med Tryggare tunnlar nu.")
    assert "Maria skriver: ”Budgeten räcker inte i år.”" in said
    assert "hur nöjd är du" in said
    await maria.says("reopen 1")
    maria.hears("gick från Inte nu till Utredning")
    await maria.says("stats")
    maria.hears("Ny 0, Utredning 1, Klar 0, Inte nu 0", "inom 3 arbetsdagar")
