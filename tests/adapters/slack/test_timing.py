"""Slack wants its answer within 3 s whatever the Web API is doing; and a stopping server
finishes the Slack turns it has already acknowledged."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import select

from bot.server import INFLIGHT
from storage.models import Dialogue
from tests.adapters.slack.conftest import SlackSide


async def test_events_are_acknowledged_at_once_even_when_slack_answers_slowly(
    slack: SlackSide,
) -> None:
    # Real time is the point here: every Web API call now takes 5 s to answer.
    slack.api.slow(5.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await slack.message("UANNA", "Hej") == 200
    acked_after = loop.time() - started
    assert acked_after < 1.0, f"acknowledged after {acked_after:.2f} s"
    assert "chat.postMessage" not in slack.api.answered  # the work goes on after the answer
    slack.api.release()
    await slack.settle()
    [reply] = slack.api.calls_to("chat.postMessage")
    assert "Hej Anna!" in reply.text


async def test_a_stopping_server_finishes_an_acknowledged_turn(
    slack: SlackSide, server_app: web.Application, db
) -> None:
    slack.api.slow(60.0, "chat.postMessage")
    inflight = server_app[INFLIGHT]
    drain = inflight.drain

    async def stopping(seconds: float = 20.0) -> bool:
        slack.api.answered.append(f"(server stopping, turns in flight: {len(inflight)})")
        slack.api.release()  # the slow Slack answers while the server waits for the turn
        return await drain(seconds)

    inflight.drain = stopping  # type: ignore[method-assign]
    assert await slack.message("UANNA", "Hej") == 200
    await slack.server.close()
    answered = slack.api.answered
    stopping_at = answered.index("(server stopping, turns in flight: 1)")
    assert answered.index("chat.postMessage") > stopping_at, answered
    async with db.transaction() as session:
        assert (await session.execute(select(Dialogue))).scalar_one().step == "title"
