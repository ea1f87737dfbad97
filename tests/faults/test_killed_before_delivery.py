"""The process dies after a turn committed its change and its outbox message, before the
message was delivered: the next process delivers it, exactly once."""

from __future__ import annotations

from bot.app import IdeaBot
from storage.database import Database
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat


async def test_a_message_written_before_the_crash_is_delivered_once_after_it(
    bot, anna: Chat, database_url, settings, clock
) -> None:
    await submit_idea(anna, "Tryggare tunnlar")
    await run_sweep(bot)
    # The process dies here: the idea and Maria's digest are committed, not sent.
    restarted = Database(database_url)
    try:
        maria = Chat(IdeaBot(restarted, settings=settings, clock=clock), user="maria")
        said = await maria.receives()
        assert "Tryggare tunnlar" in said
        assert await maria.receives() == ""  # not twice
    finally:
        await restarted.close()
