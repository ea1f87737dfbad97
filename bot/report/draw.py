"""Drawing a chart (bot/report/charts.py) with matplotlib, the same way for the HTML page and
the PDF. matplotlib is imported here only, and only when a report is made: `idesluss --help`
and the chat never pay for it otherwise.

Readable without colour: the colours are Okabe and Ito's, safe for the common kinds of
colour blindness, each series also has its own hatching, and every bar carries its number.
The figure objects are made without pyplot (no global figure registry), so a report can be
drawn in a worker thread while the bot goes on; one lock keeps two reports from changing
matplotlib's settings at the same time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bot.report.charts import Chart, number
from conversations.i18n import tr

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Okabe & Ito (2008): blue, orange, bluish green, vermillion.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00")
HATCHES = ("", "///", "...", "xxx")
INK = "#222222"
FONT = "DejaVu Sans"  # ships with matplotlib, has å, ä and ö
_LOCK = threading.Lock()


@contextmanager
def matplotlib_settings() -> Iterator[None]:
    """matplotlib's settings for the report: its own font, fonts embedded in PDF as
    TrueType, and SVG ids salted per chart so that several charts in one page never share
    an id. Reproducible output: no dates in the files."""
    import matplotlib

    with (
        _LOCK,
        matplotlib.rc_context(
            {
                "font.family": FONT,
                "font.size": 9,
                "svg.hashsalt": "idesluss",
                "svg.fonttype": "path",
                "pdf.fonttype": 42,
                "hatch.linewidth": 0.8,
                "axes.edgecolor": INK,
                "text.color": INK,
                "axes.labelcolor": INK,
                "xtick.color": INK,
                "ytick.color": INK,
            }
        ),
    ):
        yield


def figure(chart: Chart, lang: str, *, width: float = 7.0) -> Figure:
    """A figure of its own for the chart (inches; the height follows the number of bars)."""
    from matplotlib.figure import Figure

    rows = len(chart.categories) * (len(chart.series) if chart.horizontal else 1)
    height = 1.6 if chart.empty else max(2.8, 0.32 * rows + 1.4) if chart.horizontal else 3.2
    made = Figure(figsize=(width, height), layout="constrained")
    draw(made.add_subplot(), chart, lang)
    return made


def draw(ax: Axes, chart: Chart, lang: str) -> None:
    if chart.empty:
        _no_data(ax, chart.empty_text)
        return
    count = len(chart.series)
    thickness = 0.8 / count
    positions = range(len(chart.categories))
    for index, series in enumerate(chart.series):
        offsets = [p - 0.4 + thickness * (index + 0.5) for p in positions]
        style: dict[str, Any] = {
            "color": COLOURS[index % len(COLOURS)],
            "hatch": HATCHES[index % len(HATCHES)],
            "edgecolor": INK if index else COLOURS[0],
            "linewidth": 0.6,
            "label": series.label,
        }
        if chart.horizontal:
            bars = ax.barh(offsets, series.values, height=thickness, **style)
        else:
            bars = ax.bar(offsets, series.values, width=thickness, **style)
        labels = [
            tr(lang, "report.percent", value=number(v, lang)) if chart.percent else number(v, lang)
            for v in series.values
        ]
        ax.bar_label(bars, labels=labels, padding=2, fontsize=8)
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    values_axis = ax.xaxis if chart.horizontal else ax.yaxis
    values_axis.set_major_locator(MaxNLocator(integer=True))  # counts, days, per cent
    values_axis.set_major_formatter(FuncFormatter(lambda value, _: number(value, lang)))
    ticks = list(positions)
    if chart.horizontal:
        ax.set_yticks(ticks, chart.categories)
        ax.invert_yaxis()  # the first stage on top
        ax.set_xlabel(chart.axis)
        ax.margins(x=0.12)
        if chart.percent:
            ax.set_xlim(0, 112)
    else:
        ax.set_xticks(ticks, chart.categories, rotation=45 if len(ticks) > 6 else 0,
                      ha="right" if len(ticks) > 6 else "center")  # fmt: skip
        ax.set_ylabel(chart.axis)
        ax.margins(y=0.15)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x" if chart.horizontal else "y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if count > 1:
        ax.legend(frameon=False, fontsize=8, loc="best")


def _no_data(ax: Axes, text: str) -> None:
    """A panel that says there is nothing, where the chart would be: no axis, no bars."""
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        text,
        ha="center",
        va="center",
        fontsize=12,
        transform=ax.transAxes,
        bbox={"boxstyle": "round,pad=0.8", "facecolor": "#f3f3f3", "edgecolor": "#999999"},
    )
