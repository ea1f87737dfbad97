"""Replies as Teams messages. Pure functions: no server needed."""

from __future__ import annotations

import json

from adapters.teams.render import (
    CARD_BUDGET_BYTES,
    adaptive_card,
    card_size,
    escape_markdown,
    to_activity,
)
from conversations.reply import Attachment, Choice, Fact, Reply


def texts(card: dict) -> list[str]:
    found = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            found.append(element["text"])
        elif element["type"] == "FactSet":
            found += [f["title"] for f in element["facts"]] + [f["value"] for f in element["facts"]]
    return found


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
    title, text, facts = card["body"]
    assert title["weight"] == "Bolder" and text["wrap"] is True
    assert facts["facts"] == [{"title": "Namn", "value": "Tryggare tunnlar"}]
    assert card["actions"] == [
        {"type": "Action.Submit", "title": "Skicka in", "data": {"action": "summary:submit"}},
        {"type": "Action.Submit", "title": "Ändra något", "data": {"action": "summary:edit"}},
    ]


def test_user_text_cannot_become_markdown_a_mention_or_json() -> None:
    hostile = (
        "**Gratis** [klicka här](https://evil.example) _x_ `kod` ~~s~~\n"
        "- lista\n1. nummer\n# rubrik\n> citat\n"
        '<at>Alla</at> "}, {"type": "Action.OpenUrl", "url": "https://evil.example"} \\'
    )
    reply = Reply(hostile, choices=(Choice("a:1", "OK"),), facts=(Fact("Namn", hostile),))
    card = adaptive_card(reply)
    # Still exactly one text block, one fact set and our one button: nothing was injected.
    assert [e["type"] for e in card["body"]] == ["TextBlock", "FactSet"]
    assert card["actions"] == [{"type": "Action.Submit", "title": "OK", "data": {"action": "a:1"}}]
    assert json.loads(json.dumps(card)) == card
    for shown in (card["body"][0]["text"], card["body"][1]["facts"][0]["value"]):
        assert "\\*\\*Gratis\\*\\*" in shown and "\\[klicka här\\]" in shown
        assert "\\_x\\_" in shown and "\\`kod\\`" in shown and "\\~\\~s\\~\\~" in shown
        assert "\n\\- lista" in shown and "\n1\\. nummer" in shown
        assert "\n\\# rubrik" in shown and "\n\\> citat" in shown
        assert "<at>" not in shown and "</at>" not in shown
        assert "<\u2060at>Alla<\u2060/at>" not in shown  # the joiner sits after the slash
        assert "<\u2060at>Alla</\u2060at>" in shown
    plain = to_activity(Reply("<AT>Alla</At> hej")).text
    assert "<AT>" not in plain and "</At>" not in plain


def test_ordinary_text_is_left_alone() -> None:
    text = "Hej Anna! Din idé ”Tryggare tunnlar” har nummer 12. Maria hör av sig inom en vecka."
    assert escape_markdown(text) == text


def test_a_card_over_teams_size_limit_is_cut_down_with_a_marker() -> None:
    long = "å" * 9000  # two bytes each in UTF-8
    reply = Reply(
        "Så här ser din idé ut.",
        choices=(Choice("summary:submit", "Skicka in"),),
        facts=tuple(Fact(f"Fält {n}", long) for n in range(4)),
    )
    card = adaptive_card(reply)
    assert card_size(card) <= CARD_BUDGET_BYTES < 28 * 1024
    values = [f["value"] for f in card["body"][1]["facts"]]
    assert all(v.endswith(" (…)") for v in values if len(v) < 9000)
    assert any(v.endswith(" (…)") for v in values)
    assert card["actions"][0]["data"] == {"action": "summary:submit"}


def test_more_choices_than_teams_shows_become_a_list_with_one_button() -> None:
    choices = tuple(Choice(f"edit_choose:f{n}", f"Fält {n}") for n in range(8))
    card = adaptive_card(Reply("Vad vill du ändra?", choices=choices))
    choice_set = card["body"][-1]
    assert choice_set["type"] == "Input.ChoiceSet" and choice_set["id"] == "action"
    assert [c["value"] for c in choice_set["choices"]] == [c.value for c in choices]
    assert card["actions"] == [{"type": "Action.Submit", "title": "OK"}]


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
