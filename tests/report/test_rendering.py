"""The report as people see it: the HTML page drawn by a real headless Chromium, the PDF
turned into page images by pdftoppm. Every chart of a year's report has drawn data; a period
with nothing says so instead; the file is whole by itself and names nobody."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image

from bot.report import ReportPeriod
from bot.report.render_html import STYLE
from tests.report.conftest import YEAR, SeededYear, make_report
from tests.report.tools import (
    DATA_BLUE,
    pdf_info,
    pdf_pages,
    pdf_text,
    pixels_near,
    screenshot,
    write_docs,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "report"
CHARTS = (
    "funnel",
    "months",
    "administrations",
    "stage_times",
    "promises",
    "satisfaction",
    "repeat",
    "open",
    "load",
)
BLOCK = 1100  # px: each chart's own band in the test page


class Figures(HTMLParser):
    """Each <figure data-chart> of the report, its markup as written."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self.found: dict[str, tuple[str, bool]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "figure" and values.get("data-chart"):
            line, column = self.getpos()
            start = _offset(self.html, line, column)
            end = self.html.index("</figure>", start) + len("</figure>")
            self.found[str(values["data-chart"])] = (
                self.html[start:end],
                values.get("data-empty") == "true",
            )


def _offset(text: str, line: int, column: int) -> int:
    return sum(len(row) + 1 for row in text.split("\n")[: line - 1]) + column


def figures_of(html: bytes) -> dict[str, tuple[str, bool]]:
    parser = Figures(html.decode("utf-8"))
    parser.feed(parser.html)
    return parser.found


def chart_bands(figures: dict[str, tuple[str, bool]], tmp_path: Path) -> dict[str, Image.Image]:
    """All the charts in one page, each in a band of its own, one screenshot cut in bands:
    each chart's pixels seen in isolation."""
    bands = "".join(
        f'<div style="height:{BLOCK}px;overflow:hidden;width:900px">{markup}</div>'
        for markup, _ in (figures[key] for key in CHARTS)
    )
    page = tmp_path / "charts.html"
    page.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{STYLE}'
        f"body{{margin:0}}</style></head><body>{bands}</body></html>",
        encoding="utf-8",
    )
    shot = screenshot(page, tmp_path / "charts.png", width=900, height=BLOCK * len(CHARTS))
    return {key: shot.crop((0, i * BLOCK, 900, (i + 1) * BLOCK)) for i, key in enumerate(CHARTS)}


def test_every_chart_of_a_year_draws_its_data_in_a_browser(year_html: bytes, tmp_path) -> None:
    figures = figures_of(year_html)
    assert sorted(figures) == sorted(CHARTS)
    assert not any(empty for _, empty in figures.values())
    for key, band in chart_bands(figures, tmp_path).items():
        # Bars of the first series: hundreds of pixels of the data colour in its band.
        assert pixels_near(band, DATA_BLUE) > 300, key


def test_the_whole_page_opens_offline_and_looks_like_a_report(year_html: bytes, tmp_path) -> None:
    page = tmp_path / "report.html"
    page.write_bytes(year_html)
    shot = screenshot(page, tmp_path / "page.png", width=1000, height=2400)
    assert pixels_near(shot, DATA_BLUE) > 5000  # the first charts, on screen at once
    if write_docs():
        DOCS.mkdir(parents=True, exist_ok=True)
        shot.crop((0, 0, 1000, 1700)).resize((500, 850), Image.LANCZOS).save(
            DOCS / "report-html.png", optimize=True
        )


def test_the_file_is_whole_by_itself(year_html: bytes) -> None:
    """No script, no style sheet, image or font from elsewhere: it opens with no network."""
    html = year_html.decode("utf-8")
    assert "<script" not in html
    assert re.findall(r'(?:src|href)\s*=\s*"(?!#)', html) == []
    assert re.findall(r"url\((?!#)", html) == []
    assert "@import" not in html


def test_the_pdf_is_a4_pages_with_charts(year_pdf: bytes, tmp_path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(year_pdf)
    info = pdf_info(pdf)
    assert re.search(r"^Pages:\s+10$", info, re.MULTILINE), info  # the first page + 9 charts
    assert re.search(r"^Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", info, re.MULTILINE), info
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) == 10
    for number, page in enumerate(pages, start=1):
        assert (page.width, page.height) == (331, 468)  # A4 at 40 dpi
        ink = sum(page.convert("L").histogram()[:200])  # pixels darker than paper
        assert ink > 1500, f"page {number} is (nearly) blank"
        if number > 1:
            assert pixels_near(page, DATA_BLUE, tolerance=30) > 100, f"page {number} has no bars"
    text = pdf_text(pdf)
    assert "Från idé till införande" in text and "Idéslussarnas arbetsbörda" in text
    if write_docs():
        DOCS.mkdir(parents=True, exist_ok=True)
        sharper = tmp_path / "docs"
        sharper.mkdir()
        for number, page in enumerate(pdf_pages(pdf, sharper, dpi=60)[:2], start=1):
            page.save(DOCS / f"report-pdf-{number}.png", optimize=True)


def test_the_report_names_nobody_and_quotes_no_idea(
    seeded_year: SeededYear, year_html: bytes, year_pdf: bytes, tmp_path
) -> None:
    """The seeded people are "Givare N" and "Samordnare N"; the ideas say "Behov", "Nytta"."""
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(year_pdf)
    for text in (year_html.decode("utf-8"), pdf_text(pdf)):
        for word in ("Givare", "Samordnare", "console:", "Behov", "Nytta", "skäl", "Tekniska"):
            assert word not in text


def test_a_period_with_nothing_says_so(seeded_year: SeededYear, tmp_path) -> None:
    empty_year = ReportPeriod(date(2025, 1, 1), date(2025, 12, 31))
    html = make_report(seeded_year.url, empty_year, "sv", "html")
    figures = figures_of(html)
    period_charts = [k for k in CHARTS if k not in ("open", "load")]
    for key in period_charts:
        markup, empty = figures[key]
        assert empty and "Inga uppgifter för perioden" in markup, key
    # What is open today is no part of the period: those two still have their data.
    assert not figures["open"][1] and not figures["load"][1]
    bands = chart_bands(figures, tmp_path)
    for key in period_charts:
        assert pixels_near(bands[key], DATA_BLUE) == 0, key  # no bar, no empty axis coloured
    assert pixels_near(bands["open"], DATA_BLUE) > 300


def test_an_empty_database_renders_and_says_so(migrated_sqlite_file, tmp_path) -> None:
    import shutil

    path = tmp_path / "empty.db"
    shutil.copyfile(migrated_sqlite_file, path)
    for lang, nothing, no_open in (
        ("sv", "Inga uppgifter för perioden", "Inga öppna idéer just nu"),
        ("en", "No data for the period", "No open ideas right now"),
    ):
        html = make_report(f"sqlite:///{path}", YEAR, lang, "html")
        figures = figures_of(html)
        assert all(empty for _, empty in figures.values())
        assert html.decode().count(nothing) >= 2 * 7  # caption and panel of 7 charts
        assert no_open in html.decode()
    pdf = tmp_path / "empty.pdf"
    pdf.write_bytes(make_report(f"sqlite:///{path}", YEAR, "sv", "pdf"))
    assert "Inga uppgifter för perioden" in pdf_text(pdf)
    assert len(pdf_pages(pdf, tmp_path)) == 10
