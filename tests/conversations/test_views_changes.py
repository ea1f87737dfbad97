"""The answers to a coordinator's changes and overviews, rendered from view data: the moves,
`tilldela`, `notera`, `pausa`, `statistik`, `exportera`, `idéslussare` and `utkorg`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from conversations.reply import Attachment
from conversations.views.admin import (
    CoordinatorChanged,
    CoordinatorList,
    Exported,
    OutboxFailure,
    OutboxView,
    StatsView,
    coordinator_changed_reply,
    coordinator_list_reply,
    exported_reply,
    outbox_reply,
    stats_reply,
)
from conversations.views.moves import (
    Assigned,
    Moved,
    MoveRefused,
    Noted,
    Snoozed,
    SnoozeFinished,
    assigned_reply,
    move_refused_reply,
    moved_reply,
    noted_reply,
    snoozed_reply,
)

JUNE = datetime(2026, 6, 15, 9, 30)


@pytest.mark.parametrize(
    ("why", "sv", "en"),
    [
        ("nowhere", "Idé 4 är i steget Ny, och därifrån går den inte att flytta.",
         "Idea 4 is at the stage Ny, and it can't be moved from there."),
        ("choose", "Idé 4 är i steget Ny. Skriv vilket steg den ska till: Bedömning, Parkerad.",
         "Idea 4 is at the stage Ny. Write which stage it should go to: Bedömning, Parkerad."),
        ("not_allowed", "Idé 4 är i steget Ny. Därifrån kan den gå till: Bedömning, Parkerad.",
         "Idea 4 is at the stage Ny. From there it can go to: Bedömning, Parkerad."),
        ("needs_reason", "För att avsluta idé 4 behöver jag ett skäl. Skriv: avsluta 4 skälet",
         "To close idea 4 I need a reason. Write: close 4 the reason"),
        ("needs_where", "Skriv vart idé 4 hänvisas: hänvisa 4 ”enheten” [meddelande]",
         "Write where idea 4 is referred: refer 4 “the unit” [message]"),
        ("not_reopenable", "Idé 4 är i steget Ny och behöver inte återöppnas.",
         "Idea 4 is at the stage Ny and doesn't need reopening."),
    ],
)  # fmt: skip
def test_a_move_that_is_not_made_says_why(why: str, sv: str, en: str) -> None:
    view = MoveRefused(why, 4, "Ny", ("Bedömning", "Parkerad"))
    assert move_refused_reply("sv", view).text == sv
    assert move_refused_reply("en", view).text == en


def test_a_move_made_names_the_giver_or_calls_them_the_idea_giver() -> None:
    assert moved_reply("sv", Moved(4, "Tunnlar", "Ny", "Bedömning", "Anna")).text == (
        "Klart: idé 4 ”Tunnlar” gick från Ny till Bedömning. Anna får ett meddelande om det."
    )
    assert moved_reply("en", Moved(4, "Tunnlar", "New", "Assessment", None)).text == (
        "Done: idea 4 “Tunnlar” went from New to Assessment. Idea giver gets a message about it."
    )


def test_assign_done_same_and_not_a_coordinator() -> None:
    assert assigned_reply("sv", Assigned("done", 4, "Tunnlar", "Maria")).text == (
        "Klart: Maria tar hand om idé 4 ”Tunnlar”."
    )
    assert assigned_reply("en", Assigned("same", 4, "Tunnlar", "Maria")).text == (
        "Maria is already taking care of idea 4."
    )
    assert assigned_reply("en", Assigned("not_coordinator", 4, "Tunnlar", "slack:U9")).text == (
        "slack:U9 is not a coordinator, so I can't give them the idea."
    )


def test_note_and_snooze() -> None:
    assert noted_reply("en", Noted(4)).text == (
        "The note is saved on idea 4. Only coordinators see it."
    )
    assert snoozed_reply("sv", SnoozeFinished(4, "Avslutad")).text == (
        "Idé 4 är i steget Avslutad, som inte har några påminnelser att pausa."
    )
    one = snoozed_reply("sv", Snoozed(4, "Tunnlar", 1, JUNE)).text
    assert one.startswith("Klart: inga påminnelser om idé 4 ”Tunnlar” på 1 arbetsdag. ")
    assert "De börjar igen 2026-06-15." in one
    five = snoozed_reply("en", Snoozed(4, "Tunnlar", 5, JUNE)).text
    assert five.startswith("Done: no reminders about idea 4 “Tunnlar” for 5 working days. ")


def test_stats_with_numbers_in_each_language() -> None:
    view = StatsView(
        per_stage=(("Ny", 2), ("Bedömning", 1)),
        per_workplace=((None, 1), ("Skola", 2)),
        medians=(("Ny", 2.5),),
        answer_due=4,
        answered_in_time=3,
        first_response_days=5,
        satisfaction=((5, 2), (3, 1)),
        per_administration=((None, 1), ("Förskoleförvaltningen", 2)),
    )
    reply = stats_reply("sv", view)
    assert reply.title == "Statistik" and reply.text == ""
    assert [(f.label, f.value) for f in reply.facts] == [
        ("Idéer totalt", "3"),
        ("Per steg", "Ny 2, Bedömning 1"),
        ("Per förvaltning", "Förskoleförvaltningen 2, okänd 1"),  # the unknown last
        ("Per arbetsplats (de tio största)", "(ingen arbetsplats) 1, Skola 2"),
        ("Median dagar per steg", "Ny 2,5"),
        ("Fick svar i tid", "75 % (3 av 4) hörde av oss inom 5 arbetsdagar"),
        ("Nöjdhet", "medel 4,3 av 5 (3 svar) – 1: 0 · 2: 0 · 3: 1 · 4: 0 · 5: 2"),
    ]
    english = {f.label: f.value for f in stats_reply("en", view).facts}
    assert english["Median days per stage"] == "Ny 2.5"
    assert english["Satisfaction"].startswith("mean 4.3 of 5 (3 answers)")


def test_stats_with_no_ideas_yet() -> None:
    view = StatsView((("Ny", 0),), (), (), 0, 0, 5, ())
    assert [f.value for f in stats_reply("sv", view).facts] == [
        "0", "Ny 0", "–", "–", "–", "–", "–",
    ]  # fmt: skip


def test_stats_say_which_period_they_cover() -> None:
    view = StatsView((("Ny", 0),), (), (), 0, 0, 5, (), period=(2026, 1))
    assert stats_reply("sv", view).title == "Statistik för januari 2026"
    assert stats_reply("en", view).title == "Statistics for January 2026"
    assert stats_reply("en", replace(view, period=(2025, None))).title == "Statistics for 2025"
    assert "came in during the period" in stats_reply("en", view).text


def test_the_export_answer_carries_the_file() -> None:
    file = Attachment("idesluss-2026-06-15.csv", "text/csv", b"x")
    reply = exported_reply("sv", Exported(3, file))
    assert reply.text == "Här är alla 3 idéer med sin historik."
    # The same words go with the file where a platform shares it (a Slack upload's comment).
    assert reply.attachments == (replace(file, description=reply.text),)
    assert (
        exported_reply("en", Exported(3, file)).text == "Here are all 3 ideas with their history."
    )


def test_the_coordinators_listed_and_changed() -> None:
    assert coordinator_list_reply("sv", CoordinatorList((), ())).text == (
        "Det finns inga idéslussare än."
    )
    assert coordinator_list_reply("en", CoordinatorList(("slack:U1",), ("slack:U2",))).text == (
        "Coordinators: slack:U1 (from IDESLUSS_COORDINATORS), slack:U2"
    )
    said = {
        outcome: coordinator_changed_reply("en", CoordinatorChanged(outcome, "slack:U2")).text
        for outcome in ("added", "already", "removed", "from_settings", "not_found")
    }
    assert said["added"] == "Done: slack:U2 is now a coordinator."
    assert said["already"] == "slack:U2 is already a coordinator."
    assert said["removed"] == "Done: slack:U2 is no longer a coordinator."
    assert "IDESLUSS_COORDINATORS" in said["from_settings"]
    assert said["not_found"] == "slack:U2 is not in the list of coordinators."
    assert coordinator_changed_reply("sv", CoordinatorChanged("added", "slack:U2")).text == (
        "Klart: slack:U2 är nu idéslussare."
    )


def test_the_outbox_without_and_with_failures() -> None:
    counts = {"pending": 1, "sent": 2, "failed": 1, "withdrawn": 3}
    assert outbox_reply("sv", OutboxView(counts, ())).text == (
        "Utkorgen: 1 väntar, 2 skickade, 1 gick inte fram, 3 stoppade.\n"
        "Inga meddelanden har misslyckats."
    )
    failures = (
        OutboxFailure(9, "reminder", 4, 3, None),
        OutboxFailure(10, "news", None, 1, "x" * 300),
    )
    lines = outbox_reply("en", OutboxView(counts, failures)).text.split("\n")
    assert lines[1] == "Latest failures:"
    assert lines[2] == "• message 9 (reminder, idea 4), 3 attempts: no error recorded"
    assert lines[3].startswith("• message 10 (news), 1 attempts: xxx")
    assert lines[3].endswith("x…") and lines[3].count("x") == 199  # a long error is cut
