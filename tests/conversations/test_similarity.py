"""Similar ideas: Swedish-aware, by character trigrams, no model."""

from __future__ import annotations

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
