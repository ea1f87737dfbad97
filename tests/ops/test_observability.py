"""/metrics, request ids and the JSON logs: what an operator sees, and what they never see."""

from __future__ import annotations

import io
import json
import logging

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.app import IdeaBot
from bot.logs import JsonFormatter, TextFormatter
from bot.observability import FIGURES, FIGURES_MAX_AGE_SECONDS
from bot.server import build_app
from storage.outbox import enqueue
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat


def parse(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample as {(name, sorted labels): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(server: TestServer) -> dict:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{server.port}/metrics") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return parse(await response.text())


async def test_metrics_move_with_traffic(bot: IdeaBot) -> None:
    app = await build_app(bot, close_database=False)
    seconds = [0.0]
    app[FIGURES].clock = lambda: seconds[0]  # the database figures are cached for 5 s
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        before = await scrape(server)
        seconds[0] += FIGURES_MAX_AGE_SECONDS
        anna = Chat(bot, user="anna", name="Anna Andersson")
        maria = Chat(bot, user="maria", name="Maria")
        await submit_idea(anna, "Tryggare tunnlar")
        await maria.says("lista")
        await maria.says("tilldela 1 mig")
        await maria.says("visa 999")
        await run_sweep(bot)  # the new idea, in Maria's digest
        async with bot.db.transaction() as session:
            await enqueue(
                session,
                dedupe_key="reminder:test",
                recipient_id=1,
                kind="reminder_idle",
                payload={},
                now=bot.clock.now(),
            )
        async with aiohttp.ClientSession() as http:
            for _ in range(3):
                await (await http.get(f"http://127.0.0.1:{server.port}/healthz")).read()
        after = await scrape(server)
    finally:
        await server.close()

    turns = value(after, "idesluss_turns_total", platform="console", outcome="ok")
    assert turns - value(before, "idesluss_turns_total", platform="console", outcome="ok") >= 12
    for command in ("list", "assign", "show"):
        moved = value(after, "idesluss_commands_total", command=command) - value(
            before, "idesluss_commands_total", command=command
        )
        assert moved == 1, command
    # Read from the database at scrape time: the new idea, and Maria's new-idea message.
    assert value(before, "idesluss_ideas", stage="submitted") == 0
    assert value(after, "idesluss_ideas", stage="submitted") == 1
    assert value(after, "idesluss_outbox_status", status="pending") >= 1
    assert value(after, "idesluss_outbox_messages", status="pending", kind="digest") == 1
    assert value(after, "idesluss_reminders", kind="idle", status="pending") == 1
    assert value(after, "idesluss_database_figures_ok") == 1
    health = dict(route="/healthz", method="GET", status="200")
    assert (
        value(after, "idesluss_http_request_duration_seconds_count", **health)
        - value(before, "idesluss_http_request_duration_seconds_count", **health)
        == 3
    )
    # The histogram's families are there even before any delivery.
    assert ("idesluss_delivery_latency_seconds_count", ()) in after


async def test_every_request_has_an_id_that_reaches_its_log_lines(bot: IdeaBot) -> None:
    app = await build_app(bot, close_database=False)

    async def logs_something(request: web.Request) -> web.Response:
        logging.getLogger("idesluss.test").warning("inside a request", extra={"platform": "x"})
        return web.Response(text="ok")

    app.router.add_get("/logs", logs_something)

    async def slack_like(request: web.Request) -> web.Response:
        logging.getLogger("idesluss.test").warning("slack request")
        return web.Response(text="ok")

    app.router.add_get("/slack/events", slack_like)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{server.port}/logs"
            async with http.get(url, headers={"X-Request-Id": "lb-1234"}) as given:
                assert given.headers["X-Request-Id"] == "lb-1234"
            async with http.get(url, headers={"X-Request-Id": "<script>"}) as refused:
                made_up = refused.headers["X-Request-Id"]
            async with http.get(f"http://127.0.0.1:{server.port}/slack/events") as slack:
                assert slack.status == 200
            async with http.get(f"http://127.0.0.1:{server.port}/nowhere") as missing:
                assert missing.status == 404
    finally:
        logging.getLogger().removeHandler(handler)
        await server.close()
    assert made_up != "<script>" and len(made_up) == 32
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    ours = [line for line in lines if line["message"] == "inside a request"]
    assert [line["request_id"] for line in ours] == ["lb-1234", made_up]
    assert all(line["platform"] == "x" and line["level"] == "warning" for line in ours)
    # A line that names no platform gets the one whose endpoint the request came to.
    [slack_line] = [line for line in lines if line["message"] == "slack request"]
    assert slack_line["platform"] == "slack" and len(slack_line["request_id"]) == 32


async def test_info_logs_hold_no_idea_text_and_no_names(bot: IdeaBot) -> None:
    secrets = [
        "Tryggare tunnlar",
        "Många är rädda i gångtunnlarna",
        "Bättre belysning och konst",
        "Invånare som går där",
        "Fritidsgården Väster",
        "Anna",
        "Andersson",
        "Maria",
        "Vi testar i vår",
        "en hemlig anteckning",
    ]
    stream = io.StringIO()
    json_handler = logging.StreamHandler(stream)
    json_handler.setFormatter(JsonFormatter())
    text_handler = logging.StreamHandler(stream)
    text_handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(json_handler)
    root.addHandler(text_handler)
    try:
        anna = Chat(bot, user="anna", name="Anna Andersson")
        maria = Chat(bot, user="maria", name="Maria Coordinator")
        await submit_idea(
            anna,
            "Tryggare tunnlar",
            need="Många är rädda i gångtunnlarna på kvällen.",
            idea="Bättre belysning och konst som skolbarnen målar.",
            benefit="Invånare som går där.",
            workplace="Fritidsgården Väster",
        )
        await maria.says("tilldela 1 mig")
        await maria.says("notera 1 en hemlig anteckning")
        await maria.says("flytta 1 Vi testar i vår")
        await anna.says("mina")
        await anna.says("visa 1")
    finally:
        root.removeHandler(json_handler)
        root.removeHandler(text_handler)
        root.setLevel(old_level)
    output = stream.getvalue()
    assert "turn handled" in output and "idea submitted" in output  # info lines were written
    transcript = anna.transcript() + maria.transcript()
    assert "Vi testar i vår" in transcript  # the advance really happened, with its message
    for secret in secrets:
        assert secret.lower() not in output.lower(), secret
