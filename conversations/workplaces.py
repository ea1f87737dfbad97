"""Which administration and unit a workplace people write is: "hemtjänsten norrmalm, vård o
omsorg" and "Hemtjänst Norrmalm" are one place, "vo" is Vård- och omsorgsförvaltningen.

Pure: the organisation (bot/organisation.py reads it from the organisation file) is data, and
matching is a function of it and the words. Both sides are compared normalised (case,
accents, punctuation; "o" and "&" are "och"), word by word, with rapidfuzz's edit similarity
for typos. A place's score says how much of one of its names the words cover (most of it)
and how much of the words its names explain (the rest): "hemtjänsten norrmalm, vård o
omsorg" covers Hemtjänst Norrmalm fully, and its administration explains the rest, so the
unit wins over the administration alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

# A best match at least this good, with no rival within MARGIN, is taken without asking
# (tests/bot/test_organisation_file.py shows what scores what).
CONFIDENT = 90.0
MARGIN = 8.0
# Matches at least this good are offered as buttons.
OFFERED = 65.0
# Two words at least this similar are one word misspelt.
WORD_TYPO = 80.0
MOST_OFFERED = 3
_NEAR = 74.0  # below this edit similarity, `_similar` scores two words 0 (see _similar_words)
# Words that say nothing about which place ("jag jobbar på …", "och", "förvaltningen").
_STOP = frozenset(
    {"och", "i", "pa", "vid", "inom", "hos", "med", "for", "the", "of", "at", "in", "on"}
    | {"forvaltning", "forvaltningen", "enhet", "enheten", "kommun", "kommunen", "avdelning"}
    | {"avdelningen", "department", "unit", "municipality"}
)
_LEAD_IN = re.compile(
    r"^(?:jag )?(?:jobbar|arbetar|ar anstalld|finns) (?:pa |i |inom |vid |hos |med )?"
    r"|^i (?:work|am) (?:at |in |for |with )?"
)
_SUFFIX = re.compile(r"(?:s)?forvaltningen$")


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, "o" and "&" as "och", one space."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    folded = re.sub(r"[^\w&+]+|_", " ", folded).replace("&", " och ").replace("+", " och ")
    words = ["och" if word == "o" else word for word in folded.split()]
    return _LEAD_IN.sub("", " ".join(words)).strip()


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(word for word in normalise(text).split() if word not in _STOP)


def _similar(a: str, b: str) -> float:
    """Two words: 100 the same; short words (abbreviations) only the same; a word that
    begins the other and is most of it ("hemtjänst", "hemtjänsten") nearly; else the edit
    similarity, when it is near enough to be a typo."""
    if a == b:
        return 100.0
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) <= 4:  # "vo", "soc"; "east" is no typo of "west"
        return 0.0
    score = float(fuzz.ratio(a, b))
    if longer.startswith(shorter) and len(shorter) >= 0.6 * len(longer):
        score = max(score, 85.0 + 15.0 * len(shorter) / len(longer))
    # Below this two words are different words ("väster", "öster" 73; "förvaltning",
    # "skolförvaltningen" 79), not a typo (one letter wrong in a word of five scores 80).
    return score if score >= WORD_TYPO else 0.0


def _weighted(wanted: Sequence[str], score_of: dict[str, float]) -> float:
    """How much of `wanted` (weighted by word length) is covered, 0–100, given each word's
    best score against the words written."""
    total = sum(len(word) for word in wanted)
    return sum(len(word) * score_of.get(word, 0.0) for word in wanted) / total if total else 0.0


@dataclass(frozen=True)
class Place:
    """A unit of an administration, or an administration as a whole (`unit` None)."""

    administration: str
    unit: str | None = None

    @property
    def name(self) -> str:
        return self.unit or self.administration

    @property
    def label(self) -> str:
        """As a button shows it: "Hemtjänst Norrmalm (Vård- och omsorgsförvaltningen)"."""
        return f"{self.unit} ({self.administration})" if self.unit else self.administration


@dataclass(frozen=True)
class Match:
    place: Place
    score: float  # 0–100


@dataclass(frozen=True)
class Administration:
    name: str
    aliases: tuple[str, ...] = ()
    units: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, aliases)


@dataclass(frozen=True)
class Organisation:
    administrations: tuple[Administration, ...]
    path: str = ""

    @cached_property
    def _index(self) -> tuple[tuple[Place, tuple[tuple[str, ...], ...], frozenset[str]], ...]:
        """Each place with its names as words, and every word that describes it (its own
        names and its administration's): what the words of a workplace may contain."""
        index = []
        for admin in self.administrations:
            admin_names = [admin.name, *admin.aliases]
            short = _SUFFIX.sub("", normalise(admin.name))
            if short and short != normalise(admin.name):
                admin_names.append(short)  # "Vård- och omsorg"
            admin_tokens = tuple(t for t in (_tokens(n) for n in admin_names) if t)
            admin_words = frozenset(w for t in admin_tokens for w in t)
            index.append((Place(admin.name), admin_tokens, admin_words))
            for unit, aliases in admin.units:
                tokens = tuple(t for t in (_tokens(n) for n in (unit, *aliases)) if t)
                words = admin_words | {w for t in tokens for w in t}
                index.append((Place(admin.name, unit), tokens, words))
        return tuple(index)

    @property
    def places(self) -> tuple[Place, ...]:
        return tuple(place for place, _, _ in self._index)

    def find(self, administration: str | None, unit: str | None = None) -> Place | None:
        """The place with these names, if the file still has it."""
        for place in self.places:
            if place.administration == administration and place.unit == unit:
                return place
        return None

    @cached_property
    def _vocabulary(self) -> tuple[str, ...]:
        return tuple(sorted({word for _, _, words in self._index for word in words}))

    def _similar_words(self, word: str) -> dict[str, float]:
        """The file's words `_similar` to `word` (the rest score 0). rapidfuzz finds, in one
        call, those whose edit similarity could make them so: `_similar` scores nothing
        under WORD_TYPO but a prefix of at least 60 % of the other word, whose edit
        similarity is at least 2·0.6/1.6 = 75."""
        near = process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=_NEAR, limit=None
        )
        return {known: score for known, *_ in near if (score := _similar(known, word))}

    def matches(self, text: str, limit: int = MOST_OFFERED) -> list[Match]:
        """The places nearest to what was written, best first, at least OFFERED each."""
        said = _tokens(text)
        if not said:
            return []
        # Each word written against each word of the file, once: the places share words
        # (their administration's), and the comparison is what costs.
        best_for: dict[str, float] = {}  # a word of the file → how well the words cover it
        similarity: dict[str, dict[str, float]] = {}  # word written → word of the file → score
        for word in dict.fromkeys(said):
            row = similarity[word] = self._similar_words(word)
            for known, score in row.items():
                best_for[known] = max(best_for.get(known, 0.0), score)
        said_total = sum(len(word) for word in said)
        found = []
        for place, names, words in self._index:
            if words.isdisjoint(best_for):
                continue  # no word of it written (nor near): it scores nothing
            cover = max(_weighted(name, best_for) for name in names)
            if cover < 50:  # not even half of any of its names
                continue
            explained = (
                sum(
                    len(s) * max((similarity[s].get(w, 0.0) for w in words), default=0.0)
                    for s in said
                )
                / said_total
            )
            score = round(0.7 * cover + 0.3 * explained, 1)
            if score >= OFFERED:
                found.append(Match(place, score))
        # The better first; of equal ones the unit (more precise), then in file order.
        found.sort(key=lambda m: (-m.score, m.place.unit is None))
        return found[:limit]

    def confident(self, text: str) -> Place | None:
        """The one place the words surely mean, or None (then they are asked)."""
        return confident(self.matches(text, limit=len(self._index)))


def confident(found: Iterable[Match]) -> Place | None:
    """The best match, when it is good enough and nothing else comes near it. Its own
    administration (for a unit), or its own units (for an administration), are no rivals:
    "Kultur och fritid" is the administration, even if "fritid" is near Fritidsgården."""
    ranked = list(found)
    if not ranked or ranked[0].score < CONFIDENT:
        return None
    best = ranked[0]
    for other in ranked[1:]:
        same_admin = other.place.administration == best.place.administration
        related = same_admin and (other.place.unit is None or best.place.unit is None)
        if not related and other.score > best.score - MARGIN:
            return None
    return best.place
