"""Matching people's words against stored text the same way on SQLite and PostgreSQL.

`LIKE` is the one pattern match both databases have, but neither folds case the same way:
SQLite's `lower()` and `LIKE` fold only ASCII letters, PostgreSQL's depend on the
database's collation. So both sides are folded here, identically: the stored text in SQL
(`folded`), the person's words in Python (`fold`). Å, ä and ö are letters of their own in
Swedish and stay apart from a and o (only their case is folded); an é or ü, which Swedish
writes in loanwords (idé, café), is matched by a plain e as well.

The person's word is a literal: `%`, `_` and the escape character in it match themselves
(`escape`), never anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func

ESCAPE = "\\"
# Upper-case letters beyond ASCII that Swedish text has, folded to lower case; and é (idé,
# café), matched by a plain e. Each is one `replace` over the text in SQL, so the list is
# short: search reads every idea (bench/process_queries.py).
_FOLDS = {
    "Å": "å",
    "Ä": "ä",
    "Ö": "ö",
    "É": "e",
    "é": "e",
}


def fold(text: str) -> str:
    """The person's words as `folded` makes the stored text: the letters above mapped,
    then ASCII lower-cased (as SQLite's `lower()` does: nothing else)."""
    mapped = "".join(_FOLDS.get(char, char) for char in text)
    return "".join(char.lower() if char.isascii() else char for char in mapped)


def folded(column: Any) -> ColumnElement[str]:
    """The stored text, folded in SQL as `fold` folds words (one `replace` per letter)."""
    expression = column
    for char, replacement in _FOLDS.items():
        expression = func.replace(expression, char, replacement)
    return func.lower(expression)


def escape(word: str) -> str:
    """A word whose `%`, `_` and backslash mean themselves in a LIKE pattern (`ESCAPE`)."""
    return word.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(word: str) -> str:
    """A LIKE pattern: the folded word anywhere."""
    return f"%{escape(fold(word).strip())}%"


def starts(word: str) -> str:
    """A LIKE pattern: the folded word at the start."""
    return f"{escape(fold(word).strip())}%"


def starts_word(word: str) -> str:
    """A LIKE pattern: the folded word at the start of a later word (after a space)."""
    return f"% {escape(fold(word).strip())}%"
