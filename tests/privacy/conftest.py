from __future__ import annotations

import pytest

from bot.config import Settings
from tests.chat import Chat


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Maria is a coordinator, Ada an admin (and not a coordinator).
    return Settings(
        database_url=database_url,
        coordinators=frozenset({"console:maria"}),
        admins=frozenset({"console:ada"}),
    )


@pytest.fixture
def anna(bot) -> Chat:
    # A name and an id that occur nowhere else, so a search for them finds only her.
    return Chat(bot, user="U07ANNA9X", name="Anna Zetterqvist")


@pytest.fixture
def maria(bot) -> Chat:
    return Chat(bot, user="maria", name="Maria Berg")


@pytest.fixture
def ada(bot) -> Chat:
    return Chat(bot, user="ada", name="Ada Admin")
