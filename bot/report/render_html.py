"""The report as one HTML document that opens anywhere offline: its styles inline, each
chart an inline SVG drawn by matplotlib, nothing fetched (no script, no font, no CDN).

Every chart is a `<figure>` whose SVG is an image with a title and a description (its
`aria-labelledby`), whose `<figcaption>` says the same numbers in a sentence, and whose
numbers follow in a table. Every text is escaped: a stage or an administration is the
municipality's own words, and could hold anything."""

from __future__ import annotations

import io
from html import escape

from bot.process import Process
from bot.report.charts import Chart, charts, key_figures, notes
from bot.report.draw import figure, matplotlib_settings
from bot.report.figures import Figures
from conversations.i18n import format_day, tr

STYLE = """
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #222; margin: 0;
       line-height: 1.45; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
.period { color: #444; margin-top: 0; }
dl.key { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr));
         gap: .6rem; margin: 1rem 0; }
dl.key div { border: 1px solid #bbb; border-radius: 4px; padding: .5rem .7rem; }
dl.key dt { font-size: .85rem; color: #444; }
dl.key dd { margin: 0; font-size: 1.4rem; font-weight: bold; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: .95rem; margin: .3rem 0 .6rem; }
table { border-collapse: collapse; font-size: .9rem; margin-bottom: 1rem; }
caption { text-align: left; font-weight: bold; padding: .2rem 0; }
th, td { border: 1px solid #bbb; padding: .2rem .6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
section.chart { break-inside: avoid; }
.notes li { margin-bottom: .3rem; }
@page { size: A4; margin: 15mm; }
@media print { main { max-width: none; padding: 0; } }
"""


def render_html(figures: Figures, process: Process, lang: str) -> bytes:
    specs = charts(figures, process, lang)
    with matplotlib_settings():
        drawn = [_svg(chart, lang) for chart in specs]
    period = tr(
        lang,
        "report.period",
        first=format_day(figures.period.first, lang),
        last=format_day(figures.period.last, lang),
    )
    title = tr(lang, "report.title")
    key = "".join(
        f"<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>"
        for label, value in key_figures(figures, lang)
    )
    sections = "".join(_section(chart, svg, lang) for chart, svg in zip(specs, drawn, strict=True))
    listed = "".join(f"<li>{escape(note)}</li>" for note in notes(lang))
    page = f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} – {escape(period)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
<p class="period">{escape(period)}</p>
<dl class="key">{key}</dl>
{sections}
<section class="notes">
<h2>{escape(tr(lang, "report.notes.title"))}</h2>
<ul>{listed}</ul>
</section>
</main>
</body>
</html>
"""
    return page.encode("utf-8")


def _section(chart: Chart, svg: str, lang: str) -> str:
    ident = f"chart-{chart.key}"
    if chart.empty:
        table = ""
    else:
        head = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in chart.table_head)
        rows = "".join(
            "<tr>"
            + f'<th scope="row">{escape(row[0])}</th>'
            + "".join(f'<td class="n">{escape(cell)}</td>' for cell in row[1:])
            + "</tr>"
            for row in chart.table_rows
        )
        caption = escape(tr(lang, "report.table_caption", title=chart.title))
        table = (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return (
        f'<section class="chart" aria-labelledby="{ident}-heading">'
        f'<h2 id="{ident}-heading">{escape(chart.title)}</h2>'
        f'<figure id="{ident}" data-chart="{chart.key}" '
        f'data-empty="{"true" if chart.empty else "false"}">'
        f"{svg}"
        f'<figcaption id="{ident}-caption">{escape(chart.description)}</figcaption>'
        f"</figure>{table}</section>\n"
    )


def _svg(chart: Chart, lang: str) -> str:
    """The chart as an inline SVG image: matplotlib's own output, without its XML
    prologue, named and described for screen readers."""
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = f"idesluss-{chart.key}"  # ids unique in the page
    out = io.StringIO()
    drawn = figure(chart, lang)
    drawn.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    text = text[text.index("<svg") :]
    ident = f"chart-{chart.key}"
    opening_end = text.index(">") + 1
    opening = text[:opening_end].replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" '
        'focusable="false" ',
        1,
    )
    named = (
        f'<title id="{ident}-title">{escape(chart.title)}</title>'
        f'<desc id="{ident}-desc">{escape(chart.description)}</desc>'
    )
    return opening + named + text[opening_end:]
