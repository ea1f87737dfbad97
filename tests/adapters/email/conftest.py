"""A real SMTP server on loopback per test, and a sender pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from adapters.email.sender import SmtpSender
from bot.mail import MailSettings
from tests.fakes.smtp_server import FakeSmtp

SENT_AT = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    server = FakeSmtp().start()
    yield server
    server.stop()


def plain_settings(server: FakeSmtp, **overrides: object) -> MailSettings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "starttls": False,
        "mail_from": "Idéslussen <idesluss@kommun.example>",
    }
    values.update(overrides)
    return MailSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def mailer(smtp: FakeSmtp) -> SmtpSender:
    return SmtpSender(plain_settings(smtp), now=lambda: SENT_AT, timeout=5)
