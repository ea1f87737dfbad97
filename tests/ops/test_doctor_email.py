"""`idesluss doctor` and people named by e-mail address: Slack is asked for them (and what
it finds is kept); whoever is still unknown is a warning saying what has to happen. (`db`
empties the shared PostgreSQL database first.)"""

from __future__ import annotations

from sqlalchemy import select

from bot.operations import doctor
from storage.database import Database
from storage.models import Person
from storage.people import EMAIL_ONLY
from tests.fakes.slack_api import FakeSlackApi
from tests.ops.test_operations import slack_api, slack_env

__all__ = ["slack_api"]  # the fixture, shared with the other doctor tests

MARIA = "maria.berg@kommun.se"
PER = "per.ek@kommun.se"


async def people(database_url: str) -> dict[str, Person]:
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            rows = await session.scalars(select(Person))
            return {p.qualified_id: p for p in rows}
    finally:
        await database.close()


async def test_doctor_finds_people_in_slack_and_warns_about_the_others(
    slack_api: FakeSlackApi, database_url: str, db
) -> None:
    slack_api.add_user("UMB", "Maria Berg", email=MARIA)
    env = {
        **slack_env(slack_api, database_url),
        "IDESLUSS_COORDINATORS": f"{MARIA},slack:ULARS",
        "IDESLUSS_ADMINS": PER,
    }
    checkup = await doctor(env)
    assert checkup.healthy, checkup.report()
    assert f"{MARIA}: found in Slack" in checkup.ok
    assert "people named by e-mail: 1 of 2 known to the bot" in checkup.ok
    assert checkup.warnings == [
        f"{PER}: not seen yet – they have to write to the bot once in Teams, or be found in "
        "Slack; their news is kept until then"
    ]
    report = checkup.report()
    assert f"WARNING  {PER}: not seen yet" in report and "All checks passed." in report
    kept = await people(database_url)
    assert kept["slack:UMB"].email == MARIA and kept["slack:UMB"].address == {"user": "UMB"}
    assert kept[f"{EMAIL_ONLY}:{PER}"].email == PER

    # Run again: Maria is known now and is not looked up again.
    slack_api.forget()
    again = await doctor(env)
    assert [c.params["email"] for c in slack_api.calls_to("users.lookupByEmail")] == [PER]
    assert "people named by e-mail: 1 of 2 known to the bot" in again.ok


async def test_nobody_reachable_at_all_is_a_problem(
    slack_api: FakeSlackApi, database_url: str, db
) -> None:
    env = {**slack_env(slack_api, database_url), "IDESLUSS_COORDINATORS": f"{MARIA},{PER}"}
    checkup = await doctor(env)
    assert not checkup.healthy
    assert any("no coordinator can be reached yet" in p for p in checkup.problems)
    assert len(checkup.warnings) == 2


async def test_a_missing_scope_is_said_plainly(
    slack_api: FakeSlackApi, database_url: str, db
) -> None:
    slack_api.revoke_scope("users:read.email")
    env = {**slack_env(slack_api, database_url), "IDESLUSS_COORDINATORS": f"slack:U1,{MARIA}"}
    checkup = await doctor(env)
    assert checkup.healthy  # a warning: Slack is fine otherwise
    assert any("needs the scope users:read.email" in w for w in checkup.warnings)
    assert any(w.startswith(f"{MARIA}: not seen yet") for w in checkup.warnings)


async def test_no_addresses_no_lines(slack_api: FakeSlackApi, database_url: str, db) -> None:
    env = {**slack_env(slack_api, database_url), "IDESLUSS_COORDINATORS": "slack:U1"}
    checkup = await doctor(env)
    assert checkup.warnings == []
    assert not any("named by e-mail" in line for line in checkup.ok)
    assert slack_api.methods() == ["auth.test"]
