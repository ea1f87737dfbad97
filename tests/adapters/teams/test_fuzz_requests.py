"""Random JSON shapes, authenticated, posted to /api/messages: the answer is always a clear
status (never a 500 or a traceback), and the bot keeps working afterwards."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = [
    "type",
    "serviceUrl",
    "from",
    "recipient",
    "conversation",
    "text",
    "value",
    "entities",
    "channelData",
    "locale",
    "id",
    "membersAdded",
    "attachments",
    "name",
    "replyToId",
]
activities = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["message", "invoke", "conversationUpdate", "event", "x"])
        | json_values
    },
    optional={key: json_values for key in KEYS[1:]},
)
CASES = 60


@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.one_of(json_values, activities))
async def test_random_activities_never_cause_a_500(teams, connector, body) -> None:
    text_body = json.dumps(body).replace('"SERVICE"', json.dumps(connector.url))
    status, text, _ = await teams.channel.post(text_body.encode(), raw=True)
    assert status < 500, (status, text)
    assert "Traceback" not in text
