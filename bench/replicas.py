"""Scale-out: one `idesluss serve` process versus two on the same PostgreSQL database.

    .venv/bin/python bench/replicas.py --pg postgresql://postgres@127.0.0.1:5432/postgres \\
        [--users 40] [--rounds 1] [--repeats 2]

The servers are real `idesluss serve` processes (Slack over HTTP, signed requests) against a
fake Slack Web API in its own process; the load generator is bench/slack_load.py's (each
employee tells whole ideas, waiting for the bot's answer before the next turn); with two
replicas its turns go round both ports, as a load balancer without sticky sessions would send
them. Each configuration runs `--repeats` times, alternating, on a fresh database each time;
the median run is reported. The baseline is the single replica measured in the same run.
Reported: turns/s, ack and whole-turn p99, and CPU seconds used by each server process and by
the PostgreSQL backends serving the benchmark's database, and by the harness (load generator
and fake Slack) per turn, and how busy that kept the machine's cores (where the time goes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.slack_load import (  # noqa: E402
    SECRET,
    _cpu_seconds,
    _spawn,
    _stop,
    _wait_ready,
    free_port,
)

IDESLUSS = Path(sys.executable).with_name("idesluss")


def _postgres_cpu(database: str) -> float:
    """CPU seconds of the PostgreSQL backends connected to `database` (from /proc; the
    backends' command lines name their database)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            if cmdline.startswith("postgres:") and f" {database} " in cmdline:
                total += _cpu_seconds(int(entry.name))
        except OSError:
            continue
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    replicas: int, args: argparse.Namespace, api_port: int, api_pid: int, run_id: str
) -> dict:
    from tests.conftest import create_pg_database, drop_pg_database

    url = create_pg_database(args.pg)
    database = url.rsplit("/", 1)[1]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT"))},
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{api_port}/api/",
    }
    servers, ports = [], []
    try:
        for _ in range(replicas):
            port = free_port()
            servers.append(
                subprocess.Popen(
                    [str(IDESLUSS), "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            ports.append(port)
            _wait_ready(f"http://127.0.0.1:{port}/healthz")  # one at a time: one migrates
        cpu_before = [_cpu_seconds(s.pid) for s in servers]
        pg_before = _postgres_cpu(database)
        api_before = _cpu_seconds(api_pid)
        children_before = _children_cpu()
        load = _spawn("--role", "load", "--ports", ",".join(map(str, ports)),
                      "--api-port", str(api_port), "--users", str(args.users),
                      "--rounds", str(args.rounds), "--run-id", run_id)  # fmt: skip
        out, _ = load.communicate(timeout=900)
        cpu = [_cpu_seconds(s.pid) - before for s, before in zip(servers, cpu_before, strict=True)]
        pg_cpu = _postgres_cpu(database) - pg_before
        api_cpu = _cpu_seconds(api_pid) - api_before
        load_cpu = _children_cpu() - children_before  # the load generator, now reaped
    finally:
        for server in servers:
            _stop(server)
        drop_pg_database(args.pg, url)
    result = json.loads(out.strip().splitlines()[-1])
    turns = max(1, result["turns"])
    result["server_cpu_ms_per_turn"] = [round(1000 * c / turns, 2) for c in cpu]
    result["postgres_cpu_ms_per_turn"] = round(1000 * pg_cpu / turns, 2)
    result["harness_cpu_ms_per_turn"] = round(1000 * (api_cpu + load_cpu) / turns, 2)
    result["machine_cpu_use"] = round(
        (sum(cpu) + pg_cpu + api_cpu + load_cpu) / result["wall_s"] / (os.cpu_count() or 1), 2
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", required=True, help="an admin URL; a database is made per run")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    api_port = free_port()
    api = _spawn("--role", "api", "--port", str(api_port))
    assert api.stdout is not None and api.stdout.readline().strip() == "ready"
    runs: dict[int, list[dict]] = {1: [], 2: []}
    stamp = int(time.time()) % 100_000
    try:
        for repeat in range(args.repeats):
            for replicas in (1, 2):
                run_id = f"R{replicas}{repeat}{stamp:05d}"
                runs[replicas].append(measure(replicas, args, api_port, api.pid, run_id))
    finally:
        _stop(api)

    def median_run(results: list[dict]) -> dict:
        ordered = sorted(results, key=lambda r: r["turns_per_s"])
        return ordered[len(ordered) // 2]

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")  # fmt: skip
    print(f"users: {args.users}; ideas per user: {args.rounds}; repeats: {args.repeats}")
    print(f"{'':12}{'turns/s':>9}{'ack p99':>10}{'turn p50':>10}{'turn p99':>10}"
          f"{'server CPU/turn':>22}{'PG CPU/turn':>13}{'harness CPU/turn':>18}"
          f"{'machine busy':>14}{'failed':>7}")  # fmt: skip
    chosen = {n: median_run(r) for n, r in runs.items()}
    for n, r in chosen.items():
        cpu = "+".join(f"{c:.1f}" for c in r["server_cpu_ms_per_turn"]) + " ms"
        print(
            f"{n} replica{'s' if n > 1 else ' '}  {r['turns_per_s']:>9.1f}"
            f"{r['ack_p99_ms']:>8.1f}ms{r['turn_p50_ms']:>8.1f}ms{r['turn_p99_ms']:>8.1f}ms"
            f"{cpu:>22}{r['postgres_cpu_ms_per_turn']:>10.1f} ms"
            f"{r['harness_cpu_ms_per_turn']:>15.1f} ms{r['machine_cpu_use']:>13.0%}"
            f"{r['failures']:>7d}"
        )
    one, two = chosen[1], chosen[2]
    print(
        f"two/one: throughput {two['turns_per_s'] / one['turns_per_s']:.2f}×, "
        f"turn p99 {two['turn_p99_ms'] / one['turn_p99_ms']:.2f}×; all turns/s: "
        + "; ".join(
            f"{n}: " + ", ".join(f"{r['turns_per_s']:.1f}" for r in rs) for n, rs in runs.items()
        )
    )
    print(json.dumps(runs))


if __name__ == "__main__":
    main()
