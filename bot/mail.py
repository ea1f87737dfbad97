"""E-mail as the channel of last resort: the settings of the SMTP server, read from the
environment and checked with clear errors (README's Configuration table), and what the core
knows of mail. Off unless IDESLUSS_SMTP_HOST is set.

Someone the chat cannot reach — they blocked or removed the app, never opened it, or the
chat keeps failing — would otherwise hear nothing more; with mail configured and an address
on file (persons.email), the dispatcher (bot/dispatcher.py) sends them the same messages by
e-mail. The sender itself is at the edge (adapters/email/); only bot/cli.py makes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from bot.ports import RECIPIENT, TENANT, RateRule, Window

# outbox.sent_via and the rate limiter's name for the mail channel.
MAIL = "email"

# Exchange Online lets one mailbox send 30 messages a minute (and 10,000 recipients a day);
# a municipal relay is often stricter. A modest pace for the whole bot, and a person never
# gets a burst: at most 5 mails a minute.
MAIL_RATE_LIMITS: tuple[RateRule, ...] = (
    RateRule(TENANT, (Window(30, 60.0),)),
    RateRule(RECIPIENT, (Window(5, 60.0),)),
)

SETTINGS = (
    "IDESLUSS_SMTP_HOST",
    "IDESLUSS_SMTP_PORT",
    "IDESLUSS_SMTP_STARTTLS",
    "IDESLUSS_SMTP_TLS",
    "IDESLUSS_SMTP_USER",
    "IDESLUSS_SMTP_PASSWORD",
    "IDESLUSS_SMTP_PASSWORD_FILE",
    "IDESLUSS_MAIL_FROM",
    "IDESLUSS_MAIL_REPLY_TO",
)
_YES = frozenset({"1", "true", "yes", "on", "ja"})
_NO = frozenset({"0", "false", "no", "off", "nej"})


class MailConfigError(ValueError):
    """A mail setting that cannot be used, explained in plain words."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    mail_from: str  # as written: "Idéslussen <idesluss@kommun.se>" or a bare address
    port: int = 587
    # STARTTLS on the submission port (587), or implicit TLS (465); never both.
    starttls: bool = True
    tls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    reply_to: str | None = None

    @property
    def from_address(self) -> str:
        """The bare address of IDESLUSS_MAIL_FROM (the envelope sender)."""
        return parseaddr(self.mail_from)[1]

    @property
    def domain(self) -> str:
        """The sender's domain: Message-IDs are made in it (and SPF/DMARC checked for it)."""
        return self.from_address.rpartition("@")[2]

    @property
    def security(self) -> str:
        return "implicit TLS" if self.tls else "STARTTLS" if self.starttls else "no TLS"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings | None:
        """The mail settings, or None when mail is not configured at all. Raises
        MailConfigError naming every problem when it is configured only in part or wrongly."""
        values = {name: (env.get(name) or "").strip() for name in SETTINGS}
        host = values["IDESLUSS_SMTP_HOST"]
        if not host:
            given = [name for name, value in values.items() if value]
            if given:
                raise MailConfigError(
                    f"{', '.join(given)} set but IDESLUSS_SMTP_HOST is not: set the SMTP "
                    "server to send e-mail, or remove the other mail settings"
                )
            return None
        problems: list[str] = []
        tls = _flag(values, "IDESLUSS_SMTP_TLS", None, problems)
        port = _port(values["IDESLUSS_SMTP_PORT"], 465 if tls else 587, problems)
        if tls is None:
            tls = port == 465  # the implicit-TLS port
        starttls = _flag(values, "IDESLUSS_SMTP_STARTTLS", not tls, problems)
        if tls and starttls:
            problems.append(
                "IDESLUSS_SMTP_TLS and IDESLUSS_SMTP_STARTTLS are both on: use implicit TLS "
                "(port 465) or STARTTLS (port 587), not both"
            )
        user = values["IDESLUSS_SMTP_USER"] or None
        password = _password(values, env, problems)
        if user and password is None:
            problems.append(
                "IDESLUSS_SMTP_USER is set but no password: set IDESLUSS_SMTP_PASSWORD or "
                "IDESLUSS_SMTP_PASSWORD_FILE"
            )
        if password is not None and not user:
            problems.append("a SMTP password is set but IDESLUSS_SMTP_USER is not")
        mail_from = values["IDESLUSS_MAIL_FROM"]
        if not mail_from:
            problems.append(
                "IDESLUSS_MAIL_FROM is required with IDESLUSS_SMTP_HOST: the address mail is "
                "sent from, in the municipality's own domain (e.g. idesluss@kommun.se)"
            )
        else:
            _check_address("IDESLUSS_MAIL_FROM", mail_from, problems)
        reply_to = values["IDESLUSS_MAIL_REPLY_TO"] or None
        if reply_to:
            _check_address("IDESLUSS_MAIL_REPLY_TO", reply_to, problems)
        if problems:
            raise MailConfigError("; ".join(problems))
        return cls(
            host=host,
            port=port,
            starttls=bool(starttls),
            tls=bool(tls),
            user=user,
            password=password,
            mail_from=mail_from,
            reply_to=reply_to,
        )


def _flag(
    values: Mapping[str, str], name: str, default: bool | None, problems: list[str]
) -> bool | None:
    raw = values[name].lower()
    if not raw:
        return default
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    problems.append(f"{name} must be 1 or 0 (on or off), not {values[name]!r}")
    return default


def _port(raw: str, default: int, problems: list[str]) -> int:
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        problems.append(f"IDESLUSS_SMTP_PORT must be a port number (587, 465, 25), not {raw!r}")
        return default
    return int(raw)


def _password(values: Mapping[str, str], env: Mapping[str, str], problems: list[str]) -> str | None:
    # Not stripped: a password may end in a space. A file (a Docker secret) loses only its
    # final line break.
    direct = env.get("IDESLUSS_SMTP_PASSWORD") or None
    path = values["IDESLUSS_SMTP_PASSWORD_FILE"]
    if direct is not None and path:
        problems.append("set IDESLUSS_SMTP_PASSWORD or IDESLUSS_SMTP_PASSWORD_FILE, not both")
        return direct
    if not path:
        return direct
    try:
        secret = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        problems.append(f"IDESLUSS_SMTP_PASSWORD_FILE {path}: {exc.strerror or exc}")
        return None
    if not secret:
        problems.append(f"IDESLUSS_SMTP_PASSWORD_FILE {path} is empty")
        return None
    return secret


def _check_address(name: str, raw: str, problems: list[str]) -> None:
    _, address = parseaddr(raw)
    local, at, domain = address.rpartition("@")
    if not (at and local and "." in domain) or any(c.isspace() for c in address):
        problems.append(
            f"{name} must be an e-mail address like idesluss@kommun.se "
            f"(or Idéslussen <idesluss@kommun.se>), not {raw!r}"
        )
