"""Teams and e-mail addresses: the member the Bot Connector describes (GET
/v3/conversations/{id}/members/{userId}, as TeamsInfo.get_member asks) gives the work address
of the person writing, at most once a day; a refusal (403, 404) or a failing connector
leaves the turn as it was. A coordinator an admin named by address is one from the first
message they write."""

from __future__ import annotations

import pytest
from botbuilder.schema.teams import TeamsChannelAccount
from sqlalchemy import select

from adapters.teams.members import email_of
from bot.app import IdeaBot
from bot.config import Settings
from storage.models import Person
from storage.people import EMAIL_ONLY
from tests.adapters.teams.conftest import ANNA_ID
from tests.adapters.teams.harness import TeamsUser
from tests.fakes.bot_connector import FakeBotConnector

MARIA = "maria.berg@kommun.se"
BERG_ID = "29:1maria-berg"


@pytest.fixture
def teams_bot(db, clock, database_url) -> IdeaBot:
    """Maria Berg is a coordinator by her address only."""
    settings = Settings(database_url=database_url, coordinators=frozenset({f"email:{MARIA}"}))
    return IdeaBot(db, settings=settings, clock=clock)


async def stored(db, user_id: str, platform: str = "msteams") -> Person | None:
    async with db.transaction() as session:
        query = select(Person).where(
            Person.platform == platform, Person.platform_user_id == user_id
        )
        return (await session.execute(query)).scalar_one_or_none()


async def test_the_member_address_is_kept_and_asked_for_once(
    anna: TeamsUser, connector: FakeBotConnector, db, clock
) -> None:
    connector.add_member(ANNA_ID, "Anna Andersson", email="Anna.Andersson@Kommun.se")
    await anna.says("Hej")
    anna.hears("Hej Anna!")
    person = await stored(db, ANNA_ID)
    assert person is not None and person.email == "anna.andersson@kommun.se"
    assert person.email_checked_at == clock.now()
    [(conversation, member, authorization)] = connector.member_requests
    assert (conversation, member) == (anna.conversation_id, ANNA_ID)
    assert authorization and authorization.startswith("Bearer ")
    await anna.says("vem är jag")
    anna.hears("Din e-postadress här är anna.andersson@kommun.se")
    assert len(connector.member_requests) == 1  # not on every turn


@pytest.mark.parametrize("status", [403, 404])
async def test_a_refused_member_request_means_no_address_and_the_turn_goes_on(
    anna: TeamsUser, connector: FakeBotConnector, db, clock, status: int
) -> None:
    connector.add_member(ANNA_ID, "Anna Andersson", email="anna.andersson@kommun.se")
    connector.fail_members(status)
    await anna.says("Hej")
    anna.hears("Hej Anna!", "Vad vill du kalla din idé?")
    person = await stored(db, ANNA_ID)
    assert person is not None and person.email is None
    assert person.email_checked_at == clock.now()  # an answer: not asked again today
    await anna.says("Tryggare tunnlar")
    assert len(connector.member_requests) == 1


async def test_a_failing_connector_is_asked_again_on_the_next_turn(
    anna: TeamsUser, connector: FakeBotConnector, db
) -> None:
    connector.add_member(ANNA_ID, "Anna Andersson", email="anna.andersson@kommun.se")
    connector.fail_members(401)  # not an answer about her (a 5xx the SDK retries at once)
    await anna.says("Hej")
    anna.hears("Hej Anna!")
    person = await stored(db, ANNA_ID)
    assert person is not None and person.email is None and person.email_checked_at is None
    await anna.says("Tryggare tunnlar")
    person = await stored(db, ANNA_ID)
    assert person is not None and person.email == "anna.andersson@kommun.se"


async def test_a_coordinator_named_by_address_is_one_from_her_first_message(
    teams, connector: FakeBotConnector, anna: TeamsUser, db
) -> None:
    # Before she ever wrote, an idea came in: its news waits on her e-mail-only row.
    connector.add_member(ANNA_ID, "Anna Andersson")
    from tests.adapters.teams.test_with_the_core import submit_in_teams

    await submit_in_teams(anna)
    waiting = await stored(db, MARIA, platform=EMAIL_ONLY)
    assert waiting is not None and waiting.email == MARIA

    maria = TeamsUser(teams.channel, user_id=BERG_ID, name="Maria Berg")
    connector.add_member(BERG_ID, "Maria Berg", upn="Maria.Berg@kommun.se")
    await maria.says("lista")
    maria.hears("Tryggare tunnlar")  # the queue: she is a coordinator at once
    maria.does_not_hear("bara idéslussare")
    person = await stored(db, BERG_ID)
    assert person is not None and person.email == MARIA
    waiting = await stored(db, MARIA, platform=EMAIL_ONLY)
    assert waiting is not None and waiting.email is None  # taken over


def test_the_address_is_the_email_else_an_own_user_principal_name() -> None:
    assert email_of(TeamsChannelAccount(email="A@kommun.se", user_principal_name="b@x.se")) == (
        "a@kommun.se"
    )
    assert email_of(TeamsChannelAccount(user_principal_name="B@Kommun.se")) == "b@kommun.se"
    guest = TeamsChannelAccount(user_principal_name="anna_gmail.com#EXT#@kommun.onmicrosoft.com")
    assert email_of(guest) is None
    assert email_of(TeamsChannelAccount(email="not an address")) is None
