"""A real SMTP server on 127.0.0.1 for the e-mail tests: aiosmtpd on a free port, in its own
thread (aiosmtpd's Controller), with a handler that records each envelope and the message as
it arrived, and can be told to answer the next RCPT or DATA with an error (451, 550, 421).

`FakeSmtp.with_tls(...)` serves STARTTLS with a self-signed certificate made here (the test
trusts it through `client_tls`), requires it, and takes AUTH LOGIN and PLAIN for one user.
"""

from __future__ import annotations

import email
import email.policy
import ssl
import tempfile
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.mail import MailSettings
from tests.fakes.certificates import self_signed_certificate
from tests.fakes.net import free_port


@dataclass(frozen=True)
class Arrived:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    tls: bool
    login: str | None

    def part(self, subtype: str) -> str:
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None and found.get_content_subtype() == subtype
        return str(found.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


class Recorder:
    """The aiosmtpd handler: records what arrives; scripted answers come first."""

    def __init__(self) -> None:
        self.arrived: list[Arrived] = []
        self.rcpt_answers: deque[str] = deque()
        self.data_answers: deque[str] = deque()
        self.logins: list[tuple[str, str]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.rcpt_answers:
            return self.rcpt_answers.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_answers:
            return self.data_answers.popleft()
        raw = bytes(envelope.original_content or envelope.content)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        auth = getattr(session, "auth_data", None)
        login = auth.login.decode() if session.authenticated and auth is not None else None
        self.arrived.append(
            Arrived(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=message,
                raw=raw,
                tls=session.ssl is not None,
                login=login,
            )
        )
        return "250 2.0.0 Message accepted for delivery"


class FakeSmtp:
    def __init__(self, **smtp: Any) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self.host = "127.0.0.1"
        self.client_tls: ssl.SSLContext | None = None
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._smtp = smtp
        self.controller: Controller | None = None

    @classmethod
    def with_tls(cls, *, user: str, password: str, only: str | None = None) -> FakeSmtp:
        """STARTTLS required, then AUTH LOGIN or PLAIN (or `only` that one) as `user`."""
        directory = tempfile.TemporaryDirectory()
        cert, key = self_signed_certificate(Path(directory.name), name="smtp.test")
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_tls.load_cert_chain(cert, key)
        excluded = [m for m in ("LOGIN", "PLAIN") if only and m != only]
        fake = cls(
            tls_context=server_tls,
            require_starttls=True,
            auth_require_tls=True,
            auth_exclude_mechanism=excluded,
        )
        fake._directory = directory
        fake.client_tls = ssl.create_default_context(cafile=str(cert))

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
        ) -> AuthResult:
            fake.recorder.logins.append((mechanism, getattr(auth_data, "login", b"").decode()))
            good = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login == user.encode()
                and auth_data.password == password.encode()
            )
            return AuthResult(success=good, handled=False, auth_data=auth_data)

        fake._smtp["authenticator"] = authenticator
        return fake

    @property
    def arrived(self) -> list[Arrived]:
        return self.recorder.arrived

    def start(self) -> FakeSmtp:
        self.controller = Controller(
            self.recorder, hostname=self.host, port=self.port, **self._smtp
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        if self._directory is not None:
            self._directory.cleanup()


def plain_settings(server: FakeSmtp, **overrides: object) -> MailSettings:
    """Mail settings for this server: no TLS on loopback, the municipality's sender."""
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "starttls": False,
        "mail_from": "Idéslussen <idesluss@kommun.example>",
    }
    values.update(overrides)
    return MailSettings(**values)  # type: ignore[arg-type]
