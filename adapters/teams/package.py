"""The Teams app package an admin uploads: manifest.json and the two icons in one zip,
with the bot's app id filled in (`idesluss teams-package --app-id …`)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).parent / "appPackage"
PACKAGE_FILES = ("manifest.json", "en-us.json", "color.png", "outline.png")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HTTPS = re.compile(r"^https://[^\s/]+(/\S*)?$")


class PackageError(ValueError):
    """The package cannot be built as asked; the message says why."""


def manifest(app_id: str, *, website_url: str | None = None) -> dict[str, Any]:
    app_id = app_id.strip()
    if not _GUID.match(app_id):
        raise PackageError(
            f"--app-id must be the bot's Microsoft App ID, a GUID like "
            f"8e0f4ad5-0c3b-4b6e-9d7e-1d2f3a4b5c6d (got {app_id!r})"
        )
    data = json.loads((PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8"))
    data["id"] = app_id
    for bot in data["bots"]:
        bot["botId"] = app_id
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
        for name in PACKAGE_FILES[1:]:
            archive.write(PACKAGE_DIR / name, arcname=name)
    return out
