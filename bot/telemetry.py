"""What the core counts – turns, commands, deliveries, connections the server closed – without
importing Prometheus: the terminal chat and the one-shot commands count nothing anyone reads,
and importing prometheus_client (with aiohttp, for the web side) would cost them start-up time.

The hooks hand each count to a sink. Until bot/observability.py is imported (the server
does it before it serves anything) the sink drops them; from then on they are Prometheus
counters and histograms on `/metrics`."""

from __future__ import annotations

from typing import Protocol


class Sink(Protocol):
    def count_turn(self, platform: str, outcome: str) -> None: ...

    def count_command(self, name: str) -> None: ...

    def count_closed_connection(self, reason: str) -> None: ...

    def count_delivery(self, outcome: str, latency_s: float | None) -> None: ...


class _Nowhere:
    """Counts nobody will read (no server in this process)."""

    def count_turn(self, platform: str, outcome: str) -> None:
        pass

    def count_command(self, name: str) -> None:
        pass

    def count_closed_connection(self, reason: str) -> None:
        pass

    def count_delivery(self, outcome: str, latency_s: float | None) -> None:
        pass


_sink: Sink = _Nowhere()


def use(sink: Sink) -> None:
    """Send every count from now on to `sink` (bot/observability.py's Prometheus metrics)."""
    global _sink
    _sink = sink


def count_turn(platform: str, outcome: str) -> None:
    _sink.count_turn(platform or "unknown", outcome)


def count_command(name: str) -> None:
    _sink.count_command(name)


def count_closed_connection(reason: str) -> None:
    _sink.count_closed_connection(reason)


def observe_delivery(latency_s: float) -> None:
    """An outbox row the platform accepted, `latency_s` after it was created."""
    _sink.count_delivery("sent", max(0.0, latency_s))


def count_delivery(outcome: str) -> None:
    """A delivery attempt that did not succeed: retried, failed or unreachable."""
    _sink.count_delivery(outcome, None)
