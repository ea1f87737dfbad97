"""Outside text made safe (conversations/clean.py) and a delivery cleaned where it enters the
core (bot/incoming.py): what goes, what stays, and that cleaning twice changes nothing."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.incoming import Incoming, cleaned, unusable_user_id
from conversations import clean
from conversations.clean import clean_line, clean_message, clean_value, strip_unsafe

SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


def unsafe(text: str, keep: str = "\n\t") -> list[str]:
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if ch not in keep
        and unicodedata.category(ch) in ("Cc", "Cf", "Cs")
        # joiners between two non-ASCII characters, and a flag's tags, are meant to stay
        and ch not in "\u200c\u200d"
        and not ("\U000e0020" <= ch <= "\U000e007f")
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain ascii", "plain ascii"),
        (
            "rad ett\r\nrad två\rrad tre\u2028fyra\u2029fem\x85sex",
            "rad ett\nrad två\nrad tre\nfyra\nfem\nsex",
        ),
        ("tabb\tkvar", "tabb\tkvar"),
        ("\x1b[1;31mröd\x1b[0m", "röd"),
        ("\x9b2Jrensad", "rensad"),  # the 8-bit CSI, parameters and all
        ("\x1b]0;titel\x07text", "text"),
        ("\x1b]8;;https://evil.example\x1b\\länk\x1b]8;;\x1b\\", "länk"),
        ("\x1bPq#0;2;0;0;0\x1b\\bild", "bild"),  # DCS (sixel)
        ("\x1b]0;aldrig avslutad", "0;aldrig avslutad"),  # unterminated: only the ESC] goes
        ("\x9dtitel\x9c", "titel"),  # C1 controls go, the text between stays
        ("a\x00b\x07c\x7fd\x80e\x9ff", "abcdef"),
        ("\u202egnirts\u202c \u2066iso\u2069 \u200eltr\u200f", "gnirts iso ltr"),
        ("ad\u200dmin och ad\u200cmin", "admin och admin"),  # a joiner hiding a Latin word
        ("\u200d👩\u200d💻\u200d", "👩\u200d💻"),  # stray joiners at the ends go
        ("👩\u200d\u200d💻", "👩💻"),  # a doubled joiner is no emoji sequence
        ("کتابخانه\u200cها", "کتابخانه\u200cها"),
        ("नमस्\u200dते", "नमस्\u200dते"),
        ("❤️ 👍🏽 🇸🇪", "❤️ 👍🏽 🇸🇪"),  # variation selector, skin tone, regional flags
        (SCOTLAND, SCOTLAND),
        ("dold\U000e0041\U000e0042\U000e007f text", "dold text"),  # tags outside a flag
        ("mjuk\u00adhet\u2060\ufeff\u200b", "mjukhet"),
        ("lone \ud800 half \udfff", "lone  half "),
        ("pair \ud83d\ude00", "pair 😀"),  # a pair as two code points becomes its character
        ("e\x00\u0301", "é"),  # composed once the control between them is gone
        ("e\u200d\u0301", "é"),
        ("e\x1b[0m\u0301", "é"),  # the escape goes whole, not composed into
        (unicodedata.normalize("NFD", "Åsa Öberg"), "Åsa Öberg"),
        ("\u212b", "Å"),  # NFC
    ],
)
def test_strip_unsafe(raw: str, expected: str) -> None:
    assert strip_unsafe(raw) == expected
    assert strip_unsafe(expected) == expected


def test_every_format_character_is_known() -> None:
    """The list of format characters in clean.py holds every Cf character of this Python's
    Unicode database (a newer Python may add some: then this fails and says which)."""
    missing = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Cf"
        and chr(code) not in "\u200c\u200d"
        and not re.fullmatch(f"[{clean._FORMAT}]", chr(code))
    ]
    assert missing == []


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text(
            alphabet=st.sampled_from(
                [
                    *"em0[];\\ \n\r\t\x00\x1b\x07\x9b\x9c\x85",
                    *["\u0301", "\u200d", "\u200c", "\u202e", "\u2028", "\ufeff", "\ud800"],
                    *[
                        "\udc00",
                        "🏴",
                        "\U000e0067",
                        "\U000e007f",
                        "👩",
                        "ک",
                        "\u212b",
                        "\u212a",
                        "K",
                    ],
                ]
            ),
            max_size=30,
        ),
    )
)
def test_cleaning_is_stable_and_leaves_nothing_unsafe(raw: str) -> None:
    once = strip_unsafe(raw)
    assert strip_unsafe(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert not unsafe(once)
    once.encode("utf-8")  # no lone surrogate left
    line = clean_line(raw)
    assert line is None or (clean_line(line) == line and "\n" not in line and not unsafe(line))


def test_clean_line_folds_and_cuts() -> None:
    assert clean_line("  Anna \t\n  Andersson\u2028 ") == "Anna Andersson"
    assert clean_line("\x00\u202e  ") is None
    assert clean_line(None) is None
    assert clean_line("Å" * 10 + " B", limit=11) == "Å" * 10


def test_clean_message_keeps_what_was_typed() -> None:
    assert clean_message(None) is None
    assert clean_message("  två  mellanslag \n\n\n") == "  två  mellanslag \n\n\n"


def test_clean_value_cleans_every_string_of_an_address() -> None:
    address = {"a\x00": ["b\x00", {"c": "d\ud800"}], "n": 1, "t": True, "none": None}
    assert clean_value(address) == {"a": ["b", {"c": "d"}], "n": 1, "t": True, "none": None}
    deep: object = "x\x00"
    for _ in range(50):
        deep = [deep]
    flat = clean_value(deep)
    for _ in range(20):
        flat = flat[0]
    assert flat is None  # nesting no address has is cut off, not recursed into


def test_a_delivery_is_cleaned_field_by_field() -> None:
    incoming = cleaned(
        Incoming(
            platform="slack",
            user_id="U0ANNA",
            text="note 1\x00 Ring\x1b[31m\r\nigen",
            action="title:\u202eja",
            display_name=" Anna\x07 " + "B" * 300,
            locale="sv-SE;\x00DROP",
            language="en\u202e",
            address={"channel": "D0\x00"},
            event_id="Ev\x001",
        )
    )
    assert incoming.text == "note 1 Ring\nigen"
    assert incoming.action == "title:ja"
    assert incoming.display_name == "Anna " + "B" * 195
    assert incoming.locale == "sv-SEDROP"
    assert incoming.language == "en"
    assert incoming.address == {"channel": "D0"}
    assert incoming.event_id == "Ev1"
    assert incoming.user_id == "U0ANNA"  # never changed: see unusable_user_id


@pytest.mark.parametrize(
    ("user_id", "problem"),
    [
        ("U024BE7LH", None),
        ("29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bPbpsGvYmaJ_ATkg", None),
        ("anna", None),
        ("U" * 255, None),
        ("U" * 256, "too long"),
        ("", "empty"),
        (" \t", "empty"),
        (None, "empty"),
        ("U0\x00", "unsafe characters"),
        ("U0\u202e", "unsafe characters"),
        ("U0\ud800", "unsafe characters"),
        (" U0", "unsafe characters"),
        ("U0\nU1", "unsafe characters"),
    ],
)
def test_unusable_user_ids(user_id, problem) -> None:
    assert unusable_user_id(user_id) == problem
