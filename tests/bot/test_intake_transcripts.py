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


async def describe_bikes_idea_in_english(ben: Chat) -> None:
    await ben.says("Hello")
    ben.hears("Hi Ben! I'm the Idea Sluice.", "What would you like to call your idea?")
    ben.does_not_hear("Hej", "Vad")
    await ben.says("Shared bikes for home care")
    ben.hears("Which need or problem does the idea address")
    await ben.says("Home care staff wait for cars every morning.")
    ben.hears("How would the idea work?")
    await ben.says("Five electric bikes at the West office, booked in the staff app.")
    ben.hears("Who would benefit from the idea")
    await ben.says("Residents get visits on time; staff get exercise.")
    ben.hears("How could the idea be tried out on a small scale first?", "Write “skip”")
    assert ben.buttons() == ["Skip"]
    await ben.clicks("Skip")
    ben.hears("Which units, departments or partners")
    await ben.says("The fleet office and the union.")
    ben.hears("Would you like to take part when the idea is tried out?")
    assert ben.buttons() == ["Yes", "No"]
    await ben.says("no")
    ben.hears("Where do you work?")
    await ben.says("Care services, home care West")


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
    # The one choice left: whether assessors may see her name (SECURITY.md).
    assert anna.buttons() == ["Dölj mitt namn för bedömare"]

    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
        assert (idea.id, idea.title, idea.stage) == (1, "Tryggare tunnlar", "submitted")
        assert idea.need == "Många är rädda i gångtunnlarna på kvällen, särskilt äldre."
        assert idea.description == "Bättre belysning och konst som skolbarnen målar."
        assert idea.benefit == "Invånare som går där, och polisen får färre anmälningar."
        assert idea.first_test == "En tunnel i Väster under en vinter."
        assert idea.involved is None and idea.participate is True
        assert idea.workplace == "Kultur och fritid, fritidsgården Väster"
        assert idea.language == "sv"
        assert idea.submitted_at == idea.stage_changed_at == idea.last_activity_at
        person = await session.get(Person, idea.person_id)
        assert person.workplace == "Kultur och fritid, fritidsgården Väster"
        assert (await session.execute(select(Dialogue))).first() is None
        events = (await session.execute(select(IdeaEvent))).scalars().all()
        assert [(e.kind, e.to_stage, e.actor_id) for e in events] == [
            ("submitted", "submitted", person.id)
        ]


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


async def test_a_whole_idea_in_english_chosen_with_lang(bot, db) -> None:
    ben = Chat(bot, user="ben", name="Ben Baker", language="en")
    await describe_bikes_idea_in_english(ben)
    ben.hears(
        "This is your idea. Does it look right?",
        "Name: Shared bikes for home care",
        "First test: (not filled in)",
        "Who needs to take part: The fleet office and the union.",
        "Wants to help try it out: No",
        "Workplace: Care services, home care West",
    )
    assert ben.buttons() == ["Submit", "Change something", "Cancel"]
    await ben.says("submit")
    ben.hears(
        "Thank you, Ben! Your idea “Shared bikes for home care” has arrived and has number 1.",
        "get back to you within a week",
    )
    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
        assert (idea.language, idea.first_test, idea.participate) == ("en", None, False)
        person = await session.get(Person, idea.person_id)
        assert person.locale == "en"


async def test_english_follows_the_platform_locale_when_no_language_was_chosen(bot, db) -> None:
    ben = Chat(bot, user="ben", name="Ben Baker", locale="en-GB")
    await describe_bikes_idea_in_english(ben)
    await ben.clicks("Submit")
    ben.hears("Thank you, Ben!", "number 1")
    async with db.transaction() as session:
        query = select(Person).where(Person.platform_user_id == "ben")
        person = (await session.execute(query)).scalar_one()
        assert (person.locale, person.platform_locale) == (None, "en-GB")


async def test_a_swedish_platform_locale_or_an_unknown_one_gives_swedish(bot) -> None:
    for user, locale in (("sara", "sv-SE"), ("pierre", "fr-FR"), ("nobody", None)):
        chat = Chat(bot, user=user, locale=locale)
        await chat.says("hej")
        chat.hears("Hej! Jag är Idéslussen.", "Vad vill du kalla din idé?")


async def test_a_first_message_that_is_not_a_greeting_is_proposed_as_the_name(
    anna: Chat, db
) -> None:
    await anna.says("Tryggare tunnlar")  # not taken silently: the name is proposed
    anna.hears("Hej Anna! Jag är Idéslussen.", "Ska idén heta ”Tryggare tunnlar”?")
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        assert (dialogue.step, dialogue.answers) == ("title_proposal", {})
    await anna.clicks("Ja, det blir bra")
    anna.hears("Vilket behov eller problem löser idén")


async def test_ideas_are_numbered_in_order_of_submission_across_people(bot, anna, db) -> None:
    bertil = Chat(bot, user="bertil", name="Bertil Berg")
    await describe_tunnels_idea(anna)
    await describe_tunnels_idea_steps(bertil, "Bertil")
    await bertil.clicks("Skicka in")
    bertil.hears("har nummer 1.")
    await anna.clicks("Skicka in")
    anna.hears("har nummer 2.")

    # Anna's second idea: her workplace is known now and is not asked again.
    await anna.says("Jag har en idé till")  # the introduction is not repeated
    anna.hears("Vad roligt med en ny idé, Anna!", "Vad vill du kalla din idé?")
    assert "Jag är Idéslussen" not in anna.transcript()
    await anna.says("Läxhjälp på biblioteket")
    await anna.says("Många barn får ingen hjälp med läxorna hemma.")
    await anna.says("Volontärer sitter i biblioteket två kvällar i veckan.")
    await anna.says("Barnen och deras föräldrar.")
    await anna.says("hoppa över")
    await anna.says("hoppa över")
    anna.hears("Vill du själv vara med")
    await anna.says("nej")
    anna.does_not_hear("Var arbetar du?")
    anna.hears("Så här ser din idé ut.", "Arbetsplats: Kultur och fritid, fritidsgården Väster")
    # Back from the summary skips the known workplace too.
    await anna.says("tillbaka")
    anna.hears("Vill du själv vara med")
    await anna.clicks("Nej")
    anna.hears("Så här ser din idé ut.")
    await anna.clicks("Skicka in")
    anna.hears("Din idé ”Läxhjälp på biblioteket” har kommit fram och har nummer 3.")

    async with db.transaction() as session:
        ideas = (await session.execute(select(Idea).order_by(Idea.id))).scalars().all()
        assert [(i.id, i.title) for i in ideas] == [
            (1, "Tryggare tunnlar"),
            (2, "Tryggare tunnlar"),
            (3, "Läxhjälp på biblioteket"),
        ]
        assert ideas[2].workplace == "Kultur och fritid, fritidsgården Väster"
        assert ideas[0].person_id != ideas[1].person_id == ideas[2].person_id


async def describe_tunnels_idea_steps(chat: Chat, first_name: str) -> None:
    await chat.says("Hej!")
    chat.hears(f"Hej {first_name}!")
    for answer in (
        "Tryggare tunnlar",
        "Många är rädda i gångtunnlarna på kvällen, särskilt äldre.",
        "Bättre belysning och konst som skolbarnen målar.",
        "Invånare som går där, och polisen får färre anmälningar.",
        "En tunnel i Väster under en vinter.",
        "hoppa över",
        "ja",
        "Kultur och fritid, fritidsgården Väster",
    ):
        await chat.says(answer)
    chat.hears("Så här ser din idé ut.")


async def test_a_person_without_a_name_is_greeted_without_one(bot) -> None:
    someone = Chat(bot, user="U123", name=None)
    await describe_tunnels_idea_steps_noname(someone)
    await someone.clicks("Skicka in")
    someone.hears("Tack! Din idé ”Tryggare tunnlar” har kommit fram och har nummer 1.")


async def describe_tunnels_idea_steps_noname(chat: Chat) -> None:
    await chat.says("Hej!")
    chat.hears("Hej! Jag är Idéslussen.")
    for answer in (
        "Tryggare tunnlar",
        "Många är rädda i gångtunnlarna på kvällen.",
        "Bättre belysning.",
        "Invånare som går där.",
        "hoppa över",
        "hoppa över",
        "nej",
        "Kultur och fritid",
    ):
        await chat.says(answer)
