"""Teams and the core together, over real HTTP: a coordinator's command typed in Teams moves
the idea, and the dispatcher (driven here with an office-hours clock) brings the idea giver's
follow-up and satisfaction card to the fake Bot Connector through `TeamsSender`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.dispatcher import Dispatcher
from bot.roles import add_coordinator
from storage.dialogues import load_dialogue
from storage.models import Idea, OutboxMessage
from tests.adapters.teams.conftest import ANNA_ID, MARIA_ID
from tests.adapters.teams.harness import BOT_ID, TeamsUser
from tests.adapters.teams.test_dialogue import stored_person
from tests.bot.ideas import run_sweep
from tests.fakes.bot_connector import FakeBotConnector

BERG_ID = "29:1maria-berg-coordinator"
ADVANCE = "advance 1 testing Great, let's try it!"


async def submit_in_teams(anna: TeamsUser) -> None:
    await anna.installs()
    for answer in (
        "Tryggare tunnlar",
        "Många är rädda i gångtunnlarna på kvällen, särskilt äldre.",
        "Bättre belysning och konst som skolbarnen målar.",
        "Invånare som går där, och polisen får färre anmälningar.",
    ):
        await anna.says(answer)
    await anna.says("hoppa över")
    await anna.says("hoppa över")
    await anna.clicks("Ja")
    await anna.says("Kultur och fritid")
    await anna.clicks("Skicka in")
    anna.hears("har nummer 1")


def dispatcher_for(teams, teams_bot, clock) -> Dispatcher:
    # The clock is a Monday 09:00 in Stockholm: office hours on a working day.
    return Dispatcher(teams_bot.db, [teams.sender], settings=teams_bot.settings, clock=clock)


def proactive_to(connector: FakeBotConnector, user: TeamsUser) -> list:
    """What reached the person on the bot's own initiative (not as answers to them)."""
    return [s for s in connector.to(user.conversation_id) if s.reply_to is None]


async def idea_one(db) -> Idea:
    async with db.transaction() as session:
        return (await session.execute(select(Idea).where(Idea.id == 1))).scalar_one()


async def outbox_of(db, user_id: str) -> list[OutboxMessage]:
    person = await stored_person(db, user_id)
    async with db.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.recipient_id == person.id)
            .order_by(OutboxMessage.id)
        )
        return list(rows.scalars())


@pytest.fixture
async def submitted(teams, anna: TeamsUser, maria: TeamsUser, teams_bot, clock, connector):
    """Anna has sent idea 1 from Teams; Maria, a coordinator, has the app, was told, and
    has moved the idea on to assessment (Anna heard so)."""
    await maria.installs()
    await submit_in_teams(anna)
    await run_sweep(teams_bot)  # Maria hears of it in her day's digest
    await dispatcher_for(teams, teams_bot, clock).run_until_idle()
    assert any("Tryggare tunnlar" in str(s.activity) for s in connector.to(maria.conversation_id))
    connector.sent.clear()
    await maria.says("advance 1 assessment")
    await dispatcher_for(teams, teams_bot, clock).run_until_idle()
    assert len(connector.to(anna.conversation_id)) == 1
    connector.sent.clear()
    return anna, maria


@pytest.mark.parametrize("typed", [ADVANCE, f"/idea {ADVANCE}"])
async def test_advance_typed_in_teams_moves_the_idea_and_the_follow_up_reaches_anna(
    typed: str, submitted, teams, teams_bot, clock, connector: FakeBotConnector, db
) -> None:
    anna, maria = submitted
    await maria.says(typed)
    maria.hears("Tryggare tunnlar")
    assert {s.conversation_id for s in maria.received} == {maria.conversation_id}
    assert (await idea_one(db)).stage == "testing"
    assert connector.to(anna.conversation_id) == []  # only through the outbox

    dispatcher = dispatcher_for(teams, teams_bot, clock)
    await dispatcher.run_until_idle()
    (follow_up,) = connector.to(anna.conversation_id)
    assert "Tryggare tunnlar" in follow_up.text and "Great, let's try it!" in follow_up.text
    assert follow_up.activity["recipient"]["id"] == ANNA_ID
    assert [row.status for row in await outbox_of(db, ANNA_ID)] == ["sent", "sent"]
    assert dispatcher.stats.delivered == 1


async def test_after_close_anna_rates_the_handling_on_the_card_and_it_is_stored(
    submitted, teams, teams_bot, clock, connector: FakeBotConnector, db
) -> None:
    anna, maria = submitted
    await maria.says("close 1 Vi har redan beslutat om ny belysning i alla tunnlar.")
    assert (await idea_one(db)).stage == "closed"
    await dispatcher_for(teams, teams_bot, clock).run_until_idle()

    arrived = connector.to(anna.conversation_id)
    card = next(s for s in arrived if s.buttons)
    labels = [label for label, _ in card.buttons]
    assert len(labels) == 5 and [label[0] for label in labels] == ["1", "2", "3", "4", "5"]
    anna.received = arrived
    await anna.clicks(labels[3])
    assert (await idea_one(db)).satisfaction == 4
    anna.hears("Tack för ditt svar!")  # and asked for an optional comment
    assert {s.conversation_id for s in anna.received} == {anna.conversation_id}

    anna.received = arrived
    await anna.clicks(labels[4])  # the old card clicked again: answered kindly, kept as given
    assert (await idea_one(db)).satisfaction == 4


async def test_a_block_through_the_dispatcher_marks_anna_unreachable_and_tells_maria(
    submitted, teams, teams_bot, clock, connector: FakeBotConnector, db
) -> None:
    anna, maria = submitted
    await maria.says(ADVANCE)
    connector.fail_next(
        403, {"error": {"code": "MessageWritesBlocked", "message": "Thread is blocked."}}
    )
    dispatcher = dispatcher_for(teams, teams_bot, clock)
    await dispatcher.run_until_idle()

    assert connector.to(anna.conversation_id) == []
    assert (await stored_person(db, ANNA_ID)).reachable is False
    assert dispatcher.stats.unreachable == 1
    (notice,) = proactive_to(connector, maria)
    assert "Anna Andersson" in notice.text and "blockerats" in notice.text

    # Nothing more goes to Anna: the next follow-up fails without a call to Teams.
    attempts, before = connector.attempts, len(connector.sent)
    await maria.says("advance 1 development Vi bygger vidare!")
    await dispatcher.run_until_idle()
    after = connector.sent[before:]
    assert after and {s.conversation_id for s in after} == {maria.conversation_id}
    assert connector.attempts == attempts + len(after)  # no attempt at Anna's chat at all
    assert [row.status for row in await outbox_of(db, ANNA_ID)] == ["sent", "failed", "failed"]


async def test_anna_writing_again_makes_her_reachable_for_the_next_follow_up(
    submitted, teams, teams_bot, clock, connector: FakeBotConnector, db
) -> None:
    anna, maria = submitted
    await maria.says(ADVANCE)
    connector.fail_next(403, {"error": {"code": "MessageWritesBlocked"}})
    await dispatcher_for(teams, teams_bot, clock).run_until_idle()
    assert (await stored_person(db, ANNA_ID)).reachable is False

    await anna.says("mina")  # she unblocked the bot and wrote from the same chat
    assert (await stored_person(db, ANNA_ID)).reachable is True
    await maria.says("advance 1 development Vi bygger vidare!")
    await dispatcher_for(teams, teams_bot, clock).run_until_idle()
    (follow_up,) = connector.to(anna.conversation_id)[-1:]
    assert "Vi bygger vidare!" in follow_up.text


async def test_a_colleague_mentioned_in_teams_is_assigned_by_her_teams_id(
    submitted, teams, teams_bot, connector: FakeBotConnector, db
) -> None:
    _, maria = submitted
    async with db.transaction() as session:
        await add_coordinator(
            session, f"msteams:{BERG_ID}", added_by=f"msteams:{MARIA_ID}", now=teams_bot.clock.now()
        )
    bot_tag, berg_tag = "<at>Idéslussen</at>", "<at>Maria Berg</at>"
    await maria.says(
        f"{bot_tag} assign 1 {berg_tag}",
        entities=[
            {"type": "mention", "text": bot_tag, "mentioned": {"id": BOT_ID, "name": "Idéslussen"}},
            {
                "type": "mention",
                "text": berg_tag,
                "mentioned": {"id": BERG_ID, "name": "Maria Berg"},
            },
        ],
    )
    maria.hears("idé 1 ”Tryggare tunnlar”")
    idea = await idea_one(db)
    assert idea.assignee_id == (await stored_person(db, BERG_ID)).id


async def test_a_mention_without_a_usable_entity_keeps_the_typed_name(
    submitted, connector: FakeBotConnector, db
) -> None:
    _, maria = submitted
    await maria.says(
        "assign 1 <at>Maria Berg</at>",
        entities=[{"type": "mention", "text": "<at>Maria Berg</at>", "mentioned": {"id": "a>b"}}],
    )
    maria.does_not_hear("Klart")
    assert (await idea_one(db)).assignee_id is None


async def test_an_idea_told_in_a_group_chat_is_pointed_to_the_personal_chat(
    teams, anna: TeamsUser, db
) -> None:
    group = TeamsUser(
        teams.channel,
        user_id=ANNA_ID,
        name="Anna Andersson",
        conversation_id="19:lunch-group@thread.v2",
    )
    tag = "<at>Idéslussen</at>"
    await group.says(
        f"{tag} Vi borde ha bättre belysning i tunnlarna",
        conversation={
            "id": group.conversation_id,
            "conversationType": "groupChat",
            "isGroup": True,
        },
        entities=[
            {"type": "mention", "text": tag, "mentioned": {"id": BOT_ID, "name": "Idéslussen"}}
        ],
    )
    group.hears("Hej Anna!", "i en chatt med bara mig", "skriv ”hjälp”")
    assert {s.conversation_id for s in group.received} == {group.conversation_id}
    person = await stored_person(db, ANNA_ID)
    assert person.address is None  # a group chat is nobody's personal address
    async with db.transaction() as session:
        assert await load_dialogue(session, person.id) is None  # no dialogue started

    await anna.says("Hej!")  # her personal chat starts the dialogue as usual
    anna.hears("Vad vill du kalla din idé?")


async def test_the_export_comes_as_a_file_to_accept_in_the_personal_chat(
    submitted, connector: FakeBotConnector
) -> None:
    _, maria = submitted
    await maria.says("export csv")
    maria.hears("1 idéer", "Filen ”idesluss-", "kommer strax här i vår chatt")
    [offer] = maria.file_offers()  # the rest: tests/adapters/teams/test_files.py
    assert offer["name"].startswith("idesluss-") and offer["name"].endswith(".csv")
