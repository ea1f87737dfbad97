"""The idea process as data: stages, allowed moves, idle thresholds and the messages to the idea
giver, read from a TOML file and checked at start-up.

Every problem is reported as `ProcessError` naming the file, the key (and the line of its table
when it can be found) and what is wrong, so that whoever edits the file can fix it without
reading code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

from bot.toml_files import read_toml

DEFAULT_PROCESS_PATH = Path(__file__).with_name("process.toml")
LANGUAGES = ("sv", "en")
# What a stage message may contain; {where} only where the stage asks for a place.
PLACEHOLDERS = frozenset(
    {"first_name", "title", "reference", "coordinator", "note", "next_step", "where"}
)
REQUIRES = ("reason", "where")

_PROCESS_KEYS = {
    "first_stage",
    "main_line",
    "from_any_open",
    "first_response_days",
    "giver_update_days",
    "max_silence_days",
    "promise_warn_days",
    "park_stage",
    "refer_stage",
    "close_stage",
}
_STAGE_KEYS = {
    "name",
    "terminal",
    "next",
    "idle_days",
    "escalate_days",
    "check_in_days",
    "requires",
    "reopenable",
    "message",
    "next_step",
    "promise_days",
}
_STAGE_ID = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class ProcessError(Exception):
    """The process file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Stage:
    id: str
    names: dict[str, str]  # language → name
    terminal: bool
    next: tuple[str, ...]  # allowed moves besides `from_any_open`
    messages: dict[str, str]  # language → message to the idea giver on entering the stage
    next_steps: dict[str, str]  # language → what happens next
    # Reminder thresholds in working days (None: no reminder in this stage).
    idle_days: int | None = None  # remind the assignee after this long without activity
    escalate_days: int | None = None  # then tell all coordinators
    check_in_days: int | None = None  # a parked idea is looked at again after this long
    # What `next_step` promises the idea giver, in working days ("inom två veckor": 10):
    # the promise is stored and kept (bot/promises.py). None: the stage promises nothing.
    promise_days: int | None = None
    requires: str | None = None  # "reason" or "where": the move needs that text
    reopenable: bool = False  # `reopen N` may bring an idea back from here

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["sv"]


@dataclass(frozen=True)
class Process:
    path: str
    stages: dict[str, Stage]  # in file order
    first_stage: str
    main_line: tuple[str, ...]
    from_any_open: tuple[str, ...]
    first_response_days: int
    # No idea giver goes longer than this without a message about an open idea (working days).
    max_silence_days: int = 10
    # The coordinator is asked this many working days before a promise falls due.
    promise_warn_days: int = 2
    # Where `park`, `refer` and `close` take an idea (None: the process has no such stage).
    park_stage: str | None = None
    refer_stage: str | None = None
    close_stage: str | None = None
    _allowed: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def stage(self, stage_id: str) -> Stage:
        return self.stages[stage_id]

    @property
    def giver_update_days(self) -> int:
        """The old name of `max_silence_days`."""
        return self.max_silence_days

    def stage_name(self, stage_id: str, lang: str) -> str:
        """The stage as people say it in `lang`; a stage since removed from the file is
        shown by its id (old ideas may still be in it)."""
        stage = self.stages.get(stage_id)
        return stage.name(lang) if stage else stage_id

    def allowed_moves(self, from_stage: str) -> tuple[str, ...]:
        """Stages an idea in `from_stage` may move to, in a stable order."""
        return self._allowed.get(from_stage, ())

    def can_move(self, from_stage: str, to_stage: str) -> bool:
        return to_stage in self.allowed_moves(from_stage)

    def next_in_main_line(self, stage_id: str) -> str | None:
        if stage_id in self.main_line:
            index = self.main_line.index(stage_id)
            if index + 1 < len(self.main_line):
                return self.main_line[index + 1]
        return None

    @property
    def terminal_stages(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages.values() if s.terminal)

    @property
    def implemented_stages(self) -> tuple[str, ...]:
        """The terminal stages of the main line: where an idea put into practice ends."""
        return tuple(s for s in self.main_line if self.stages[s].terminal)

    @property
    def open_stages(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages.values() if not s.terminal)

    def find_stage(self, word: str) -> str | None:
        """A stage id from its id or its name in any language, ignoring case."""
        wanted = word.strip().casefold()
        for stage in self.stages.values():
            if wanted == stage.id.casefold() or wanted in (
                n.casefold() for n in stage.names.values()
            ):
                return stage.id
        return None


def load_process(path: str | Path | None = None) -> Process:
    """Read and check a process file (the shipped default when `path` is None)."""
    file, raw_text, data = read_toml(
        path, default=DEFAULT_PROCESS_PATH, what="process file", error=ProcessError
    )
    return _Checker(file, raw_text).process(data)


@cache
def default_process() -> Process:
    return load_process(None)


class _Checker:
    def __init__(self, file: Path, raw_text: str) -> None:
        self.file = file
        self.raw_text = raw_text

    def fail(self, key: str, problem: str) -> ProcessError:
        return ProcessError(f"{self.file}: {key}{self._line_of(key)}: {problem}")

    def _line_of(self, key: str) -> str:
        """The line of the key's table header, e.g. [stages.testing], when we can find it."""
        parts = key.split(".")
        for depth in range(min(len(parts), 2), 0, -1):
            header = re.escape("[" + ".".join(parts[:depth]) + "]")
            match = re.search(rf"^\s*{header}\s*(#.*)?$", self.raw_text, re.MULTILINE)
            if match:
                return (
                    f" (in the table on line {self.raw_text.count(chr(10), 0, match.start()) + 1})"
                )
        return ""

    # ── typed getters ──────────────────────────────────────────────────────────────────

    def table(self, data: Any, key: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(key, f"must be a table, not {_kind(data)}")
        return data

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], key: str) -> None:
        for name in data:
            if name not in allowed:
                full = f"{key}.{name}" if key else name
                raise self.fail(full, f"unknown key; allowed here: {', '.join(sorted(allowed))}")

    def days(self, data: dict[str, Any], name: str, key: str) -> int | None:
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
            raise self.fail(
                f"{key}.{name}", f"must be a whole number of days (1–1000), not {value!r}"
            )
        return value

    def stage_list(
        self, data: dict[str, Any], name: str, key: str, stage_ids: set[str]
    ) -> tuple[str, ...]:
        value = data.get(name, [])
        if not isinstance(value, list):
            raise self.fail(f"{key}.{name}", f"must be a list of stage ids, not {_kind(value)}")
        for index, item in enumerate(value):
            if item not in stage_ids:
                raise self.fail(
                    f"{key}.{name}[{index}]",
                    f"{item!r} is not a stage; stages are: {', '.join(sorted(stage_ids))}",
                )
        if len(set(value)) != len(value):
            raise self.fail(f"{key}.{name}", "lists a stage twice")
        return tuple(value)

    def texts(
        self, data: dict[str, Any], name: str, key: str, allowed: frozenset[str]
    ) -> dict[str, str]:
        if name not in data:
            raise self.fail(f"{key}.{name}", "is missing (give sv and en texts)")
        table = self.table(data[name], f"{key}.{name}")
        self.unknown_keys(table, set(LANGUAGES), f"{key}.{name}")
        result = {}
        for lang in LANGUAGES:
            where = f"{key}.{name}.{lang}"
            text = table.get(lang)
            if not isinstance(text, str) or not text.strip():
                raise self.fail(where, "is missing or empty; every text needs sv and en")
            try:
                used = {f for _, f, _, _ in Formatter().parse(text) if f is not None}
            except ValueError as exc:
                raise self.fail(where, f"has a broken placeholder ({exc}); use {{name}}") from None
            for placeholder in sorted(used):
                if placeholder not in allowed:
                    raise self.fail(
                        where,
                        f"unknown placeholder {{{placeholder}}}; allowed: "
                        + ", ".join("{" + p + "}" for p in sorted(allowed)),
                    )
            result[lang] = text.strip()
        return result

    # ── the whole file ─────────────────────────────────────────────────────────────────

    def process(self, data: dict[str, Any]) -> Process:
        self.unknown_keys(data, {"process", "stages"}, "")
        if "stages" not in data:
            raise self.fail("stages", "is missing; define at least one [stages.<id>] table")
        stages_raw = self.table(data["stages"], "stages")
        if not stages_raw:
            raise self.fail("stages", "is empty; define at least one [stages.<id>] table")
        stage_ids = set(stages_raw)
        for stage_id in stages_raw:
            if not _STAGE_ID.match(stage_id):
                raise self.fail(
                    f"stages.{stage_id}",
                    "a stage id is lower-case letters, digits and _ (e.g. assessment)",
                )
        head = self.table(data.get("process", {}), "process")
        self.unknown_keys(head, _PROCESS_KEYS, "process")

        stages: dict[str, Stage] = {}
        for stage_id, raw in stages_raw.items():
            stages[stage_id] = self.stage(stage_id, raw, stage_ids)

        first = head.get("first_stage")
        if first is None:
            raise self.fail("process.first_stage", "is missing (the stage new ideas start in)")
        if first not in stage_ids:
            raise self.fail("process.first_stage", f"{first!r} is not a stage")
        main_line = self.stage_list(head, "main_line", "process", stage_ids) or (first,)
        if main_line[0] != first:
            raise self.fail("process.main_line", f"must start with the first stage {first!r}")
        from_any_open = self.stage_list(head, "from_any_open", "process", stage_ids)
        first_response = self.days(head, "first_response_days", "process") or 5
        silence = self.silence(head)
        warn = self.days(head, "promise_warn_days", "process") or 2
        for stage in stages.values():
            if stage.promise_days is None:
                continue
            if stage.terminal:
                raise self.fail(
                    f"stages.{stage.id}.promise_days",
                    "a terminal stage promises nothing more; remove promise_days",
                )
            if stage.promise_days <= warn:
                raise self.fail(
                    f"stages.{stage.id}.promise_days",
                    f"must be more than process.promise_warn_days ({warn}), so that the "
                    "coordinator can be asked before the promise falls due",
                )

        allowed: dict[str, tuple[str, ...]] = {}
        for stage in stages.values():
            moves = list(stage.next)
            if not stage.terminal:
                moves += [s for s in from_any_open if s not in moves]
            allowed[stage.id] = tuple(s for s in moves if s != stage.id)
        if stages[first].terminal:
            raise self.fail("process.first_stage", f"{first!r} is terminal; new ideas must be open")
        for stage in stages.values():
            for lang in LANGUAGES:
                if stage.requires == "where" and "{where}" not in stage.messages[lang]:
                    raise self.fail(
                        f"stages.{stage.id}.message.{lang}",
                        'requires = "where" but the text never says {where}',
                    )
        special = {}
        for name, default in (("park", "parked"), ("refer", "referred"), ("close", "closed")):
            key = f"{name}_stage"
            value = head.get(key, default if default in stage_ids else None)
            if value is not None and value not in stage_ids:
                raise self.fail(f"process.{key}", f"{value!r} is not a stage")
            special[key] = value
        if special["close_stage"] and stages[special["close_stage"]].requires != "reason":
            raise self.fail(
                f"stages.{special['close_stage']}.requires",
                'the stage `close` uses must have requires = "reason"',
            )
        if special["refer_stage"] and stages[special["refer_stage"]].requires != "where":
            raise self.fail(
                f"stages.{special['refer_stage']}.requires",
                'the stage `refer` uses must have requires = "where"',
            )
        return Process(
            path=str(self.file),
            **special,
            stages=stages,
            first_stage=first,
            main_line=main_line,
            from_any_open=from_any_open,
            first_response_days=first_response,
            max_silence_days=silence,
            promise_warn_days=warn,
            _allowed=allowed,
        )

    def silence(self, head: dict[str, Any]) -> int:
        """`max_silence_days` (default 10); `giver_update_days` is its old name."""
        if "max_silence_days" in head and "giver_update_days" in head:
            raise self.fail(
                "process.giver_update_days",
                "is the old name of max_silence_days; keep only max_silence_days",
            )
        name = "giver_update_days" if "giver_update_days" in head else "max_silence_days"
        return self.days(head, name, "process") or 10

    def stage(self, stage_id: str, raw: Any, stage_ids: set[str]) -> Stage:
        key = f"stages.{stage_id}"
        data = self.table(raw, key)
        self.unknown_keys(data, _STAGE_KEYS, key)
        names = self.texts(data, "name", key, frozenset())
        terminal = data.get("terminal", False)
        if not isinstance(terminal, bool):
            raise self.fail(f"{key}.terminal", f"must be true or false, not {terminal!r}")
        reopenable = data.get("reopenable", False)
        if not isinstance(reopenable, bool):
            raise self.fail(f"{key}.reopenable", f"must be true or false, not {reopenable!r}")
        requires = data.get("requires")
        if requires is not None and requires not in REQUIRES:
            raise self.fail(f"{key}.requires", f'must be "reason" or "where", not {requires!r}')
        allowed = PLACEHOLDERS if requires == "where" else PLACEHOLDERS - {"where"}
        messages = self.texts(data, "message", key, allowed)
        next_steps = self.texts(data, "next_step", key, allowed - {"next_step", "note"})
        idle = self.days(data, "idle_days", key)
        escalate = self.days(data, "escalate_days", key)
        if idle is not None and escalate is not None and escalate <= idle:
            raise self.fail(f"{key}.escalate_days", f"must be more than idle_days ({idle})")
        return Stage(
            id=stage_id,
            names=names,
            terminal=terminal,
            next=self.stage_list(data, "next", key, stage_ids),
            messages=messages,
            next_steps=next_steps,
            idle_days=idle,
            escalate_days=escalate,
            check_in_days=self.days(data, "check_in_days", key),
            promise_days=self.days(data, "promise_days", key),
            requires=requires,
            reopenable=reopenable,
        )


def _kind(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )
