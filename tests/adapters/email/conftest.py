"""A real SMTP server on loopback per test, and a sender pointed at it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.email.sender import SmtpSender
from tests.fakes.smtp_server import FakeSmtp, plain_settings

SENT_AT = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)


@pytest.fixture
def mailer(smtp: FakeSmtp) -> SmtpSender:
    return SmtpSender(plain_settings(smtp), now=lambda: SENT_AT, timeout=5)
