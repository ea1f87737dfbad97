"""The municipality's organisation (administrations and their units, with what people write
for them), read from a TOML file and checked at start-up like the process file.

`bot/organisation.toml` is the shipped example; another municipality points
IDESLUSS_ORGANISATION at its own. Every problem is an `OrganisationError` naming the file, the
key, the line and what is wrong. Matching workplaces is pure: conversations/workplaces.py.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.toml_files import read_toml
from conversations.workplaces import Administration, Organisation, Place, normalise
from storage.database import Database
from storage.organisation import place_workplace, unplaced_workplaces

log = logging.getLogger(__name__)

DEFAULT_ORGANISATION_PATH = Path(__file__).with_name("organisation.toml")
# The database's columns ideas.administration and ideas.unit (migration 0006).
MAX_NAME = 120
_ADMIN_KEYS = {"name", "aliases", "units"}
_UNIT_KEYS = {"name", "aliases"}


class OrganisationError(Exception):
    """The organisation file cannot be used; the message says where and why."""


def load_organisation(path: str | Path | None = None) -> Organisation:
    """Read and check an organisation file (the shipped example when `path` is None)."""
    file, raw_text, data = read_toml(
        path, default=DEFAULT_ORGANISATION_PATH, what="organisation file", error=OrganisationError
    )
    return _Checker(file, raw_text).organisation(data)


@cache
def default_organisation() -> Organisation:
    return load_organisation(None)


class _Checker:
    def __init__(self, file: Path, raw_text: str) -> None:
        self.file = file
        self.raw_text = raw_text
        # Every name and alias, normalised → where it was first written.
        self.seen: dict[str, str] = {}

    def fail(self, key: str, problem: str, near: str | None = None) -> OrganisationError:
        return OrganisationError(f"{self.file}: {key}{self._line_of(near)}: {problem}")

    def _line_of(self, text: str | None) -> str:
        """The line where `text` is written as a TOML string, when we can find it."""
        if not text:
            return ""
        match = re.search(r"[\"']" + re.escape(text) + r"[\"']", self.raw_text)
        if match is None:
            return ""
        return f" (line {self.raw_text.count(chr(10), 0, match.start()) + 1})"

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], key: str, near: str) -> None:
        for name in data:
            if name not in allowed:
                raise self.fail(
                    f"{key}.{name}",
                    f"unknown key; allowed here: {', '.join(sorted(allowed))}",
                    near,
                )

    def name(self, data: dict[str, Any], key: str) -> str:
        value = data.get("name")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key}.name", "is missing or empty; every place needs a name")
        value = " ".join(value.split())
        if len(value) > MAX_NAME:
            raise self.fail(f"{key}.name", f"is longer than {MAX_NAME} characters", value)
        return value

    def aliases(self, data: dict[str, Any], key: str, near: str) -> tuple[str, ...]:
        value = data.get("aliases", [])
        if not isinstance(value, list):
            raise self.fail(f"{key}.aliases", "must be a list of texts", near)
        result = []
        for index, alias in enumerate(value):
            if not isinstance(alias, str) or not normalise(alias):
                raise self.fail(
                    f"{key}.aliases[{index}]", "is empty or no text; write a word people use", near
                )
            result.append(" ".join(alias.split()))
        return tuple(result)

    def once(self, text: str, where: str) -> None:
        """A name or alias means one place: written twice (in any case or spelling that
        compares the same), a workplace could not be told apart."""
        normal = normalise(text)
        if not normal:
            raise self.fail(where, f"{text!r} has no letters or digits", text)
        first = self.seen.get(normal)
        if first is not None:
            raise self.fail(
                where,
                f"{text!r} is written twice (also at {first}); each name and alias may "
                "mean one place only",
                text,
            )
        self.seen[normal] = where

    def organisation(self, data: dict[str, Any]) -> Organisation:
        for key in data:
            if key != "administrations":
                raise self.fail(key, "unknown key; the file holds [[administrations]] tables")
        raw = data.get("administrations")
        if not isinstance(raw, list) or not raw:
            raise self.fail(
                "administrations", "is missing or empty; define at least one [[administrations]]"
            )
        administrations = []
        for index, admin in enumerate(raw):
            key = f"administrations[{index}]"
            if not isinstance(admin, dict):
                raise self.fail(key, "must be a table with name, aliases and units")
            name = self.name(admin, key)
            self.unknown_keys(admin, _ADMIN_KEYS, key, name)
            self.once(name, f"{key}.name")
            aliases = self.aliases(admin, key, name)
            for number, alias in enumerate(aliases):
                self.once(alias, f"{key}.aliases[{number}]")
            units_raw = admin.get("units", [])
            if not isinstance(units_raw, list):
                raise self.fail(f"{key}.units", "must be a list of { name = …, aliases = […] }")
            units = []
            for number, unit in enumerate(units_raw):
                unit_key = f"{key}.units[{number}]"
                if not isinstance(unit, dict):
                    raise self.fail(unit_key, "must be a table: { name = …, aliases = […] }", name)
                unit_name = self.name(unit, unit_key)
                self.unknown_keys(unit, _UNIT_KEYS, unit_key, unit_name)
                self.once(unit_name, f"{unit_key}.name")
                unit_aliases = self.aliases(unit, unit_key, unit_name)
                for place, alias in enumerate(unit_aliases):
                    self.once(alias, f"{unit_key}.aliases[{place}]")
                units.append((unit_name, unit_aliases))
            administrations.append(Administration(name, aliases, tuple(units)))
        return Organisation(tuple(administrations), str(self.file))


@dataclass(frozen=True)
class MatchReport:
    """What `idesluss organisation match` found: each workplace written before the
    organisation file (or that it did not know), with the place it surely is, or none."""

    matched: list[tuple[str, Place, int, int]]  # workplace, place, ideas, people
    unmatched: list[tuple[str, int, int]]  # workplace, ideas, people
    applied: bool


async def match_existing(
    db: Database, organisation: Organisation, *, apply: bool = False
) -> MatchReport:
    """Place every workplace without an administration that the file surely knows; with
    `apply`, store it on its ideas and people (idempotent: only those without one yet).
    Logged with counts only: workplaces are people's own words."""
    matched: list[tuple[str, Place, int, int]] = []
    unmatched: list[tuple[str, int, int]] = []
    async with db.transaction() as session:
        for workplace, (ideas, people) in sorted((await unplaced_workplaces(session)).items()):
            place = organisation.confident(workplace)
            if place is None:
                unmatched.append((workplace, ideas, people))
                continue
            if apply:
                ideas, people = await place_workplace(
                    session, workplace, place.administration, place.unit
                )
            matched.append((workplace, place, ideas, people))
    log.info(
        "workplaces matched to the organisation",
        extra={
            "applied": apply,
            "workplaces": len(matched),
            "ideas": sum(m[2] for m in matched),
            "people": sum(m[3] for m in matched),
            "unmatched": len(unmatched),
        },
    )
    return MatchReport(matched, unmatched, apply)
