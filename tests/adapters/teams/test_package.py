"""The app package an admin uploads to Teams."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib

import pytest

from adapters.teams.icons import color_icon, outline_icon
from adapters.teams.package import PACKAGE_DIR
from bot.cli import main

APP_ID = "8e0f4ad5-0c3b-4b6e-9d7e-1d2f3a4b5c6d"


def png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGBA pixels of the (unfiltered RGBA) PNGs we write."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 6)  # 8-bit RGBA
    idat, offset = b"", 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    pixels = [
        tuple(raw[y * stride + 1 + 4 * x : y * stride + 5 + 4 * x])
        for y in range(height)
        for x in range(width)
    ]
    return width, height, pixels


def test_teams_package_writes_the_zip_with_the_app_id(tmp_path, capsys) -> None:
    out = tmp_path / "idesluss-teams.zip"
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(out)]) == 0
    assert "Upload" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == [
            "color.png",
            "en-us.json",
            "manifest.json",
            "outline.png",
        ]
        manifest = json.loads(archive.read("manifest.json"))
        color = archive.read("color.png")
        outline = archive.read("outline.png")
    assert manifest["id"] == APP_ID
    assert manifest["manifestVersion"] == "1.19" and "v1.19" in manifest["$schema"]
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID and "personal" in bot["scopes"]
    assert bot["supportsFiles"] is True  # file consent in personal chat
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    for command_list in bot["commandLists"]:
        assert len(command_list["commands"]) <= 10
        for command in command_list["commands"]:
            assert len(command["title"]) <= 32 and len(command["description"]) <= 128
    personal = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert personal == ["help", "mine", "list", "show", "advance", "close", "whoami"]
    assert color == color_icon() and outline == outline_icon()


def test_the_icons_have_the_sizes_teams_requires() -> None:
    width, height, pixels = png_pixels((PACKAGE_DIR / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    assert all(p[3] == 255 for p in pixels)  # the colour icon is opaque
    width, height, pixels = png_pixels((PACKAGE_DIR / "outline.png").read_bytes())
    assert (width, height) == (32, 32)
    # Outline: white on transparent, nothing else.
    assert set(pixels) == {(255, 255, 255, 255), (0, 0, 0, 0)}


def test_the_english_localisation_matches_the_command_lists() -> None:
    manifest = json.loads((PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8"))
    english = json.loads((PACKAGE_DIR / "en-us.json").read_text(encoding="utf-8"))
    for n, command_list in enumerate(manifest["bots"][0]["commandLists"]):
        for m, _ in enumerate(command_list["commands"]):
            assert f"bots[0].commandLists[{n}].commands[{m}].description" in english


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--app-id", "my-bot"], "must be the bot's Microsoft App ID"),
        (["--app-id", APP_ID, "--website-url", "http://insecure.example"], "https://"),
    ],
)
def test_a_wrong_argument_is_explained_and_writes_nothing(tmp_path, capsys, args, message) -> None:
    out = tmp_path / "package.zip"
    assert main(["teams-package", *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_website_url_fills_the_developer_pages(tmp_path) -> None:
    out = tmp_path / "package.zip"
    url = "https://www.kommunen.se/idesluss/"
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(out), "--website-url", url]) == 0
    with zipfile.ZipFile(out) as archive:
        developer = json.loads(archive.read("manifest.json"))["developer"]
    assert developer["websiteUrl"] == "https://www.kommunen.se/idesluss"
    assert developer["privacyUrl"] == "https://www.kommunen.se/idesluss/personuppgifter"
