"""The report as a PDF on A4, made by matplotlib's PdfPages: a first page with the headline
numbers and how they are counted, then one page per chart with the chart, the sentence that
says its numbers and their table. No other PDF library is needed: the charts are
matplotlib's anyway, and so is the text layout of a page this simple. The fonts are embedded
(DejaVu Sans, TrueType), so the file prints the same everywhere."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from bot.process import Process
from bot.report.charts import Chart, charts, key_figures, notes
from bot.report.draw import INK, draw, matplotlib_settings
from bot.report.figures import Figures
from conversations.i18n import format_day, tr

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

A4 = (8.27, 11.69)  # inches, portrait
WRAP = 92  # characters a line at 9 pt across the page
LEFT = 0.08


def render_pdf(figures: Figures, process: Process, lang: str) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages

    title = tr(lang, "report.title")
    period = tr(
        lang,
        "report.period",
        first=format_day(figures.period.first, lang),
        last=format_day(figures.period.last, lang),
    )
    out = io.BytesIO()
    with (
        matplotlib_settings(),
        PdfPages(
            out,
            metadata={"Title": f"{title} – {period}", "CreationDate": None, "ModDate": None},
        ) as pdf,
    ):
        pdf.savefig(_first_page(figures, lang, title, period))
        for chart in charts(figures, process, lang):
            pdf.savefig(_chart_page(chart, lang, period))
    return out.getvalue()


def _page() -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=A4)


def _whole() -> Bbox:
    from matplotlib.transforms import Bbox

    return Bbox.from_bounds(0, 0, 1, 1)


def _first_page(figures: Figures, lang: str, title: str, period: str) -> Figure:
    page = _page()
    page.text(LEFT, 0.94, title, fontsize=18, weight="bold", va="top")
    page.text(LEFT, 0.905, period, fontsize=11, va="top")
    y = 0.85
    for label, value in key_figures(figures, lang):
        page.text(LEFT, y, label, fontsize=10, va="top")
        page.text(0.62, y, value, fontsize=12, weight="bold", va="top")
        y -= 0.035
    y -= 0.02
    page.text(LEFT, y, tr(lang, "report.notes.title"), fontsize=12, weight="bold", va="top")
    y -= 0.03
    for note in notes(lang):
        lines = textwrap.wrap(note, WRAP)
        page.text(LEFT, y, "\n".join(lines), fontsize=9, va="top", linespacing=1.4)
        y -= 0.017 * len(lines) + 0.012
    return page


def _chart_page(chart: Chart, lang: str, period: str) -> Figure:
    page = _page()
    page.text(LEFT, 0.955, chart.title, fontsize=15, weight="bold", va="top")
    page.text(LEFT, 0.925, period, fontsize=9, va="top", color=INK)
    top, height = (0.78, 0.12) if chart.empty else (0.52, 0.37)
    draw(page.add_axes((0.24 if chart.horizontal else 0.12, top, 0.66, height)), chart, lang)
    sentence = textwrap.wrap(chart.description, WRAP)
    y = top - (0.08 if not chart.empty else 0.03)
    page.text(LEFT, y, "\n".join(sentence), fontsize=9, va="top", linespacing=1.4)
    if chart.empty:
        return page
    y -= 0.017 * len(sentence) + 0.03
    rows = len(chart.table_rows) + 1
    row_height = min(0.025, (y - 0.05) / rows)
    table_axes = page.add_axes((LEFT, y - row_height * rows, 1 - 2 * LEFT, row_height * rows))
    table_axes.set_axis_off()
    table = table_axes.table(
        cellText=[list(row) for row in chart.table_rows],
        colLabels=list(chart.table_head),
        cellLoc="left",
        colLoc="left",
        loc="upper left",
        bbox=_whole(),
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor("#999999")
        if row == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#eeeeee")
    return page
