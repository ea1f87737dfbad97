"""The report for the steering group (styrgruppen): what came in, how far it got, how long
it took, whether the promises to idea givers were kept, how satisfied the givers were, who
came back with another idea, and what is open now. One self-contained file, HTML (charts
as inline SVG) or PDF (A4), in Swedish or English.

**It holds no personal data**: no names, no e-mail addresses, no idea titles or texts, no
comments; only counts, shares and durations, the process's stage names and the
administrations' names. Coordinators are numbered, never named (figures.py says how). That
is why, unlike the exports, it may be written anywhere and sent to anyone who should read it.

The layers: storage/report.py reads the rows (SQL), figures.py computes every number (pure),
charts.py puts them into charts, tables and sentences (pure), and render_html.py /
render_pdf.py draw them with matplotlib (draw.py), which is imported only here and only when
a report is made."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import DEFAULT_CALENDAR, WorkingCalendar
from bot.process import Process, default_process
from bot.report.figures import Figures, ReportPeriod, compute
from storage.database import Database
from storage.report import report_rows

__all__ = [
    "FORMATS",
    "ReportPeriod",
    "figures_for",
    "render",
    "report_file_name",
    "report_for",
    "year_to_date",
]

FORMATS = {"html": "text/html", "pdf": "application/pdf"}


async def figures_for(
    source: Database | AsyncSession,
    period: ReportPeriod,
    *,
    now: datetime,
    process: Process | None = None,
    calendar: WorkingCalendar | None = None,
) -> Figures:
    """The report's numbers, read in one transaction (the caller's session, or a read of
    the database's own)."""
    until = min(period.end, now)
    if isinstance(source, Database):
        async with source.read() as session:
            rows = await report_rows(session, until=until)
    else:
        rows = await report_rows(source, until=until)
    return compute(
        rows, process or default_process(), calendar or DEFAULT_CALENDAR, period, now=now
    )


def render(figures: Figures, process: Process, lang: str, fmt: str = "html") -> bytes:
    """The document's bytes (CPU work: run it in a thread from async code)."""
    if fmt == "pdf":
        from bot.report.render_pdf import render_pdf

        return render_pdf(figures, process, lang)
    if fmt != "html":
        raise ValueError(f"unknown report format {fmt!r}; use html or pdf")
    from bot.report.render_html import render_html

    return render_html(figures, process, lang)


async def report_for(
    source: Database | AsyncSession,
    period: ReportPeriod,
    lang: str,
    *,
    now: datetime,
    fmt: str = "html",
    process: Process | None = None,
    calendar: WorkingCalendar | None = None,
) -> bytes:
    """The report for `period` in `lang`, as a file's bytes, for the chat's `rapport` and
    the CLI alike. `now` is the moment of the snapshot of open ideas (the caller's clock).
    The drawing runs in a worker thread, so the event loop goes on serving meanwhile; in a
    turn, though, its transaction stays open while it draws (on SQLite: the writer)."""
    process = process or default_process()
    figures = await figures_for(source, period, now=now, process=process, calendar=calendar)
    return await asyncio.to_thread(render, figures, process, lang, fmt)


def report_file_name(period: ReportPeriod, fmt: str = "html", lang: str = "sv") -> str:
    word = "rapport" if lang == "sv" else "report"
    return f"idesluss-{word}-{period.slug}.{fmt}"


def year_to_date(today: date) -> ReportPeriod:
    """This year so far: what `stats` attaches until it has periods of its own."""
    return ReportPeriod(today.replace(month=1, day=1), today)
