"""A local stand-in for the Bot Connector API that enforces the Teams rate limits.

POST /v3/conversations/{conversation}/activities with JSON {"text", "key"} and header
`X-Tenant`. Accepted messages are recorded by key; over a limit the answer is 429 with
Retry-After (seconds), as Teams does. GET /stats returns what arrived.

Run alone: `python bench/fake_teams_api.py --port 8123`.
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter, defaultdict, deque

from aiohttp import web

# Per bot per conversation and per tenant (shared/PLATFORM-FACTS.md).
CONVERSATION_WINDOWS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
TENANT_WINDOWS = ((30, 1.0),)


class Limits:
    def __init__(self, scale: float = 1.0) -> None:
        self.conversation = tuple((int(c * scale), s) for c, s in CONVERSATION_WINDOWS)
        self.tenant = tuple((int(c * scale), s) for c, s in TENANT_WINDOWS)
        self.sent: dict[tuple, deque[float]] = defaultdict(deque)

    def wait_needed(self, conversation: str, tenant: str, now: float) -> float:
        wait = 0.0
        for scope, key, windows in (
            ("c", conversation, self.conversation),
            ("t", tenant, self.tenant),
        ):
            for count, seconds in windows:
                queue = self.sent[(scope, key, count, seconds)]
                while queue and queue[0] <= now - seconds:
                    queue.popleft()
                if len(queue) >= count:
                    wait = max(wait, queue[0] + seconds - now)
        return wait

    def record(self, conversation: str, tenant: str, now: float) -> None:
        for count, seconds in self.conversation:
            self.sent[("c", conversation, count, seconds)].append(now)
        for count, seconds in self.tenant:
            self.sent[("t", tenant, count, seconds)].append(now)


def make_app(scale: float = 1.0) -> web.Application:
    limits = Limits(scale)
    received: Counter[str] = Counter()
    throttled = [0]
    first_last: list[float] = []

    async def activities(request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        tenant = request.headers.get("X-Tenant", "*")
        now = time.monotonic()
        wait = limits.wait_needed(conversation, tenant, now)
        if wait > 0:
            throttled[0] += 1
            return web.json_response(
                {"error": {"code": "TooManyRequests"}},
                status=429,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        body = await request.json()
        limits.record(conversation, tenant, now)
        received[body["key"]] += 1
        if not first_last:
            first_last.extend([now, now])
        first_last[1] = now
        return web.json_response({"id": f"{conversation}:{received.total()}"}, status=201)

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response(
            {
                "accepted": received.total(),
                "distinct": len(received),
                "duplicates": sum(n - 1 for n in received.values() if n > 1),
                "throttled": throttled[0],
                "span_s": (first_last[1] - first_last[0]) if first_last else 0.0,
            }
        )

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", activities)
    app.router.add_get("/stats", stats)
    return app


def serve(port: int, scale: float, ready=None) -> None:
    """Run the server (in its own process); report the bound port through `ready`."""
    import asyncio

    async def main() -> None:
        runner = web.AppRunner(make_app(scale), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if ready is not None:
            ready.send(bound)
        else:
            print(f"listening on 127.0.0.1:{bound}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    serve(args.port, args.scale)
