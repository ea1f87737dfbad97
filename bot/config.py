"""Settings, read from environment variables (documented in README.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import lru_cache

from bot.calendar import (
    DEFAULT_OFFICE_END,
    DEFAULT_OFFICE_START,
    WorkingCalendar,
    parse_office_hours,
)
from conversations.clean import clean_email
from storage.database import DEFAULT_DATABASE_URL

# A person named by e-mail address in IDESLUSS_COORDINATORS / IDESLUSS_ADMINS (and in the
# coordinators table) is kept as "email:<address, lower case>", beside platform-qualified ids.
EMAIL_PREFIX = "email:"


@lru_cache(maxsize=8)
def _calendar(office_start: time, office_end: time) -> WorkingCalendar:
    # One calendar per office hours, so its remembered answers are shared.
    return WorkingCalendar(office_start=office_start, office_end=office_end)


def _id_list(raw: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (raw or "").split(",") if part.strip())


def role_entry(raw: str) -> str | None:
    """One person as an admin names them: an e-mail address ("maria.berg@kommun.se", also
    written "email:maria.berg@kommun.se") becomes "email:maria.berg@kommun.se"; a
    platform-qualified id ("slack:U024BE7LH", "msteams:29:1abc…") stays as it is. None when
    it is neither."""
    entry = raw.strip()
    platform, colon, rest = entry.partition(":")
    if not colon or platform.lower() == EMAIL_PREFIX[:-1]:
        address = clean_email(rest if colon else entry)
        return None if address is None else EMAIL_PREFIX + address
    if not platform.isascii() or not platform.isalpha() or not platform.islower() or not rest:
        return None
    return entry


def _people_list(env: Mapping[str, str], name: str) -> frozenset[str]:
    entries, bad = set(), []
    for part in _id_list(env.get(name)):
        entry = role_entry(part)
        if entry is None:
            bad.append(part)
        else:
            entries.add(entry)
    if bad:
        # Not echoed in full: it may be someone's address with a typo.
        shown = ", ".join(repr(b if len(b) <= 40 else b[:37] + "…") for b in sorted(bad))
        raise ValueError(
            f"{name} takes e-mail addresses (maria.berg@kommun.se) and platform-qualified ids "
            f"(slack:U024BE7LH, msteams:29:1abc…), separated by commas; this is neither: {shown}"
        )
    return frozenset(entries)


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Platform-qualified ids and "email:<address>" entries (role_entry).
    coordinators: frozenset[str] = field(default_factory=frozenset)
    admins: frozenset[str] = field(default_factory=frozenset)
    process_path: str | None = None
    organisation_path: str | None = None
    # Proactive messages go out only between these local times on working days.
    office_start: time = DEFAULT_OFFICE_START
    office_end: time = DEFAULT_OFFICE_END
    # Shift work (care, rescue services): proactive messages go out at any hour, every day.
    deliver_any_time: bool = False
    # How often each server runs the reminder sweep and the dispatcher's timer.
    sweep_every_s: float = 15 * 60
    dispatch_every_s: float = 15.0
    # Retention (bot/retention.py): abandoned drafts, and the content of sent messages.
    draft_retention_days: int = 30
    outbox_retention_days: int = 90
    # Turns per person per minute before the bot asks them to slow down (bot/turn_limit.py).
    turns_per_minute: int = 30
    # The inbox (bot/inbox.py): how long the replica that answered a delivery has to post
    # its replies before another one does, and how often each looks for orphaned work.
    inbox_lease_s: float = 60.0
    inbox_recovery_s: float = 5.0

    def calendar(self) -> WorkingCalendar:
        return _calendar(self.office_start, self.office_end)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        office_start, office_end = parse_office_hours(
            env.get("IDESLUSS_OFFICE_HOURS") or "08:00-17:00"
        )
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            coordinators=_people_list(env, "IDESLUSS_COORDINATORS"),
            admins=_people_list(env, "IDESLUSS_ADMINS"),
            process_path=env.get("IDESLUSS_PROCESS") or None,
            organisation_path=env.get("IDESLUSS_ORGANISATION") or None,
            office_start=office_start,
            office_end=office_end,
            deliver_any_time=(env.get("IDESLUSS_DELIVER_ANY_TIME") or "").strip() == "1",
            sweep_every_s=_seconds(env, "IDESLUSS_SWEEP_SECONDS", 15 * 60),
            dispatch_every_s=_seconds(env, "IDESLUSS_DISPATCH_SECONDS", 15.0),
            draft_retention_days=_positive(env, "IDESLUSS_DRAFT_RETENTION_DAYS", 30),
            outbox_retention_days=_positive(env, "IDESLUSS_OUTBOX_RETENTION_DAYS", 90),
            turns_per_minute=_positive(env, "IDESLUSS_TURNS_PER_MINUTE", 30),
            inbox_lease_s=_seconds(env, "IDESLUSS_INBOX_LEASE_SECONDS", 60.0),
            inbox_recovery_s=_seconds(env, "IDESLUSS_INBOX_RECOVERY_SECONDS", 5.0),
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0.1 <= value <= 86_400:
        raise ValueError(f"{name} must be between 0.1 and 86400 seconds, not {raw!r}")
    return value
