"""A year of ideas seeded once for the report's tests (SQLite), and the real tools that
look at what the report made: a headless Chromium and poppler's pdftoppm."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bot.report import ReportPeriod, report_for
from storage.database import Database
from tests.report.world import REPORT_MOMENT, World, seed_year

YEAR = ReportPeriod(date(2026, 1, 1), date(2026, 12, 31))


@dataclass(frozen=True)
class SeededYear:
    url: str
    world: World


@pytest.fixture(scope="session")
def seeded_year(
    migrated_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededYear]:
    path = tmp_path_factory.mktemp("year") / "year.db"
    shutil.copyfile(migrated_sqlite_file, path)
    url = f"sqlite:///{path}"

    async def seed() -> World:
        database = Database(url)
        try:
            return await seed_year(database)
        finally:
            await database.close()

    yield SeededYear(url, asyncio.run(seed()))


def make_report(url: str, period: ReportPeriod, lang: str, fmt: str) -> bytes:
    async def run() -> bytes:
        database = Database(url)
        try:
            return await report_for(database, period, lang, now=REPORT_MOMENT, fmt=fmt)
        finally:
            await database.close()

    return asyncio.run(run())


@pytest.fixture(scope="session")
def year_html(seeded_year: SeededYear) -> bytes:
    return make_report(seeded_year.url, YEAR, "sv", "html")


@pytest.fixture(scope="session")
def year_pdf(seeded_year: SeededYear) -> bytes:
    return make_report(seeded_year.url, YEAR, "sv", "pdf")
