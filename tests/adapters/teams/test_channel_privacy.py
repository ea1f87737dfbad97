"""Everyone in a Teams channel or group chat reads what the bot posts there, and Teams has no
ephemeral messages. So every command typed there (mentioning the bot), and every button
clicked on a card there, is answered in the person's personal chat, through the outbox and
the dispatcher; the channel hears one neutral note that names nothing but the asker.

Over real HTTP into the server, with the fake Bot Connector: what reaches the group
conversation is checked against the idea's title, the giver's name, the internal note and
the giver's workplace, and the full answer must reach the personal chat once. The clock is
set to a Monday night: a direct answer is not held back for office hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from botbuilder.schema import Activity
from sqlalchemy import select

from adapters.teams.endpoint import TeamsEndpoint
from bot.app import IdeaBot
from bot.config import Settings
from bot.dispatcher import Dispatcher
from storage.models import OutboxMessage
from storage.outbox import DIRECT_ANSWER
from tests.adapters.teams.conftest import ANNA_ID, MARIA_ID
from tests.adapters.teams.harness import BOT_ID, TeamsChannel, TeamsUser
from tests.adapters.teams.test_with_the_core import submit_in_teams
from tests.conftest import STOCKHOLM
from tests.fakes.bot_connector import FakeBotConnector, Sent

TITLE = "Tryggare tunnlar"
WORKPLACE = "Kultur och fritid"
NOTE = "Internt: budgeten räcker inte i år, prata med Nils"
# Nothing of the idea or of Anna may reach a group conversation (Anna's first name only in
# the note to Anna herself, who is the one it is addressed to).
SECRETS = (TITLE, "tunnlar", "Andersson", WORKPLACE, NOTE, "budgeten", "Många är rädda")
TO_MARIA = "Jag har svarat dig i vår privata chatt, Maria."
TO_ANNA = "Jag har svarat dig i vår privata chatt, Anna."
TO_ANNA_EN = "I have answered you in our private chat, Anna."
CONVERSATIONS = {
    "channel": "19:idesluss-team@thread.tacv2;messageid=1718000000000",
    "groupChat": "19:lunch-group@thread.v2",
}


@pytest.fixture
def teams_bot(db, clock, database_url: str) -> IdeaBot:
    """Maria is a coordinator and an admin (the outbox and coordinator commands)."""
    maria = f"msteams:{MARIA_ID}"
    settings = Settings(
        database_url=database_url, coordinators=frozenset({maria}), admins=frozenset({maria})
    )
    return IdeaBot(db, settings=settings, clock=clock)


class InGroup:
    """One person in a channel or group chat, mentioning the bot."""

    def __init__(self, channel: TeamsChannel, user: TeamsUser, kind: str) -> None:
        self.channel, self.user, self.kind = channel, user, kind
        self.conversation_id = CONVERSATIONS[kind]

    def _activity(self, **extra: Any) -> dict[str, Any]:
        return self.channel.activity(
            "message",
            user_id=self.user.user_id,
            name=self.user.name,
            conversation_id=self.conversation_id,
            conversation_type=self.kind,
            locale=self.user.locale,
            **extra,
        )

    async def says(self, text: str, *, mentioning: TeamsUser | None = None) -> list[Sent]:
        bot_tag = "<at>Idéslussen</at>"
        entities = [{"type": "mention", "text": bot_tag, "mentioned": {"id": BOT_ID}}]
        if mentioning is not None:
            tag = f"<at>{mentioning.name}</at>"
            text = text.replace("@", tag)
            mentioned = {"id": mentioning.user_id}
            entities.append({"type": "mention", "text": tag, "mentioned": mentioned})
        return await self._post(
            self._activity(text=f"{bot_tag} {text}", textFormat="plain", entities=entities)
        )

    async def clicks(self, action: str) -> list[Sent]:
        """A button on a card in this conversation (posted there before, or forged)."""
        return await self._post(self._activity(value={"action": action}))

    async def _post(self, activity: dict[str, Any]) -> list[Sent]:
        status, body, sent = await self.channel.post(activity)
        assert status == 200, body
        return sent


def assert_only_the_note(sent: list[Sent], group: InGroup, note: str) -> None:
    assert [s.conversation_id for s in sent] == [group.conversation_id], sent
    (message,) = sent
    assert message.text == note
    assert message.card is None and not message.activity.get("attachments")
    for secret in SECRETS:
        assert secret not in message.text


@pytest.fixture
async def world(teams, teams_bot, clock, connector: FakeBotConnector, anna, maria):
    """Anna sent idea 1 from her personal chat, Maria wrote an internal note on it; then
    the clock goes to 23:30 the same Monday."""
    await maria.installs()
    await submit_in_teams(anna)
    await maria.says(f"notera 1 {NOTE}")
    maria.hears("1")

    async def wait(seconds: float) -> None:  # Teams' rate limits, waited out in test time
        clock.advance(seconds=seconds)

    dispatcher = Dispatcher(
        teams_bot.db, [teams.sender], settings=teams_bot.settings, clock=clock, sleep=wait
    )
    await dispatcher.run_until_idle()
    clock.set(datetime(2026, 6, 15, 23, 30, tzinfo=STOCKHOLM))
    connector.sent.clear()
    return dispatcher


async def answered_privately(
    group: InGroup,
    person: TeamsUser,
    connector: FakeBotConnector,
    dispatcher: Dispatcher,
    note: str,
    sent: list[Sent],
) -> str:
    """The group got only the note, nothing reached the personal chat during the turn, and
    the dispatcher delivers the answer there once. Returns what the person read."""
    assert_only_the_note(sent, group, note)
    before = len(connector.to(person.conversation_id))
    await dispatcher.run_until_idle()
    delivered = connector.to(person.conversation_id)[before:]
    # The answer, and after it the consent card of each file it has (tests/…/test_files.py).
    private = [s for s in delivered if s.file_consent is None]
    assert len(private) == 1, [s.text for s in private]
    assert all(s.file_consent is not None for s in delivered[1:])
    assert private[0].reply_to is None and private[0].activity["recipient"]["id"] == person.user_id
    await dispatcher.run_until_idle()  # nothing more, nothing twice
    assert len(connector.to(person.conversation_id)) == before + len(delivered)
    return private[0].text


# (what Maria types, a fragment of the full answer she must read in her personal chat)
MARIAS_COMMANDS = [
    ("visa 1", TITLE),
    ("show 1", NOTE),
    ("lista", TITLE),
    ("list --unassigned", TITLE),
    ("statistik", "1"),
    ("notera 1 Ring Nils om budgeten", ""),
    ("hjälp", "Det här kan du skriva till mig"),
    ("export", "kommer strax här i vår chatt"),
    ("export json", "bara exportera som csv"),
    ("idéslussare lista", MARIA_ID),
    ("utkorg", ""),
    ("snooza 1 5 väntar på budget", ""),
    ("tilldela 1 mig", ""),
    ("flytta 1 bedömning Vi tittar på den", TITLE),
    ("gdpr exportera @", "Anna Andersson"),
    ("mina", ""),
    ("visa tolv", "tolv"),  # a command gone wrong is answered privately too
]


@pytest.mark.parametrize("kind", sorted(CONVERSATIONS))
async def test_every_coordinator_command_in_a_group_is_answered_in_her_personal_chat(
    kind, world, teams, maria: TeamsUser, anna: TeamsUser, connector: FakeBotConnector
) -> None:
    group = InGroup(teams.channel, maria, kind)
    for typed, fragment in MARIAS_COMMANDS:
        mentioning = anna if "@" in typed else None
        sent = await group.says(typed, mentioning=mentioning)
        said = await answered_privately(group, maria, connector, world, TO_MARIA, sent)
        assert fragment in said, (typed, said)
    everything = "\n".join(s.text for s in connector.to(group.conversation_id))
    for secret in (*SECRETS, "Anna"):
        assert secret not in everything
    assert len(connector.to(group.conversation_id)) == len(MARIAS_COMMANDS)


ANNAS_COMMANDS = [
    ("mina", TITLE),
    ("visa 1", TITLE),
    ("hjälp", "Det här kan du skriva till mig"),
    ("mina uppgifter", "kommer strax här i vår chatt"),
    ("anonym 1", ""),
    ("glöm mig", "Det går inte att ångra"),
    ("lista", ""),  # not hers to use: refused, privately
]


@pytest.mark.parametrize("kind", sorted(CONVERSATIONS))
async def test_every_command_of_an_idea_giver_in_a_group_is_answered_in_her_personal_chat(
    kind, world, teams, anna: TeamsUser, connector: FakeBotConnector
) -> None:
    group = InGroup(teams.channel, anna, kind)
    for typed, fragment in ANNAS_COMMANDS:
        sent = await group.says(typed)
        said = await answered_privately(group, anna, connector, world, TO_ANNA, sent)
        assert fragment in said, (typed, said)
    # The forget-me question came with its buttons, to her personal chat only.
    question = connector.to(anna.conversation_id)[-2]
    assert [label for label, _ in question.buttons] == ["Ja, glöm mig", "Nej, behåll"]
    everything = "\n".join(s.text for s in connector.to(group.conversation_id))
    for secret in SECRETS:
        assert secret not in everything


@pytest.mark.parametrize("kind", sorted(CONVERSATIONS))
async def test_my_data_and_forget_me_in_english(
    kind, world, teams, anna: TeamsUser, connector: FakeBotConnector
) -> None:
    anna.locale = "en-US"  # Teams tells her locale with every activity
    group = InGroup(teams.channel, anna, kind)
    english = [
        ("my data", "follows in a moment, here in our chat"),
        ("forget me", "I can forget you"),
    ]
    for typed, fragment in english:
        sent = await group.says(typed)
        said = await answered_privately(group, anna, connector, world, TO_ANNA_EN, sent)
        assert fragment in said, (typed, said)


@pytest.mark.parametrize("kind", sorted(CONVERSATIONS))
async def test_buttons_clicked_on_a_card_in_a_group_are_answered_privately(
    kind, world, teams, maria: TeamsUser, anna: TeamsUser, connector: FakeBotConnector, db
) -> None:
    group = InGroup(teams.channel, maria, kind)
    sent = await group.clicks("cmd:assign:1:me")
    said = await answered_privately(group, maria, connector, world, TO_MARIA, sent)
    assert TITLE in said or "1" in said
    sent = await group.clicks("cmd:advance:1:assessment")
    await answered_privately(group, maria, connector, world, TO_MARIA, sent)

    anna_group = InGroup(teams.channel, anna, kind)
    sent = await anna_group.clicks("privacy:keep")
    said = await answered_privately(anna_group, anna, connector, world, TO_ANNA, sent)
    assert "Då sparar jag allt som förut" in said
    sent = await anna_group.clicks("privacy:anon:1")
    await answered_privately(anna_group, anna, connector, world, TO_ANNA, sent)
    async with db.transaction() as session:
        kinds = (await session.execute(select(OutboxMessage.kind))).scalars().all()
    assert kinds.count(DIRECT_ANSWER) == 4


@pytest.mark.parametrize("kind", sorted(CONVERSATIONS))
async def test_an_idea_told_in_a_group_still_gets_the_pointer_there(
    kind, world, teams, anna: TeamsUser, connector: FakeBotConnector
) -> None:
    group = InGroup(teams.channel, anna, kind)
    sent = await group.says("Vi borde ha bättre belysning i tunnlarna")
    (pointer,) = sent
    assert pointer.conversation_id == group.conversation_id
    assert "i en chatt med bara mig" in pointer.text
    assert await world.run_until_idle() == 0  # nothing for her personal chat


@pytest.mark.parametrize("kind", sorted(CONVERSATIONS))
async def test_without_a_personal_chat_the_note_says_to_open_one_and_the_answer_waits(
    kind, world, teams, teams_bot, connector: FakeBotConnector
) -> None:
    """Berit never opened a chat with the bot: the answer waits until she does."""
    berit = TeamsUser(teams.channel, user_id="29:1berit", name="Berit Holm")
    group = InGroup(teams.channel, berit, kind)
    sent = await group.says("hjälp")
    assert [s.text for s in sent] == [
        "Berit, svaret skickar jag i en privat chatt med mig. Öppna en chatt med bara mig, "
        "så kommer det där."
    ]
    assert await world.run_until_idle() == 0  # no address: nothing can be claimed yet

    await berit.installs()  # she opens the personal chat; the greeting answers that
    greeting = list(berit.received)
    assert await world.run_until_idle() == 1
    *said_at_install, answer = connector.to(berit.conversation_id)
    assert said_at_install == greeting
    assert "Det här kan du skriva till mig" in answer.text
    assert len(connector.to(group.conversation_id)) == 1  # the note, nothing more


async def test_a_personal_chat_is_still_answered_in_place(
    world, maria: TeamsUser, connector: FakeBotConnector
) -> None:
    await maria.says("visa 1")
    maria.hears(TITLE, NOTE)
    assert await world.run_until_idle() == 0


def test_the_teams_endpoint_says_who_reads_the_replies() -> None:
    endpoint = TeamsEndpoint.__new__(TeamsEndpoint)
    base = {
        "type": "message",
        "serviceUrl": "https://smba.example/",
        "from": {"id": ANNA_ID, "name": "Anna"},
        "recipient": {"id": BOT_ID},
        "channelData": {},
    }
    personal = Activity().deserialize({**base, "conversation": {"id": "a:1"}})
    channel = Activity().deserialize(
        {**base, "conversation": {"id": "19:x", "conversationType": "channel", "isGroup": True}}
    )
    assert endpoint._incoming(personal).private_replies is True
    assert endpoint._incoming(channel, in_group=True).private_replies is False
