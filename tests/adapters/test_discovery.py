"""The platforms are found through their entry points, each declaring what the core needs
on its class, without loading any chat SDK until a platform is configured and mounted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from adapters.slack import SlackPlatform
from adapters.teams import TeamsPlatform
from bot.platforms import display_name, platform_classes, rate_limits
from bot.ports import Platform, RateRule

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "msal")


def test_slack_and_teams_are_found_through_their_entry_points() -> None:
    assert platform_classes()[:2] == [SlackPlatform, TeamsPlatform]
    assert (display_name("slack"), display_name("msteams"), display_name("console")) == (
        "Slack",
        "Teams",
        "console",
    )


def test_every_platform_declares_what_the_core_needs() -> None:
    classes = platform_classes()
    assert len({cls.name for cls in classes}) == len(classes)
    for cls in classes:
        assert issubclass(cls, Platform)
        assert cls.name and cls.display_name and cls.settings_hint
        assert cls.routes and all(route.startswith("/") for route in cls.routes)
        assert all(isinstance(rule, RateRule) for rule in cls.rate_limits)
        assert isinstance(cls.carries_files, bool) and cls.mention_syntax
    assert rate_limits()["slack"] == SlackPlatform.rate_limits
    assert rate_limits()["msteams"] == TeamsPlatform.rate_limits


def _loaded_sdks(code: str) -> str:
    roots = "{m.split('.')[0] for m in sys.modules}"
    probe = f"{code}\nimport sys\nprint(sorted({roots} & {set(SDKS)!r}))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_help_and_discovery_load_no_chat_sdk() -> None:
    code = (
        "from bot.cli import build_parser\n"
        "assert 'Slack and Teams' in build_parser().format_help()\n"
        "from bot.platforms import configured_platforms\n"
        "configured_platforms({'SLACK_BOT_TOKEN': 'xoxb-1', 'SLACK_SIGNING_SECRET': 's'})\n"
        "import bot.cli, adapters.console\n"
    )
    assert _loaded_sdks(code) == "[]"


def test_python_m_bot_cli_runs_the_commands_defined_after_the_guard(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "doctor"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert "NameError" not in done.stderr and "Traceback" not in done.stderr
    assert "no chat platform is configured" in done.stdout
    assert done.returncode == 1
