"""The real programs the report's tests look through: Chromium (headless) for the HTML
page, poppler's pdftoppm and pdfinfo for the PDF. Installed by .ci/run (Debian's packages);
a developer without them sees the tests skipped, CI fails instead."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

# The report's first data colour (bot/report/draw.py, Okabe–Ito blue) as the screen shows it.
DATA_BLUE = (0x00, 0x72, 0xB2)


def need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} is not installed (.ci/run installs it)")
        pytest.skip(f"{program} is not installed: apt-get install chromium poppler-utils")
    return found


def screenshot(page: Path, out: Path, *, width: int, height: int) -> Image.Image:
    """The page as Chromium draws it, without a network (every fetch goes to a closed port)."""
    chromium = need("chromium")
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",  # (root in CI)
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            f"--user-data-dir={out.parent / 'chromium-profile'}",
            f"--window-size={width},{height}",
            f"--screenshot={out}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Image.open(out).convert("RGB")


def pixels_near(image: Image.Image, colour: tuple[int, int, int], *, tolerance: int = 12) -> int:
    """How many pixels are (nearly) this colour: anti-aliased edges differ a little."""
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=image.width * image.height) or []
        if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))
    )


def pdf_pages(pdf: Path, out: Path, *, dpi: int = 40) -> list[Image.Image]:
    subprocess.run(
        [need("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(out / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return [Image.open(p).convert("RGB") for p in sorted(out.glob("page-*.png"))]


def pdf_info(pdf: Path) -> str:
    done = subprocess.run(
        [need("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True, timeout=60
    )
    return done.stdout


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(
        [need("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout


def write_docs() -> bool:
    """IDESLUSS_WRITE_DOCS=1 rewrites the example images in docs/report/ from the run."""
    return os.environ.get("IDESLUSS_WRITE_DOCS") == "1"
