"""The whole intake dialogue, as the person sees it."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Dialogue, Idea, IdeaEvent, Person
from tests.chat import Chat


async def describe_tunnels_idea(anna: Chat) -> None:
    await anna.says("Hej!")
    anna.hears("Hej Anna! Jag är Idéslussen.", "Vad vill du kalla din idé?")
    await anna.says("Tryggare tunnlar")
    anna.hears("Vilket behov eller problem")
    await anna.says("Många är rädda i gångtunnlarna på kvällen, särskilt äldre.")
    anna.hears("Hur skulle idén fungera?")
    await anna.says("Bättre belysning och konst som skolbarnen målar.")
    anna.hears("Vem har nytta av idén")
    await anna.says("Invånare som går där, och polisen får färre anmälningar.")
    anna.hears("prövas i liten skala")
    await anna.says("En tunnel i Väster under en vinter.")
    anna.hears("Vilka enheter")
    await anna.says("hoppa över")
    anna.hears("Vill du själv vara med")
    assert anna.buttons() == ["Ja", "Nej"]
    await anna.clicks("Ja")
    anna.hears("Var arbetar du?")
    await anna.says("Kultur och fritid, fritidsgården Väster")


async def test_a_whole_idea_in_swedish(anna: Chat, db) -> None:
    await describe_tunnels_idea(anna)
    anna.hears(
        "Så här ser din idé ut. Stämmer det?",
        "Namn: Tryggare tunnlar",
        "Första test: En tunnel i Väster under en vinter.",
        "Vilka behöver vara med: (inte ifyllt)",
        "Vill vara med och pröva: Ja",
        "Arbetsplats: Kultur och fritid, fritidsgården Väster",
    )
    assert anna.buttons() == ["Skicka in", "Ändra något", "Avbryt"]
    await anna.clicks("Skicka in")
    anna.hears("Tack, Anna! Din idé ”Tryggare tunnlar” har kommit fram och har nummer 1.")
    anna.hears("hör av sig till dig inom en vecka")

    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
        assert (idea.id, idea.title, idea.stage) == (1, "Tryggare tunnlar", "submitted")
        assert idea.involved is None and idea.participate is True
        assert idea.language == "sv"
        person = await session.get(Person, idea.person_id)
        assert person.workplace == "Kultur och fritid, fritidsgården Väster"
        assert (await session.execute(select(Dialogue))).first() is None
        events = (await session.execute(select(IdeaEvent))).scalars().all()
        assert [(e.kind, e.to_stage) for e in events] == [("submitted", "submitted")]


async def test_a_repeated_delivery_is_answered_once(bot, db) -> None:
    from bot.incoming import Incoming

    first = Incoming(platform="slack", user_id="UANNA", text="Hej", event_id="Ev1")
    assert await bot.handle(first) != []
    again = Incoming(platform="slack", user_id="UANNA", text="Tryggare tunnlar", event_id="Ev1")
    assert await bot.handle(again) == []
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        assert dialogue.step == "title" and dialogue.answers == {}
    # The same event id on another platform is another delivery.
    other = Incoming(platform="msteams", user_id="29:anna", text="Hej", event_id="Ev1")
    assert await bot.handle(other) != []
