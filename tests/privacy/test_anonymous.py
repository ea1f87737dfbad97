"""An idea giver may hide their name from assessors: coordinators still see it (marked), the
export that goes to assessors does not."""

from __future__ import annotations

from sqlalchemy import select

from bot.commands.parser import Command, parse
from bot.commands.privacy import AnonymousArgs
from bot.process import load_process
from storage.models import Idea, IdeaEvent
from tests.bot.ideas import submit_idea
from tests.chat import Chat


async def _anonymous(db, number: int) -> bool:
    async with db.transaction() as session:
        return (await session.get(Idea, number)).anonymous


async def _export(maria: Chat) -> str:
    await maria.says("/idea exportera")
    return maria.replies[0].attachments[0].data.decode("utf-8-sig")


def test_the_words_parse() -> None:
    process = load_process()
    assert parse("anonym 12", process) == Command("anonymous", AnonymousArgs(12, hide=True))
    assert parse("anonymous 12 off", process) == Command("anonymous", AnonymousArgs(12, hide=False))
    assert parse("anonym 12 kanske", process).key == "parse.extra_words"


async def test_hiding_the_name_right_after_submitting(anna: Chat, maria: Chat, db) -> None:
    number = await submit_idea(anna, "Tryggare tunnlar")
    assert anna.buttons() == ["Dölj mitt namn för bedömare"]
    assert "Anna Zetterqvist" in await _export(maria)

    await anna.clicks("Dölj mitt namn för bedömare")
    anna.hears(f"Ditt namn på idé {number} visas nu bara för idéslussarna")
    assert await _anonymous(db, number)
    await maria.says(f"visa {number}")
    maria.hears("Idégivare: Anna Zetterqvist (dolt för bedömare)")
    exported = await _export(maria)
    assert "Zetterqvist" not in exported and "(anonym)" in exported

    await anna.says(f"anonym {number} av")
    anna.hears("visas igen")
    assert not await _anonymous(db, number)
    assert "Anna Zetterqvist" in await _export(maria)
    async with db.transaction() as session:
        kinds = (await session.execute(select(IdeaEvent.kind).order_by(IdeaEvent.id))).scalars()
        assert list(kinds).count("anonymous") == 2


async def test_only_the_idea_giver_decides(bot, anna: Chat, maria: Chat, db) -> None:
    number = await submit_idea(anna, "Tryggare tunnlar")
    bo = Chat(bot, user="bo", name="Bo Ek")
    await bo.says(f"/idea anonym {number}")
    bo.hears("bara välja det för dina egna idéer")
    await maria.says(f"/idea anonym {number}")
    maria.hears("bara välja det för dina egna idéer")
    await bo.clicks_value(f"privacy:anon:{number}")  # a forged button
    assert not await _anonymous(db, number)
    await anna.says("/idea anonym 999")
    anna.hears("bara välja det för dina egna idéer")
