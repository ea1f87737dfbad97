"""Coordinators type commands (`advance 12 testing …`) in personal chat or, mentioning the
bot, in a channel or group chat. The text reaches the core without the bot's mention; in a
group the core is told so (`in_group`), and the group conversation never becomes anyone's
address for personal messages."""

from __future__ import annotations

from tests.adapters.teams.conftest import MARIA_ID, RecordingBot
from tests.adapters.teams.harness import BOT_ID, TeamsUser
from tests.adapters.teams.test_dialogue import stored_person

ADVANCE = "advance 1 testing Bra idé, vi provar i Väster!"


async def test_a_command_in_personal_chat_reaches_the_core_as_typed(
    recorded_teams, recording_bot: RecordingBot
) -> None:
    maria = TeamsUser(recorded_teams.channel, user_id=MARIA_ID, name="Maria Lind")
    await maria.says(ADVANCE)
    await maria.says(f"/idea {ADVANCE}")
    plain, prefixed = recording_bot.incomings
    assert (plain.platform, plain.user_id, plain.text) == ("msteams", MARIA_ID, ADVANCE)
    assert plain.action is None and plain.in_group is False
    assert plain.qualified_id == f"msteams:{MARIA_ID}"  # as IDESLUSS_COORDINATORS names her
    assert plain.address["conversation"]["id"] == maria.conversation_id
    assert plain.event_id and plain.event_id != prefixed.event_id
    assert prefixed.text == f"/idea {ADVANCE}"


async def test_in_a_channel_the_mention_is_stripped_and_the_address_kept(
    recorded_teams, recording_bot: RecordingBot, db
) -> None:
    channel = recorded_teams.channel
    maria = TeamsUser(channel, user_id=MARIA_ID, name="Maria Lind")
    await maria.says("Hej")  # her personal chat: this is her address
    in_channel = TeamsUser(
        channel,
        user_id=MARIA_ID,
        name="Maria Lind",
        conversation_id="19:idesluss-team@thread.tacv2;messageid=1718000000000",
    )
    mention = "<at>Idéslussen</at>"
    activity = channel.activity(
        "message",
        user_id=MARIA_ID,
        name="Maria Lind",
        conversation_id=in_channel.conversation_id,
        conversation_type="channel",
        text=f"{mention} {ADVANCE}",
        entities=[
            {
                "type": "mention",
                "text": mention,
                "mentioned": {"id": BOT_ID, "name": "Idéslussen"},
            }
        ],
    )
    status, _, sent = await channel.post(activity)
    assert status == 200
    incoming = recording_bot.incomings[-1]
    assert incoming.text == ADVANCE
    assert incoming.in_group is True and incoming.address is None
    # The answer goes to the channel conversation it came from.
    assert sent and {s.conversation_id for s in sent} == {in_channel.conversation_id}
    person = await stored_person(db, MARIA_ID)
    assert person.address["conversation"]["id"] == maria.conversation_id


async def test_a_group_chat_message_with_a_broken_mention_entity_is_still_handled(
    recorded_teams, recording_bot: RecordingBot
) -> None:
    channel = recorded_teams.channel
    activity = channel.activity(
        "message",
        user_id=MARIA_ID,
        name="Maria Lind",
        conversation_id="19:group-chat@thread.v2",
        conversation_type="groupChat",
        text="<at>Idéslussen</at> list",
        entities=[{"type": "mention"}, {"type": "clientInfo", "locale": "en-GB"}],
        locale=None,
    )
    status, body, _ = await channel.post(activity)
    assert status == 200, body
    incoming = recording_bot.incomings[-1]
    assert incoming.text == "list"
    assert incoming.in_group is True
    assert incoming.locale == "en-GB"  # from clientInfo when the activity has none


async def test_adding_the_bot_to_a_team_greets_nobody_in_particular(
    recorded_teams, recording_bot: RecordingBot, connector
) -> None:
    activity = recorded_teams.channel.activity(
        "conversationUpdate",
        user_id=MARIA_ID,
        name="Maria Lind",
        conversation_id="19:general@thread.tacv2",
        conversation_type="channel",
        membersAdded=[{"id": BOT_ID}],
    )
    status, _, sent = await recorded_teams.channel.post(activity)
    assert status == 200 and sent == [] and recording_bot.incomings == []
