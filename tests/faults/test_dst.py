"""Clock jumps: the nights Europe/Stockholm changes to and from summer time (the last Sunday
of March and of October). A message due in the night goes out at 08:00 local time on the next
working day — not an hour early or late, and once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import WorkingCalendar
from tests.bot.test_dispatcher import dispatcher, person, put
from tests.fakes.senders import FakeSender

SE = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    ("night", "monday_8_utc"),
    [
        # 29 March 2026: 02:00 CET becomes 03:00 CEST; Monday 08:00 is 06:00 UTC.
        (datetime(2026, 3, 29, 1, 30, tzinfo=SE), datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),
        # 25 October 2026: 03:00 CEST becomes 02:00 CET; Monday 08:00 is 07:00 UTC.
        (datetime(2026, 10, 25, 2, 30, tzinfo=SE), datetime(2026, 10, 26, 7, 0, tzinfo=UTC)),
    ],
    ids=["spring forward", "fall back"],
)
async def test_a_reminder_due_in_the_dst_night_goes_out_at_8_on_monday(
    db, clock, night, monday_8_utc
) -> None:
    assert WorkingCalendar().next_office_moment(night) == monday_8_utc
    clock.set(night)
    anna = await person(db, "anna", now=clock.now())
    await put(db, anna, "k1", "Påminnelse", clock.now(), kind="reminder_idle")
    sender = FakeSender(now=clock.now)
    d = dispatcher(db, sender, clock)
    for moment in (
        night,
        night.replace(hour=4),  # after the jump
        datetime.fromtimestamp(monday_8_utc.timestamp() - 60, UTC),  # 07:59 local
    ):
        clock.set(moment)
        await d.run_until_idle()
        assert sender.delivered == [], moment
    clock.set(monday_8_utc)
    await d.run_until_idle()
    await d.run_until_idle()
    assert [x.at.astimezone(SE).hour for x in sender.delivered] == [8]
