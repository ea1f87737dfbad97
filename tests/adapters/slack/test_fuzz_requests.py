"""Random, validly signed bodies posted to /slack/events — JSON of any shape, and form bodies
as slash commands and button clicks arrive — always get a clear status, never a 500."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.adapters.slack.conftest import SlackSide

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
events = st.fixed_dictionaries(
    {"type": st.sampled_from(["event_callback", "url_verification", "block_actions"])},
    optional={
        "event": st.fixed_dictionaries(
            {"type": st.sampled_from(["message", "app_mention", "app_home_opened"]) | json_values},
            optional={k: json_values for k in ("user", "text", "channel", "channel_type", "ts")},
        ),
        "event_id": json_values,
        "challenge": json_values,
        "team_id": json_values,
    },
)
forms = st.one_of(
    st.dictionaries(
        st.sampled_from(["command", "text", "user_id", "channel_id", "team_id", "trigger_id"]),
        st.text(max_size=30),
    ).map(lambda d: ("form", urlencode(d))),
    st.one_of(json_values, events).map(lambda p: ("form", urlencode({"payload": json.dumps(p)}))),
    st.text(max_size=60).map(lambda s: ("form", s)),
)
bodies = st.one_of(
    st.one_of(json_values, events).map(lambda p: ("json", json.dumps(p))),
    forms,
)
CASES = 60


@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bodies)
async def test_random_signed_bodies_never_cause_a_500(slack: SlackSide, body) -> None:
    kind, text = body
    content_type = "application/json" if kind == "json" else "application/x-www-form-urlencoded"
    status, answer = await slack.deliver(text.encode(), content_type=content_type)
    assert status < 500, (status, answer)
    assert "Traceback" not in answer
    await slack.settle()
