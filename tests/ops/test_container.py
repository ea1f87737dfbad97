"""The container, without a Docker engine: the Dockerfile's promises read from the file, and
the entry script's start-up sequence run for real (migrations, then the server, SIGTERM)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.fakes.net import free_port

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
IDESLUSS = Path(sys.executable).with_name("idesluss")


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def final_stage() -> str:
    return dockerfile().rsplit("\nFROM ", 1)[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MICROSOFT_APP", "MicrosoftApp", "IDESLUSS_", "DATABASE"))
    }
    return {**env, "IDESLUSS_BIN": str(IDESLUSS), **extra}


def test_the_image_is_built_in_two_stages_and_runs_as_a_non_root_user() -> None:
    assert len(re.findall(r"^FROM python:3\.11-slim", dockerfile(), re.M)) == 2
    stage = final_stage()
    assert "COPY --from=builder /opt/idesluss /opt/idesluss" in stage
    # Only the venv comes over: no sources, tests or build tools are copied in.
    assert not re.search(r"^COPY (?!--from=builder|--chmod=0755 docker/entrypoint.sh)", stage, re.M)
    user = re.search(r"^USER (\S+)", stage, re.M).group(1)
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0
    assert 'ENTRYPOINT ["idesluss-entrypoint"]' in stage
    assert 'CMD ["serve"]' in stage


def test_the_dev_extras_stay_out_of_the_image() -> None:
    assert ".[dev]" not in dockerfile()
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in ("tests", "bench", ".venv", ".git", "*.db"):
        assert path in ignored


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(IDESLUSS.parent)) or shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is installed with the dev extras (CI runs it)")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_the_bot_beside_postgresql_16_with_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"] == "postgres:16"
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://idesluss:")
    for secret in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID"):
        assert secret in bot["environment"]
    assert "pgdata" in compose["volumes"]


def healthcheck_command() -> list[str]:
    line = re.search(r"HEALTHCHECK .*?CMD (\[.*?\])\n", dockerfile(), re.S).group(1)
    return json.loads(line)


def run_healthcheck(port: int) -> int:
    command = healthcheck_command()
    assert command[0] == "python"
    return subprocess.run(
        [sys.executable, *command[1:]], env={**os.environ, "PORT": str(port)}, check=False
    ).returncode


def wait_healthy(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not become healthy")


def test_the_entry_script_migrates_then_serves_and_stops_on_sigterm(tmp_path) -> None:
    port = free_port()
    database = tmp_path / "container.db"
    env = clean_env(DATABASE_URL=f"sqlite:///{database}", HOST="127.0.0.1", PORT=str(port))
    assert run_healthcheck(port) != 0  # nothing is listening yet: the check fails
    process = subprocess.Popen(
        ["sh", str(ENTRYPOINT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_healthy(port, process)
        # Migrated before the port opened: the schema is at the newest revision.
        with sqlite3.connect(database) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone()
            assert conn.execute("SELECT count(*) FROM ideas").fetchone() == (0,)
        assert run_healthcheck(port) == 0  # the image's HEALTHCHECK, as Docker runs it
        # exec: the server itself is the process Docker signals.
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=25)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert err.index("applying database migrations") < err.index("is listening")
    assert "stopping: finishing turns in progress" in err


def test_the_entry_script_refuses_to_start_without_a_database_url() -> None:
    result = subprocess.run(
        ["sh", str(ENTRYPOINT)], env=clean_env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "DATABASE_URL is not set" in result.stderr


def test_the_entry_script_stops_before_serving_when_migrations_fail(tmp_path) -> None:
    port = free_port()
    env = clean_env(
        DATABASE_URL=f"postgresql://nobody@127.0.0.1:{free_port()}/idesluss", PORT=str(port)
    )
    result = subprocess.run(
        ["sh", str(ENTRYPOINT)], env=env, capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 3  # the database's exit code, before any port was opened
    assert "is listening" not in result.stderr


def test_the_entry_script_runs_other_commands_as_idesluss_commands(tmp_path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "outbox"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Outbox: 0 pending, 0 sent, 0 failed, 0 withdrawn." in result.stdout
