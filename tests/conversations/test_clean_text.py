"""What a person typed, normalised before anything is checked or stored."""

from __future__ import annotations

import unicodedata

import pytest

from conversations.intake import clean_text


@pytest.mark.parametrize(
    ("raw", "single_line", "cleaned"),
    [
        (None, False, ""),
        ("", True, ""),
        ("  hej  ", True, "hej"),
        ("a\r\nb\rc", False, "a\nb\nc"),
        ("a\n\n\n\n\nb", False, "a\n\nb"),
        ("a\nb", True, "a b"),
        ("a\u2028b\u2029c", False, "a\nb\nc"),
        ("a\tb", True, "a b"),
        ("\x1b[1;31mröd\x1b[0m", True, "röd"),
        ("\x1b]8;;https://evil.example\x1b\\länk\x1b]8;;\x1b\\", True, "länk"),
        ("\x1bcrensa", True, "rensa"),
        ("noll\x00byte", True, "nollbyte"),
        ("\u202egnirts\u202c", True, "gnirts"),
        ("\u200bosynlig", True, "osynlig"),
        ("👩\u200d💻 och کتابخانه\u200cها", True, "👩\u200d💻 och کتابخانه\u200cها"),
        ("❤️", True, "❤️"),  # the variation selector stays
        ("e\x00\u0301", True, "é"),  # composed after the control character is gone
        ("e\x1b[0m\u0301", True, "é"),  # the escape is removed whole, not composed into
    ],
)
def test_clean_text(raw, single_line, cleaned) -> None:
    assert clean_text(raw, single_line=single_line) == cleaned


def test_clean_text_composes_letters() -> None:
    assert clean_text(unicodedata.normalize("NFD", "Åsa Öberg")) == "Åsa Öberg"


def test_clean_text_leaves_nothing_a_terminal_would_interpret() -> None:
    nasty = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u202a\u202b\u202d\u2066\u2067\u2068"
    cleaned = clean_text(nasty)
    assert not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in cleaned)
    assert not set(cleaned) & set("\u202a\u202b\u202d\u2066\u2067\u2068")
