"""Every text the bot says, looked up in one GNU gettext catalog per language.

The texts live in `conversations/locale/{sv,en}/LC_MESSAGES/idesluss.po`, with symbolic
message ids (`greeting`, `help.title`, `slack.home.title` …): a municipality or a translator
changes the wording there with ordinary tools (Poedit, Weblate, a text editor), no code
change. Placeholders are python-format (`%(title)s`); `%(name)s` always means the reader's
first name, and a text with it has a `.noname` twin for when we don't know the name.
Plurals are real gettext plurals (`msgid_plural`, the Plural-Forms header of each language).

Two lookups: `tr` for a text, `tr_n` for a text that depends on a count. Dates and numbers
shown to a person are formatted by Babel for the person's locale (`format_day`,
`format_number`). A catalog is read from its compiled `.mo` (the build compiles them:
setup.py) or, when there is none or the `.po` is newer, compiled from the `.po` in memory at
first use, so an editable install, a fresh clone and an edited `.po` all work without a
build step.

Klarspråk: short sentences, "du", one question at a time, an example and a way out.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, localcontext
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from types import EllipsisType
from typing import IO, Protocol

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

DEFAULT_LANGUAGE = "sv"
LANGUAGES = ("sv", "en")
DOMAIN = "idesluss"
LOCALE_DIR = Path(__file__).parent / "locale"

# The Babel locale each language is formatted in. English dates follow English as written in
# Sweden (en_SE: 2026-06-15, like the Swedish ones), not the US "6/15/26"; English numbers
# follow plain English (3.5, 1,234).
DATE_LOCALES = {"sv": "sv_SE", "en": "en_SE"}
NUMBER_LOCALES = {"sv": "sv_SE", "en": "en"}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _compiled(po: Path) -> IO[bytes]:
    """The catalog's compiled form: the .mo beside the .po unless the .po is newer (edited
    since the build), else the .po compiled now (about 25 ms; fuzzy entries left out, as
    `pybabel compile` does). Installing a wheel writes both files within moments of each
    other, in no set order: a .po less than two seconds newer than its .mo counts as the same."""
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime + 2 >= po.stat().st_mtime:
        return BytesIO(mo.read_bytes())
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return buffer


@cache
def translations(lang: str) -> gettext.GNUTranslations:
    """The catalog of one language (Swedish if `lang` is not spoken), loaded once."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    return gettext.GNUTranslations(_compiled(po_path(lang)))


def tr(
    lang: str, key: str, /, *, first_name: str | EllipsisType | None = ..., **values: object
) -> str:
    """The text `key` in `lang`, with its placeholders filled in from `values`.

    Pass `first_name` for a text that greets the reader: with a name it fills `%(name)s`,
    without one (None or "") the `.noname` twin is used. A key the catalog lacks raises
    KeyError, never shows the id to a person."""
    if first_name is not ...:
        if first_name:
            values["name"] = first_name
        else:
            key = f"{key}.noname"
    message = translations(lang).gettext(key)
    if message == key:  # gettext's answer for an id it doesn't have
        raise KeyError(key)
    return message % values


def tr_n(lang: str, key: str, count: int, /, **values: object) -> str:
    """The plural text `key` in `lang` for `count` things: the language's plural rule (the
    catalog's Plural-Forms) picks the form; `%(count)s` is the count, formatted by Babel."""
    message = translations(lang).ngettext(key, key, count)
    if message == key:
        raise KeyError(key)
    return message % {"count": _count_text(count, lang), **values}


@lru_cache(maxsize=1024)
def _count_text(count: int, lang: str) -> str:
    # Babel formats a number in tens of microseconds; a list says "i 3 dagar" on every line.
    return format_number(count, lang)


def messages(lang: str) -> dict[str, str | tuple[str, ...]]:
    """Every text of one language as the .po file has it (placeholders unfilled; a plural as
    its forms), for checks and tools."""
    with po_path(lang).open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    out: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if message.id:
            key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            string = message.string
            out[key] = tuple(string) if isinstance(string, (list, tuple)) else string or ""
    return out


def has_text(lang: str, key: str) -> bool:
    """Whether the catalog has `key` (for texts that are optional, such as a command's menu
    line for one place)."""
    return translations(lang).gettext(key) != key


def format_day(day: date, lang: str) -> str:
    """A day as a person in Sweden reads it in `lang` (Babel's short date: 2026-06-15). A
    datetime gives its own day: the caller puts it in Swedish time first."""
    return format_date(day, format="short", locale=DATE_LOCALES.get(lang, "sv_SE"))


def format_weekday(day: date, lang: str) -> str:
    """A day with its weekday, as promises name it: "tisdag 12 augusti" ("Tuesday 12
    August"). The year is left out: a promise is never more than a few months ahead."""
    return format_date(day, format="EEEE d MMMM", locale=DATE_LOCALES.get(lang, "sv_SE"))


def format_number(value: float, lang: str, *, decimals: int | None = None) -> str:
    """A number as `lang` writes it (Babel: 3,5 and 1 234 in Swedish; 3.5 and 1,234 in
    English); with `decimals`, exactly that many digits after the decimal sign, rounded half
    up on the number as written (2.45 → 2,5; 0.35 → 0,4), as a reader rounds."""
    pattern = None if decimals is None else "#,##0." + "0" * decimals if decimals else "#,##0"
    with localcontext(rounding=ROUND_HALF_UP):
        return format_decimal(value, format=pattern, locale=NUMBER_LOCALES.get(lang, "sv_SE"))


def placeholders(text: str) -> set[str]:
    """The named placeholders of a catalog text: `%(title)s` → {"title"}."""
    return set(_PLACEHOLDER.findall(text))


def language_for(locale: str | None) -> str:
    """Map a platform locale such as `sv-SE` or `en-GB` to a language we speak."""
    if not locale:
        return DEFAULT_LANGUAGE
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class SpeaksALanguage(Protocol):
    """What a person row says about their language (storage.models.Person has both)."""

    # Read-only: the language is only read from them (a frozen row will do).
    @property
    def locale(self) -> str | None: ...  # the one they chose (`språk en`)

    @property
    def platform_locale(self) -> str | None: ...  # the one their platform reports


def person_language(person: SpeaksALanguage) -> str:
    """The language we speak with a person: the one they chose, else their platform's.
    The one place this is decided."""
    return person.locale or language_for(person.platform_locale)


def extract_catalog(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str, str | tuple[str, str], list[str]]]:
    """A `pybabel extract` method (babel.cfg): every message of the Swedish catalog, with
    its Swedish text as a comment, so the template (idesluss.pot) holds the ids that the code
    builds at run time too (`help.{step}`, `usage.{command}` …)."""
    catalog = read_po(fileobj)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        function = "ngettext" if message.pluralizable else "gettext"
        ids = message.id if isinstance(message.id, str) else (message.id[0], message.id[1])
        yield message.lineno or 0, function, ids, [f"sv: {s}" for s in strings]
