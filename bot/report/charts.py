"""The report's charts as data (pure): for each, its title, the numbers it draws, the table
of the same numbers and the sentence that says them (the text alternative). The renderers
(render_html.py, render_pdf.py) draw every chart the same way (draw.py) and never compute a
number of their own; a chart with nothing to count is `empty`, and is drawn as a panel that
says so, never as an empty axis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from bot.calendar import STOCKHOLM
from bot.process import Process
from bot.report.figures import AGE_BUCKETS, FURTHER_BUCKETS, SCORES, Figures
from conversations.i18n import DATE_LOCALES, format_day, format_number, tr


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    key: str  # stable, for ids and tests: "funnel", "months", …
    title: str
    description: str  # the text alternative: what the chart shows, with its numbers
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    axis: str  # what the values are (the value axis's label)
    table_head: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]
    horizontal: bool = False
    percent: bool = False  # values are shares in per cent (0–100)
    empty_text: str = ""  # shown instead of the chart when there is nothing to count

    @property
    def empty(self) -> bool:
        return bool(self.empty_text)


def number(value: float, lang: str) -> str:
    """A count as a whole number, anything else with one decimal (a median of 2.5 days)."""
    if float(value).is_integer():
        return format_number(int(value), lang)
    return format_number(value, lang, decimals=1)


def percent(part: int, whole: int, lang: str) -> str:
    return tr(lang, "report.percent", value=format_number(round(100 * part / whole), lang))


def charts(figures: Figures, process: Process, lang: str) -> list[Chart]:
    return [
        _funnel(figures, process, lang),
        _months(figures, lang),
        _administrations(figures, lang),
        _stage_times(figures, process, lang),
        _promises(figures, process, lang),
        _satisfaction(figures, lang),
        _repeat_givers(figures, lang),
        _open_by_age(figures, lang),
        _load(figures, lang),
    ]


def key_figures(figures: Figures, lang: str) -> list[tuple[str, str]]:
    """The headline numbers, as label and value."""
    first_answer = tr(lang, "report.none")
    if figures.first_answer_due:
        first_answer = tr(
            lang,
            "report.key.first_answer_value",
            share=percent(figures.first_answer_in_time, figures.first_answer_due, lang),
            ok=number(figures.first_answer_in_time, lang),
            count=number(figures.first_answer_due, lang),
        )
    return [
        (tr(lang, "report.key.submitted"), number(figures.submitted, lang)),
        (tr(lang, "report.key.decided"), number(figures.decided, lang)),
        (tr(lang, "report.key.implemented"), number(figures.implemented, lang)),
        (tr(lang, "report.key.first_answer"), first_answer),
        (
            tr(lang, "report.key.open", day=format_day(_local_day(figures), lang)),
            number(figures.open_now, lang),
        ),
    ]


def notes(lang: str) -> list[str]:
    """How the numbers are counted, for the readers (the same as figures.py's docstring)."""
    return [
        tr(lang, "report.note.period"),
        tr(lang, "report.note.funnel"),
        tr(lang, "report.note.time"),
        tr(lang, "report.note.promises"),
        tr(lang, "report.note.repeat"),
        tr(lang, "report.note.snapshot"),
        tr(lang, "report.note.privacy"),
    ]


def _local_day(figures: Figures) -> date:
    return figures.made_at.astimezone(STOCKHOLM).date()


def _listed(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{label} {value}" for label, value in pairs)


def _funnel(figures: Figures, process: Process, lang: str) -> Chart:
    rows = [*figures.funnel, *figures.off_line]
    names = tuple(process.stage_name(row.stage, lang) for row in rows)
    empty = tr(lang, "report.no_data") if not figures.submitted else ""
    description = tr(
        lang,
        "report.funnel.description",
        count=number(figures.submitted, lang),
        reached=_listed(
            [(process.stage_name(r.stage, lang), number(r.reached, lang)) for r in figures.funnel]
        ),
        off=_listed(
            [(process.stage_name(r.stage, lang), number(r.now, lang)) for r in figures.off_line]
        ),
    )
    return Chart(
        key="funnel",
        title=tr(lang, "report.funnel.title"),
        description=empty or description,
        categories=names,
        series=(
            Series(tr(lang, "report.funnel.reached"), tuple(r.reached for r in rows)),
            Series(tr(lang, "report.funnel.now"), tuple(r.now for r in rows)),
        ),
        axis=tr(lang, "report.axis.ideas"),
        table_head=(
            tr(lang, "report.head.stage"),
            tr(lang, "report.funnel.reached"),
            tr(lang, "report.funnel.now"),
        ),
        table_rows=tuple(
            (name, number(r.reached, lang), number(r.now, lang))
            for name, r in zip(names, rows, strict=True)
        ),
        horizontal=True,
        empty_text=empty,
    )


def _months(figures: Figures, lang: str) -> Chart:
    locale = DATE_LOCALES.get(lang, "sv_SE")
    labels = tuple(format_date(month, "LLL yyyy", locale=locale) for month, _ in figures.per_month)
    counts = tuple(n for _, n in figures.per_month)
    empty = tr(lang, "report.no_data") if not figures.submitted else ""
    return Chart(
        key="months",
        title=tr(lang, "report.months.title"),
        description=empty
        or tr(
            lang,
            "report.months.description",
            count=number(figures.submitted, lang),
            months=_listed([(m, number(n, lang)) for m, n in zip(labels, counts, strict=True)]),
        ),
        categories=labels,
        series=(Series(tr(lang, "report.axis.ideas"), counts),),
        axis=tr(lang, "report.axis.ideas"),
        table_head=(tr(lang, "report.head.month"), tr(lang, "report.axis.ideas")),
        table_rows=tuple((m, number(n, lang)) for m, n in zip(labels, counts, strict=True)),
        empty_text=empty,
    )


def _administrations(figures: Figures, lang: str) -> Chart:
    rows = figures.per_administration
    names = tuple(r.administration or tr(lang, "report.admin.unknown") for r in rows)
    empty = tr(lang, "report.no_data") if not rows else ""
    return Chart(
        key="administrations",
        title=tr(lang, "report.admin.title"),
        description=empty
        or tr(
            lang,
            "report.admin.description",
            rows=_listed(
                [
                    (
                        name,
                        tr(
                            lang,
                            "report.admin.row",
                            ideas=number(r.ideas, lang),
                            implemented=number(r.implemented, lang),
                        ),
                    )
                    for name, r in zip(names, rows, strict=True)
                ]
            ),
        ),
        categories=names,
        series=(
            Series(tr(lang, "report.axis.ideas"), tuple(r.ideas for r in rows)),
            Series(tr(lang, "report.head.implemented"), tuple(r.implemented for r in rows)),
        ),
        axis=tr(lang, "report.axis.ideas"),
        table_head=(
            tr(lang, "report.head.administration"),
            tr(lang, "report.axis.ideas"),
            tr(lang, "report.head.implemented"),
            tr(lang, "report.head.open"),
        ),
        table_rows=tuple(
            (name, number(r.ideas, lang), number(r.implemented, lang), number(r.open, lang))
            for name, r in zip(names, rows, strict=True)
        ),
        horizontal=True,
        empty_text=empty,
    )


def _stage_times(figures: Figures, process: Process, lang: str) -> Chart:
    rows = figures.stage_times
    names = tuple(process.stage_name(r.stage, lang) for r in rows)
    empty = tr(lang, "report.no_data") if not rows else ""
    return Chart(
        key="stage_times",
        title=tr(lang, "report.time.title"),
        description=empty
        or tr(
            lang,
            "report.time.description",
            rows="; ".join(
                tr(
                    lang,
                    "report.time.row",
                    stage=name,
                    median=number(r.median, lang),
                    p90=number(r.p90, lang),
                    stays=number(r.stays, lang),
                )
                for name, r in zip(names, rows, strict=True)
            ),
        ),
        categories=names,
        series=(
            Series(tr(lang, "report.head.median"), tuple(r.median for r in rows)),
            Series(tr(lang, "report.head.p90"), tuple(r.p90 for r in rows)),
        ),
        axis=tr(lang, "report.axis.working_days"),
        table_head=(
            tr(lang, "report.head.stage"),
            tr(lang, "report.head.stays"),
            tr(lang, "report.head.median"),
            tr(lang, "report.head.p90"),
        ),
        table_rows=tuple(
            (name, number(r.stays, lang), number(r.median, lang), number(r.p90, lang))
            for name, r in zip(names, rows, strict=True)
        ),
        horizontal=True,
        empty_text=empty,
    )


def _promises(figures: Figures, process: Process, lang: str) -> Chart:
    rows = figures.promises
    names = tuple(process.stage_name(r.stage, lang) for r in rows)
    empty = tr(lang, "report.no_data") if not rows else ""
    return Chart(
        key="promises",
        title=tr(lang, "report.promises.title"),
        description=empty
        or tr(
            lang,
            "report.promises.description",
            rows=_listed(
                [
                    (
                        name,
                        tr(
                            lang,
                            "report.promises.row",
                            share=percent(r.kept, r.due, lang),
                            kept=number(r.kept, lang),
                            due=number(r.due, lang),
                        ),
                    )
                    for name, r in zip(names, rows, strict=True)
                ]
            ),
        ),
        categories=names,
        series=(
            Series(
                tr(lang, "report.head.kept_share"), tuple(round(100 * r.kept / r.due) for r in rows)
            ),
        ),
        axis=tr(lang, "report.axis.percent"),
        table_head=(
            tr(lang, "report.head.stage"),
            tr(lang, "report.head.kept"),
            tr(lang, "report.head.not_kept"),
            tr(lang, "report.head.kept_share"),
        ),
        table_rows=tuple(
            (name, number(r.kept, lang), number(r.not_kept, lang), percent(r.kept, r.due, lang))
            for name, r in zip(names, rows, strict=True)
        ),
        horizontal=True,
        percent=True,
        empty_text=empty,
    )


def _satisfaction(figures: Figures, lang: str) -> Chart:
    everyone = tuple(figures.satisfaction[s] for s in SCORES)
    unrewarded = tuple(figures.satisfaction_not_implemented[s] for s in SCORES)
    empty = tr(lang, "report.no_data") if not sum(everyone) else ""

    def spread(counts: tuple[int, ...]) -> str:
        return ", ".join(
            tr(lang, "report.score_count", score=s, count=number(n, lang))
            for s, n in zip(SCORES, counts, strict=True)
        )

    return Chart(
        key="satisfaction",
        title=tr(lang, "report.satisfaction.title"),
        description=empty
        or tr(
            lang,
            "report.satisfaction.description",
            count=number(sum(everyone), lang),
            all=spread(everyone),
            not_count=number(sum(unrewarded), lang),
            not_implemented=spread(unrewarded),
        ),
        categories=tuple(str(s) for s in SCORES),
        series=(
            Series(tr(lang, "report.satisfaction.all"), everyone),
            Series(tr(lang, "report.satisfaction.not_implemented"), unrewarded),
        ),
        axis=tr(lang, "report.axis.answers"),
        table_head=(
            tr(lang, "report.head.score"),
            tr(lang, "report.satisfaction.all"),
            tr(lang, "report.satisfaction.not_implemented"),
        ),
        table_rows=tuple(
            (str(s), number(a, lang), number(b, lang))
            for s, a, b in zip(SCORES, everyone, unrewarded, strict=True)
        ),
        empty_text=empty,
    )


def _repeat_givers(figures: Figures, lang: str) -> Chart:
    labels = tuple(
        tr(lang, "report.repeat.more", count=n) if n == FURTHER_BUCKETS - 1 else str(n)
        for n in range(FURTHER_BUCKETS)
    )
    empty = tr(lang, "report.no_data") if not figures.first_handled else ""
    return Chart(
        key="repeat",
        title=tr(lang, "report.repeat.title"),
        description=empty
        or tr(
            lang,
            "report.repeat.description",
            handled=number(figures.first_handled, lang),
            back=number(figures.came_back, lang),
            share=percent(figures.came_back, figures.first_handled, lang),
        ),
        categories=labels,
        series=(Series(tr(lang, "report.repeat.givers"), figures.further_ideas),),
        axis=tr(lang, "report.repeat.givers"),
        table_head=(tr(lang, "report.repeat.further"), tr(lang, "report.repeat.givers")),
        table_rows=tuple(
            (label, number(n, lang)) for label, n in zip(labels, figures.further_ideas, strict=True)
        ),
        empty_text=empty,
    )


def _open_by_age(figures: Figures, lang: str) -> Chart:
    labels = tuple(
        tr(lang, "report.age.range", low=low, high=high)
        if high is not None
        else tr(lang, "report.age.over", low=low - 1)
        for low, high in AGE_BUCKETS
    )
    empty = tr(lang, "report.no_open") if not figures.open_now else ""
    return Chart(
        key="open",
        title=tr(lang, "report.open.title", day=format_day(_local_day(figures), lang)),
        description=empty
        or tr(
            lang,
            "report.open.description",
            count=number(figures.open_now, lang),
            rows=_listed(
                [
                    (label, number(n, lang))
                    for label, n in zip(labels, figures.open_by_age, strict=True)
                ]
            ),
        ),
        categories=labels,
        series=(Series(tr(lang, "report.axis.ideas"), figures.open_by_age),),
        axis=tr(lang, "report.axis.ideas"),
        table_head=(tr(lang, "report.head.age"), tr(lang, "report.axis.ideas")),
        table_rows=tuple(
            (label, number(n, lang)) for label, n in zip(labels, figures.open_by_age, strict=True)
        ),
        empty_text=empty,
    )


def _load(figures: Figures, lang: str) -> Chart:
    labels = [tr(lang, "report.load.coordinator", number=i + 1) for i in range(len(figures.load))]
    counts = list(figures.load)
    if figures.unassigned:
        labels.append(tr(lang, "report.load.nobody"))
        counts.append(figures.unassigned)
    empty = tr(lang, "report.no_open") if not counts else ""
    return Chart(
        key="load",
        title=tr(lang, "report.load.title"),
        description=empty
        or tr(
            lang,
            "report.load.description",
            rows=_listed(
                [(label, number(n, lang)) for label, n in zip(labels, counts, strict=True)]
            ),
        ),
        categories=tuple(labels),
        series=(Series(tr(lang, "report.head.open"), tuple(counts)),),
        axis=tr(lang, "report.axis.ideas"),
        table_head=(tr(lang, "report.head.coordinator"), tr(lang, "report.head.open")),
        table_rows=tuple((label, number(n, lang)) for label, n in zip(labels, counts, strict=True)),
        horizontal=True,
        empty_text=empty,
    )
