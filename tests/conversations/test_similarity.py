"""Similar ideas: Swedish-aware, by character trigrams, no model."""

from __future__ import annotations

import unicodedata

from conversations.similarity import Candidate, fold, most_similar, words

CANDIDATES = [
    Candidate(1, "Lånecyklar för hemtjänsten", "Personalen väntar på bilar varje morgon."),
    Candidate(2, "Tryggare tunnlar", "Bättre belysning i gångtunnlarna på kvällen."),
    Candidate(3, "Digital matsedel", "Skolmaten visas på webben och i appen."),
    Candidate(4, "Cykelparkering vid stadshuset", "Fler säkra platser för cyklar."),
]


def test_inflected_and_compound_words_meet() -> None:
    best = most_similar(
        "Elcyklar i hemtjänsten", "Hemtjänsten behöver cyklar i stället för bilar.", CANDIDATES
    )
    assert [number for number, _ in best][:1] == [1]
    assert 3 not in [number for number, _ in best]


def test_unrelated_ideas_are_not_shown_and_at_most_three() -> None:
    assert most_similar("Kaffeautomat i personalrummet", "Gott kaffe.", CANDIDATES) == []
    many = [Candidate(i, "Tryggare tunnlar", "belysning") for i in range(10)]
    assert len(most_similar("Tryggare tunnlar", "belysning", many)) == 3


def test_swedish_letters_are_kept_and_other_accents_folded() -> None:
    assert fold("Idé för Åsa och Müller") == "ide för åsa och muller"
    assert words("Och det är en idé för alla") == ["ide"]  # stop words go


def test_text_with_nothing_but_case_to_fold_folds_as_any_other() -> None:
    """Plain Swedish text takes a shorter way through `fold`; it must end where the long
    way does, and composed and decomposed å read the same."""
    for text in ("Tryggare Tunnlar på KVÄLLEN", "Straße und Café", "A\u030asa", "ÅÄÖ åäö 42"):
        slow = "".join(
            char if char in "åäöÅÄÖ" else unicodedata.normalize("NFD", char)[0]
            for char in unicodedata.normalize("NFC", text)
        ).casefold()
        assert fold(text) == slow
    assert fold("A\u030asa") == fold("Åsa") == "åsa"


def test_scores_are_the_same_when_the_earlier_ideas_are_compared_again() -> None:
    """Earlier ideas' profiles are kept between submissions: a second look gives the same."""
    first = most_similar("Cyklar i hemtjänsten", "Personalen väntar på bilar.", CANDIDATES)
    again = most_similar("Cyklar i hemtjänsten", "Personalen väntar på bilar.", CANDIDATES)
    assert first == again and first[0][0] == 1
