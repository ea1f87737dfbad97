from __future__ import annotations

import pytest

from bot.app import IdeaBot
from bot.config import Settings
from tests.bot.ideas import submit_idea
from tests.chat import Chat


@pytest.fixture
def maria(bot) -> Chat:
    """A coordinator (IDESLUSS_COORDINATORS=console:maria in the test settings)."""
    return Chat(bot, user="maria", name="Maria")


@pytest.fixture
async def maria_anna(bot, maria: Chat, anna: Chat) -> tuple[Chat, Chat]:
    """Anna has submitted idea 1, "Tryggare tunnlar"; Maria is a coordinator."""
    number = await submit_idea(
        anna,
        "Tryggare tunnlar",
        need="Många är rädda i gångtunnlarna på kvällen.",
        idea="Bättre belysning och konst som skolbarnen målar.",
        benefit="Invånare som går där.",
    )
    assert number == 1
    await maria.receives()
    return maria, anna


@pytest.fixture
def admin_bot(db, clock, database_url) -> IdeaBot:
    """Maria is a coordinator, Boss an admin (IDESLUSS_ADMINS=console:boss)."""
    settings = Settings(
        database_url=database_url,
        coordinators=frozenset({"console:maria"}),
        admins=frozenset({"console:boss"}),
    )
    return IdeaBot(db, settings=settings, clock=clock)
