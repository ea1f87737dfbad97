"""`lista` and `visa` rendered from view data: a view in, the words out, in both languages."""

from __future__ import annotations

from datetime import datetime

import pytest

from conversations.views.common import (
    IdeaNotFound,
    NotACommand,
    Refused,
    not_a_command_reply,
    not_found_reply,
    refused_reply,
)
from conversations.views.ideas import (
    MAX_HISTORY_LINES,
    HistoryEntry,
    ListLine,
    ListView,
    ShowView,
    list_reply,
    show_reply,
)

JUNE = datetime(2026, 6, 15, 9, 30)


def test_the_shared_answers() -> None:
    assert not_found_reply("sv", IdeaNotFound(7)).text == "Jag hittar ingen idé med nummer 7."
    assert not_found_reply("en", IdeaNotFound(7, yours=True)).text == (
        "I can't find an idea with number 7 among your ideas."
    )
    assert refused_reply("sv", Refused("admin")).text == "Det där kan bara en administratör göra."
    assert refused_reply("en", Refused("coordinator")).text.startswith(
        "Only coordinators can do that."
    )
    said = not_a_command_reply("en", NotACommand("parse.needs_days", {}, "snooze")).text
    assert said.endswith("\nLike this: snooze 12 5 [reason] (working days)")
    assert "\n" not in not_a_command_reply("sv", NotACommand("parse.needs_days")).text


def test_an_empty_queue() -> None:
    assert list_reply("sv", ListView(0, ())).text == "Inga idéer väntar här just nu."
    assert list_reply("en", ListView(0, ())).text == "No ideas are waiting here right now."


def test_one_idea_nobody_has_taken() -> None:
    view = ListView(1, (ListLine(3, "Tunnlar", "Bedömning", 1, None),))
    assert list_reply("sv", view).text == "1 idé:\n3. Tunnlar – Bedömning i 1 dag – ingen ännu"
    assert list_reply("en", view).text == "1 idea:\n3. Tunnlar – Bedömning for 1 day – nobody yet"


def test_a_queue_longer_than_the_list_says_how_many_more() -> None:
    view = ListView(22, (ListLine(3, "Tunnlar", "Assessment", 4, "Maria"),))
    assert list_reply("en", view).text == (
        "22 ideas, oldest first:\n"
        "3. Tunnlar – Assessment for 4 days – Maria\n"
        "… and 21 more. Narrow it down with a stage, for example: list assessment"
    )
    assert list_reply("sv", view).text.startswith("22 idéer, äldst först:\n")
    assert "… och 21 till." in list_reply("sv", view).text


def _idea(**changes: object) -> ShowView:
    values: dict = dict(
        number=4,
        title="Tunnlar",
        stage="Bedömning",
        giver="Anna",
        anonymous=False,
        workplace=None,
        assignee=None,
        submitted=JUNE,
        need="Mörkt",
        description="Lampor",
        benefit="Tryggare",
        first_test=None,
        involved="IT",
        participate=True,
        satisfaction=None,
        history=(HistoryEntry("submitted", JUNE, "Anna"),),
    )
    values.update(changes)
    return ShowView(**values)


def _facts(lang: str, view: ShowView) -> dict[str, str]:
    return {fact.label: fact.value for fact in show_reply(lang, view).facts}


def test_an_idea_as_its_giver_sees_it() -> None:
    reply = show_reply("sv", _idea())
    assert reply.title == "Idé 4: Tunnlar"
    facts = _facts("sv", _idea())
    assert list(facts) == [
        "Steg", "Idégivare", "Arbetsplats", "Ansvarig", "Inkom", "Behov", "Så fungerar den",
        "Nytta", "Första test", "Vilka behöver vara med", "Vill vara med och pröva", "Historik",
    ]  # fmt: skip
    assert facts["Idégivare"] == "Anna"
    assert facts["Arbetsplats"] == "(inte ifyllt)"
    assert facts["Ansvarig"] == "ingen ännu"
    assert facts["Inkom"] == "2026-06-15"
    assert facts["Historik"] == "2026-06-15 Anna: skickade in idén"
    english = _facts("en", _idea())
    assert english["Assigned to"] == "nobody yet"
    assert english["History"] == "2026-06-15 Anna: submitted the idea"


def test_an_idea_with_notes_for_a_coordinator_and_without_them_for_its_giver() -> None:
    note = HistoryEntry("note", JUNE, "Maria", text="Ring Anna")
    coordinator = _facts("en", _idea(notes=(note,), similar=((2, "Ljus"),), satisfaction=4))
    assert coordinator["Notes"] == "2026-06-15 Maria: Ring Anna"
    assert coordinator["Similar ideas"] == "2 Ljus"
    assert coordinator["Satisfaction"] == "4 of 5"
    assert list(coordinator)[-1] == "Notes"
    giver = _facts("en", _idea())  # the handler gives a giver no notes and no similar ideas
    assert "Notes" not in giver and "Similar ideas" not in giver and "Satisfaction" not in giver
    assert _facts("sv", _idea(similar=()))["Liknande idéer"] == "inga"


def test_an_anonymous_giver_is_marked_and_an_unknown_one_named_so() -> None:
    assert _facts("sv", _idea(anonymous=True))["Idégivare"] == "Anna (dolt för bedömare)"
    assert _facts("en", _idea(anonymous=True))["Idea giver"] == "Anna (hidden from assessors)"
    assert _facts("en", _idea(giver=None))["Idea giver"] == "unknown"


def test_every_kind_of_history_line() -> None:
    history = (
        HistoryEntry("stage", JUNE, None, "Ny", "Hänvisad", where="IT", text="hej"),
        HistoryEntry("stage", JUNE, "Maria", None, "Ny"),
        HistoryEntry("assigned", JUNE, "Maria", person=None),
        HistoryEntry("satisfaction", JUNE, "Anna", score=4),
        HistoryEntry("satisfaction_comment", JUNE, "Anna"),
        HistoryEntry("snoozed", JUNE, "Maria", until=datetime(2026, 6, 22), text="semester"),
        HistoryEntry("anonymous", JUNE, "Anna"),  # not one the history tells of
    )
    assert _facts("sv", _idea(history=history))["Historik"].split("\n") == [
        "2026-06-15 okänd: Ny → Hänvisad (IT) – ”hej”",
        "2026-06-15 Maria: – → Ny",
        "2026-06-15 Maria: gav idén till ?",
        "2026-06-15 Anna: svarade 4 av 5 på nöjdhetsfrågan",
        "2026-06-15 Anna: lämnade en kommentar om hanteringen",
        "2026-06-15 Maria: pausade påminnelserna till 2026-06-22 – ”semester”",
    ]
    assert _facts("en", _idea(history=history[-2:-1]))["History"] == (
        "2026-06-15 Maria: paused the reminders until 2026-06-22 – “semester”"
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_long_history_is_cut_to_the_latest_lines(lang: str) -> None:
    history = tuple(
        HistoryEntry("assigned", datetime(2026, 1, 1 + n % 28), "Maria", person=f"P{n}")
        for n in range(MAX_HISTORY_LINES + 5)
    )
    lines = list(_facts(lang, _idea(history=history)).values())[-1].split("\n")
    assert len(lines) == MAX_HISTORY_LINES + 1
    assert lines[0] == "…"
    assert lines[1].endswith(" P5") and lines[-1].endswith(f" P{MAX_HISTORY_LINES + 4}")
    exact = tuple(history[:MAX_HISTORY_LINES])
    assert "…" not in list(_facts(lang, _idea(history=exact)).values())[-1]
