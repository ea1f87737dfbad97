"""The words of the relay, in both languages, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.views.relay import (
    GiverMessageSent,
    GiverWrote,
    giver_message_sent_reply,
    giver_wrote_reply,
    since,
    waiting_value,
)

TUESDAY = date(2026, 6, 16)


@pytest.mark.parametrize(
    ("lang", "moment", "said"),
    [
        ("sv", TUESDAY, "i dag"),
        ("sv", date(2026, 6, 15), "i går"),
        ("sv", date(2026, 6, 11), "i torsdags"),
        ("sv", date(2026, 6, 1), "den 1 juni"),
        ("en", date(2026, 6, 11), "Thursday"),
        ("en", date(2026, 6, 1), "1 June"),
    ],
)
def test_since_is_said_as_people_say_it(lang: str, moment: date, said: str) -> None:
    assert since(lang, moment, TUESDAY) == said


def test_waiting_names_the_giver_or_says_who_they_are() -> None:
    assert waiting_value("sv", "Anna", TUESDAY, TUESDAY) == "Anna väntar på svar sedan i dag"
    assert waiting_value("en", None, TUESDAY, TUESDAY).startswith("The idea giver has been")


def test_the_notice_without_a_name_and_the_confirmation_in_english() -> None:
    notice = giver_wrote_reply(
        "sv", GiverWrote(None, 3, "Kaffe", "Inkommen", "Hej?", "cmd:message:3", "cmd:show:3")
    )
    assert notice.text.startswith("Idégivaren skriver om idé 3 ”Kaffe” (Inkommen): ”Hej?”")
    assert [c.label for c in notice.choices] == ["Svara idégivaren", "Visa idén"]
    sent = giver_message_sent_reply(
        "en", GiverMessageSent("John", 2, "Bikes", ("Maria Berg",), TUESDAY, closed=False)
    )
    assert sent.text.startswith(
        "Thank you, John! I have sent it to Maria Berg, who looks after your idea “Bikes”. "
        "Maria Berg will answer you here by Tuesday 16 June at the latest."
    )
    nobody = giver_message_sent_reply(
        "sv", GiverMessageSent(None, 2, "Cyklar", (), None, closed=True)
    )
    assert nobody.text.startswith("Tack! Jag har sparat det med din idé ”Cyklar”.")
    assert "Din idé är avslutad" in nobody.text


def test_an_idea_nobody_has_is_not_said_to_be_in_someones_hands() -> None:
    """The one coordinator here gets the words, but the idea is not theirs: no "who looks
    after your idea" that is not true."""
    unassigned = GiverMessageSent(
        "Anna", 2, "Cyklar", ("Maria",), TUESDAY, closed=False, assigned=False
    )
    sent = giver_message_sent_reply("sv", unassigned)
    assert sent.text.startswith(
        "Tack, Anna! Jag har skickat det till Maria, tillsammans med din idé ”Cyklar”. "
        "Maria svarar dig här senast tisdag 16 juni."
    )
    assert "har hand om" not in sent.text
    english = giver_message_sent_reply("en", unassigned)
    assert "who looks after" not in english.text and "together with your idea" in english.text
