"""Reading a municipality's own TOML file (the process file, the organisation file) with
errors a person can act on: which file, and whether it is missing, unreadable or not TOML."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(
    path: str | Path | None, *, default: Path, what: str, error: type[Exception]
) -> tuple[Path, str, dict[str, Any]]:
    """The file (`default` when `path` is None), its text and its data; `error` names the
    file and says what is wrong ("the process file does not exist")."""
    file = Path(path) if path else default
    try:
        raw_text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{file}: the {what} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{file}: cannot read the {what}: {exc}") from None
    try:
        data = tomllib.loads(raw_text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already names the line and column.
        raise error(f"{file}: not valid TOML: {exc}") from None
    return file, raw_text, data
