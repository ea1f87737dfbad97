"""Structured logs: JSON (one object per line, the container's default) or text (the
terminal's), each line with the request id and the platform of the request being served.
Standard library only, so every command can set up its logs without importing the server."""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Any

# The request being served (and work it spawned: tasks copy the context); set by the server's
# request middleware (bot/observability.py).
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
# The platform whose endpoint the request came to, for log lines that do not name one.
platform_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("platform", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra={...}`.
_RECORD_FIELDS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and every
    `extra={...}` field (platform, person, idea, outbox …)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        platform = platform_var.get()
        if platform:
            entry["platform"] = platform
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The terminal's format, with the request id and `extra` fields appended."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}
        request_id = request_id_var.get()
        if request_id:
            fields["request_id"] = request_id
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in sorted(fields.items()))
        return line


def configure_logging(level: int, log_format: str | None = None) -> None:
    """`IDESLUSS_LOG_FORMAT=json` (the container's default) or `text` (the terminal's)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if (log_format or "").lower() == "json" else TextFormatter()
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
