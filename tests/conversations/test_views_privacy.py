"""The privacy commands' answers rendered from view data: `mina uppgifter`, `gdpr`,
`glöm mig` and `anonym`."""

from __future__ import annotations

from dataclasses import replace

from conversations.reply import Attachment
from conversations.views.privacy import (
    Anonymity,
    Erased,
    ForgetAnswer,
    ForgetQuestion,
    GdprRefused,
    PersonalData,
    PersonalSummary,
    UnknownPerson,
    anonymity_choice,
    anonymity_reply,
    erased_reply,
    forget_answer_reply,
    forget_question_reply,
    gdpr_refused_reply,
    personal_data_reply,
    unknown_person_reply,
)

FILE = Attachment("mina-uppgifter-2026-06-15.json", "application/json", b"{}")
ANNA = PersonalSummary(
    display_name="Anna Svensson",
    platform="slack",
    platform_user_id="U1",
    language=None,
    platform_locale="sv-SE",
    workplace=None,
    ideas=((4, "Tunnlar"),),
    idea_in_progress=True,
    messages=2,
    satisfaction_answers=1,
    coordinator=False,
)


def test_your_own_data_in_short_with_the_file() -> None:
    reply = personal_data_reply("sv", PersonalData(ANNA, FILE))
    assert reply.title == "Det här har jag sparat om dig"
    assert "mina-uppgifter-2026-06-15.json" in reply.text
    # What the file is, in a sentence, for the platform that shares it.
    assert reply.attachments == (replace(FILE, description="Här är allt jag har sparat om dig."),)
    assert [(f.label, f.value) for f in reply.facts] == [
        ("Namn", "Anna Svensson"),
        ("Plattform och användar-id", "slack: U1"),
        ("Språk", "Som i sv-SE"),
        ("Arbetsplats", "–"),
        ("Idéer", "4 Tunnlar"),
        ("Påbörjad idé", "Ja"),
        ("Meddelanden till dig", "2 st"),
        ("Svar om nöjdhet", "1 st"),
        ("Idéslussare", "Nej"),
    ]


def test_someone_elses_data_with_nothing_in_it() -> None:
    nobody = PersonalSummary(None, "msteams", "29:x", "en", None, "Skola", (), False, 0, 0, True)
    reply = personal_data_reply("en", PersonalData(nobody, FILE, person="Anna"))
    assert reply.title == "Data about Anna"
    assert reply.text.startswith("The full record about Anna is in the file mina-uppgifter")
    [file] = reply.attachments
    assert file.description == "Here is everything stored about Anna. This export is logged."
    facts = {f.label: f.value for f in reply.facts}
    assert facts["Name"] == "–" and facts["Ideas"] == "–" and facts["Language"] == "en"
    assert facts["Coordinator"] == "Yes" and facts["Messages to you"] == "0"


def test_forget_me_asks_with_two_buttons_and_answers() -> None:
    question = ForgetQuestion("Person 7", confirm="privacy:forget:abc", keep="privacy:keep")
    reply = forget_question_reply("en", question)
    assert "“Person 7”" in reply.text and reply.text.endswith("Do you want me to forget you?")
    assert [(c.value, c.label) for c in reply.choices] == [
        ("privacy:forget:abc", "Yes, forget me"),
        ("privacy:keep", "No, keep it"),
    ]
    assert [c.label for c in forget_question_reply("sv", question).choices] == [
        "Ja, glöm mig",
        "Nej, behåll",
    ]
    assert forget_answer_reply("sv", ForgetAnswer("kept")).text.startswith("Då sparar jag allt")
    assert forget_answer_reply("en", ForgetAnswer("stale")).text.startswith(
        "That question is too old."
    )
    assert "as Person 7," in forget_answer_reply("en", ForgetAnswer("done", "Person 7")).text


def test_gdpr_refusals_unknown_people_and_erasure() -> None:
    assert gdpr_refused_reply("sv", GdprRefused("erase")).text.startswith(
        "Bara en administratör kan radera"
    )
    assert gdpr_refused_reply("en", GdprRefused("export")).text == (
        "Only coordinators and admins can export another person's data."
    )
    assert unknown_person_reply("sv", UnknownPerson("slack:U9")).text == (
        "Jag har inga uppgifter om slack:U9."
    )
    assert erased_reply("en", Erased("Anna", "Person 7", 2)).text == (
        "Done. Anna is now Person 7 and can no longer be linked to their data "
        "(2 ideas stay without a name). The erasure is logged."
    )


def test_anonymity_on_off_and_not_yours() -> None:
    assert anonymity_reply("sv", Anonymity(None)).text.startswith(
        "Du kan bara välja det för dina egna idéer."
    )
    assert "”anonym 4 av”" in anonymity_reply("sv", Anonymity(4)).text
    assert anonymity_reply("en", Anonymity(4, hidden=False)).text == (
        "Done. Your name on idea 4 is shown again to those who assess it."
    )
    choice = anonymity_choice("en", "privacy:anon:4")
    assert (choice.value, choice.label) == ("privacy:anon:4", "Hide my name from assessors")
