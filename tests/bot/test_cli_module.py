"""`python -m bot.cli` runs every subcommand: the module's `__main__` guard comes after
every function it may call."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_module(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MICROSOFT_", "IDESLUSS_", "TEAMS_"))
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_runs_as_a_module(tmp_path) -> None:
    done = run_module("--help", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "doctor" in done.stdout


def test_doctor_runs_as_a_module(tmp_path) -> None:
    done = run_module("doctor", tmp_path=tmp_path)
    # No platform is configured here: doctor says so (exit 1), it does not crash.
    assert "NameError" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "no chat platform is configured" in done.stdout + done.stderr
    assert done.returncode != 0
