"""`borta till och med X`: X is the last day away; `borta till X`: back on X."""

from __future__ import annotations

import pytest

from bot.commands.away import AwayArgs, _read_away
from bot.process import default_process


@pytest.mark.parametrize(
    ("said", "inclusive"),
    [
        ("till och med 2027-08-06", True),
        ("t.o.m. 6 augusti ersättare @per", True),
        ("through 2027-08-06", True),
        ("från 2027-07-05 till och med 2027-08-06", True),
        ("till 2027-08-09", False),
        ("until 9 August", False),
        ("2027-07-05 till 2027-08-09", False),
    ],
)
def test_the_day_named_after_till_och_med_is_the_last_day_away(said: str, inclusive: bool) -> None:
    args = _read_away(said, default_process())
    assert isinstance(args, AwayArgs) and args.action == "set"
    assert args.inclusive is inclusive
