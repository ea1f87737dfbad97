"""The workplace question with the organisation file: what people write is found among the
municipality's administrations and units, so that the figures count one place once. Each
test reads like the chat."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Dialogue, Idea, Person
from tests.bot.test_intake_navigation import answer_up_to
from tests.chat import Chat

NORRMALM = "Hemtjänst Norrmalm (Vård- och omsorgsförvaltningen)"
VO = "Vård- och omsorgsförvaltningen"


async def stored(db) -> tuple[Idea, Person]:
    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
        person = await session.get(Person, idea.person_id)
        assert person is not None
        return idea, person


async def test_an_exact_name_is_taken_with_a_short_confirmation(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    anna.hears("Var arbetar du?")
    await anna.says("Hemtjänst Norrmalm")
    anna.hears(f"Jag har noterat {NORRMALM}.", "Så här ser din idé ut.")
    anna.hears(f"Arbetsplats: {NORRMALM}")
    await anna.clicks("Skicka in")
    idea, person = await stored(db)
    assert (idea.workplace, idea.administration, idea.unit) == (
        "Hemtjänst Norrmalm", "Vård- och omsorgsförvaltningen", "Hemtjänst Norrmalm",
    )  # fmt: skip
    assert (person.administration, person.unit) == (VO, "Hemtjänst Norrmalm")


async def test_free_text_with_the_administration_keeps_the_words_and_finds_the_unit(
    anna: Chat, db
) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("hemtjänsten norrmalm, vård o omsorg")
    anna.hears(
        "Arbetsplats: hemtjänsten norrmalm, vård o omsorg "
        "(Hemtjänst Norrmalm, Vård- och omsorgsförvaltningen)"
    )
    await anna.clicks("Skicka in")
    idea, _ = await stored(db)
    assert idea.workplace == "hemtjänsten norrmalm, vård o omsorg"
    assert idea.unit == "Hemtjänst Norrmalm"


async def test_a_typo_is_forgiven(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("hemtjänsetn norrmalm")
    anna.hears(f"Jag har noterat {NORRMALM}.")
    await anna.clicks("Skicka in")
    idea, _ = await stored(db)
    assert (idea.administration, idea.unit) == (VO, "Hemtjänst Norrmalm")


async def test_an_abbreviation_is_the_administration(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("soc")
    anna.hears("Jag har noterat Socialförvaltningen.", "Arbetsplats: soc (Socialförvaltningen)")
    await anna.clicks("Skicka in")
    idea, _ = await stored(db)
    assert (idea.workplace, idea.administration, idea.unit) == ("soc", "Socialförvaltningen", None)


async def test_several_near_places_are_offered_and_one_is_clicked(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("äldreboende")
    anna.hears("Menar du någon av de här?", "”äldreboende” som du skrev det")
    assert anna.buttons() == [
        "Äldreboendet Solgården (Vård- och omsorgsförvaltningen)",
        "Äldreboendet Björkhagen (Vård- och omsorgsförvaltningen)",
        "Något annat",
    ]
    await anna.clicks("Äldreboendet Björkhagen (Vård- och omsorgsförvaltningen)")
    anna.hears(
        "Så här ser din idé ut.",
        "Arbetsplats: Äldreboendet Björkhagen (Vård- och omsorgsförvaltningen)",
    )
    await anna.clicks("Skicka in")
    idea, person = await stored(db)
    assert (idea.workplace, idea.unit) == ("Äldreboendet Björkhagen", "Äldreboendet Björkhagen")
    assert person.workplace == "Äldreboendet Björkhagen"


async def test_a_number_or_yes_picks_an_offer(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("äldreboende")
    await anna.says("ja")  # two are offered: which one?
    anna.hears("Jag förstod inte riktigt", "Menar du någon av de här?")
    await anna.says("1")
    anna.hears("Arbetsplats: Äldreboendet Solgården (Vård- och omsorgsförvaltningen)")


async def test_something_else_keeps_what_was_written(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("hemtjänsten")
    assert anna.buttons()[-1] == "Något annat" and len(anna.buttons()) == 4
    await anna.clicks("Något annat")
    anna.hears("Arbetsplats: hemtjänsten")
    anna.does_not_hear("Vård- och omsorgsförvaltningen")
    await anna.clicks("Skicka in")
    idea, _ = await stored(db)
    assert (idea.workplace, idea.administration, idea.unit) == ("hemtjänsten", None, None)


async def test_written_anew_instead_of_choosing_is_matched_again(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("hemtjänsten")
    await anna.says("hemtjänst väster")
    anna.hears("Jag har noterat Hemtjänst Väster (Vård- och omsorgsförvaltningen).")
    await anna.clicks("Skicka in")
    idea, _ = await stored(db)
    assert idea.unit == "Hemtjänst Väster"


async def test_no_match_is_accepted_as_written(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("Kommunhuset, plan 3")
    anna.hears("Så här ser din idé ut.", "Arbetsplats: Kommunhuset, plan 3")
    anna.does_not_hear("Menar du", "Jag har noterat")
    await anna.clicks("Skicka in")
    idea, person = await stored(db)
    assert (idea.workplace, idea.administration, idea.unit) == ("Kommunhuset, plan 3", None, None)
    assert person.administration is None


async def test_help_back_and_skip_while_choosing(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("äldreboende")
    await anna.says("hjälp")
    anna.hears("kommunens lista över förvaltningar och enheter", "Menar du någon av de här?")
    await anna.says("tillbaka")
    anna.hears("Var arbetar du?")
    await anna.says("äldreboende")
    await anna.says("hoppa över")  # no choice: what she wrote
    anna.hears("Arbetsplats: äldreboende")
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
    assert dialogue.step == "summary" and dialogue.answers["administration"] is None


async def test_cancel_while_choosing_and_carry_on(anna: Chat) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("äldreboende")
    await anna.says("avbryt")
    anna.hears("Vill du avbryta?")
    await anna.clicks("Nej, fortsätt")
    anna.hears("Var arbetar du?")


async def test_editing_the_workplace_from_the_summary(anna: Chat, db) -> None:
    await answer_up_to(anna, "summary")
    anna.hears("Arbetsplats: Kultur och fritid (Kultur- och fritidsförvaltningen)")
    await anna.clicks("Ändra något")
    await anna.clicks("Arbetsplats")
    anna.hears("Var arbetar du?", "Nu står det: ”Kultur och fritid”")
    await anna.says("äldreboende")  # near several: the buttons, then back to the summary
    anna.hears("Menar du någon av de här?")
    await anna.says("förskolan solrosen")
    anna.hears("Jag har noterat Förskolan Solrosen (Förskoleförvaltningen).")
    anna.hears("Så här ser din idé ut.", "Arbetsplats: Förskolan Solrosen (Förskoleförvaltningen)")
    await anna.clicks("Skicka in")
    idea, _ = await stored(db)
    assert (idea.administration, idea.unit) == ("Förskoleförvaltningen", "Förskolan Solrosen")


async def test_last_times_workplace_and_its_place_are_kept(anna: Chat, db) -> None:
    await answer_up_to(anna, "workplace")
    await anna.says("äldreboende")
    await anna.says("2")
    await anna.clicks("Skicka in")
    await anna.says("Jag har en idé till")
    for answer in ("Cykelkartor", "Vi hittar inte rätt i stan.", "En karta per bil.",
                   "Alla som kör.", "hoppa över", "hoppa över", "nej"):  # fmt: skip
        await anna.says(answer)
    anna.hears("Så här ser din idé ut.", "Arbetsplats: Äldreboendet Björkhagen (Vård-")
    anna.does_not_hear("Var arbetar du?")
    await anna.clicks("Skicka in")
    async with db.transaction() as session:
        ideas = list((await session.execute(select(Idea).order_by(Idea.id))).scalars())
    assert [i.unit for i in ideas] == ["Äldreboendet Björkhagen", "Äldreboendet Björkhagen"]


async def test_in_english(bot) -> None:
    ben = Chat(bot, user="ben", name="Ben Smith", language="en")
    await ben.says("Hello")
    for answer in ("Shared bikes", "Staff wait for cars.", "Five bikes at the office.",
                   "Residents and staff.", "skip", "skip", "no"):  # fmt: skip
        await ben.says(answer)
    ben.hears("Where do you work?")
    await ben.says("home care")
    ben.hears("Do you mean one of these?", "“home care” as you wrote it")
    assert ben.buttons()[-1] == "Something else"
    await ben.says("home care west")
    ben.hears("I've noted Hemtjänst Väster (Vård- och omsorgsförvaltningen).")
    ben.hears("Workplace: home care west (Hemtjänst Väster, Vård- och omsorgsförvaltningen)")
