"""Moving around in the dialogue: back, skip, cancel, help, edit from the summary, stale
buttons. Each test reads like the chat."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conversations.i18n import tr
from conversations.intake import STEPS
from storage.models import Dialogue, Idea
from tests.chat import Chat

ANSWERS = {
    "title": "Tryggare tunnlar",
    "need": "Många är rädda i gångtunnlarna på kvällen.",
    "idea": "Bättre belysning och konst som skolbarnen målar.",
    "benefit": "Invånare som går där.",
    "first_test": "En tunnel i Väster under en vinter.",
    "involved": "Gatukontoret och skolan.",
    "participate": "ja",
    "workplace": "Kultur och fritid",
}


async def answer_up_to(chat: Chat, step: str) -> None:
    """Greet the bot and answer every question before `step` (or all, for "summary")."""
    await chat.says("Hej")
    for key, answer in ANSWERS.items():
        if key == step:
            return
        await chat.says(answer)


async def stored_dialogue(db) -> Dialogue | None:
    async with db.transaction() as session:
        return (await session.execute(select(Dialogue))).scalar_one_or_none()


# ── back ─────────────────────────────────────────────────────────────────────────────────


async def test_back_shows_the_previous_question_with_its_answer(anna: Chat, db) -> None:
    await answer_up_to(anna, "idea")
    anna.hears("Hur skulle idén fungera?")
    await anna.says("tillbaka")
    anna.hears("Vilket behov eller problem", "Nu står det: ”Många är rädda i gångtunnlarna")
    await anna.says("Tillbaka")
    anna.hears("Vad vill du kalla din idé?", "Nu står det: ”Tryggare tunnlar”")
    await anna.says("Tryggare gångtunnlar")
    anna.hears("Vilket behov eller problem")
    await anna.says("Många är rädda i gångtunnlarna på kvällen, särskilt äldre.")
    anna.hears("Hur skulle idén fungera?")
    dialogue = await stored_dialogue(db)
    assert dialogue.step == "idea"
    assert dialogue.answers["title"] == "Tryggare gångtunnlar"
    assert dialogue.answers["need"] == "Många är rädda i gångtunnlarna på kvällen, särskilt äldre."


async def test_back_at_the_first_question_says_so_and_asks_again(anna: Chat, db) -> None:
    await anna.says("Hej")
    await anna.says("tillbaka")
    anna.hears("Det här är första frågan.", "Vad vill du kalla din idé?")
    assert (await stored_dialogue(db)).step == "title"


async def test_back_from_the_summary_goes_to_the_last_question(anna: Chat) -> None:
    await answer_up_to(anna, "summary")
    anna.hears("Så här ser din idé ut.")
    await anna.says("back")
    anna.hears("Var arbetar du?", "Nu står det: ”Kultur och fritid”")
    await anna.says("Kultur och fritid, biblioteket")
    anna.hears("Så här ser din idé ut.", "Arbetsplats: Kultur och fritid, biblioteket")


async def test_back_while_editing_returns_to_the_summary_unchanged(anna: Chat, db) -> None:
    await answer_up_to(anna, "summary")
    await anna.clicks("Ändra något")
    await anna.clicks("Behov")
    anna.hears("Vilket behov eller problem", "Nu står det:")
    await anna.says("tillbaka")
    anna.hears("Så här ser din idé ut.", "Behov: Många är rädda i gångtunnlarna på kvällen.")
    await anna.clicks("Ändra något")
    await anna.says("tillbaka")  # from the "what would you like to change?" menu
    anna.hears("Så här ser din idé ut.")
    assert (await stored_dialogue(db)).answers["need"] == ANSWERS["need"]


# ── skip ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("skip", ["hoppa över", "Hoppa över.", "skip", "vet inte", "[button]"])
async def test_skip_on_an_optional_question(anna: Chat, db, skip: str) -> None:
    await answer_up_to(anna, "first_test")
    if skip == "[button]":
        await anna.clicks("Hoppa över")
    else:
        await anna.says(skip)
    anna.hears("Vilka enheter")
    dialogue = await stored_dialogue(db)
    assert dialogue.step == "involved"
    assert dialogue.answers["first_test"] is None


@pytest.mark.parametrize("step", ["title", "need", "idea", "benefit", "participate", "workplace"])
async def test_skip_is_refused_politely_on_a_required_question(anna: Chat, db, step) -> None:
    await answer_up_to(anna, step)
    await anna.says("hoppa över")
    anna.hears("Den här frågan behöver jag ett svar på för att kunna gå vidare.")
    anna.hears(tr("sv", f"ask.{step}"))
    dialogue = await stored_dialogue(db)
    assert dialogue.step == step and step not in dialogue.answers


async def test_skip_on_a_required_question_in_english(bot) -> None:
    ben = Chat(bot, user="ben", language="en")
    await ben.says("hi")
    await ben.says("skip")
    ben.hears("I need an answer to this question to go on.", "What would you like to call")


# ── cancel ───────────────────────────────────────────────────────────────────────────────


async def test_cancel_on_the_first_question_ends_at_once(anna: Chat, db) -> None:
    await anna.says("Hej")
    await anna.says("avbryt")
    anna.hears("Okej, jag har lagt idén åt sidan", "Skriv till mig när du vill börja igen")
    assert anna.buttons() == []
    assert await stored_dialogue(db) is None


async def test_cancel_asks_first_when_there_are_answers_and_no_returns(anna: Chat, db) -> None:
    await answer_up_to(anna, "benefit")
    await anna.says("avbryt")
    anna.hears("Vill du avbryta? Det du har skrivit om idén sparas då inte.")
    assert anna.buttons() == ["Ja, avbryt", "Nej, fortsätt"]
    await anna.says("nej")
    anna.hears("Vem har nytta av idén")
    dialogue = await stored_dialogue(db)
    assert dialogue.step == "benefit" and dialogue.answers["idea"] == ANSWERS["idea"]

    await anna.says("cancel")
    await anna.clicks("Nej, fortsätt")
    anna.hears("Vem har nytta av idén")
    await anna.says("avbryt")
    await anna.says("tillbaka")  # back from the question is "no, carry on"
    anna.hears("Vem har nytta av idén")

    await anna.says("avbryt")
    await anna.says("Ja, avbryt")  # the button's label, typed
    anna.hears("Okej, jag har lagt idén åt sidan")
    assert await stored_dialogue(db) is None
    async with db.transaction() as session:
        assert (await session.execute(select(Idea))).first() is None

    await anna.says("Hej igen")
    anna.hears("Hej Anna!", "Vad vill du kalla din idé?")


async def test_cancel_from_the_summary_and_while_editing(anna: Chat, db) -> None:
    await answer_up_to(anna, "summary")
    await anna.clicks("Avbryt")
    anna.hears("Vill du avbryta?")
    await anna.clicks("Nej, fortsätt")
    anna.hears("Så här ser din idé ut.")

    await anna.clicks("Ändra något")
    await anna.clicks("Namn")
    await anna.says("avbryt")
    await anna.says("nej")
    anna.hears("Vad vill du kalla din idé?")
    await anna.says("Ljusa tunnlar")  # still editing: straight back to the summary
    anna.hears("Så här ser din idé ut.", "Namn: Ljusa tunnlar")

    await anna.says("avbryt")
    await anna.says("avbryt")  # saying it again means yes
    anna.hears("Okej, jag har lagt idén åt sidan")
    assert await stored_dialogue(db) is None


async def test_cancel_in_english(bot, db) -> None:
    ben = Chat(bot, user="ben", language="en")
    await ben.says("hi")
    await ben.says("Shared bikes")
    await ben.says("cancel")
    ben.hears("Do you want to stop? What you've written about the idea won't be kept.")
    assert ben.buttons() == ["Yes, stop", "No, carry on"]
    await ben.says("yes")
    ben.hears("All right, I've put the idea aside")
    assert await stored_dialogue(db) is None


# ── yes and no, typed ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        *[("ja", True), ("Ja!", True), ("JA", True), ("yes", True), ("y", True), ("gärna", True)],
        *[("nej", False), ("Nej.", False), ("no", False), ("nä", False), ("n", False)],
    ],
)
async def test_yes_or_no_typed_in_either_language(anna: Chat, db, typed, stored) -> None:
    await answer_up_to(anna, "participate")
    await anna.says(typed)
    anna.hears("Var arbetar du?")
    assert (await stored_dialogue(db)).answers["participate"] is stored


async def test_an_unclear_yes_or_no_is_asked_again_with_the_choices(anna: Chat, db) -> None:
    await answer_up_to(anna, "participate")
    await anna.says("kanske")
    anna.hears("Jag förstod inte riktigt – välj ett av alternativen: ”Ja”, ”Nej”.")
    anna.hears("Vill du själv vara med")
    assert anna.buttons() == ["Ja", "Nej"]
    assert (await stored_dialogue(db)).step == "participate"


async def test_an_unclear_answer_at_the_summary_in_english(bot) -> None:
    ben = Chat(bot, user="ben", language="en")
    await ben.says("hi")
    for answer in ANSWERS.values():
        await ben.says(answer)
    ben.hears("This is your idea.")
    await ben.says("perhaps tomorrow")
    ben.hears(
        "I didn't quite understand – please pick one of: “Submit”, “Change something”, “Cancel”."
    )
    assert ben.buttons() == ["Submit", "Change something", "Cancel"]


# ── help ─────────────────────────────────────────────────────────────────────────────────

HELP_AT = {
    "title": "Namnet hjälper oss att prata om idén.",
    "need": "Berätta vad som inte fungerar bra i dag",
    "idea": "Beskriv vad som skulle göras annorlunda.",
    "benefit": "Tänk på vem som får det bättre",
    "first_test": "Ett första test kan vara litet",
    "involved": "Det kan vara en annan enhet",
    "participate": "Många som är med och prövar sin idé",
    "workplace": "Vi frågar så att rätt person kan höra av sig till dig.",
    "summary": "Välj ”Skicka in” om allt stämmer",
}


@pytest.mark.parametrize("step", list(HELP_AT))
async def test_help_at_every_question(anna: Chat, db, step: str) -> None:
    await answer_up_to(anna, step)
    before = await stored_dialogue(db)
    await anna.says("hjälp")
    anna.hears(HELP_AT[step], "Du kan alltid skriva ”tillbaka”")
    after = await stored_dialogue(db)
    assert (after.step, after.answers) == (before.step, before.answers)
    # The question comes again, with its buttons.
    assert anna.replies[-1].text == (
        tr("sv", "summary.intro") if step == "summary" else tr("sv", f"ask.{step}")
    )


async def test_help_in_the_edit_menu_and_when_confirming_cancel(anna: Chat) -> None:
    await answer_up_to(anna, "summary")
    await anna.clicks("Ändra något")
    await anna.says("help")
    anna.hears("Välj det svar du vill skriva om.", "Vad vill du ändra?")
    await anna.says("tillbaka")
    await anna.says("avbryt")
    await anna.says("?")
    anna.hears("Svara ja för att avbryta", "Vill du avbryta?")
    assert anna.buttons() == ["Ja, avbryt", "Nej, fortsätt"]


async def test_help_in_english(bot) -> None:
    ben = Chat(bot, user="ben", language="en")
    await ben.says("hi")
    await ben.says("hjälp")  # the Swedish word works too
    ben.hears("The name helps us talk about the idea.", "You can always write “back”")
    await ben.says("Help?")
    ben.hears("The name helps us talk about the idea.")


async def test_help_when_a_name_is_proposed(anna: Chat) -> None:
    await anna.says("Hej")
    await anna.says(
        "Vi borde ha lånecyklar för hemtjänsten, så att ingen behöver vänta på bilarna."
    )
    anna.hears("Ska idén heta ”Lånecyklar för hemtjänsten”?")
    await anna.says("hjälp")
    anna.hears("Jag föreslår ett kort namn", "Ska idén heta ”Lånecyklar för hemtjänsten”?")


def test_every_step_has_help_in_the_tests_or_in_the_menu_test() -> None:
    # (Help while choosing among workplaces: tests/bot/test_intake_workplaces.py.)
    covered = set(HELP_AT) | {"edit_choose", "confirm_cancel", "title_proposal"}
    covered |= {"workplace_choice"}
    assert covered == set(STEPS)


# ── edit from the summary ────────────────────────────────────────────────────────────────

EDITS = {
    "Namn": ("Ljusa tunnlar", "Namn: Ljusa tunnlar"),
    "Behov": ("Barn vågar inte gå till skolan.", "Behov: Barn vågar inte gå till skolan."),
    "Så fungerar den": ("Lampor med rörelsevakt.", "Så fungerar den: Lampor med rörelsevakt."),
    "Nytta": ("Alla som går där.", "Nytta: Alla som går där."),
    "Första test": ("hoppa över", "Första test: (inte ifyllt)"),
    "Vilka behöver vara med": ("Elbolaget.", "Vilka behöver vara med: Elbolaget."),
    "Vill vara med och pröva": ("nej", "Vill vara med och pröva: Nej"),
    "Arbetsplats": ("Skolförvaltningen", "Arbetsplats: Skolförvaltningen"),
}


@pytest.mark.parametrize("field", list(EDITS))
async def test_edit_each_field_from_the_summary(anna: Chat, db, field: str) -> None:
    await answer_up_to(anna, "summary")
    await anna.clicks("Ändra något")
    anna.hears("Vad vill du ändra?")
    assert anna.buttons() == list(EDITS)
    await anna.clicks(field)
    new_value, shown = EDITS[field]
    await anna.says(new_value)
    anna.hears("Så här ser din idé ut.", shown)
    await anna.clicks("Skicka in")
    anna.hears("har nummer 1.")
    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
    columns = {
        "Namn": ("title", new_value),
        "Behov": ("need", new_value),
        "Så fungerar den": ("description", new_value),
        "Nytta": ("benefit", new_value),
        "Första test": ("first_test", None),
        "Vilka behöver vara med": ("involved", new_value),
        "Vill vara med och pröva": ("participate", False),
        "Arbetsplats": ("workplace", new_value),
    }
    column, expected = columns[field]
    assert getattr(idea, column) == expected


async def test_edit_by_typing_the_field_name_in_either_language(anna: Chat) -> None:
    await answer_up_to(anna, "summary")
    await anna.says("ändra")
    await anna.says("benefit")  # the English field name
    anna.hears("Vem har nytta av idén", "Nu står det: ”Invånare som går där.”")
    await anna.says("Alla invånare.")
    anna.hears("Nytta: Alla invånare.")
    await anna.says("edit")
    await anna.says("namn")
    await anna.says("Ljusa tunnlar")
    anna.hears("Namn: Ljusa tunnlar", "Nytta: Alla invånare.")
    await anna.says("ändra")
    await anna.says("något annat")
    anna.hears("Jag förstod inte riktigt – välj ett av alternativen: ”Namn”, ”Behov”")


async def test_an_invalid_edit_is_asked_again_and_keeps_the_old_answer(anna: Chat, db) -> None:
    await answer_up_to(anna, "summary")
    await anna.clicks("Ändra något")
    await anna.clicks("Namn")
    await anna.says("x")
    anna.hears("Det blev lite kort", "Vad vill du kalla din idé?")
    assert (await stored_dialogue(db)).answers["title"] == "Tryggare tunnlar"
    await anna.says("Ljusa tunnlar")
    anna.hears("Så här ser din idé ut.", "Namn: Ljusa tunnlar")


# ── stale and forged buttons ─────────────────────────────────────────────────────────────


async def test_a_button_from_an_earlier_step_is_not_taken_as_an_answer(anna: Chat, db) -> None:
    await answer_up_to(anna, "participate")
    old_yes = anna.replies[-1].choices[0].value
    await anna.clicks("Ja")
    anna.hears("Var arbetar du?")
    await anna.clicks_value(old_yes)
    anna.hears("Den knappen hörde till en tidigare fråga. Vi är här nu:", "Var arbetar du?")
    dialogue = await stored_dialogue(db)
    assert dialogue.step == "workplace" and "workplace" not in dialogue.answers


async def test_a_summary_button_while_editing_is_stale(anna: Chat, db) -> None:
    await answer_up_to(anna, "summary")
    submit = anna.replies[-1].choices[0].value
    await anna.clicks("Ändra något")
    await anna.clicks("Namn")
    await anna.clicks_value(submit)
    anna.hears("Den knappen hörde till en tidigare fråga.", "Vad vill du kalla din idé?")
    async with db.transaction() as session:
        assert (await session.execute(select(Idea))).first() is None


@pytest.mark.parametrize("forged", ["summary:everything", "participate:maybe", "title:skip", ""])
async def test_forged_button_values_change_nothing(anna: Chat, db, forged: str) -> None:
    await answer_up_to(anna, "participate")
    before = await stored_dialogue(db)
    await anna.clicks_value(forged)
    anna.hears("Vill du själv vara med")
    after = await stored_dialogue(db)
    assert (after.step, after.answers) == (before.step, before.answers)


async def test_a_second_click_on_submit_does_not_start_anything(anna: Chat, db) -> None:
    await answer_up_to(anna, "summary")
    submit = anna.replies[-1].choices[0].value
    await anna.clicks("Skicka in")
    anna.hears("har nummer 1.")
    await anna.clicks_value(submit)
    anna.hears("Den knappen hörde till ett samtal som redan är avslutat.")
    anna.does_not_hear("nummer")
    assert await stored_dialogue(db) is None
    async with db.transaction() as session:
        assert len((await session.execute(select(Idea))).all()) == 1


async def test_back_and_edit_in_english(bot) -> None:
    ben = Chat(bot, user="ben", name="Ben Baker", language="en")
    await answer_up_to(ben, "idea")
    await ben.says("back")
    ben.hears("Which need or problem", "Right now it says: “Många är rädda")
    await ben.says("Staff wait for cars every morning.")
    for answer in list(ANSWERS.values())[2:]:
        await ben.says(answer)
    ben.hears("This is your idea.", "Need: Staff wait for cars every morning.")
    await ben.clicks("Change something")
    ben.hears("What would you like to change?")
    assert ben.buttons()[:2] == ["Name", "Need"]
    await ben.says("name")
    ben.hears("What would you like to call your idea?", "Right now it says: “Tryggare tunnlar”")
    await ben.says("Brighter tunnels")
    ben.hears("This is your idea.", "Name: Brighter tunnels")
    await ben.clicks("Submit")
    ben.hears("Your idea “Brighter tunnels” has arrived and has number 1.")
