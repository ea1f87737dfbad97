"""The mail settings: off unless configured, every mistake named, the password from a file
(a Docker secret) or the environment and never shown; and `idesluss doctor` checking the
server for real (connect, EHLO, STARTTLS, login)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import _check_mail
from bot.mail import MailConfigError, MailSettings
from bot.operations import doctor
from tests.fakes.smtp_server import FakeSmtp

BASE = {
    "IDESLUSS_SMTP_HOST": "smtp.kommun.example",
    "IDESLUSS_MAIL_FROM": "idesluss@kommun.example",
}


def test_off_unless_a_host_is_set() -> None:
    assert MailSettings.from_env({}) is None
    assert MailSettings.from_env({"IDESLUSS_SMTP_HOST": " "}) is None


def test_defaults_are_the_submission_port_with_starttls() -> None:
    mail = MailSettings.from_env(BASE)
    assert mail is not None
    assert (mail.port, mail.starttls, mail.tls, mail.user) == (587, True, False, None)
    assert mail.domain == "kommun.example" and mail.security == "STARTTLS"


def test_port_465_means_implicit_tls_and_the_flags_can_say_so_too() -> None:
    by_port = MailSettings.from_env({**BASE, "IDESLUSS_SMTP_PORT": "465"})
    assert by_port is not None and (by_port.tls, by_port.starttls) == (True, False)
    by_flag = MailSettings.from_env({**BASE, "IDESLUSS_SMTP_TLS": "1"})
    assert by_flag is not None and (by_flag.port, by_flag.tls, by_flag.starttls) == (
        465,
        True,
        False,
    )
    relay = MailSettings.from_env(
        {**BASE, "IDESLUSS_SMTP_PORT": "25", "IDESLUSS_SMTP_STARTTLS": "0"}
    )
    assert relay is not None and relay.security == "no TLS"


def test_the_password_comes_from_a_file_and_is_never_shown(tmp_path: Path) -> None:
    secret = tmp_path / "smtp_password"
    secret.write_text("hemligt lösen \n", encoding="utf-8")
    mail = MailSettings.from_env(
        {**BASE, "IDESLUSS_SMTP_USER": "idesluss", "IDESLUSS_SMTP_PASSWORD_FILE": str(secret)}
    )
    assert mail is not None and mail.password == "hemligt lösen "
    assert "hemligt" not in repr(mail)


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"IDESLUSS_MAIL_FROM": "idesluss@kommun.example"}, "IDESLUSS_SMTP_HOST is not"),
        ({"IDESLUSS_SMTP_HOST": "smtp.kommun.example"}, "IDESLUSS_MAIL_FROM is required"),
        ({**BASE, "IDESLUSS_MAIL_FROM": "idesluss"}, "IDESLUSS_MAIL_FROM must be an e-mail"),
        ({**BASE, "IDESLUSS_MAIL_REPLY_TO": "svar@"}, "IDESLUSS_MAIL_REPLY_TO must be"),
        ({**BASE, "IDESLUSS_SMTP_PORT": "smtp"}, "IDESLUSS_SMTP_PORT must be a port"),
        ({**BASE, "IDESLUSS_SMTP_PORT": "70000"}, "IDESLUSS_SMTP_PORT must be a port"),
        ({**BASE, "IDESLUSS_SMTP_STARTTLS": "kanske"}, "IDESLUSS_SMTP_STARTTLS must be 1 or 0"),
        ({**BASE, "IDESLUSS_SMTP_TLS": "1", "IDESLUSS_SMTP_STARTTLS": "1"}, "not both"),
        ({**BASE, "IDESLUSS_SMTP_USER": "idesluss"}, "no password"),
        ({**BASE, "IDESLUSS_SMTP_PASSWORD": "x"}, "IDESLUSS_SMTP_USER is not"),
        (
            {
                **BASE,
                "IDESLUSS_SMTP_USER": "u",
                "IDESLUSS_SMTP_PASSWORD": "x",
                "IDESLUSS_SMTP_PASSWORD_FILE": "/run/secrets/smtp",
            },
            "not both",
        ),
        (
            {**BASE, "IDESLUSS_SMTP_USER": "u", "IDESLUSS_SMTP_PASSWORD_FILE": "/nowhere/x"},
            "IDESLUSS_SMTP_PASSWORD_FILE /nowhere/x",
        ),
    ],
)
def test_every_mistake_is_named(env: dict[str, str], words: str) -> None:
    with pytest.raises(MailConfigError, match=words.replace("(", r"\(")):
        MailSettings.from_env(env)


async def test_doctor_logs_in_over_starttls_and_reports_without_the_password(
    database_url: str, db
) -> None:
    server = FakeSmtp.with_tls(user="idesluss", password="s3cret").start()
    try:
        env = {
            "DATABASE_URL": database_url,
            "IDESLUSS_SMTP_HOST": server.host,
            "IDESLUSS_SMTP_PORT": str(server.port),
            "IDESLUSS_SMTP_USER": "idesluss",
            "IDESLUSS_SMTP_PASSWORD": "s3cret",
            "IDESLUSS_MAIL_FROM": "idesluss@kommun.example",
        }
        # The test's own authority; the real doctor uses the system's.
        from adapters.email.sender import SmtpSender

        async def check(mail: MailSettings):
            return await SmtpSender(mail, tls_context=server.client_tls).check()

        checkup = await doctor(env, mail_check=check)
        [line] = [line for line in checkup.ok if line.startswith("e-mail")]
        assert "STARTTLS" in line and "logged in as idesluss" in line
        assert "s3cret" not in checkup.report()

        # Without the test's authority the certificate is refused: a problem, clearly.
        checkup = await doctor(env, mail_check=_check_mail)
        [problem] = [p for p in checkup.problems if p.startswith("e-mail")]
        assert "TLS failed" in problem and "trust the server's certificate" in problem
        assert "s3cret" not in problem
    finally:
        server.stop()


async def test_doctor_says_mail_is_off_or_misconfigured(database_url: str, db) -> None:
    checkup = await doctor({"DATABASE_URL": database_url})
    assert any(line.startswith("e-mail: off") for line in checkup.ok)
    checkup = await doctor({"DATABASE_URL": database_url, "IDESLUSS_SMTP_HOST": "smtp.x"})
    assert any("IDESLUSS_MAIL_FROM is required" in p for p in checkup.problems)
