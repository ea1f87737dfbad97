"""The dispatcher falls back to e-mail when the chat cannot reach someone, through a real
SMTP server on loopback: a block, chat attempts that ran out, someone known only by mail;
SMTP answers that wait or refuse; office hours; a crash after the server's 250; and mail
off, which changes nothing."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from adapters.email.sender import SmtpSender
from bot.clock import FrozenClock
from bot.dispatcher import Dispatcher, DispatchPolicy
from bot.incoming import Incoming
from bot.ports import RetryLater, Unreachable
from storage.database import Database
from storage.models import Person
from storage.people import upsert_person
from tests.bot.test_dispatcher import dispatcher as chat_dispatcher
from tests.bot.test_dispatcher import put as put_in_outbox
from tests.bot.test_dispatcher import rows
from tests.fakes.senders import FakeSender
from tests.fakes.smtp_server import FakeSmtp, plain_settings
from tests.faults.injection import FailingAt

FOLLOW_UP = "Hej Anna! Maria har läst din idé ”Tryggare tunnlar” och hör av sig inom en vecka."


@pytest.fixture
def mailer(smtp: FakeSmtp) -> SmtpSender:
    return SmtpSender(plain_settings(smtp, mail_from="idesluss@kommun.example"), timeout=5)


async def someone(
    db: Database,
    user: str,
    *,
    now,
    platform: str = "fake",
    email: str | None = None,
    address: dict | None = None,
    reachable: bool = True,
    locale: str | None = None,
) -> int:
    async with db.transaction() as session:
        person = await upsert_person(
            session,
            platform,
            user,
            now=now,
            display_name=user.title(),
            address=address if address is not None else {"user": user},
        )
        person.email = email
        person.reachable = reachable
        person.locale = locale
        return person.id


# The dispatcher tests' helpers; what waits here is a follow-up unless a test says otherwise.
put = functools.partial(put_in_outbox, kind="follow_up")
outbox = rows


def dispatcher(db, chat: FakeSender, clock: FrozenClock, mail=None, **kw) -> Dispatcher:
    return chat_dispatcher(db, chat, clock, mail=mail, **kw)


async def test_a_person_who_blocked_the_bot_hears_the_follow_up_by_mail(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender, settings
) -> None:
    await someone(db, "maria", platform="console", now=clock.now())  # the coordinator
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example")
    await put(db, anna, "k1", FOLLOW_UP, clock.now())
    await put(db, anna, "k2", "Din idé är nu i steget Test.", clock.now())
    chat = FakeSender(now=clock.now, script=[Unreachable("403 MessageWritesBlocked")])
    d = dispatcher(db, chat, clock, mailer, settings=settings)

    await d.run_until_idle()

    assert chat.calls == 1  # one try in the chat, then never again
    assert [a.part("plain").split("\n\n")[0] for a in smtp.arrived] == [
        FOLLOW_UP,
        "Din idé är nu i steget Test.",
    ]
    assert all(a.rcpt_tos == ["anna@kommun.example"] for a in smtp.arrived)
    rows = [r for r in await outbox(db) if r.recipient_id == anna]
    assert [(r.status, r.sent_via) for r in rows] == [("sent", "email"), ("sent", "email")]
    assert d.stats.mailed == 2 and d.stats.unreachable == 1 and d.stats.failed == 0


async def test_a_row_whose_chat_sends_keep_failing_goes_by_mail_after_the_last_attempt(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender
) -> None:
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example")
    await put(db, anna, "k1", FOLLOW_UP, clock.now())
    policy = DispatchPolicy(max_attempts=3, any_time=True)
    chat = FakeSender(now=clock.now, script=[RetryLater("502")] * 3)
    d = dispatcher(db, chat, clock, mailer, policy=policy)

    for _ in range(2):
        await d.run_until_idle()
        assert smtp.arrived == []
        clock.advance(hours=2)
    await d.run_until_idle()  # the last chat attempt fails, and the mail goes at once

    assert chat.calls == 3
    (arrived,) = smtp.arrived
    assert arrived.part("plain").startswith(FOLLOW_UP + "\n")
    [row] = await outbox(db)
    assert (row.status, row.sent_via, row.attempts) == ("sent", "email", 1)
    assert d.stats.moved_to_mail == 1

    # Her next message goes to the chat again: only that row had run out.
    await put(db, anna, "k2", "Nästa.", clock.now())
    await d.run_until_idle()
    assert chat.texts_for("anna") == ["Nästa."] and len(smtp.arrived) == 1


async def test_someone_known_only_by_mail_gets_the_digest(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender
) -> None:
    # A coordinator named by e-mail who never wrote: on platform "email", with no address.
    berg = await someone(
        db,
        "maria.berg@kommun.example",
        now=clock.now(),
        platform="email",
        address={},
        email="maria.berg@kommun.example",
    )
    async with db.transaction() as session:
        (await session.get(Person, berg)).address = None
    digest = "God morgon Maria! 2 nya idéer väntar."
    await put(db, berg, "digest:1", digest, clock.now(), kind="digest")
    d = dispatcher(db, FakeSender(now=clock.now), clock, mailer)

    await d.run_until_idle()

    (arrived,) = smtp.arrived
    assert arrived.rcpt_tos == ["maria.berg@kommun.example"]
    assert "Skriv till idéslussarna" in arrived.part("plain")  # no chat to answer in
    [row] = await outbox(db)
    assert (row.status, row.sent_via) == ("sent", "email")


async def test_451_waits_and_550_fails_the_row_with_the_servers_words(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender
) -> None:
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example", reachable=False)
    await put(db, anna, "k1", FOLLOW_UP, clock.now())
    smtp.recorder.rcpt_answers.append("451 4.3.0 greylisted, try again later")
    d = dispatcher(db, FakeSender(now=clock.now), clock, mailer)

    await d.run_until_idle()
    [row] = await outbox(db)
    assert row.status == "pending" and "451" in row.last_error and row.not_before > clock.now()

    smtp.recorder.rcpt_answers.append("550 5.1.1 <anna@kommun.example>: no such user")
    clock.advance(hours=1)
    await d.run_until_idle()
    [row] = await outbox(db)
    assert row.status == "failed"
    assert row.last_error.startswith("e-mail: the mail server refused the address: 550 5.1.1")
    assert smtp.arrived == []


async def test_421_from_the_server_retries_and_arrives_once(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender
) -> None:
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example", reachable=False)
    await put(db, anna, "k1", FOLLOW_UP, clock.now())
    smtp.recorder.data_answers.append("421 4.7.0 too busy, closing")
    d = dispatcher(db, FakeSender(now=clock.now), clock, mailer)
    await d.run_until_idle()
    assert smtp.arrived == [] and (await outbox(db))[0].status == "pending"
    clock.advance(hours=1)
    await d.run_until_idle()
    assert len(smtp.arrived) == 1 and (await outbox(db))[0].status == "sent"


async def test_nothing_is_mailed_at_ten_in_the_evening(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender
) -> None:
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example", reachable=False)
    clock.advance(hours=13)  # Monday 22:00
    await put(db, anna, "k1", FOLLOW_UP, clock.now())
    d = dispatcher(db, FakeSender(now=clock.now), clock, mailer)
    assert await d.run_until_idle() == 0
    assert smtp.arrived == []
    clock.advance(hours=11)  # Tuesday 09:00
    await d.run_until_idle()
    assert len(smtp.arrived) == 1


async def test_a_crash_after_the_servers_250_mails_again_with_the_same_message_id(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender
) -> None:
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example", reachable=False)
    await put(db, anna, "k1", FOLLOW_UP, clock.now())
    failing = dispatcher(FailingAt(db, 2), FakeSender(now=clock.now), clock, mailer)
    with pytest.raises(OperationalError):
        await failing.run_until_idle()
    assert len(smtp.arrived) == 1 and (await outbox(db))[0].status == "pending"

    restarted = dispatcher(db, FakeSender(now=clock.now), clock, mailer)
    clock.advance(minutes=6)  # the lease ran out
    await restarted.run_until_idle()

    first, second = smtp.arrived
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert first.part("plain") == second.part("plain")
    assert (await outbox(db))[0].status == "sent" and restarted.stats.redelivered == 1


async def test_mail_off_changes_nothing_for_someone_with_an_address(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, settings
) -> None:
    await someone(db, "maria", platform="console", now=clock.now())
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example")
    await put(db, anna, "k1", FOLLOW_UP, clock.now())
    chat = FakeSender(now=clock.now, script=[Unreachable("403 MessageWritesBlocked")])
    await dispatcher(db, chat, clock, None, settings=settings).run_until_idle()

    rows = await outbox(db)
    assert (rows[0].status, rows[0].sent_via) == ("failed", None)
    assert "blockerats" in rows[1].payload["replies"][0]["text"]  # the notice as before
    assert "e-post" not in rows[1].payload["replies"][0]["text"]
    assert smtp.arrived == []


async def test_the_coordinators_hear_that_she_will_get_mail(
    db: Database, clock: FrozenClock, mailer: SmtpSender, settings
) -> None:
    await someone(db, "maria", platform="console", now=clock.now())
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example")
    await put(db, anna, "k1", FOLLOW_UP, clock.now())
    chat = FakeSender(now=clock.now, script=[Unreachable("403")])
    await dispatcher(db, chat, clock, mailer, settings=settings).run_until_idle()
    notice = [r for r in await outbox(db) if r.kind == "notice_unreachable"]
    assert len(notice) == 1
    assert "Anna får mina meddelanden med e-post" in notice[0].payload["replies"][0]["text"]


async def test_when_mail_is_refused_too_the_coordinators_hear_once_to_call_her(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender, settings
) -> None:
    await someone(db, "maria", platform="console", now=clock.now())
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example", reachable=False)
    await put(db, anna, "k1", FOLLOW_UP, clock.now())
    await put(db, anna, "k2", "Ett till besked.", clock.now())
    smtp.recorder.rcpt_answers.extend(["550 5.1.1 no such user"] * 2)
    d = dispatcher(db, FakeSender(now=clock.now), clock, mailer, settings=settings)
    await d.run_until_idle()
    mine = [r for r in await outbox(db) if r.dedupe_key in ("k1", "k2")]
    assert [r.status for r in mine] == ["failed", "failed"] and smtp.arrived == []
    notices = [r for r in await outbox(db) if r.kind == "notice_unreachable"]
    assert len(notices) == 1  # once, not per refused message
    said = notices[0].payload["replies"][0]["text"]
    assert said.startswith("Hej Maria! Varken chatten eller e-post når Anna")
    assert "anna@kommun.example" not in said


async def test_she_installs_the_app_again_and_hears_in_the_chat(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender, bot
) -> None:
    anna = await someone(db, "anna", now=clock.now(), email="anna@kommun.example", reachable=False)
    d = dispatcher(db, FakeSender(now=clock.now), clock, mailer)
    await bot.handle(
        Incoming(platform="fake", user_id="anna", text="mina", address={"user": "anna"})
    )
    await put(db, anna, "k9", "Tillbaka i chatten.", clock.now())
    chat = d.senders["fake"]
    await d.run_until_idle()
    assert chat.texts_for("anna")[-1] == "Tillbaka i chatten." and smtp.arrived == []
    assert [r.sent_via for r in await outbox(db) if r.dedupe_key == "k9"] == ["chat"]


async def test_mail_keeps_to_its_rate_limit(
    db: Database, clock: FrozenClock, smtp: FakeSmtp, mailer: SmtpSender
) -> None:
    ids = [
        await someone(db, f"p{n}", now=clock.now(), email=f"p{n}@kommun.example", reachable=False)
        for n in range(31)
    ]
    for n, person_id in enumerate(ids):
        await put(db, person_id, f"k{n}", "Hej!", clock.now())
    start = clock.now()
    d = dispatcher(db, FakeSender(now=clock.now), clock, mailer)
    await d.run_until_idle()
    assert len(smtp.arrived) == 31
    assert clock.now() - start >= timedelta(seconds=60)  # the 31st waited for the minute
