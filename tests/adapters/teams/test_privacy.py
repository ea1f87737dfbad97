"""Personal data in Teams: `glöm mig` with its card buttons."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Person
from tests.adapters.teams.harness import TeamsUser


async def test_forget_me_with_card_buttons(anna: TeamsUser, db) -> None:
    await anna.says("Hej!")
    await anna.says("glöm mig")
    anna.hears("Det går inte att ångra")
    assert anna.buttons() == ["Ja, glöm mig", "Nej, behåll"]
    await anna.clicks("Ja, glöm mig")
    anna.hears("Jag har glömt dig")
    async with db.transaction() as session:
        person = (await session.execute(select(Person))).scalar_one()
        assert person.platform_user_id.startswith("forgotten-") and person.address is None
