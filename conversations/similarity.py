"""Which earlier ideas look like a new one: Swedish-aware, pure Python, no model.

Text is lower-cased and NFC-normalised; å, ä and ö are kept (they are letters of their own in
Swedish: "får" and "far" are different words), but other accents are folded ("idé" ≈ "ide").
Common Swedish and English words are dropped, and each remaining word becomes character
trigrams padded with spaces, so that inflected and compound forms still meet ("cykel",
"cyklar", "lånecyklar"). Two ideas are compared by the cosine of their trigram counts; the
title weighs double because it is the idea in a few words.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_STOP_WORDS_TEXT = """
och att det som en ett i på är av för med till den har de inte om var sig men så kan
vi du jag han hon man när vad eller från vid ska skulle alla dem denna detta dessa
mer mycket också bara här där hur kunna blir bli kan få får varje någon några nya ny
sina sin sitt vår våra vårt er ert era mig dig oss deras hans hennes efter under
över mot utan genom inom mellan både samt än the a an and or of to in on for with is
are be by at it this that from as we our can more new
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
KEEP = frozenset("åäöÅÄÖ")
MIN_SCORE = 0.25
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Text with nothing to fold but case (ASCII, å/ä/ö): most Swedish text.
_NOTHING_TO_FOLD = re.compile(r"[\x00-\x7fåäöÅÄÖ]*")
# Earlier ideas' profiles, kept between submissions: each new idea is compared with up to
# a couple of thousand of them (bot/app.py SIMILARITY_WINDOW), and an idea's text rarely
# changes. Bounded, so memory stays flat however many ideas there are.
PROFILES_KEPT = 2048


@dataclass(frozen=True)
class Candidate:
    id: int
    title: str
    text: str  # need and description


def fold(text: str) -> str:
    """Lower-case, fold accents other than å/ä/ö (é → e, ü → u)."""
    text = unicodedata.normalize("NFC", text)
    if _NOTHING_TO_FOLD.fullmatch(text):
        return text.casefold()
    out = []
    for char in text:
        if char in KEEP:
            out.append(char)
        else:
            base = unicodedata.normalize("NFD", char)
            out.append("".join(c for c in base if not unicodedata.combining(c)))
    return "".join(out).casefold()


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1 and w not in STOP_WORDS]


def trigrams(text: str, weight: int = 1) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in words(text):
        padded = f" {word} "
        for i in range(len(padded) - 2):
            grams[padded[i : i + 3]] += weight
    return grams


def profile(title: str, text: str) -> Counter[str]:
    grams = trigrams(title, weight=2)
    grams.update(trigrams(text))
    return grams


@lru_cache(maxsize=PROFILES_KEPT)
def _kept_profile(title: str, text: str) -> tuple[Counter[str], float]:
    """An earlier idea's profile and its norm (read only: shared between submissions)."""
    grams = profile(title, text)
    return grams, _norm(grams)


def _norm(grams: Counter[str]) -> float:
    return math.sqrt(sum(c * c for c in grams.values()))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return dot / norm if norm else 0.0


def most_similar(
    title: str, text: str, candidates: Iterable[Candidate], *, limit: int = 3
) -> list[tuple[int, float]]:
    """Up to `limit` (id, score) pairs, best first, above a floor that keeps noise out."""
    target = profile(title, text)
    target_norm = _norm(target)
    scored = []
    for candidate in candidates:
        grams, norm = _kept_profile(candidate.title, candidate.text)
        score = _cosine_with_norms(target, target_norm, grams, norm)
        if score >= MIN_SCORE:
            scored.append((candidate.id, round(score, 3)))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:limit]


def _cosine_with_norms(a: Counter[str], a_norm: float, b: Counter[str], b_norm: float) -> float:
    """`cosine`, with both norms known."""
    if not a or not b or not a_norm or not b_norm:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    return dot / (a_norm * b_norm)
