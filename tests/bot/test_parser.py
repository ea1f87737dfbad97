"""The one command parser: words in both languages, with or without /idea, and any text at
all gives a command or an explanation, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.handlers import (
    AdvanceArgs,
    AssignArgs,
    CoordinatorArgs,
    ExportArgs,
    IdeaArgs,
    ListArgs,
    MessageArgs,
    ReasonArgs,
    ReferArgs,
    SnoozeArgs,
    StatsArgs,
    Unsure,
)
from bot.commands.parser import (
    PHRASES,
    WORDS,
    Command,
    ParseError,
    looks_like_command,
    parse,
    strip_prefix,
)
from bot.commands.syntax import STAGE_TYPO_CUTOFF, StageGuess, guess_stage
from bot.periods import PeriodWords
from bot.process import load_process
from conversations.i18n import tr

PROCESS = load_process()


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/idea help", Command("help")),
        ("hjälp", Command("help")),
        ("/idea", Command("help")),
        ("MINA", Command("mine")),
        ("/idea list", Command("list", ListArgs())),
        (
            "lista bedömning --otilldelade",
            Command("list", ListArgs(stage="assessment", flags=frozenset({"unassigned"}))),
        ),
        (
            "list Testing --mine",
            Command("list", ListArgs(stage="testing", flags=frozenset({"mine"}))),
        ),
        ("show 12", Command("show", IdeaArgs(idea=12))),
        ("visa #12", Command("show", IdeaArgs(idea=12))),
        ("visa nr 12", Command("show", IdeaArgs(idea=12))),
        ("assign 12 me", Command("assign", AssignArgs(idea=12, target="me"))),
        ("tilldela 12 mig", Command("assign", AssignArgs(idea=12, target="me"))),
        (
            "assign 12 <@U024BE7LH|anna>",
            Command("assign", AssignArgs(idea=12, target="@U024BE7LH")),
        ),
        ("assign 12 @maria", Command("assign", AssignArgs(idea=12, target="@maria"))),
        (
            "assign 12 msteams:29:1abc",
            Command("assign", AssignArgs(idea=12, target="msteams:29:1abc")),
        ),
        ("advance 12", Command("advance", AdvanceArgs(idea=12))),
        (
            "flytta 12 prövas Bra jobbat!",
            Command("advance", AdvanceArgs(idea=12, stage="testing", text="Bra jobbat!")),
        ),
        ("advance 12 Great work!", Command("advance", AdvanceArgs(idea=12, text="Great work!"))),
        (
            "/idea advance 12 development Next: a pilot.\nSee you!",
            Command(
                "advance",
                AdvanceArgs(idea=12, stage="development", text="Next: a pilot.\nSee you!"),
            ),
        ),
        ("park 3", Command("park", MessageArgs(idea=3))),
        ("parkera 3 Vi väntar.", Command("park", MessageArgs(idea=3, text="Vi väntar."))),
        (
            'refer 4 "Tekniska förvaltningen" De äger frågan.',
            Command(
                "refer", ReferArgs(idea=4, target="Tekniska förvaltningen", text="De äger frågan.")
            ),
        ),
        ("hänvisa 4 ”Region Skåne”", Command("refer", ReferArgs(idea=4, target="Region Skåne"))),
        ("refer 4 Trafikverket", Command("refer", ReferArgs(idea=4, target="Trafikverket"))),
        ("close 5 Finns redan.", Command("close", ReasonArgs(idea=5, text="Finns redan."))),
        ("avsluta 5 Finns redan.", Command("close", ReasonArgs(idea=5, text="Finns redan."))),
        ("återöppna 5", Command("reopen", MessageArgs(idea=5))),
        ("note 6 ring Kalle", Command("note", ReasonArgs(idea=6, text="ring Kalle"))),
        ("statistik", Command("stats", StatsArgs())),
        ("statistik 2026", Command("stats", StatsArgs(PeriodWords(2026)))),
        ("stats January", Command("stats", StatsArgs(PeriodWords(month=1)))),
        ("statistik mars 2025", Command("stats", StatsArgs(PeriodWords(2025, 3)))),
        ("statistik 2026-03", Command("stats", StatsArgs(PeriodWords(2026, 3)))),
        (
            "statistik förra månaden",
            Command("stats", StatsArgs(PeriodWords(relative="last_month"))),
        ),
        ("stats last year", Command("stats", StatsArgs(PeriodWords(relative="last_year")))),
        ("export", Command("export", ExportArgs(format="csv"))),
        ("exportera CSV", Command("export", ExportArgs(format="csv"))),
        ("coordinator list", Command("coordinator", CoordinatorArgs(action="list"))),
        (
            "idéslussare lägg till slack:U1",
            Command("coordinator", CoordinatorArgs(action="add", target="slack:U1")),
        ),
        (
            "coordinator remove @lars",
            Command("coordinator", CoordinatorArgs(action="remove", target="@lars")),
        ),
        ("snooze 7 5", Command("snooze", SnoozeArgs(idea=7, days=5))),
        (
            "pausa 7 5 dagar Väntar på IT",
            Command("snooze", SnoozeArgs(idea=7, days=5, text="Väntar på IT")),
        ),
        (
            "snooze 7 2 working days budget",
            Command("snooze", SnoozeArgs(idea=7, days=2, text="budget")),
        ),
        ("snooze 7 1 day", Command("snooze", SnoozeArgs(idea=7, days=1))),
        ("utkorg", Command("outbox")),
        ("/idea outbox", Command("outbox")),
    ],
)
def test_commands_in_both_languages(text: str, command: Command) -> None:
    assert parse(text, PROCESS) == command


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("frobnicate", "parse.unknown_command"),
        ("show", "parse.needs_number"),
        ("show twelve", "parse.bad_number"),
        ("show -1", "parse.bad_number"),
        ("show ١٢", "parse.bad_number"),  # Arabic-Indic digits are digits, but not ours
        ("show 0", "parse.bad_number"),
        ("show 2147483648", "parse.bad_number"),
        ("assign 1 everyone", "parse.needs_person"),
        ("close 1", "parse.needs_reason"),
        ("refer 1", "parse.needs_where"),
        ("note 1", "parse.needs_note"),
        ("list 1", "parse.list_word"),
        ("export xlsx", "parse.export_format"),
        ("coordinator hug @x", "parse.coordinator_action"),
        ("coordinator add", "parse.needs_person"),
        ("coordinator add me", "parse.needs_person"),
        ("mine please", "parse.extra_words"),
    ],
)
def test_malformed_commands_are_explained(text: str, key: str) -> None:
    result = parse(text, PROCESS)
    assert isinstance(result, ParseError) and result.key == key, result


@pytest.mark.parametrize(
    ("text", "args"),
    [
        # A stage, exactly, in either language: moved there, the rest is the message.
        ("flytta 2 prövas Bra jobbat", AdvanceArgs(2, stage="testing", text="Bra jobbat")),
        ("advance 2 Testing", AdvanceArgs(2, stage="testing")),
        # Back to where it came from; the rest is the message.
        ("flytta 2 tillbaka", AdvanceArgs(2, back=True)),
        ("advance 2 back Sorry, my mistake.", AdvanceArgs(2, back=True, text="Sorry, my mistake.")),
        ("flytta 2 bakåt", AdvanceArgs(2, back=True)),
        # A stage misspelt: nothing moves before the coordinator says yes.
        (
            "flytta 2 testning",
            AdvanceArgs(
                2, text="testning", unsure=Unsure("testning", StageGuess("testing", "testning", ""))
            ),
        ),
        (
            "flytta 2 testning Bra jobbat",
            AdvanceArgs(
                2,
                text="testning Bra jobbat",
                unsure=Unsure(
                    "testning Bra jobbat", StageGuess("testing", "testning", "Bra jobbat")
                ),
            ),
        ),
        # One or two bare words: asked what they mean.
        ("advance 2 pilot", AdvanceArgs(2, text="pilot", unsure=Unsure("pilot"))),
        ("flytta 2 nästa steg", AdvanceArgs(2, text="nästa steg", unsure=Unsure("nästa steg"))),
        ("advance 2 Great work", AdvanceArgs(2, text="Great work", unsure=Unsure("Great work"))),
        # A sentence, or a message in quotes: the message, with the next stage.
        (
            "advance 2 Bra idé, vi tittar på den!",
            AdvanceArgs(2, text="Bra idé, vi tittar på den!"),
        ),
        ("flytta 2 Tack!", AdvanceArgs(2, text="Tack!")),
        ("flytta 2 ”pilot”", AdvanceArgs(2, text="pilot")),
        ('advance 2 "prövas"', AdvanceArgs(2, text="prövas")),
        (
            "flytta 2 Jag läser din idé den här veckan",
            AdvanceArgs(2, text=("Jag läser din idé den här veckan")),
        ),
    ],
)
def test_what_follows_the_number_of_a_move(text: str, args: AdvanceArgs) -> None:
    assert parse(text, PROCESS) == Command("advance", args)


@pytest.mark.parametrize(
    ("word", "stage"),
    [
        ("testning", "testing"),  # the one seen in the chat: Swedish for testing, not Prövas
        ("bedömnig", "assessment"),
        ("bedomning", "assessment"),
        ("prövs", "testing"),
        ("provas", "testing"),
        ("parkerad", "parked"),  # parked's Swedish name is Vilande, its id is close
        ("vilade", "parked"),
        ("inkomen", "submitted"),
        ("avslutat", "closed"),
        ("utvecklig", "development"),
        ("assesment", "assessment"),
        ("implmented", "implemented"),
        ("Testning.", "testing"),
    ],
)
def test_a_misspelt_stage_is_guessed(word: str, stage: str) -> None:
    guess = guess_stage(word, PROCESS)
    assert guess is not None and guess.stage == stage, guess


@pytest.mark.parametrize(
    "word",
    # Words a message to the idea giver starts with, and words too far from any stage:
    # "parkera" is the command, "test" and "inkom" are a word short.
    ["pilot", "parkera", "test", "inkom", "vi", "din", "bra", "tack", "hej", "jag", "nu",
     "great", "thanks", "we", "the", "nästa", "toppen", "grattis", "tyvärr", "välkommen"],
)  # fmt: skip
def test_other_words_are_no_stage(word: str) -> None:
    assert guess_stage(word, PROCESS) is None
    assert guess_stage(f"{word} och mer text här.", PROCESS) is None


def test_the_cutoff_sits_between_typos_and_ordinary_words() -> None:
    from rapidfuzz import fuzz

    assert fuzz.ratio("inkom", "inkommen") < STAGE_TYPO_CUTOFF < fuzz.ratio("provas", "prövas")


def test_the_prefix_is_optional_and_only_a_whole_word() -> None:
    assert strip_prefix("/idea list") == (" list", True)
    assert strip_prefix("/IDEA list")[1]
    assert strip_prefix("/ideas list") == ("/ideas list", False)
    assert looks_like_command("/idea whatever")
    assert looks_like_command("Visa 3")
    assert not looks_like_command("Tryggare tunnlar")
    assert not looks_like_command("")


def test_every_command_word_is_unique() -> None:
    seen: dict[str, str] = {}
    for name, words in WORDS.items():
        for word in words:
            assert word not in seen, f"{word!r} means both {seen[word]} and {name}"
            seen[word] = name


command_like = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda prefix, word, rest: f"{prefix}{word} {rest}",
        st.sampled_from(["", "/idea ", "/IDEA  ", " "]),
        st.sampled_from([*(w for words in WORDS.values() for w in words), *PHRASES]),
        st.text(
            alphabet=st.sampled_from(list("0123456789 #@<>|:\"”'-abcåäöXYZ\n\t\u200b")), max_size=40
        ),
    ),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_like)
def test_any_text_gives_a_command_or_an_explanation(text: str) -> None:
    result = parse(text, PROCESS)
    assert isinstance(result, Command | ParseError)
    if isinstance(result, ParseError):
        for lang in ("sv", "en"):
            assert tr(lang, result.key, **result.values)  # every error has words to say it
            if result.command:
                assert tr(lang, f"usage.{result.command}")
    else:
        idea, stage = getattr(result.args, "idea", None), getattr(result.args, "stage", None)
        assert idea is None or 1 <= idea <= 2_147_483_647
        assert stage is None or stage in PROCESS.stages
