"""The organisation file: the shipped example, what each kind of mistake in it says, and
another municipality's file through IDESLUSS_ORGANISATION."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.organisation import DEFAULT_ORGANISATION_PATH, OrganisationError, load_organisation
from conversations.workplaces import Place, normalise


def test_the_shipped_organisation() -> None:
    org = load_organisation()
    names = [a.name for a in org.administrations]
    assert "Vård- och omsorgsförvaltningen" in names and "Förskoleförvaltningen" in names
    assert org.find("Förskoleförvaltningen", "Förskolan Solrosen") is not None
    assert len(org.places) > 60


@pytest.mark.parametrize(
    ("written", "place"),
    [
        ("Hemtjänst Norrmalm", Place("Vård- och omsorgsförvaltningen", "Hemtjänst Norrmalm")),
        ("hemtjänsten norrmalm, vård o omsorg",
         Place("Vård- och omsorgsförvaltningen", "Hemtjänst Norrmalm")),
        ("hemtjänsetn norrmalm", Place("Vård- och omsorgsförvaltningen", "Hemtjänst Norrmalm")),
        ("HEMTJANST VASTER", Place("Vård- och omsorgsförvaltningen", "Hemtjänst Väster")),
        ("vo", Place("Vård- och omsorgsförvaltningen")),
        ("Vård & omsorg", Place("Vård- och omsorgsförvaltningen")),
        ("jag jobbar på soc", Place("Socialförvaltningen")),
        ("socialtjänsten", Place("Socialförvaltningen")),
        ("förskolan Solrosen", Place("Förskoleförvaltningen", "Förskolan Solrosen")),
        ("Kultur och fritid", Place("Kultur- och fritidsförvaltningen")),
        ("Kultur och fritid, fritidsgården Väster",
         Place("Kultur- och fritidsförvaltningen", "Fritidsgården Väster")),
        ("Tekniska förvaltningen", Place("Samhällsbyggnadsförvaltningen")),
        ("Home care West", Place("Vård- och omsorgsförvaltningen", "Hemtjänst Väster")),
    ],
)  # fmt: skip
def test_what_people_write_is_the_place_they_mean(written: str, place: Place) -> None:
    assert load_organisation().confident(written) == place


@pytest.mark.parametrize("written", ["hemtjänsten", "äldreboende", "fritids", "hemtjänst"])
def test_near_several_places_it_asks(written: str) -> None:
    org = load_organisation()
    assert org.confident(written) is None
    assert 2 <= len(org.matches(written)) <= 3


@pytest.mark.parametrize(
    "written", ["skicka", "Kommunhuset", "Förvaltning för ÅÄÖ – ≈ ✓", "ja", "Hemtjänst Öst Väst"]
)
def test_words_near_no_place_are_no_place(written: str) -> None:
    assert load_organisation().confident(written) is None


def test_normalised() -> None:
    assert normalise("Vård- o Omsorg!") == "vard och omsorg"
    assert normalise("Jag jobbar på Förskolan Solrosen") == "forskolan solrosen"


def test_the_environment_variable_points_at_another_file(tmp_path: Path) -> None:
    path = tmp_path / "org.toml"
    text = '[[administrations]]\nname = "Barn- och utbildningsförvaltningen"\n'
    path.write_text(text + 'aliases = ["bun"]\nunits = [{ name = "Ekskolan" }]\n', encoding="utf-8")
    settings = Settings.from_env({"IDESLUSS_ORGANISATION": str(path)})
    org = load_organisation(settings.organisation_path)
    assert org.path == str(path)
    assert org.confident("ekskolan") == Place("Barn- och utbildningsförvaltningen", "Ekskolan")


BROKEN = [
    pytest.param('name = "Socialförvaltningen"', 'name = "Socialförvaltningen', r"not valid TOML",
                 id="toml-syntax"),
    pytest.param('aliases = ["socialtjänsten",', 'aliases = ["vo", "socialtjänsten",',
                 r"administrations\[4\]\.aliases\[0\] \(line \d+\): 'vo' is written twice "
                 r"\(also at administrations\[0\]\.aliases\[1\]\)", id="duplicate-alias"),
    pytest.param('{ name = "Förskolan Myran"', '{ name = "FÖRSKOLAN  solrosen"',
                 r"units\[1\]\.name: 'FÖRSKOLAN solrosen' is written twice",
                 id="duplicate-name-in-another-case"),
    pytest.param('name = "Socialförvaltningen"', 'name = "  "',
                 r"administrations\[4\]\.name: is missing or empty", id="empty-name"),
    pytest.param('{ name = "Simhallen",', '{ name = "Simhallen", ort = "x",',
                 r"units\[4\]\.ort \(line \d+\): unknown key; allowed here: aliases, name",
                 id="unknown-unit-key"),
    pytest.param('[[administrations]]\nname = "Räddningstjänsten"',
                 '[[administrations]]\nnamn = "Räddningstjänsten"',
                 r"administrations\[8\]\.name: is missing", id="misspelt-key"),
    pytest.param('aliases = ["brandkåren",', 'aliases = ["", "brandkåren",',
                 r"administrations\[8\]\.aliases\[0\].*is empty", id="empty-alias"),
    pytest.param('name = "Räddningstjänsten"', 'name = "' + "R" * 121 + '"',
                 r"longer than 120 characters", id="too-long"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "error"), BROKEN)
def test_a_broken_file_says_where_and_why(tmp_path: Path, old: str, new: str, error: str) -> None:
    text = DEFAULT_ORGANISATION_PATH.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "org.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(OrganisationError, match=error) as raised:
        load_organisation(path)
    assert str(path) in str(raised.value)


def test_a_missing_file_and_an_empty_one(tmp_path: Path) -> None:
    with pytest.raises(OrganisationError, match="does not exist"):
        load_organisation(tmp_path / "nowhere.toml")
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    with pytest.raises(OrganisationError, match="define at least one"):
        load_organisation(tmp_path / "empty.toml")
    (tmp_path / "other.toml").write_text("[departments]\n", encoding="utf-8")
    with pytest.raises(OrganisationError, match="departments: unknown key"):
        load_organisation(tmp_path / "other.toml")
