"""Installing and removing the app in personal scope."""

from __future__ import annotations

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
