"""`idesluss export`, `idesluss outbox` and `idesluss doctor`."""

from __future__ import annotations

import csv
import io
import json
import socket
from datetime import datetime

import pytest
from sqlalchemy import select, update

from bot.calendar import STOCKHOLM
from bot.cli import main
from bot.operations import (
    RetryRefused,
    doctor,
    export_csv,
    export_ideas,
    export_json,
    outbox_rows,
    parse_since,
    retry_outbox,
)
from storage.database import Database
from storage.models import Idea, OutboxMessage, Person
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat
from tests.fakes.slack_api import FakeSlackApi

# ── export ───────────────────────────────────────────────────────────────────────────────


async def two_ideas(bot, clock, anna: Chat) -> None:
    """Idea 1 in May, idea 2 in June (moved on by Maria in June)."""
    clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=STOCKHOLM))
    await submit_idea(anna, "Gamla idén")
    clock.set(datetime(2026, 6, 15, 9, 0, tzinfo=STOCKHOLM))
    await submit_idea(anna, "=Tryggare tunnlar", need="-Rädda på kvällen")
    maria = Chat(bot, user="maria", name="Maria Berg")
    await maria.says("tilldela 2 mig")
    await maria.says("flytta 2 Vi tittar på den")


async def test_export_since_a_date_has_the_ideas_and_their_history(bot, clock, anna, db) -> None:
    await two_ideas(bot, clock, anna)
    ideas = await export_ideas(db, parse_since("2026-06-01"))
    assert [idea["number"] for idea in ideas] == [2]
    idea = ideas[0]
    assert idea["title"] == "=Tryggare tunnlar"
    assert idea["idea_giver"] == "Anna Andersson"
    assert idea["assignee"] == "Maria Berg"
    assert idea["stage"] == "assessment"
    kinds = [event["event"] for event in idea["history"]]
    assert kinds[0] == "submitted" and "stage" in kinds
    moved = next(e for e in idea["history"] if e["event"] == "stage")
    assert (moved["from_stage"], moved["to_stage"], moved["event_by"]) == (
        "submitted",
        "assessment",
        "Maria Berg",
    )
    # Everything since May: both.
    assert len(await export_ideas(db, parse_since("2026-05-01"))) == 2

    as_json = json.loads(export_json(ideas))
    assert as_json["ideas"][0]["history"] == idea["history"]

    rows = list(csv.DictReader(io.StringIO(export_csv(ideas))))
    assert len(rows) == len(idea["history"])  # one row per history event
    assert {row["number"] for row in rows} == {"2"}
    # A spreadsheet does not run a title or an answer as a formula.
    assert rows[0]["title"] == "'=Tryggare tunnlar"
    assert rows[0]["need"] == "'-Rädda på kvällen"


async def test_export_does_not_name_the_giver_of_an_anonymous_idea(bot, clock, anna, db) -> None:
    await two_ideas(bot, clock, anna)
    async with db.transaction() as session:
        await session.execute(update(Idea).where(Idea.id == 2).values(anonymous=True))
    [idea] = await export_ideas(db, parse_since("2026-06-01"))
    assert idea["idea_giver"] is None and idea["anonymous"] is True
    assert "Anna" not in export_csv([idea]) + export_json([idea])
    assert idea["assignee"] == "Maria Berg"


def test_a_since_that_is_not_a_date_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="write it like 2026-01-01"):
        parse_since("igår")
    assert parse_since("2026-01-01").isoformat() == "2026-01-01T00:00:00+01:00"


def test_export_command_writes_a_file(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    out = tmp_path / "ideas.csv"
    assert main(["export", "--since", "2026-01-01", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfnumber,title,")  # BOM for Excel
    assert "0 idea(s) written" in capsys.readouterr().err
    assert main(["export", "--since", "2026-01-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ideas": []}
    assert main(["export", "--since", "januari"]) == 2
    assert "is not a date" in capsys.readouterr().err


# ── outbox ───────────────────────────────────────────────────────────────────────────────


async def test_a_failed_message_is_listed_and_can_be_queued_again(bot, clock, anna, db) -> None:
    await submit_idea(anna, "Tryggare tunnlar")
    await run_sweep(bot)  # Maria's digest of the new idea
    async with db.transaction() as session:
        message = (await session.execute(select(OutboxMessage))).scalars().one()
        message.status, message.attempts, message.last_error = "failed", 8, "HTTP 500"
        await session.execute(update(Person).values(reachable=False))
    counts, rows = await outbox_rows(db, failed_only=True)
    assert counts == {"pending": 0, "sent": 0, "failed": 1, "withdrawn": 0}
    [row] = rows
    assert (row.kind, row.recipient, row.attempts, row.last_error) == (
        "digest",
        "console:maria",
        8,
        "HTTP 500",
    )

    said = await retry_outbox(db, row.id, now=clock.now())
    assert "queued again" in said
    async with db.transaction() as session:
        again = await session.get(OutboxMessage, row.id)
        recipient = await session.get(Person, again.recipient_id)
    assert (again.status, again.attempts, again.not_before) == ("pending", 0, clock.now())
    assert recipient.reachable is True

    with pytest.raises(RetryRefused, match="is pending, not failed"):
        await retry_outbox(db, row.id, now=clock.now())
    with pytest.raises(RetryRefused, match="there is no outbox message 999"):
        await retry_outbox(db, 999, now=clock.now())


def test_outbox_command_lists_and_refuses_clearly(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert main(["outbox", "--failed"]) == 0
    assert "Outbox: 0 pending, 0 sent, 0 failed, 0 withdrawn." in capsys.readouterr().out
    assert main(["outbox", "--retry", "7"]) == 1
    assert "there is no outbox message 7" in capsys.readouterr().err


# ── doctor ───────────────────────────────────────────────────────────────────────────────


@pytest.fixture
async def slack_api():
    api = await FakeSlackApi().start()
    yield api
    await api.close()


def slack_env(api: FakeSlackApi, database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "IDESLUSS_COORDINATORS": "slack:UMARIA",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": api.url,
    }


async def test_doctor_is_happy_with_a_good_configuration(slack_api, database_url) -> None:
    database = Database(database_url)
    await database.upgrade()
    await database.close()
    checkup = await doctor(slack_env(slack_api, database_url))
    assert checkup.problems == []
    assert checkup.healthy
    report = checkup.report()
    assert "migrated" in report and "Slack: token accepted (workspace Kommunen" in report
    assert "process file (the shipped default)" in report
    assert "organisation file (the shipped example): 9 administrations" in report
    assert slack_api.methods() == ["auth.test"]


async def test_doctor_names_every_problem_in_plain_words(slack_api, tmp_path) -> None:
    slack_api.fail("auth.test", error="invalid_auth")
    broken = tmp_path / "process.toml"
    broken.write_text("first_stage = 'nowhere'\n")
    env = {
        **slack_env(slack_api, f"sqlite:///{tmp_path / 'empty.db'}"),
        "IDESLUSS_PROCESS": str(broken),
        "MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000000",
    }
    checkup = await doctor(env)
    problems = "\n".join(checkup.problems)
    assert not checkup.healthy
    assert "process file:" in problems
    assert "reachable but empty: run idesluss db upgrade" in problems
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in problems
    assert "Teams: MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is missing" in problems
    assert "xoxb-test" not in checkup.report()  # never prints a secret


async def test_doctor_says_when_the_database_or_slack_cannot_be_reached(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "DATABASE_URL": f"postgresql://nobody:hunter2@127.0.0.1:{port}/idesluss",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": f"http://127.0.0.1:{port}/api/",
    }
    checkup = await doctor(env)
    problems = "\n".join(checkup.problems)
    assert "database:" in problems
    assert "Slack cannot be reached" in problems
    assert "hunter2" not in checkup.report()


async def test_doctor_says_the_teams_credentials_are_present(tmp_path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000000",
        "MICROSOFT_APP_PASSWORD": "secret",
        "MICROSOFT_APP_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    }
    checkup = await doctor(env)
    assert "Teams: configured, credentials present" in checkup.ok
    assert not any("Teams" in problem for problem in checkup.problems)


async def test_doctor_wants_at_least_one_platform(tmp_path) -> None:
    checkup = await doctor({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert any("no chat platform is configured" in p for p in checkup.problems)


def test_doctor_command_exits_non_zero_when_something_is_wrong(
    monkeypatch, tmp_path, capsys
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "secret")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM  Teams: MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is missing" in out
    assert "problem(s) found" in out


# ── settings for running many replicas ─────────────────────────────────────────────────────


def test_intervals_and_any_time_delivery_come_from_the_environment() -> None:
    from bot.config import Settings

    settings = Settings.from_env(
        {
            "IDESLUSS_SWEEP_SECONDS": "60",
            "IDESLUSS_DISPATCH_SECONDS": "2.5",
            "IDESLUSS_DELIVER_ANY_TIME": "1",
        }
    )
    assert (settings.sweep_every_s, settings.dispatch_every_s) == (60.0, 2.5)
    assert settings.deliver_any_time is True
    defaults = Settings.from_env({})
    assert (defaults.sweep_every_s, defaults.dispatch_every_s) == (900.0, 15.0)
    assert defaults.deliver_any_time is False
    with pytest.raises(ValueError, match="IDESLUSS_SWEEP_SECONDS must be a number of seconds"):
        Settings.from_env({"IDESLUSS_SWEEP_SECONDS": "often"})
    with pytest.raises(ValueError, match=r"between 0\.1 and 86400"):
        Settings.from_env({"IDESLUSS_DISPATCH_SECONDS": "0"})


async def test_a_sweep_for_shift_work_queues_reminders_for_now(db, clock) -> None:
    """Saturday night: with IDESLUSS_DELIVER_ANY_TIME the reminder is due at once; without
    it, on Monday morning."""
    from bot.app import IdeaBot
    from bot.config import Settings
    from bot.reminders import sweep

    anna = Chat(IdeaBot(db, clock=clock), user="anna", name="Anna")
    await anna.says("Hej!")
    await anna.says("Tryggare tunnlar")  # begun: a nudge is due when she goes quiet
    saturday_night = datetime(2026, 6, 20, 23, 0, tzinfo=STOCKHOLM)
    report = await sweep(db, saturday_night, settings=Settings(deliver_any_time=True), dry_run=True)
    assert [m.not_before for m in report.messages] == [saturday_night]
    report = await sweep(db, saturday_night, settings=Settings(), dry_run=True)
    assert [m.not_before.astimezone(STOCKHOLM).strftime("%a %H:%M") for m in report.messages] == [
        "Mon 08:00"
    ]
