"""Files reach people in Slack: `mina uppgifter` and a coordinator's `exportera` are
uploaded to the person's own DM through Slack's external upload (files.getUploadURLExternal,
the upload URL, files.completeUploadExternal), checked step by step by the fake Web API.
The bytes the person receives are exactly the export; a channel never gets a file; an
answer posted again after a crash uploads nothing twice."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from bot import export
from bot.server import INBOX
from storage.models import AuditEvent, Person, StoredFile
from storage.privacy import personal_data
from tests.adapters.slack.conftest import COORDINATOR, SlackChat, SlackSide


async def _person(db, user: str) -> Person:
    async with db.transaction() as session:
        return (
            await session.execute(select(Person).where(Person.platform_user_id == user))
        ).scalar_one()


async def _audits(db, kind: str) -> list[AuditEvent]:
    async with db.transaction() as session:
        return list(
            (await session.execute(select(AuditEvent).where(AuditEvent.kind == kind))).scalars()
        )


async def test_my_data_arrives_as_a_json_file_in_the_dm(anna: SlackChat, slack: SlackSide, db):
    await anna.says("Hej!")
    await anna.says("mina uppgifter")
    anna.hears("Här är allt jag har sparat om dig", "kommer strax här i vår chatt")
    [received] = slack.api.files_in("DANNA")
    assert received.filename == "mina-uppgifter-2026-06-15.json"
    assert received.initial_comment == "Här är allt jag har sparat om dig."
    # The bytes are the export itself: everything stored about her, as she asked for it
    # (the privacy log has grown since by this very access and its delivery).
    person = await _person(db, "UANNA")
    async with db.transaction() as session:
        expected = await personal_data(session, person, internal_notes=False)
    expected["privacy_log"] = [
        e for e in expected["privacy_log"] if e["kind"] not in ("gdpr_access", "file_delivered")
    ]
    got = json.loads(received.data)
    for moment in ("first_seen", "last_seen"):  # the same moment, in the turn's time zone
        assert datetime.fromisoformat(got["person"].pop(moment)) == datetime.fromisoformat(
            expected["person"].pop(moment)  # type: ignore[misc]
        )
    assert got == json.loads(json.dumps(expected))
    # Step by step, as slack_sdk's files_upload_v2 does it; the retired files.upload never.
    methods = slack.api.methods()
    assert "files.upload" not in methods
    i = methods.index("files.getUploadURLExternal")
    assert methods[i + 1] == "files.completeUploadExternal"
    [announce] = slack.api.calls_to("files.getUploadURLExternal")
    assert announce.params["length"] == str(len(received.data))
    [complete] = slack.api.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "DANNA"
    # Delivered: the bytes are gone from the database, and the audit trail says so.
    async with db.transaction() as session:
        [stored] = (await session.execute(select(StoredFile))).scalars()
        assert stored.data is None and stored.delivered_at is not None
    [audit] = await _audits(db, "file_delivered")
    assert audit.subject_id == audit.actor_id == (await _person(db, "UANNA")).id
    assert audit.data["purpose"] == "personal_data" and audit.data["platform"] == "slack"
    assert audit.data["size"] == len(received.data)


async def test_no_file_bytes_sit_in_the_stored_answer(anna: SlackChat, slack: SlackSide, db):
    """The inbox keeps the answer as JSON until it is posted: a reference, never the bytes."""
    adapter = slack.app[INBOX].platforms["slack"]
    seen = []
    original = adapter.post_answer

    async def looking(answered, context):
        seen.append([reply.to_dict() for reply in answered.replies])
        await original(answered, context)

    adapter.post_answer = looking
    await anna.says("mina uppgifter")
    [file] = [f for replies in seen for reply in replies for f in reply.get("files", [])]
    assert set(file) == {"name", "media_type", "size", "token", "description"}
    assert "platform_user_id" not in json.dumps(seen)  # nothing of the file's content
    assert len(file["token"]) >= 40 and file["media_type"] == "application/json"


async def test_a_coordinators_export_arrives_as_csv(slack: SlackSide, db) -> None:
    maria = SlackChat(slack, COORDINATOR)
    await maria.says("exportera")
    maria.hears("Här är alla 0 idéer", "kommer strax här i vår chatt")
    [received] = slack.api.files_in("DMARIA")
    assert received.filename.endswith(".csv")
    async with db.transaction() as session:
        ideas = await export.collect(session, kinds=export.STAGE_HISTORY)
    assert received.data == export.export_csv(ideas, "sv").encode("utf-8-sig")
    [audit] = await _audits(db, "file_delivered")
    assert audit.data["purpose"] == "export"


async def test_in_a_channel_only_the_dm_gets_the_file(slack: SlackSide, anna: SlackChat) -> None:
    await anna.says("Hej!")
    slack.api.forget()
    assert await slack.command("UANNA", "mina uppgifter", channel="C0GENERAL") == 200
    await slack.settle()
    [answer] = slack.api.calls_to("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert "vår privata chatt, där bara du ser den" in answer.text
    assert slack.api.files_in("C0GENERAL") == []
    [received] = slack.api.files_in("DANNA")
    assert b'"platform_user_id": "UANNA"' in received.data
    assert not [c for c in slack.api.calls if c.params.get("channel") == "C0GENERAL"]


async def test_an_answer_posted_again_after_a_crash_uploads_nothing_twice(
    slack: SlackSide, anna: SlackChat, clock
) -> None:
    """The file went up, then the process died before the answer was marked posted: after
    the lease the answer is posted again; the messages are found in the DM and the file is
    found delivered, so the person sees each once."""
    inbox = slack.app[INBOX]
    adapter = inbox.platforms["slack"]
    original = adapter.post_answer

    async def dies_after_posting(answered, context):
        await original(answered, context)
        raise ConnectionResetError("the process died before marking it posted")

    adapter.post_answer = dies_after_posting
    await anna.says("mina uppgifter")
    assert len(slack.api.files_in("DANNA")) == 1
    posted = len(slack.api.messages_in("DANNA"))
    adapter.post_answer = original
    clock.advance(seconds=inbox.lease.total_seconds() + 1)
    assert await inbox.recover() == 1
    await slack.settle()
    assert len(slack.api.files_in("DANNA")) == 1
    assert len(slack.api.calls_to("files.getUploadURLExternal")) == 1
    assert len(slack.api.messages_in("DANNA")) == posted


async def test_a_failed_upload_is_told_and_asking_again_works(
    slack: SlackSide, anna: SlackChat, db
) -> None:
    slack.api.fail_upload(status=503)
    await anna.says("mina uppgifter")
    assert slack.api.files_in("DANNA") == []
    anna.hears("kom tyvärr inte fram", "Skriv ”mina uppgifter” igen")
    [failed] = await _audits(db, "file_failed")
    assert failed.data["purpose"] == "personal_data" and "slack" in failed.data["reason"]
    await anna.says("mina uppgifter")
    [received] = slack.api.files_in("DANNA")
    assert received.filename.startswith("mina-uppgifter")


async def test_an_app_installed_without_files_write_tells_the_person(
    slack: SlackSide, anna: SlackChat, db
) -> None:
    """An app installed from an older manifest: the upload is refused with missing_scope,
    the person hears it plainly, and the reason is in the audit trail for the admin."""
    slack.api.revoke_scope("files:write")
    await anna.says("mina uppgifter")
    anna.hears("Här är allt jag har sparat om dig", "kom tyvärr inte fram")
    assert slack.api.files_in("DANNA") == []
    [failed] = await _audits(db, "file_failed")
    assert failed.data["reason"] == "slack: missing_scope"


async def test_the_fake_checks_the_upload_protocol(slack_api) -> None:
    """The fake refuses what real Slack refuses, so the tests above can fail."""
    import aiohttp

    async with aiohttp.ClientSession() as http:

        async def call(method: str, **data: str) -> dict:
            async with http.post(f"{slack_api.url}{method}", data=data) as response:
                return await response.json()

        assert (await call("files.getUploadURLExternal", filename="a.json"))["ok"] is False
        assert (await call("files.getUploadURLExternal", length="3"))["ok"] is False
        assert (await call("files.upload", filename="a.json"))["error"] == "method_deprecated"
        given = await call("files.getUploadURLExternal", filename="a.json", length="3")
        assert given["upload_url"].startswith(slack_api.base)
        files = json.dumps([{"id": given["file_id"], "title": "a.json"}])
        # Not uploaded yet; then uploaded with the wrong size: both refused.
        assert (await call("files.completeUploadExternal", files=files))["ok"] is False
        async with http.post(given["upload_url"], data=b"toolong") as response:
            assert response.status == 400
        assert (await call("files.completeUploadExternal", files=files))["ok"] is False
        never = json.dumps([{"id": "F99999999", "title": "x"}])
        assert (await call("files.completeUploadExternal", files=never))["ok"] is False
        async with http.post(given["upload_url"], data=b"abc") as response:
            assert response.status == 200
        done = await call("files.completeUploadExternal", files=files, channel_id="DANNA")
        assert done["ok"] is True
        [shared] = slack_api.files_in("DANNA")
        assert shared.data == b"abc" and shared.title == "a.json"
        # A completed upload cannot be completed again.
        assert (await call("files.completeUploadExternal", files=files))["ok"] is False


async def test_the_steering_groups_report_arrives_as_html(slack: SlackSide, db) -> None:
    maria = SlackChat(slack, COORDINATOR)
    await maria.says("rapport")
    maria.hears("Här är rapporten till styrgruppen", "kommer strax här i vår chatt")
    [received] = slack.api.files_in("DMARIA")
    assert received.filename.endswith(".html") and received.data.startswith(b"<!")
    assert received.initial_comment.startswith("Rapporten till styrgruppen för")
    [audit] = await _audits(db, "file_delivered")
    assert audit.data["purpose"] == "report"
