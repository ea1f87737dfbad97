"""Personal data in Slack: `/idea mina uppgifter` and `/idea glöm mig` with its buttons."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Person
from tests.adapters.slack.conftest import SlackChat


async def test_forget_me_with_slack_buttons(anna: SlackChat, db) -> None:
    await anna.says("Hej!")
    await anna.says("glöm mig")
    anna.hears("Det går inte att ångra")
    assert anna.buttons() == ["Ja, glöm mig", "Nej, behåll"]
    await anna.clicks("Ja, glöm mig")
    anna.hears("Jag har glömt dig")
    async with db.transaction() as session:
        person = (await session.execute(select(Person))).scalar_one()
        assert person.platform_user_id.startswith("forgotten-") and person.address is None
