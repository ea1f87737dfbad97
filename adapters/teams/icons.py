"""The app package's two icons, drawn in plain Python (no imaging library needed):
`color.png` 192×192 and `outline.png` 32×32 (white on transparent), as Teams requires.

Run `python -m adapters.teams.icons` to draw them again into appPackage/.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

Pixel = tuple[int, int, int, int]
ACCENT = (0x1F, 0x6F, 0x8B, 0xFF)  # also the manifest's accentColor
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)
PACKAGE_DIR = Path(__file__).parent / "appPackage"


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG from a function of (x, y)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _bulb(u: float, v: float) -> bool:
    """A light bulb in the unit square: an idea, as it comes through the sluice."""
    in_globe = (u - 0.5) ** 2 + (v - 0.40) ** 2 <= 0.26**2
    in_neck = 0.39 <= u <= 0.61 and 0.60 <= v <= 0.72
    in_base = 0.42 <= u <= 0.58 and 0.75 <= v <= 0.82
    return in_globe or in_neck or in_base


def color_icon(size: int = 192) -> bytes:
    def pixel(x: int, y: int) -> Pixel:
        return WHITE if _bulb((x + 0.5) / size, (y + 0.5) / size) else ACCENT

    return png(size, size, pixel)


def outline_icon(size: int = 32) -> bytes:
    def pixel(x: int, y: int) -> Pixel:
        return WHITE if _bulb((x + 0.5) / size, (y + 0.5) / size) else CLEAR

    return png(size, size, pixel)


def write_icons(directory: Path = PACKAGE_DIR) -> None:
    (directory / "color.png").write_bytes(color_icon())
    (directory / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":  # pragma: no cover
    write_icons()
