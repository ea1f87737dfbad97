"""Sending mail through the municipality's SMTP server with aiosmtplib, one connection per
message (a few a day reach anyone by mail), and telling the dispatcher what happened through
the exceptions of bot/ports.py: a passing problem (a 4xx answer, a lost or refused
connection, a timeout, a login the server refused) is `RetryLater`; a 5xx answer about the
recipient or the message is `Refused`, and that message is given up."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import aiosmtplib

from adapters.email.render import compose
from bot.mail import MAIL_RATE_LIMITS, MailSettings
from bot.ports import Refused, RetryLater
from conversations.reply import Reply

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0


class SmtpSender:
    """The `bot.ports.MailSender` for an SMTP server."""

    rate_limits = MAIL_RATE_LIMITS

    def __init__(
        self,
        settings: MailSettings,
        *,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = TIMEOUT_SECONDS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        # None: the system's trusted certificates (a test passes its own authority).
        self.tls_context = tls_context
        self.timeout = timeout
        self.now = now

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.tls,
            # True: STARTTLS is required, a server that does not offer it is an error.
            start_tls=s.starttls and not s.tls,
            tls_context=self.tls_context,
            timeout=self.timeout,
        )

    async def send_mail(
        self,
        to: str,
        replies: Sequence[Reply],
        *,
        name: str | None,
        language: str,
        delivery_key: str,
        answer_on: str | None,
    ) -> None:
        s = self.settings
        message = compose(
            replies,
            to=to,
            name=name,
            mail_from=s.mail_from,
            domain=s.domain,
            reply_to=s.reply_to,
            language=language,
            delivery_key=delivery_key,
            answer_on=answer_on,
            now=self.now(),
        )
        client = self._client()
        try:
            async with client:
                if s.user:
                    await client.login(s.user, s.password or "")
                await client.send_message(message, sender=s.from_address, recipients=[to])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0] if exc.recipients else None
            code = refused.code if refused else 0
            text = refused.message if refused else str(exc)
            if 500 <= code < 600:
                raise Refused(f"the mail server refused the address: {code} {text}") from exc
            raise RetryLater(f"the mail server deferred the address: {code} {text}") from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            # The bot's own setup, not the message: mail waits until it is fixed (doctor).
            raise RetryLater(
                f"the mail server refused the login: {exc.code} {exc.message}"
            ) from exc
        except (aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPDataError) as exc:
            if 500 <= exc.code < 600:
                raise Refused(
                    f"the mail server refused the message: {exc.code} {exc.message}"
                ) from exc
            raise RetryLater(
                f"the mail server deferred the message: {exc.code} {exc.message}"
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise RetryLater(f"the mail server answered {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            # No connection, a timeout, a TLS failure, STARTTLS not offered.
            raise RetryLater(f"cannot reach the mail server: {type(exc).__name__}: {exc}") from exc

    async def check(self) -> tuple[list[str], list[str]]:
        """`idesluss doctor`: connect, EHLO, STARTTLS, log in (never shows the password)."""
        s = self.settings
        where = f"e-mail: {s.host}:{s.port}"
        client = self._client()
        steps = ["connected", "EHLO"]
        try:
            async with client:
                if s.tls:
                    steps.insert(1, "TLS")
                elif s.starttls:
                    steps.append("STARTTLS")
                if s.user:
                    await client.login(s.user, s.password or "")
                    steps.append(f"logged in as {s.user}")
                await client.noop()
        except aiosmtplib.SMTPAuthenticationError as exc:
            return [], [
                f"{where}: {', '.join(steps)}, but the login as {s.user} was refused "
                f"({exc.code} {exc.message}): check IDESLUSS_SMTP_USER and the password"
            ]
        except ssl.SSLError as exc:
            return [], [
                f"{where}: TLS failed ({exc.reason or exc}): this machine must trust the "
                "server's certificate"
            ]
        except OSError as exc:  # aiosmtplib's SMTPConnectError is one too
            reason = exc.strerror or exc
            return [], [f"{where}: cannot connect ({reason}); check the host and port"]
        except aiosmtplib.SMTPException as exc:
            return [], [f"{where}: {type(exc).__name__}: {exc} ({s.security})"]
        return [f"{where}: {', '.join(steps)}; mail goes out from {s.from_address}"], []
