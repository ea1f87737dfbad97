"""The Teams app package an admin uploads: manifest.json and the two icons in one zip,
with the bot's app id filled in (`idesluss teams-package --app-id …`).

The command menu (the manifest's `commandLists` and their English descriptions in
en-us.json) is made from the commands that declare a `menu` (bot/commands/catalog.py); the
files in appPackage/ hold the same, written by `write_command_lists()`, and a test keeps
them equal."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from bot.commands.catalog import COMMANDS
from bot.commands.registry import Registry
from conversations.i18n import has_text, tr

PACKAGE_DIR = Path(__file__).parent / "appPackage"
PACKAGE_FILES = ("manifest.json", "en-us.json", "color.png", "outline.png")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HTTPS = re.compile(r"^https://[^\s/]+(/\S*)?$")


# Teams' scopes for each place a command's menu entry can be declared for.
MENU_SCOPES = {"personal": ["personal"], "group": ["team", "groupChat"]}


def _description(lang: str, name: str, place: str) -> str:
    key = f"menu.{name}.{place}"
    return tr(lang, key if has_text(lang, key) else f"menu.{name}")  # or the same in every place


def command_lists(registry: Registry = COMMANDS) -> list[dict[str, Any]]:
    """The manifest's command menus, in Swedish (the package's default language)."""
    return [
        {
            "scopes": scopes,
            "commands": [
                {"title": spec.title, "description": _description("sv", spec.name, place)}
                for spec in registry
                if place in spec.menu
            ],
        }
        for place, scopes in MENU_SCOPES.items()
    ]


def english(registry: Registry = COMMANDS) -> dict[str, str]:
    """en-us.json: its fixed texts, and the command menus' descriptions in English."""
    data = json.loads((PACKAGE_DIR / "en-us.json").read_text(encoding="utf-8"))
    data = {key: value for key, value in data.items() if not key.startswith("bots[0].")}
    for n, place in enumerate(MENU_SCOPES):
        specs = [spec for spec in registry if place in spec.menu]
        for m, spec in enumerate(specs):
            key = f"bots[0].commandLists[{n}].commands[{m}].description"
            data[key] = _description("en", spec.name, place)
    return data


def write_command_lists() -> None:
    """Write the menus into appPackage/ (run after changing a command's menu)."""
    path = PACKAGE_DIR / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["bots"][0]["commandLists"] = command_lists()
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    path = PACKAGE_DIR / "en-us.json"
    path.write_text(json.dumps(english(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


class PackageError(ValueError):
    """The package cannot be built as asked; the message says why."""


def manifest(app_id: str, *, website_url: str | None = None) -> dict[str, Any]:
    app_id = app_id.strip()
    if not _GUID.match(app_id):
        raise PackageError(
            f"--app-id must be the bot's Microsoft App ID, a GUID like "
            f"8e0f4ad5-0c3b-4b6e-9d7e-1d2f3a4b5c6d (got {app_id!r})"
        )
    data: dict[str, Any] = json.loads((PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8"))
    data["id"] = app_id
    for bot in data["bots"]:
        bot["botId"] = app_id
    data["bots"][0]["commandLists"] = command_lists()
    if website_url is not None:
        base = website_url.rstrip("/")
        if not _HTTPS.match(base):
            raise PackageError(f"--website-url must be an https:// address (got {website_url!r})")
        data["developer"].update(
            websiteUrl=base,
            privacyUrl=f"{base}/personuppgifter",
            termsOfUseUrl=f"{base}/villkor",
        )
    return data


def build_package(app_id: str, out: Path, *, website_url: str | None = None) -> Path:
    """Write the zip to `out` (files at the root of the archive, as Teams wants them)."""
    data = manifest(app_id, website_url=website_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("en-us.json", json.dumps(english(), ensure_ascii=False, indent=2))
        for name in PACKAGE_FILES[2:]:
            archive.write(PACKAGE_DIR / name, arcname=name)
    return out
