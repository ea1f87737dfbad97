"""The text catalogs (conversations/locale/{sv,en}/LC_MESSAGES/idesluss.po) pass Babel's
checks, compile, and hold every id the code asks for.

Message ids are symbolic (`greeting`), so Babel's python-format checker has no placeholders
on the msgid side to compare with; here it compares each Swedish text with the English one
(and back), which is what a translator breaks when a placeholder is lost or misspelt."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.checkers import python_format
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from conversations.i18n import LANGUAGES, po_path, tr, tr_n

ROOT = Path(__file__).resolve().parents[2]


def _catalog(lang: str) -> Catalog:
    with po_path(lang).open("rb") as source:
        return read_po(source, locale=lang)


CATALOGS = {lang: _catalog(lang) for lang in LANGUAGES}


def _entries(lang: str) -> dict[str, tuple[set[str], str]]:
    """Each entry's flags as the file writes them (Babel drops `python-format` on reading
    a message whose id has no placeholders) and its msgid."""
    out = {}
    for block in po_path(lang).read_text(encoding="utf-8").split("\n\n"):
        found = re.search(r'^msgid "(.*)"$', block, re.MULTILINE)
        if found and found.group(1):
            flags = re.findall(r"^#, (.*)$", block, re.MULTILINE)
            out[found.group(1)] = ({f.strip() for line in flags for f in line.split(",")}, block)
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalog_passes_babels_checks_and_compiles(lang: str) -> None:
    catalog = CATALOGS[lang]
    problems = [(m.id, e) for m, errors in catalog.check() for e in errors]
    assert problems == []
    assert catalog.num_plurals == 2 and catalog.plural_expr == "(n != 1)"
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    assert len(read_mo(compiled)) == len(catalog)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_nothing_is_fuzzy_or_missing(lang: str) -> None:
    catalog = CATALOGS[lang]
    assert not catalog.fuzzy
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{message.id} is fuzzy"
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms), f"{message.id} has no translation in {lang}"
    assert not list(catalog.obsolete), "obsolete entries (#~) left in the catalog"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_with_a_placeholder_is_flagged_python_format(lang: str) -> None:
    for key, (flags, block) in _entries(lang).items():
        has = "%(" in block.split("msgstr", 1)[1] or "%%" in block.split("msgstr", 1)[1]
        assert ("python-format" in flags) == has, key


def _as_source(text: str | tuple[str, ...], other: str | tuple[str, ...]) -> Message:
    """A message whose id is one language's text and whose translation is the other's,
    so that Babel's python-format checker can compare their placeholders."""
    message = Message(text, other)
    message.flags.add("python-format")
    return message


def test_swedish_and_english_agree_on_placeholders_by_babels_checker() -> None:
    sv, en = CATALOGS["sv"], CATALOGS["en"]
    assert {m.id for m in sv if m.id} == {m.id for m in en if m.id}
    for message in sv:
        if not message.id:
            continue
        theirs = en[message.id].string
        ours = message.string
        for a, b in ((ours, theirs), (theirs, ours)):
            pairs = zip(a, b, strict=True) if isinstance(a, tuple) else [(a, b)]
            for source, translation in pairs:
                python_format(None, _as_source(source, translation))  # raises on a mismatch


def test_the_checker_catches_a_misspelt_placeholder() -> None:
    from babel.messages.catalog import TranslationError

    with pytest.raises(TranslationError):
        python_format(None, _as_source("Tack, %(name)s!", "Thanks, %(nmae)s!"))


def test_every_id_the_code_asks_for_is_in_the_catalog() -> None:
    """Extracted as `pybabel extract -F babel.cfg` does (tr and tr_n, second argument)."""
    keywords = {"tr": (2,), "tr_n": (2,)}
    ids = CATALOGS["sv"]
    asked = []
    for package in ("bot", "conversations", "adapters"):
        for _, _lineno, message, _, _ in extract_from_dir(
            ROOT / package, [("**.py", "python")], keywords=keywords
        ):
            asked.append(message if isinstance(message, str) else message[0])
    assert len(set(asked)) > 150
    assert sorted({key for key in asked if key not in ids}) == []


def test_plural_forms_follow_each_language() -> None:
    assert tr_n("sv", "days", 1) == "1 dag" and tr_n("sv", "days", 2) == "2 dagar"
    assert tr_n("sv", "days", 0) == "0 dagar"
    assert tr_n("en", "workdays", 1) == "1 working day"
    assert tr_n("en", "workdays", 5) == "5 working days"
    assert tr_n("sv", "list.intro", 1) == "1 idé:"
    assert tr_n("en", "list.intro", 3) == "3 ideas, oldest first:"


def test_a_missing_id_is_an_error_not_a_text() -> None:
    with pytest.raises(KeyError):
        tr("sv", "no.such.text")
    with pytest.raises(KeyError):
        tr_n("en", "no.such.plural", 2)


def test_an_edited_po_is_read_without_a_build(tmp_path, monkeypatch) -> None:
    """A municipality edits the Swedish wording in the .po; no .mo, no code change."""
    from conversations import i18n

    folder = tmp_path / "sv" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    text = po_path("sv").read_text(encoding="utf-8")
    text = text.replace('msgstr "Ja"', 'msgstr "Javisst"', 1)
    (folder / "idesluss.po").write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert tr("sv", "value.yes") == "Javisst"
    finally:
        i18n.translations.cache_clear()


def test_dates_and_numbers_are_formatted_by_babel_for_each_locale() -> None:
    from datetime import date

    from conversations.i18n import format_day, format_number

    assert format_day(date(2026, 6, 15), "sv") == "2026-06-15"
    assert format_day(date(2026, 6, 15), "en") == "2026-06-15"  # English as written in Sweden
    assert format_number(3.25, "sv", decimals=1) == "3,3"
    assert format_number(3.25, "en", decimals=1) == "3.3"
    assert format_number(2.0, "sv", decimals=1) == "2,0"
    assert format_number(12345, "sv") == "12\xa0345" and format_number(12345, "en") == "12,345"
    assert tr_n("sv", "days", 1500) == "1\xa0500 dagar"
