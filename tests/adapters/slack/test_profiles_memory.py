"""The Slack profile cache is an LRU with a size: a server that has met 10,000 people keeps
at most `size` of them in memory (the rest are read from the database again when they
write), the ones seen most recently."""

from __future__ import annotations

from adapters.slack.profiles import Profile, SlackProfiles


def test_the_profile_cache_keeps_at_most_its_size() -> None:
    profiles = SlackProfiles(client=None, bot=None, size=100)  # type: ignore[arg-type]
    for n in range(10_000):
        profiles.saw(Profile(f"U{n}", name=f"Person {n}"), {"user": f"U{n}", "channel": f"D{n}"})
    assert len(profiles._cache) == 100
    assert set(profiles._cache) == {f"U{n}" for n in range(9_900, 10_000)}


def test_a_person_seen_again_stays_in_the_cache() -> None:
    profiles = SlackProfiles(client=None, bot=None, size=2)  # type: ignore[arg-type]
    profiles.remember(Profile("U1"))
    profiles.remember(Profile("U2"))
    profiles.remember(Profile("U1"))  # seen again: now the most recent
    profiles.remember(Profile("U3"))
    assert list(profiles._cache) == ["U1", "U3"]
