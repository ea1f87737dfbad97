"""Installing and removing the app in personal scope."""

from __future__ import annotations

from storage.people import find_person
from tests.adapters.teams.conftest import RecordingBot
from tests.adapters.teams.harness import BOT_ID, TeamsUser
from tests.adapters.teams.test_dialogue import stored_person


async def test_installation_update_remembers_the_address_without_a_second_greeting(
    recorded_teams, recording_bot: RecordingBot, db
) -> None:
    """Teams sends installationUpdate beside the conversationUpdate that greets."""
    anna = TeamsUser(recorded_teams.channel, user_id="29:1anna", name="Anna Andersson")
    activity = anna._activity("installationUpdate", action="add")
    status, _, sent = await recorded_teams.channel.post(activity)
    assert status == 200 and sent == [] and recording_bot.incomings == []
    person = await stored_person(db, anna.user_id)
    assert person.address["conversation"]["id"] == anna.conversation_id
    assert person.reachable

    await anna.installs()
    assert [i.opened for i in recording_bot.incomings] == [True]
    anna.hears("Hej Anna! Jag är Idéslussen.")


async def test_removing_the_app_marks_the_person_unreachable_and_reinstalling_undoes_it(
    recorded_teams, db
) -> None:
    anna = TeamsUser(recorded_teams.channel, user_id="29:1anna", name="Anna Andersson")
    await anna.installs()
    status, _, sent = await recorded_teams.channel.post(
        anna._activity("installationUpdate", action="remove")
    )
    assert status == 200 and sent == []
    assert (await stored_person(db, anna.user_id)).reachable is False
    status, _, _ = await recorded_teams.channel.post(
        anna._activity("installationUpdate", action="add")
    )
    assert (await stored_person(db, anna.user_id)).reachable is True


async def test_other_members_joining_do_not_trigger_a_greeting(
    recorded_teams, recording_bot: RecordingBot
) -> None:
    anna = TeamsUser(recorded_teams.channel, user_id="29:1anna", name="Anna Andersson")
    status, _, sent = await recorded_teams.channel.post(
        anna._activity("conversationUpdate", membersAdded=[{"id": "29:1someone-else"}])
    )
    assert status == 200 and sent == [] and recording_bot.incomings == []
    assert BOT_ID.startswith("28:")


async def test_a_resent_installation_update_changes_nothing(recorded_teams, db) -> None:
    """The installation update is a turn of the core like any other: its activity is claimed,
    so Teams resending an old "add" after the person removed the app does not make them
    reachable again."""
    anna = TeamsUser(recorded_teams.channel, user_id="29:1anna", name="Anna Andersson")
    await anna.installs()
    added = anna._activity("installationUpdate", action="add")
    assert (await recorded_teams.channel.post(added))[0] == 200
    removed = anna._activity("installationUpdate", action="remove")
    assert (await recorded_teams.channel.post(removed))[0] == 200
    assert (await stored_person(db, anna.user_id)).reachable is False

    status, _, sent = await recorded_teams.channel.post(added)  # the same activity again
    assert status == 200 and sent == []
    assert (await stored_person(db, anna.user_id)).reachable is False


async def test_installation_updates_count_toward_the_turn_limit(
    recorded_teams, recording_bot: RecordingBot, db
) -> None:
    bot = recording_bot.inner
    anna = TeamsUser(recorded_teams.channel, user_id="29:1anna", name="Anna Andersson")
    for _ in range(bot.settings.turns_per_minute):
        bot.turn_limit.check(f"msteams:{anna.user_id}", bot.clock.now())
    status, _, sent = await recorded_teams.channel.post(
        anna._activity("installationUpdate", action="add")
    )
    assert status == 200 and sent == []
    async with db.transaction() as session:  # over the limit: nothing written
        assert await find_person(session, f"msteams:{anna.user_id}") is None
