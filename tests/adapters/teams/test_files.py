"""Files reach people in Teams by file consent, over the authenticated `/api/messages`:
the answer comes with a FileConsentCard; Allow makes the bot PUT the bytes into the
person's OneDrive (the fake checks Content-Length and Content-Range) and show a file info
card; Decline gets a warm word. An expired, used or someone else's file gets a clear
answer, a failed upload is told, and every outcome is audited."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import export
from bot.dispatcher import Dispatcher
from storage.models import AuditEvent, Person, StoredFile
from storage.privacy import personal_data
from tests.adapters.teams.harness import TeamsUser
from tests.adapters.teams.test_channel_privacy import InGroup
from tests.fakes.bot_connector import FakeBotConnector


async def _audits(db, kind: str) -> list[AuditEvent]:
    async with db.transaction() as session:
        query = select(AuditEvent).where(AuditEvent.kind == kind)
        return list((await session.execute(query)).scalars())


async def _stored(db) -> list[StoredFile]:
    async with db.transaction() as session:
        return list((await session.execute(select(StoredFile))).scalars())


async def _asks_for_my_data(anna: TeamsUser) -> dict:
    await anna.says("Hej!")
    await anna.says("mina uppgifter")
    anna.hears("Här är allt jag har sparat om dig", "kommer strax här i vår chatt")
    [offer] = anna.file_offers()
    return offer


async def test_allow_uploads_the_json_and_shows_the_file(
    anna: TeamsUser, connector: FakeBotConnector, db
) -> None:
    offer = await _asks_for_my_data(anna)
    assert offer["name"] == "mina-uppgifter-2026-06-15.json"
    content = offer["content"]
    assert content["description"] == "Här är allt jag har sparat om dig."
    assert content["acceptContext"] == content["declineContext"]
    assert set(content["acceptContext"]) == {"token"}  # nothing of the file in the card

    status, _, sent = await anna.answers_file("accept", offer)
    assert status == 200
    [received] = connector.received_files
    assert len(received.data) == content["sizeInBytes"]
    [headers] = connector.upload_requests
    n = len(received.data)
    assert headers["Content-Range"] == f"bytes 0-{n - 1}/{n}"
    assert headers["Content-Length"] == str(n)
    # The bytes are her data, as it stood when she asked.
    async with db.transaction() as session:
        person = (await session.execute(select(Person))).scalar_one()
        expected = await personal_data(session, person, internal_notes=False)
    got = json.loads(received.data)
    assert got["person"]["platform_user_id"] == anna.user_id
    assert got["ideas"] == expected["ideas"] and got["person"]["display_name"] == "Anna Andersson"
    # The file info card shows it in her personal chat.
    [info_message] = [s for s in sent if s.file_info is not None]
    assert info_message.conversation_id == anna.conversation_id
    info = info_message.file_info
    assert info["name"] == received.name and info["contentUrl"].endswith(received.name)
    assert info["content"] == {"uniqueId": received.unique_id, "fileType": "json"}
    [stored] = await _stored(db)
    assert stored.data is None and stored.delivered_at is not None
    [audit] = await _audits(db, "file_delivered")
    assert audit.data["platform"] == "msteams" and audit.data["purpose"] == "personal_data"

    # The same card clicked again: nothing is uploaded twice, and she is told why.
    status, _, sent = await anna.answers_file("accept", offer)
    assert status == 200 and len(connector.received_files) == 1
    anna.hears("har du redan fått")


async def test_decline_gets_a_warm_word_and_the_file_goes(
    anna: TeamsUser, connector: FakeBotConnector, db
) -> None:
    offer = await _asks_for_my_data(anna)
    status, _, _ = await anna.answers_file("decline", offer)
    assert status == 200
    anna.hears("Okej, jag skickar ingen fil. Skriv ”mina uppgifter” igen när du vill")
    assert connector.received_files == [] and connector.upload_requests == []
    [stored] = await _stored(db)
    assert stored.data is None and stored.delivered_at is None
    assert len(await _audits(db, "file_declined")) == 1
    # Allow on the declined card afterwards: the file is gone, said plainly.
    await anna.answers_file("accept", offer)
    anna.hears("Den filen finns inte kvar")
    assert connector.received_files == []


async def test_an_expired_file_is_explained_and_nothing_crashes(
    anna: TeamsUser, connector: FakeBotConnector, clock
) -> None:
    offer = await _asks_for_my_data(anna)
    clock.advance(hours=25)
    status, _, _ = await anna.answers_file("accept", offer)
    assert status == 200
    anna.hears("Den filen finns inte kvar", "bara ett dygn", "Skriv ”mina uppgifter” igen")
    assert connector.upload_requests == []


async def test_someone_elses_or_a_made_up_token_finds_nothing(
    anna: TeamsUser, maria: TeamsUser, connector: FakeBotConnector
) -> None:
    offer = await _asks_for_my_data(anna)
    await maria.says("Hej!")
    await maria.answers_file("accept", offer)  # Anna's card, forwarded or forged by Maria
    maria.hears("Den filen finns inte kvar")
    forged = {**offer, "content": {**offer["content"], "acceptContext": {"token": "x" * 43}}}
    await anna.answers_file("accept", forged)
    anna.hears("Den filen finns inte kvar")
    for bad in ({"token": 42}, "not a dict", None):
        broken = {**offer, "content": {**offer["content"], "acceptContext": bad}}
        status, _, _ = await anna.answers_file("accept", broken)
        assert status == 200
    assert connector.upload_requests == []


async def test_a_failing_upload_url_is_told_and_asking_again_works(
    anna: TeamsUser, connector: FakeBotConnector, db
) -> None:
    offer = await _asks_for_my_data(anna)
    connector.fail_uploads(503)
    status, _, _ = await anna.answers_file("accept", offer)
    assert status == 200
    anna.hears("kom tyvärr inte fram", "felet är mitt, inte ditt", "Skriv ”mina uppgifter” igen")
    assert connector.received_files == []
    [failed] = await _audits(db, "file_failed")
    assert "503" in failed.data["reason"]
    await anna.says("mina uppgifter")
    [again] = anna.file_offers()
    await anna.answers_file("accept", again)
    assert len(connector.received_files) == 1


async def test_an_unreachable_upload_url_is_told(anna: TeamsUser, connector, db) -> None:
    offer = await _asks_for_my_data(anna)
    info = connector.upload_info(offer["name"], offer["content"]["sizeInBytes"])
    info["uploadUrl"] = "http://127.0.0.1:9/nothing-listens-here"
    status, _, _ = await anna.answers_file("accept", offer, upload_info=info)
    assert status == 200
    anna.hears("kom tyvärr inte fram")
    assert len(await _audits(db, "file_failed")) == 1


async def test_a_coordinators_export_arrives_as_csv(
    maria: TeamsUser, connector: FakeBotConnector, db
) -> None:
    await maria.says("exportera")
    maria.hears("Här är alla 0 idéer", "kommer strax här i vår chatt")
    [offer] = maria.file_offers()
    assert offer["name"].endswith(".csv")
    await maria.answers_file("accept", offer)
    [received] = connector.received_files
    async with db.transaction() as session:
        ideas = await export.collect(session, kinds=export.STAGE_HISTORY)
    assert received.data == export.export_csv(ideas, "sv").encode("utf-8-sig")
    assert (await _audits(db, "file_delivered"))[0].data["purpose"] == "export"


async def test_the_consent_invoke_is_authenticated_like_every_activity(
    anna: TeamsUser, connector: FakeBotConnector, teams
) -> None:
    offer = await _asks_for_my_data(anna)
    content = offer["content"]
    value = {
        "type": "fileUpload",
        "action": "accept",
        "context": content["acceptContext"],
        "uploadInfo": connector.upload_info(offer["name"], content["sizeInBytes"]),
    }
    activity = anna.file_consent_invoke(value)
    status, _, sent = await teams.channel.post(activity, headers={})
    assert status == 401 and sent == []
    assert connector.upload_requests == []


@pytest.mark.parametrize("kind", ["channel", "groupChat"])
async def test_asked_in_a_group_the_file_comes_to_the_personal_chat(
    kind, teams, teams_bot, anna: TeamsUser, connector: FakeBotConnector, clock
) -> None:
    await anna.says("Hej!")  # her personal chat is known
    group = InGroup(teams.channel, anna, kind)
    sent = await group.says("mina uppgifter")
    assert [s.conversation_id for s in sent] == [group.conversation_id]
    assert all(s.file_consent is None for s in sent)  # no file, and no card, in the group

    async def wait(seconds: float) -> None:
        clock.advance(seconds=seconds)

    dispatcher = Dispatcher(
        teams_bot.db, [teams.sender], settings=teams_bot.settings, clock=clock, sleep=wait
    )
    clock.set(clock.now() + timedelta(minutes=1))
    await dispatcher.run_until_idle()
    private = connector.to(anna.conversation_id)
    offers = [s.file_consent for s in private if s.file_consent is not None]
    assert len(offers) == 1
    assert "kommer strax här i vår chatt" in "\n".join(s.text for s in private)
    await anna.answers_file("accept", offers[0])
    [received] = connector.received_files
    assert json.loads(received.data)["person"]["platform_user_id"] == anna.user_id
    assert all(s.conversation_id != group.conversation_id for s in anna.received)
