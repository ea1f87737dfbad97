"""Cards built from what people really write (markdown-looking characters, lists, mentions,
emoji, answers over several lines) show exactly that text, line for line, and Microsoft's
Adaptive Cards library reads them as valid 1.5 cards without a single warning.

The library check runs `cards/check.js` under Node with the `adaptivecards` package
(`npm ci --prefix tests/adapters/teams/cards`; CI does it); without it only that test is
skipped, the structural checks still run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.teams.render import WORD_JOINER, adaptive_card, card_size, one_activity
from conversations.reply import Choice, Fact, Reply
from conversations.views.ideas import HistoryEntry, ShowView, show_reply

CHECKER = Path(__file__).parent / "cards"
JUNE = datetime(2026, 6, 15, 9, 30)

# As people type them in Teams (Swedish and English), each a trap for a markdown renderer.
USER_TEXTS = {
    "asterisks": "Sätt upp skyltar vid *alla* entréer, inte bara **huvudentrén**",
    "underscores": "Spara mallarna i G:\\Gemensamt\\_Mallar och döp dem som ny_mall_2026",
    "numbered list": "Tre saker:\n1. Fler bänkar\n2. Bättre belysning\n3) Papperskorgar",
    "bullets": "- punkt ett\n* punkt två\n+ punkt tre",
    "heading": "# Förslag\nVi borde ha en tydligare rubrik på intranätet",
    "quote": "> ”Det är för mörkt i tunneln” – brukarundersökningen 2025",
    "link": "Se [intranätet](https://intranat.kommun.se/cykel) eller https://x.se/a_b_c",
    "mention": "<at>Alla</at> på förskolan borde få veta, säg till <AT>Maria</AT>",
    "emoji": "Mer grönt på kontoret 🌱🌿 och en kaffemaskin ☕️ 👩🏽‍🏫",
    "paragraphs": "Första stycket.\nSamma stycke, ny rad.\n\nAndra stycket.\n\n\n\nTredje.",
    "windows line ends": "rad ett\r\nrad två\r\n\r\nnytt stycke",
    "markdown hard break": "två mellanslag i slutet  \nnästa rad\\\nbakstreck i slutet",
    "already escaped": "\\*redan escapad\\* och 1\\. och \\_x\\_",
    "code and strike": "`kod` ~~struken~~ __dunder__ ___trippel___",
    "html": "Pris: 5 * 3 = 15 kr & <b>fet</b> <br> &amp; &lt;",
    "table pipes": "| a | b |\n|---|---|\n| 1 | 2 |",
    "numbers": "2026. Det året. 12) tolv 1.5 liter",
}


def shown_lines(card: dict[str, Any]) -> list[str]:
    """The lines the card shows, as the person reads them; "" between paragraphs."""
    lines: list[str] = []
    for element in card["body"]:
        if element["type"] == "Input.ChoiceSet":
            continue
        assert element["type"] == "RichTextBlock", element  # never markdown
        assert {run["type"] for run in element["inlines"]} == {"TextRun"}
        if lines and element.get("spacing") != "None":
            lines.append("")
        lines.append("".join(run["text"] for run in element["inlines"]).replace(WORD_JOINER, ""))
    return lines


def written_lines(text: str) -> list[str]:
    """What the person wrote, as lines; "" between paragraphs (an oracle independent of the
    renderer: blank edges gone, runs of blank lines one gap)."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            lines.append(line)
        elif lines and lines[-1] != "":
            lines.append("")
    return lines[:-1] if lines and lines[-1] == "" else lines


def cards_for(text: str) -> dict[str, dict[str, Any]]:
    """The text wherever user text goes into a card: a question's reply, a fact (`show`, the
    summary), a title, a list of more choices than Teams shows as buttons."""
    buttons = (Choice("a:yes", "Ja"), Choice("a:no", "Nej"))
    many = tuple(Choice(f"edit_choose:f{n}", f"Fält {n}") for n in range(8))
    return {
        "text": adaptive_card(Reply(text, choices=buttons)),
        "fact": adaptive_card(Reply("Så här ser din idé ut.", facts=(Fact("Beskrivning", text),))),
        "title": adaptive_card(Reply("Vad vill du göra?", title=text, choices=buttons)),
        "list": adaptive_card(Reply(text, choices=many, lang="sv")),
    }


@pytest.mark.parametrize("text", USER_TEXTS.values(), ids=USER_TEXTS.keys())
def test_user_text_shows_as_written_line_for_line(text: str) -> None:
    cards = cards_for(text)
    expected = written_lines(text)
    assert shown_lines(cards["text"]) == expected
    assert shown_lines(cards["list"]) == expected
    assert shown_lines(cards["title"])[: len(expected)] == expected
    fact = shown_lines(cards["fact"])[2:]  # after "Så här ser din idé ut." and its gap
    if len(expected) == 1:
        assert fact == [f"Beskrivning: {expected[0]}"]
    else:
        assert fact == ["Beskrivning:", *expected]
    for card in cards.values():
        assert card["version"] == "1.5" and card_size(card) < 28 * 1024
        runs = [run["text"] for e in card["body"] for run in e.get("inlines", ())]
        assert not any("\n" in run or "\r" in run for run in runs)
        assert not any(re.search(r"<at>", run, re.IGNORECASE) for run in runs)


def real_cards() -> dict[str, dict[str, Any]]:
    """The cards that went wrong most often, from the views that make them."""
    history = (
        HistoryEntry("submitted", JUNE, "Anna Andersson"),
        HistoryEntry("assigned", JUNE, "Maria Lind", person="Maria Lind"),
        HistoryEntry("stage", JUNE, "Maria Lind", from_stage="Ny", to_stage="Bedömning"),
        HistoryEntry("note", JUNE, "Maria Lind", text="Ring *Gatukontoret*\n1. om lampor"),
    )
    view = ShowView(
        number=12,
        title="Tryggare *tunnlar* under_vägen",
        stage="Bedömning",
        giver="Anna Andersson",
        anonymous=False,
        workplace="Förskolan Solrosen",
        assignee="Maria Lind",
        submitted=JUNE,
        need="Många är rädda i tunnlarna:\n1. på kvällen\n2. på vintern",
        description="# Lampor\n> och konst\n\nSe [skissen](https://x.se) 🌙",
        benefit="Fler går till fots",
        first_test=None,
        involved="<at>Gatukontoret</at>",
        participate=True,
        satisfaction=None,
        history=history,
    )
    new_idea = Reply(
        "Ny idé 12: ”Tryggare *tunnlar*” från Anna Andersson, Förskolan_Solrosen.\n"
        "Liknande idéer: 3 ”Ljus i tunneln”; 7 ”Konst under bron”",
        choices=(Choice("assign:12:me", "Jag tar den"), Choice("advance:12:b", "Till bedömning")),
    )
    return {
        "show (sv)": adaptive_card(show_reply("sv", view)),
        "show (en)": adaptive_card(show_reply("en", view)),
        "new idea notice": adaptive_card(new_idea),
    }


def test_shows_history_and_the_new_idea_notice_break_their_lines() -> None:
    cards = real_cards()
    show = shown_lines(cards["show (sv)"])
    history = show[show.index("Historik:") + 1 :]
    assert history[:3] == [
        "2026-06-15 Anna Andersson: skickade in idén",
        "2026-06-15 Maria Lind: gav idén till Maria Lind",
        "2026-06-15 Maria Lind: Ny → Bedömning",
    ]
    assert "1. på kvällen" in show and "# Lampor" in show and "> och konst" in show
    assert shown_lines(cards["new idea notice"]) == [
        "Ny idé 12: ”Tryggare *tunnlar*” från Anna Andersson, Förskolan_Solrosen.",
        "Liknande idéer: 3 ”Ljus i tunneln”; 7 ”Konst under bron”",
    ]


def every_card() -> dict[str, dict[str, Any]]:
    cards = {
        f"{kind} / {name}": card
        for name, text in USER_TEXTS.items()
        for kind, card in cards_for(text).items()
    }
    cards.update(real_cards())
    combined = one_activity(
        [
            Reply("Påminnelse om idé 12", choices=(Choice("a:1", "Visa"),)),
            Reply(USER_TEXTS["emoji"]),
        ]
    )
    assert combined is not None and combined.attachments
    cards["combined proactive message"] = combined.attachments[0].content
    return cards


def run_checker(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (CHECKER / "node_modules" / "adaptivecards").is_dir():
        if os.environ.get("CI"):
            pytest.fail("Microsoft's adaptivecards library is not installed (.ci/run does it)")
        pytest.skip(
            "Microsoft's adaptivecards library is not installed: "
            "npm ci --prefix tests/adapters/teams/cards"
        )
    done = subprocess.run(
        [node, str(CHECKER / "check.js")],
        input=json.dumps(cards),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    checked: list[dict[str, Any]] = json.loads(done.stdout)
    return checked


def test_microsofts_adaptive_cards_library_reads_every_card_without_a_warning() -> None:
    cards = every_card()
    results = run_checker(list(cards.values()))
    for (name, card), seen in zip(cards.items(), results, strict=True):
        assert seen["version"] == "1.5", name
        assert seen["events"] == [], f"{name}: {seen['events']}"
        # The library keeps every element and every run's text as we wrote it.
        assert [e["type"] for e in seen["elements"]] == [e["type"] for e in card["body"]], name
        for element, ours in zip(seen["elements"], card["body"], strict=True):
            if ours["type"] == "RichTextBlock":
                assert element["inlines"] == [
                    {"type": "TextRun", "text": run["text"]} for run in ours["inlines"]
                ], name
            elif ours["type"] == "Input.ChoiceSet":
                assert element["label"] and element["errorMessage"], name


def test_the_checker_does_warn_about_what_teams_renders_badly() -> None:
    """The check can fail: a required list without label or error message, an element
    Adaptive Cards 1.5 does not know are reported."""
    unlabelled = adaptive_card(
        Reply("Vad?", choices=tuple(Choice(f"e:{n}", str(n)) for n in range(8)))
    )
    del unlabelled["body"][-1]["label"], unlabelled["body"][-1]["errorMessage"]
    unknown = {**unlabelled, "body": [{"type": "Bogus"}]}
    (labels, elements) = run_checker([unlabelled, unknown])
    assert any(e.startswith("RequiredInputsShouldHaveLabel") for e in labels["events"])
    assert any(e.startswith("RequiredInputsShouldHaveErrorMessage") for e in labels["events"])
    assert any(e.startswith("UnknownElementType") for e in elements["events"])
