"""The idea dialogue in Teams personal chat, through real HTTP: Activity JSON in, the
bot's messages read from the fake Bot Connector."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Dialogue, Idea, Person
from tests.adapters.teams.harness import TENANT_ID, TeamsUser
from tests.chat import ANSWERS_TO_SUMMARY
from tests.fakes.bot_connector import FakeBotConnector, FakeIdentity


async def stored_person(db, user_id: str) -> Person:
    async with db.transaction() as session:
        return (
            await session.execute(select(Person).where(Person.platform_user_id == user_id))
        ).scalar_one()


async def test_installing_the_app_greets_and_remembers_the_conversation(
    anna: TeamsUser, connector: FakeBotConnector, db, trusted_identity: FakeIdentity
) -> None:
    tokens_before = len(trusted_identity.token_requests)
    await anna.installs()
    anna.hears("Hej Anna! Jag är Idéslussen.", "Vad vill du kalla din idé?")
    assert {s.conversation_id for s in anna.received} == {anna.conversation_id}
    # The bot authenticates to the connector with its own token, fetched once.
    assert {s.authorization for s in anna.received} == {f"Bearer bot-token-{tokens_before + 1}"}
    await anna.says("Tryggare tunnlar")
    assert len(trusted_identity.token_requests) == tokens_before + 1
    request = trusted_identity.token_requests[-1]
    assert request["client_id"] == ["8e0f4ad5-0c3b-4b6e-9d7e-1d2f3a4b5c6d"]
    assert request["scope"] == ["https://api.botframework.com/.default"]
    assert request["tenant"] == [TENANT_ID]  # a SingleTenant bot's own tenant

    person = await stored_person(db, anna.user_id)
    assert person.platform == "msteams" and person.display_name == "Anna Andersson"
    assert person.platform_locale == "sv-SE"
    assert person.address["serviceUrl"] == connector.url
    assert person.address["conversation"]["id"] == anna.conversation_id
    assert person.address["conversation"]["tenantID"] == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert person.address["bot"]["id"].startswith("28:")
    assert "activityId" not in person.address


async def test_a_whole_idea_with_card_buttons(anna: TeamsUser, db) -> None:
    await anna.says("Hej!")
    anna.hears("Vad vill du kalla din idé?")
    await anna.says("Tryggare tunnlar")
    anna.hears("Vilket behov eller problem")
    await anna.says("Många är rädda i gångtunnlarna på kvällen, särskilt äldre.")
    await anna.says("Bättre belysning och konst som skolbarnen målar.")
    await anna.says("Invånare som går där, och polisen får färre anmälningar.")
    anna.hears("prövas i liten skala")
    assert anna.buttons() == ["Hoppa över"]
    await anna.says("En tunnel i Väster under en vinter.")
    anna.hears("Vilka enheter")
    await anna.clicks("Hoppa över")
    anna.hears("Vill du själv vara med")
    assert anna.buttons() == ["Ja", "Nej"]
    await anna.clicks("Ja")
    anna.hears("Var arbetar du?")
    await anna.says("Kultur och fritid, fritidsgården Väster")

    summary = anna.received[-1]
    assert summary.card["version"] == "1.5"
    # Each fact is its label (bold) and its value on one line.
    assert "Namn: Tryggare tunnlar" in summary.text.split("\n")
    assert "Vilka behöver vara med: (inte ifyllt)" in summary.text.split("\n")
    assert anna.buttons() == ["Skicka in", "Ändra något", "Avbryt"]
    await anna.clicks("Skicka in")
    anna.hears("Tack, Anna! Din idé ”Tryggare tunnlar” har kommit fram och har nummer 1.")
    assert anna.buttons() == ["Dölj mitt namn för bedömare"]

    async with db.transaction() as session:
        idea = (await session.execute(select(Idea))).scalar_one()
        assert (idea.title, idea.participate, idea.involved) == ("Tryggare tunnlar", True, None)
        assert (await session.execute(select(Dialogue))).first() is None


async def test_the_edit_menu_is_a_choice_list_with_one_button(anna: TeamsUser) -> None:
    """Teams shows at most six actions; eight fields become a list and an OK button."""
    await anna.says("Hej!")
    for answer in ANSWERS_TO_SUMMARY:
        await anna.says(answer)
    await anna.clicks("Ändra något")
    card = anna.received[-1].card
    assert [a["title"] for a in card["actions"]] == ["OK"]
    choice_set = card["body"][-1]
    assert choice_set["type"] == "Input.ChoiceSet" and choice_set["id"] == "action"
    assert len(choice_set["choices"]) == 8
    assert choice_set["isRequired"] is True and choice_set["label"] == "Välj ett alternativ"
    assert choice_set["errorMessage"] == "Välj ett av alternativen och tryck sedan på OK."
    await anna.clicks("Namn")  # Teams submits {"action": <the chosen value>}
    anna.hears("Vad vill du kalla din idé?", "Nu står det: ”Tryggare tunnlar”")


async def test_a_card_clicked_twice_or_from_an_old_step_is_explained(anna: TeamsUser, db) -> None:
    await anna.says("Hej!")
    for answer in (
        "Tryggare tunnlar",
        "Många är rädda i gångtunnlarna på kvällen.",
        "Bättre belysning och konst.",
        "Invånare som går där.",
        "hoppa över",
        "hoppa över",
    ):
        await anna.says(answer)
    await anna.clicks("Ja")
    anna.hears("Var arbetar du?")
    await anna.submits({"action": "participate:yes"})  # the same button again
    anna.hears("Den knappen hörde till en tidigare fråga", "Var arbetar du?")
    await anna.submits({"something": "else"})  # a card this bot never sent
    anna.hears("Den knappen hörde till en tidigare fråga", "Var arbetar du?")
    await anna.submits(["not", "an", "object"])
    anna.hears("Var arbetar du?")
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
    assert dialogue.step == "workplace" and dialogue.answers["participate"] is True


async def test_english_teams_gets_english_and_the_latest_service_url_is_kept(
    teams, connector: FakeBotConnector, db
) -> None:
    from tests.adapters.teams.harness import TeamsUser

    john = TeamsUser(teams.channel, user_id="29:1john", name="John Smith", locale="en-US")
    await john.says("Hello")
    john.hears("Hi John!", "What would you like to call your idea?")
    # Teams moved the conversation to another regional service.
    other = FakeBotConnector()
    await other.start()
    try:
        teams.channel.connector = other
        await john.says("Safer tunnels")
        john.hears("Which need or problem")
        assert other.to(john.conversation_id)
        person = await stored_person(db, john.user_id)
        assert person.address["serviceUrl"] == other.url
    finally:
        teams.channel.connector = connector
        await other.close()


async def test_no_idea_content_or_name_is_logged_at_info_level(
    anna: TeamsUser, teams, caplog
) -> None:
    import logging

    with caplog.at_level(logging.INFO):
        await anna.says("Hej!")
        await anna.says("Hemlig idé om tunnlarna")
        await teams.channel.post(b"{broken", raw=True)
        await teams.channel.post(anna._activity("message", text="x"), headers={})  # 401
    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    assert "teams request refused" in logged and "turn handled" in logged  # logging works
    assert "Hemlig idé" not in logged and "Anna Andersson" not in logged


async def test_the_edit_list_speaks_the_persons_language(teams) -> None:
    emma = TeamsUser(teams.channel, user_id="29:1emma", name="Emma Smith", locale="en-GB")
    await emma.says("Hello!")
    for answer in (
        "Safer tunnels",
        "Many people are afraid in the tunnels at night.",
        "Better lighting and art.",
        "Residents who walk there.",
        "skip",
        "skip",
        "yes",
        "Youth centre West",
    ):
        await emma.says(answer)
    await emma.clicks("Change something")
    choice_set = emma.received[-1].card["body"][-1]
    assert choice_set["label"] == "Choose one"
    assert choice_set["errorMessage"] == "Choose one of the options, then press OK."
