"""All SQL lives in storage/: the application (bot/) calls named storage functions and
builds no query of its own. The core may name `AsyncSession` (to pass a transaction on)
and catch SQLAlchemy's errors, nothing more."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"sqlalchemy.ext.asyncio", "sqlalchemy.exc", "sqlalchemy.orm.exc"}
SESSION_CALLS = {"execute", "get", "add", "delete", "scalar", "scalars", "merge", "stream"}


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            if node.module not in ALLOWED:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sqlalchemy") and alias.name not in ALLOWED:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_CALLS
            and "session" in ast.unparse(node.func.value)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node.func)}(…)")
    return found


def test_the_application_runs_no_sql_of_its_own() -> None:
    problems = [p for path in sorted((ROOT / "bot").rglob("*.py")) for p in _problems(path)]
    assert problems == []


def test_one_shorten_for_every_caller() -> None:
    from conversations.clean import shorten

    assert shorten("kort", 10) == "kort"
    assert shorten("Tryggare tunnlar", 10) == "Tryggare…"
    assert shorten("HTTP 500\n  Internal   error", 30, one_line=True) == "HTTP 500 Internal error"
    copies = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "conversations")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "def _shorten(" in path.read_text(encoding="utf-8")
    ]
    assert copies == []
