"""Replies as Teams messages. Pure functions: no server needed."""

from __future__ import annotations

import json

from adapters.teams.render import (
    CARD_BUDGET_BYTES,
    WORD_JOINER,
    adaptive_card,
    card_size,
    to_activity,
)
from conversations.reply import Attachment, Choice, Fact, Reply


def lines(card: dict) -> list[str]:
    """Each line the card shows, as the person reads it; "" between paragraphs."""
    shown: list[str] = []
    for element in card["body"]:
        if element["type"] != "RichTextBlock":
            continue
        if shown and element.get("spacing") != "None":
            shown.append("")
        shown.append("".join(run["text"] for run in element["inlines"]).replace(WORD_JOINER, ""))
    return shown


def runs(card: dict) -> list[dict]:
    return [run for e in card["body"] if e["type"] == "RichTextBlock" for run in e["inlines"]]


def test_a_reply_without_buttons_or_facts_is_plain_text() -> None:
    activity = to_activity(Reply("Tack, Anna!", title="Idé 12"))
    assert activity.attachments is None
    assert activity.text == "Idé 12\n\nTack, Anna!" and activity.text_format == "plain"


def test_buttons_and_facts_become_an_adaptive_card_1_5() -> None:
    reply = Reply(
        "Så här ser din idé ut.",
        choices=(Choice("summary:submit", "Skicka in"), Choice("summary:edit", "Ändra något")),
        facts=(Fact("Namn", "Tryggare tunnlar"),),
        title="Sammanfattning",
    )
    activity = to_activity(reply)
    (attachment,) = activity.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    card = attachment.content
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    title, text, fact = card["body"]
    assert title["inlines"] == [
        {"type": "TextRun", "text": "Sammanfattning", "weight": "Bolder", "size": "Medium"}
    ]
    assert text["inlines"] == [{"type": "TextRun", "text": "Så här ser din idé ut."}]
    # The label is the bot's own emphasis; the value follows it on the same line.
    assert fact["inlines"] == [
        {"type": "TextRun", "text": "Namn:", "weight": "Bolder"},
        {"type": "TextRun", "text": " Tryggare tunnlar"},
    ]
    assert card["actions"] == [
        {"type": "Action.Submit", "title": "Skicka in", "data": {"action": "summary:submit"}},
        {"type": "Action.Submit", "title": "Ändra något", "data": {"action": "summary:edit"}},
    ]


def test_every_line_is_a_block_of_its_own_and_paragraphs_keep_their_gap() -> None:
    # A single \n inside a TextBlock or a fact does not break the line in Teams.
    reply = Reply(
        "Ny idé 12: Tryggare tunnlar\nFrån Anna, Förskolan Solrosen\n\n\nLiknande: inga",
        choices=(Choice("a:1", "Ta den"),),
        facts=(Fact("Historik", "2026-06-15 Anna: skickade in idén\n2026-06-16 Maria: tog den"),),
    )
    card = adaptive_card(reply)
    assert [e["type"] for e in card["body"]] == ["RichTextBlock"] * 6
    assert [e.get("spacing") for e in card["body"]] == [None, "None", None, None, "None", "None"]
    assert lines(card) == [
        "Ny idé 12: Tryggare tunnlar",
        "Från Anna, Förskolan Solrosen",
        "",
        "Liknande: inga",
        "",
        "Historik:",
        "2026-06-15 Anna: skickade in idén",
        "2026-06-16 Maria: tog den",
    ]
    assert not any("\n" in run["text"] for run in runs(card))


def test_user_text_cannot_become_markdown_a_mention_or_json() -> None:
    hostile = (
        "**Gratis** [klicka här](https://evil.example) _x_ `kod` ~~s~~\n"
        "- lista\n1. nummer\n# rubrik\n> citat\n"
        '<at>Alla</at> "}, {"type": "Action.OpenUrl", "url": "https://evil.example"} \\'
    )
    reply = Reply(hostile, choices=(Choice("a:1", "OK"),), facts=(Fact("Namn", hostile),))
    card = adaptive_card(reply)
    # Only lines of text and our one button: nothing was injected, nothing is markdown.
    assert {e["type"] for e in card["body"]} == {"RichTextBlock"}
    assert {run["type"] for run in runs(card)} == {"TextRun"}
    assert card["actions"] == [{"type": "Action.Submit", "title": "OK", "data": {"action": "a:1"}}]
    assert json.loads(json.dumps(card)) == card
    written = hostile.split("\n")
    shown = lines(card)
    # As typed, with no escapes added: a TextRun is never read as markdown.
    assert shown[: len(written)] == written
    assert shown[len(written) + 1 :] == ["Namn:", *written]
    mentions = [run["text"] for run in runs(card) if "at>" in run["text"]]
    assert len(mentions) == 2
    for text in mentions:
        assert "<at>" not in text and "</at>" not in text
        assert "<\u2060at>Alla</\u2060at>" in text  # the joiner sits after the slash
    plain = to_activity(Reply("<AT>Alla</At> hej")).text
    assert "<AT>" not in plain and "</At>" not in plain


def test_ordinary_text_is_left_alone() -> None:
    text = "Hej Anna! Din idé ”Tryggare tunnlar” har nummer 12. Maria hör av sig inom en vecka."
    card = adaptive_card(Reply(text, choices=(Choice("a:1", "OK"),)))
    assert lines(card) == [text]


def test_a_card_over_teams_size_limit_is_cut_down_with_a_marker() -> None:
    long = "å" * 9000  # two bytes each in UTF-8
    reply = Reply(
        "Så här ser din idé ut.",
        choices=(Choice("summary:submit", "Skicka in"),),
        facts=tuple(Fact(f"Fält {n}", long) for n in range(4)),
    )
    card = adaptive_card(reply)
    assert card_size(card) <= CARD_BUDGET_BYTES < 28 * 1024
    values = [e["inlines"][1]["text"] for e in card["body"][1:]]
    assert all(v.endswith(" (…)") for v in values if len(v) < 9000)
    assert any(v.endswith(" (…)") for v in values)
    assert card["actions"][0]["data"] == {"action": "summary:submit"}


def test_many_short_lines_are_cut_down_too() -> None:
    # Each line is a block of its own, so lines weigh more than their characters.
    many = "\n".join(f"2026-06-{n % 28 + 1:02} Maria: flyttade idén" for n in range(900))
    reply = Reply(many, choices=(Choice("a:1", "OK"),), facts=(Fact("Historik", many),))
    card = adaptive_card(reply)
    assert card_size(card) <= CARD_BUDGET_BYTES
    assert lines(card)[-1].endswith(" (…)")


def test_more_choices_than_teams_shows_become_a_list_with_one_button() -> None:
    choices = tuple(Choice(f"edit_choose:f{n}", f"Fält {n}") for n in range(8))
    card = adaptive_card(Reply("Vad vill du ändra?", choices=choices))
    choice_set = card["body"][-1]
    assert choice_set["type"] == "Input.ChoiceSet" and choice_set["id"] == "action"
    assert [c["value"] for c in choice_set["choices"]] == [c.value for c in choices]
    assert card["actions"] == [{"type": "Action.Submit", "title": "OK"}]


def test_the_choice_list_has_a_label_and_an_error_message_in_the_persons_language() -> None:
    choices = tuple(Choice(f"edit_choose:f{n}", f"Field {n}") for n in range(8))
    english = adaptive_card(Reply("What do you want to change?", choices=choices, lang="en"))
    swedish = adaptive_card(Reply("Vad vill du ändra?", choices=choices))  # the default
    assert english["body"][-1]["isRequired"] is True
    assert english["body"][-1]["label"] == "Choose one"
    assert english["body"][-1]["errorMessage"] == "Choose one of the options, then press OK."
    assert swedish["body"][-1]["label"] == "Välj ett alternativ"
    assert swedish["body"][-1]["errorMessage"] == "Välj ett av alternativen och tryck sedan på OK."


def test_replies_that_do_not_fit_one_card_are_not_combined() -> None:
    from adapters.teams.render import one_activity

    many = [
        Reply(f"Fråga {n}", choices=(Choice(f"q{n}:a", "A"), Choice(f"q{n}:b", "B")))
        for n in range(3)
    ]
    assert one_activity(many) is None  # six buttons: sent one message each
    huge = [Reply("x", facts=(Fact("Fält", "å" * 9000),)) for _ in range(3)]
    assert one_activity(huge) is None
    assert one_activity([Reply("Hej")]).text == "Hej"


def test_a_file_that_reaches_the_renderer_is_not_sent_as_a_broken_upload() -> None:
    # The core replaces files with a note for platforms that cannot carry them; should one
    # reach the renderer anyway, no file consent card or upload is attempted.
    export = Reply(
        "Here are all 3 ideas with their history.",
        attachments=(Attachment("idesluss-2026-06-15.csv", "text/csv", b"id;title\n"),),
    )
    activity = to_activity(export)
    assert activity.attachments is None
    assert activity.text == "Here are all 3 ideas with their history."
