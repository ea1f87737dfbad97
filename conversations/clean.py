"""Text from outside, made safe to store, show and send on: pure functions, no I/O.

What is removed, and why:

- terminal escape sequences (7-bit `ESC [ … m` and their 8-bit C1 forms), whole, so that no
  "[31m" residue is left behind;
- control characters (C0, DEL, C1), NUL included: PostgreSQL refuses NUL in text;
- format characters (Unicode category Cf): bidi overrides and isolates (U+202A–U+202E,
  U+2066–U+2069) and marks, which make text display differently from what is stored;
  zero-width spaces, word joiners, soft hyphens, the BOM, invisible "tag" letters;
- lone surrogates, which cannot be encoded to UTF-8 (a split pair is joined again).

What stays: letters of every script, emoji with their variation selectors, the zero-width
(non-)joiner between two non-ASCII characters (emoji sequences such as 👩‍💻, Persian and Indic
scripts need them; between Latin letters they only hide a word such as "ad\u200dmin"), flag tag
sequences (🏴 + tags + cancel tag), and, in multi-line text, newlines and tabs.
Everything is composed to NFC.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the same as one C1 character
    # OSC (window title, hyperlinks), DCS, SOS, PM, APC strings, up to their terminator;
    # an unterminated one loses only its ESC and introducer (the text after it is kept, as
    # is text after a C1 introducer, which only a few terminals still interpret).
    r"|\x1b[]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"  # other escapes: reset, character sets, keypad modes
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Unicode's format characters (category Cf) but the two joiners, which are judged by their
# neighbours below. Listed rather than looked up per character, so that cleaning is one regex
# pass; a test checks the list against the running Python's Unicode database.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
# A flag such as Scotland's: a black flag, tag letters, a cancel tag. Kept whole.
_FLAG = "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
# A zero-width (non-)joiner that does not stand between two non-ASCII, visible characters.
_GOOD_NEIGHBOUR = r"[^\x00-\x7f\s\u200c\u200d]"
_STRAY_JOINER = re.compile(
    rf"[\u200c\u200d](?!{_GOOD_NEIGHBOUR})|(?<!{_GOOD_NEIGHBOUR})[\u200c\u200d]"
)
_LINE_BREAK = re.compile("\r\n?|[\u2028\u2029\x85]")


@functools.cache
def _unsafe(keep: str) -> re.Pattern[str]:
    controls = "".join(
        re.escape(chr(code)) for code in (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in keep
    )
    return re.compile(f"({_FLAG})|[{controls}{_FORMAT}\ud800-\udfff]")


def _flag_or_nothing(match: re.Match[str]) -> str:
    return match.group(1) or ""


def strip_unsafe(text: str, *, keep: str = "\n\t") -> str:
    """`text` without escape sequences, control, format or surrogate characters (those in
    `keep` excepted), composed to NFC. Line endings (CR LF, CR, U+2028, U+2029, NEL) become
    "\\n" first, so that where `keep` has "\\n" a line break of any kind survives as one."""
    if text.isascii() and text.isprintable():  # most commands and many answers: no work
        return text
    if _SURROGATE.search(text):
        # A pair written as two code points becomes its character; a lone half goes.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    text = _LINE_BREAK.sub("\n", text)
    # Escapes go first: removing the ESC alone would leave "[31m" behind. Composing comes
    # after the removals: a removed control or joiner could have kept letters apart.
    text = _unsafe(keep).sub(_flag_or_nothing, _ESCAPE_SEQUENCE.sub("", text))
    text = unicodedata.normalize("NFC", text)
    if "\u200c" not in text and "\u200d" not in text:
        return text
    return unicodedata.normalize("NFC", _STRAY_JOINER.sub("", text))


def clean_line(text: str | None, *, limit: int | None = None) -> str | None:
    """One line (a name, a button value, an id): safe, whitespace of any kind folded into
    single spaces, trimmed, cut at `limit`. None or nothing left: None."""
    if text is None:
        return None
    cleaned = " ".join(strip_unsafe(text, keep="\t\n").split())
    if limit is not None:
        cleaned = cleaned[:limit].rstrip()
    return cleaned or None


def clean_message(text: str | None) -> str | None:
    """What a person typed, newlines and tabs kept, otherwise as typed (the dialogue and the
    command parser trim and fold it further)."""
    if text is None:
        return None
    return strip_unsafe(text)


def clean_value(value: object, *, depth: int = 0) -> object:
    """A JSON-like value (a platform address) with every string in it made safe: no NUL or
    lone surrogate can reach a JSON column (PostgreSQL's JSONB and its `->>` refuse
    "\\u0000"). Nesting deeper than any address is cut off."""
    if isinstance(value, str):
        return strip_unsafe(value, keep="")
    if depth >= 20:
        return None
    if isinstance(value, dict):
        return {
            str(clean_value(str(key), depth=depth + 1)): clean_value(item, depth=depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_value(item, depth=depth + 1) for item in value]
    return value


def clean_address(address: object) -> dict[str, Any] | None:
    """A platform address (a JSON object) with every string in it made safe; anything that
    is not an object is no address."""
    if not isinstance(address, dict):
        return None
    cleaned = clean_value(address)
    return cleaned if isinstance(cleaned, dict) else None


def shorten(text: str, limit: int, *, one_line: bool = False) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when cut. `one_line`: runs
    of whitespace (newlines too) become one space first."""
    if one_line:
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# A work e-mail address as platforms give it and admins write it: no display name, no
# comment, no quoted local part; a domain with at least one dot. 320: persons.email.
MAX_EMAIL = 320
_EMAIL = re.compile(r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9-]+(\.[a-z0-9-]+)+")


def clean_email(value: object) -> str | None:
    """The address, trimmed and in lower case, or None when it is not the shape of one (a
    platform's odd value is dropped, never stored half-cleaned)."""
    if not isinstance(value, str):
        return None
    address = value.strip().lower()
    if len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address) or ".." in address:
        return None
    if len(address.partition("@")[0]) > 64:  # RFC 5321's limit on the local part
        return None
    return address
