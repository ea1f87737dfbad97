"""The mail sender against a real SMTP server on loopback (aiosmtpd): what arrives, parsed
with the `email` package; STARTTLS with a certificate made in the test and AUTH; and what
each SMTP answer tells the dispatcher."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest

from adapters.email.render import chat_text, message_id, subject_of
from adapters.email.sender import SmtpSender
from bot.mail import MailSettings
from bot.ports import Refused, RetryLater
from conversations.reply import Choice, Fact, FileRef, Reply
from tests.adapters.email.conftest import SENT_AT
from tests.fakes.smtp_server import FakeSmtp, free_port, plain_settings

FOLLOW_UP = Reply(
    "Hej Anna! Maria har läst din idé ”<script>alert(1)</script> & tunnlar” och hör av sig "
    "inom en vecka.\nDu behöver inte göra något nu.",
    title="Din idé ”<script>alert(1)</script> & tunnlar”",
    facts=(Fact("Steg", "Bedömning"), Fact("Idéslussare", "Maria <maria@kommun>")),
)
SCORE = Reply(
    "Hur nöjd är du med hur din idé togs om hand?",
    choices=tuple(Choice(f"satisfaction:7:{n}", str(n)) for n in range(1, 6)),
)


async def send(mailer: SmtpSender, *replies: Reply, **kw) -> None:
    values = {
        "name": "Anna Åberg",
        "language": "sv",
        "delivery_key": "idea:1:event:2",
        "answer_on": "Teams",
    }
    values.update(kw)
    await mailer.send_mail("anna@kommun.example", list(replies), **values)


async def test_the_follow_up_arrives_as_plain_text_and_html_in_swedish(
    mailer: SmtpSender, smtp: FakeSmtp
) -> None:
    await send(mailer, FOLLOW_UP)

    (arrived,) = smtp.arrived
    assert arrived.mail_from == "idesluss@kommun.example"
    assert arrived.rcpt_tos == ["anna@kommun.example"]
    m = arrived.message
    assert m["From"] == "Idéslussen <idesluss@kommun.example>"
    assert m["To"] == "Anna Åberg <anna@kommun.example>"
    assert m["Subject"] == FOLLOW_UP.title
    assert m["Message-ID"] == message_id("idea:1:event:2", "kommun.example")
    assert m["Message-ID"].endswith("@kommun.example>") and "idea:1" not in m["Message-ID"]
    assert m["Auto-Submitted"] == "auto-generated"
    assert m["Content-Language"] == "sv"
    assert m["Reply-To"] is None
    assert m.get_content_type() == "multipart/alternative"

    plain, page = arrived.part("plain"), arrived.part("html")
    # The words are the chat's words, as the chat shows them.
    assert plain.startswith(chat_text(FOLLOW_UP) + "\n")
    assert FOLLOW_UP.text in plain
    assert "Skriv till Idéslussen i Teams" in plain
    assert "inte når dig i chatten" in plain
    # HTML: every user string escaped, nothing loaded from anywhere.
    assert "<script>" not in page
    assert html.escape("<script>alert(1)</script> & tunnlar") in page
    assert html.escape("Maria <maria@kommun>") in page
    assert "Bedömning" in page and "Skriv till Idéslussen i Teams" in page
    assert "<img" not in page and "http" not in page and "<link" not in page


async def test_buttons_become_one_line_on_how_to_answer_in_english(
    mailer: SmtpSender, smtp: FakeSmtp
) -> None:
    await send(mailer, SCORE, language="en", answer_on="Slack")
    (arrived,) = smtp.arrived
    plain = arrived.part("plain")
    assert "You can answer with: 1, 2, 3, 4, 5." in plain
    assert "Write to Idéslussen in Slack" in plain
    assert arrived.message["Subject"] == SCORE.text
    assert arrived.message["Content-Language"] == "en"


async def test_someone_known_only_by_mail_is_told_to_write_to_the_coordinators_or_reply(
    smtp: FakeSmtp,
) -> None:
    await send(SmtpSender(plain_settings(smtp), now=lambda: SENT_AT), SCORE, answer_on=None)
    assert "Skriv till idéslussarna" in smtp.arrived[0].part("plain")

    replying = SmtpSender(plain_settings(smtp, reply_to="idesluss-svar@kommun.example"))
    await send(replying, SCORE, answer_on=None)
    assert smtp.arrived[1].message["Reply-To"] == "idesluss-svar@kommun.example"
    assert "Svara på det här mejlet" in smtp.arrived[1].part("plain")


async def test_a_file_meant_for_the_chat_is_not_mailed_and_the_mail_says_so(
    mailer: SmtpSender, smtp: FakeSmtp
) -> None:
    kept = FileRef("idesluss-mina-uppgifter.json", "application/json", 812, "secret-token")
    await send(mailer, Reply("Här är allt jag har sparat om dig.", files=(kept,)))
    (arrived,) = smtp.arrived
    assert not any(part.get_filename() for part in arrived.message.walk())
    for body in (arrived.part("plain"), arrived.part("html")):
        assert "skickar jag inte med e-post" in body and "secret-token" not in body
        assert "idesluss-mina-uppgifter.json" in body


async def test_a_resend_is_the_same_message() -> None:
    assert message_id("k1", "kommun.example") == message_id("k1", "kommun.example")
    assert message_id("k1", "kommun.example") != message_id("k2", "kommun.example")
    long = Reply("Ett " + "mycket " * 30 + "långt meddelande")
    assert len(subject_of([long])) <= 90 and subject_of([long]).endswith("…")


@pytest.fixture
def tls_smtp(request: pytest.FixtureRequest) -> Iterator[FakeSmtp]:
    server = FakeSmtp.with_tls(user="idesluss", password="s3cret pass", only=request.param)
    server.start()
    yield server
    server.stop()


def tls_settings(server: FakeSmtp, password: str = "s3cret pass") -> MailSettings:
    return MailSettings(
        host=server.host,
        port=server.port,
        mail_from="idesluss@kommun.example",
        user="idesluss",
        password=password,
    )


@pytest.mark.parametrize(
    ("tls_smtp", "mechanism"), [("LOGIN", "LOGIN"), ("PLAIN", "PLAIN")], indirect=["tls_smtp"]
)
async def test_starttls_and_login_before_the_mail(tls_smtp: FakeSmtp, mechanism: str) -> None:
    mailer = SmtpSender(tls_settings(tls_smtp), tls_context=tls_smtp.client_tls)
    await send(mailer, FOLLOW_UP)
    (arrived,) = tls_smtp.arrived
    assert arrived.tls and arrived.login == "idesluss"
    assert {used for used, _ in tls_smtp.recorder.logins} == {mechanism}

    good, problems = await mailer.check()
    assert problems == []
    assert "STARTTLS" in good[0] and "logged in as idesluss" in good[0]
    assert "s3cret" not in good[0]


@pytest.mark.parametrize("tls_smtp", ["PLAIN"], indirect=True)
async def test_a_wrong_password_waits_and_the_doctor_says_so_without_it(
    tls_smtp: FakeSmtp,
) -> None:
    mailer = SmtpSender(tls_settings(tls_smtp, "wrong"), tls_context=tls_smtp.client_tls)
    with pytest.raises(RetryLater, match="refused the login"):
        await send(mailer, FOLLOW_UP)
    good, problems = await mailer.check()
    assert good == [] and "login as idesluss was refused" in problems[0]
    assert "wrong" not in problems[0]
    assert tls_smtp.arrived == []


@pytest.mark.parametrize("tls_smtp", ["PLAIN"], indirect=True)
async def test_a_certificate_nobody_trusts_is_not_sent_to(tls_smtp: FakeSmtp) -> None:
    mailer = SmtpSender(tls_settings(tls_smtp))  # the system's authorities only
    with pytest.raises(RetryLater, match="cannot reach the mail server"):
        await send(mailer, FOLLOW_UP)
    assert tls_smtp.arrived == []


@pytest.mark.parametrize(
    ("where", "answer", "outcome", "words"),
    [
        ("rcpt", "550 5.1.1 <anna@kommun.example>: no such user", Refused, "550 5.1.1"),
        ("rcpt", "451 4.3.0 try again later", RetryLater, "451"),
        ("data", "421 4.7.0 too busy, closing", RetryLater, "421"),
        ("data", "452 4.3.1 insufficient storage", RetryLater, "452"),
        ("data", "554 5.6.0 message refused", Refused, "554"),
    ],
)
async def test_what_each_smtp_answer_tells_the_dispatcher(
    mailer: SmtpSender, smtp: FakeSmtp, where: str, answer: str, outcome, words: str
) -> None:
    (smtp.recorder.rcpt_answers if where == "rcpt" else smtp.recorder.data_answers).append(answer)
    with pytest.raises(outcome) as raised:
        await send(mailer, FOLLOW_UP)
    assert words in str(raised.value)
    if outcome is RetryLater:
        assert not isinstance(raised.value, Refused)
    assert smtp.arrived == []
    await send(mailer, FOLLOW_UP)  # the next attempt goes through
    assert len(smtp.arrived) == 1


async def test_no_server_is_retry_later() -> None:
    settings = MailSettings(
        host="127.0.0.1", port=free_port(), starttls=False, mail_from="idesluss@kommun.example"
    )
    mailer = SmtpSender(settings, timeout=2)
    with pytest.raises(RetryLater, match="cannot reach"):
        await send(mailer, FOLLOW_UP)
    good, problems = await mailer.check()
    assert good == [] and "cannot connect" in problems[0]
