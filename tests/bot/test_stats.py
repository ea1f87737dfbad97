"""`stats`: the promised answer time in working days, median days per stage, satisfaction."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.calendar import DEFAULT_CALENDAR
from storage.ideas import median_of_histogram
from tests.bot.ideas import submit_idea
from tests.chat import Chat

STOCKHOLM = ZoneInfo("Europe/Stockholm")
end_of_working_days = DEFAULT_CALENDAR.end_of_working_days


def test_the_promise_counts_working_days_in_sweden() -> None:
    friday = datetime(2026, 6, 12, 15, 0, tzinfo=STOCKHOLM)
    # Midsommarafton (19 June) is not a working day: five working days end on Monday 22nd.
    assert end_of_working_days(friday, 5) == datetime(2026, 6, 22, 23, 59, 59, tzinfo=STOCKHOLM)
    christmas = datetime(2026, 12, 23, 9, 0, tzinfo=STOCKHOLM)
    assert end_of_working_days(christmas, 1).date().isoformat() == "2026-12-28"


def test_median_of_a_histogram() -> None:
    assert median_of_histogram({3: 1}) == 3
    assert median_of_histogram({1: 1, 5: 1}) == 3
    assert median_of_histogram({0: 2, 10: 1}) == 0
    assert median_of_histogram({2: 2, 4: 2}) == 3


async def test_late_answers_and_days_per_stage(bot, clock) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    anna = Chat(bot, user="anna", name="Anna")
    await submit_idea(anna, "Tryggare tunnlar")  # Monday 15 June
    await submit_idea(anna, "Digital matsedel")
    clock.advance(days=2)
    await maria.says("advance 1")  # in time
    clock.advance(days=10)
    await maria.says("advance 2")  # twelve days later, over midsummer: late
    await maria.says("advance 1")  # ten days in Bedömning
    await submit_idea(anna, "Ny idé om cyklar")  # still has time
    await maria.says("stats")
    maria.hears(
        "Fick svar i tid: 50 % (1 av 2) hörde av oss inom 5 arbetsdagar",
        "Median dagar per steg: Inkommen 7,0, Bedömning 10,0",
        "Nöjdhet: –",
    )
    clock.advance(days=30)
    await maria.says("stats")
    maria.hears("Fick svar i tid: 33 % (1 av 3)")  # the third idea is now overdue


async def test_stats_on_an_empty_database(bot) -> None:
    maria = Chat(bot, user="maria", name="Maria", language="en")
    await maria.says("stats")
    maria.hears("Ideas in total: 0", "Heard back in time: –", "Satisfaction: –")


async def test_per_administration_with_unknown_for_the_rest(bot) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    anna = Chat(bot, user="anna", name="Anna")
    await submit_idea(anna, "Tryggare tunnlar", workplace="Kultur och fritid")
    karin = Chat(bot, user="karin", name="Karin")
    await submit_idea(karin, "Elcyklar", workplace="hemtjänsten norrmalm, vård o omsorg")
    ove = Chat(bot, user="ove", name="Ove")
    await submit_idea(ove, "Kaffe", workplace="Kommunhuset")
    await submit_idea(karin, "Lånecyklar")  # her workplace of last time
    await maria.says("statistik")
    maria.hears(
        "Per förvaltning: Vård- och omsorgsförvaltningen 2, "
        "Kultur- och fritidsförvaltningen 1, okänd 1"
    )
    maria.does_not_hear("Statistik för")


async def test_stats_for_a_year_a_month_and_last_month(bot, clock) -> None:
    maria = Chat(bot, user="maria", name="Maria")
    anna = Chat(bot, user="anna", name="Anna")
    await submit_idea(anna, "Tryggare tunnlar")  # Monday 15 June 2026
    clock.advance(days=30)
    await submit_idea(anna, "Digital matsedel")  # July
    await maria.says("statistik juni")
    maria.hears("Statistik för juni 2026", "Idéer totalt: 1", "Idéerna som kom in under perioden")
    await maria.says("statistik 2026-07")
    maria.hears("Statistik för juli 2026", "Idéer totalt: 1")
    await maria.says("statistik förra månaden")
    maria.hears("Statistik för juni 2026", "Idéer totalt: 1")
    await maria.says("statistik 2026")
    maria.hears("Statistik för 2026", "Idéer totalt: 2")
    await maria.says("statistik juni 2025")
    maria.hears("Statistik för juni 2025", "Idéer totalt: 0")
    await maria.says("stats in english please")
    maria.hears("Jag förstod inte vilken tid ”in english please” är.", "statistik förra månaden")
    maria.does_not_hear("Statistik för")
    await maria.says("statistik")
    maria.hears("Idéer totalt: 2")


async def test_stats_for_a_month_in_english(bot) -> None:
    maria = Chat(bot, user="maria", name="Maria", language="en")
    await maria.says("stats june")
    maria.hears("Statistics for June 2026", "Ideas in total: 0", "Per department: –")
