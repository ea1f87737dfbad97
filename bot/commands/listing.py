"""What `lista` and `sök` read after their word: filters, a page, the words searched for.

    lista [steg] [--otilldelade] [--mina] [@per | per] [arbetsplats Biblioteket]
          [från Anna] [sida 2]
    sök cykel · sök cykel hemtjänst · sök ”cyklar i hemtjänsten” · sök cykel sida 2

Pure and total, like every reader (bot/commands/syntax.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.commands.syntax import (
    MAX_NUMBER,
    ParseError,
    read_person,
    shorten,
)
from bot.process import Process

UNASSIGNED_FLAGS = ("--unassigned", "--otilldelade", "unassigned", "otilldelade", "--ingen")
MINE_FLAGS = ("--mine", "--mina", "mine", "mina", "--mig")
PAGE_WORDS = ("sida", "sidan", "page")
WORKPLACE_WORDS = ("arbetsplats", "arbetsplatsen", "workplace")
GIVER_WORDS = ("från", "fran", "from")
# Words that end a workplace's or a giver's name written without quotes.
_KEYWORDS = frozenset((*PAGE_WORDS, *WORKPLACE_WORDS, *GIVER_WORDS))
# A coordinator named without @ ("lista per", "lista Per Persson"): at most two words, so
# that a sentence starting with "lista" is never read as a name.
MAX_NAME_WORDS = 2
# A giver's name and a workplace's, written without quotes: longer is a sentence ("Lista
# från förra året saknas på intranätet"), not a filter.
MAX_GIVER_WORDS = 3
MAX_WORKPLACE_WORDS = 4
# What `sök` takes: up to two words, or phrases in quotes. Three words or more are a
# sentence ("Sök pengar från EU till solceller"), which may be an idea's start.
MAX_SEARCH_WORDS = 2
MIN_SEARCH_CHARS = 2
MAX_SEARCH_CHARS = 100
_QUOTES = {'"': '"', "”": "”", "“": "”", "'": "'", "«": "»", "»": "«"}


@dataclass(frozen=True)
class ListArgs:
    stage: str | None = None  # the filter
    flags: frozenset[str] = field(default_factory=frozenset)  # "unassigned", "mine"
    assignee: str | None = None  # "@per", "slack:U1": whose ideas
    assignee_name: str | None = None  # "per": a coordinator's name, found by the handler
    workplace: str | None = None  # a part of the workplace's name
    giver: str | None = None  # the giver's name, or its start
    page: int = 1
    # The words as written, without the page (for "skriv lista … sida 2"); not part of what
    # the command means.
    filters: str = field(default="", compare=False)


@dataclass(frozen=True)
class SearchArgs:
    words: tuple[str, ...]  # each a word or a phrase; every one must be there
    page: int = 1
    text: str = field(default="", compare=False)  # as written, without the page


def _tokens(rest: str) -> list[tuple[str, bool]]:
    """The words of `rest`, a phrase in quotes as one (word, quoted)."""
    tokens: list[tuple[str, bool]] = []
    position = 0
    while position < len(rest):
        char = rest[position]
        if char.isspace():
            position += 1
            continue
        if char in _QUOTES:
            closing = rest.find(_QUOTES[char], position + 1)
            if closing > position:
                tokens.append((rest[position + 1 : closing].strip(), True))
                position = closing + 1
                continue
        end = position
        while end < len(rest) and not rest[end].isspace():
            end += 1
        tokens.append((rest[position:end], False))
        position = end
    return tokens


def _page(tokens: list[tuple[str, bool]], at: int, command: str) -> int | ParseError:
    word = tokens[at + 1][0] if at + 1 < len(tokens) else ""
    digits = word.strip(".,:;")
    if not digits.isascii() or not digits.isdigit() or not 1 <= int(digits) <= MAX_NUMBER:
        return ParseError("list.bad_page", {"word": shorten(word or "–", 30)}, command)
    return int(digits)


def _name_span(tokens: list[tuple[str, bool]], at: int) -> tuple[str, int]:
    """The quoted phrase at `at`, or the words from `at` up to the next keyword."""
    if at < len(tokens) and tokens[at][1]:
        return tokens[at][0], at + 1
    end = at
    while end < len(tokens) and tokens[end][0].casefold() not in _KEYWORDS:
        end += 1
    return " ".join(word for word, _ in tokens[at:end]), end


def _stage(tokens: list[tuple[str, bool]], at: int, process: Process) -> tuple[str, int] | None:
    """A stage named at `at` (its id or name, up to three words: "inte nu"), and how many
    words it took; the longest match wins."""
    for count in range(min(3, len(tokens) - at), 0, -1):
        candidate = " ".join(word for word, _ in tokens[at : at + count]).strip(".,:;")
        stage = process.find_stage(candidate) if candidate else None
        if stage is not None:
            return stage, count
    return None


def read_list(rest: str, process: Process) -> ListArgs | ParseError:
    tokens = _tokens(rest)
    flags: set[str] = set()
    values: dict[str, str | None] = {
        "stage": None,
        "assignee": None,
        "assignee_name": None,
        "workplace": None,
        "giver": None,
    }
    page = 1
    filters: list[str] = []
    index = 0
    while index < len(tokens):
        word, quoted = tokens[index]
        lowered = word.casefold().strip(".,:;") if not quoted else ""
        written = f"”{word}”" if quoted else word
        if lowered in PAGE_WORDS:
            found = _page(tokens, index, "list")
            if isinstance(found, ParseError):
                return found
            page, index = found, index + 2
            continue
        if lowered in WORKPLACE_WORDS or lowered in GIVER_WORDS:
            key = "workplace" if lowered in WORKPLACE_WORDS else "giver"
            name, after = _name_span(tokens, index + 1)
            if not name or values[key] is not None:
                return ParseError(f"list.needs_{key}", {}, "list")
            most = MAX_WORKPLACE_WORDS if key == "workplace" else MAX_GIVER_WORDS
            if len(name.split()) > most:
                return ParseError("parse.list_word", {"word": shorten(name, 30)}, "list")
            values[key] = name
            filters.append(" ".join(t if not q else f"”{t}”" for t, q in tokens[index:after]))
            index = after
            continue
        filters.append(written)
        if lowered in UNASSIGNED_FLAGS:
            flags.add("unassigned")
        elif lowered in MINE_FLAGS:
            flags.add("mine")
        elif not quoted and (person := read_person(word)[0]) is not None:
            if person == "me":
                flags.add("mine")
            elif values["assignee"] is not None:
                return ParseError("parse.list_word", {"word": shorten(word, 30)}, "list")
            else:
                values["assignee"] = person
        elif values["stage"] is None and (found_stage := _stage(tokens, index, process)):
            values["stage"], used = found_stage
            filters[-1] = " ".join(t for t, _ in tokens[index : index + used])
            index += used
            continue
        elif any(char.isalpha() for char in word) and values["assignee_name"] is None:
            name, after = _name_span(tokens, index)
            name_words = name.split()
            if quoted:
                after = index + 1
            elif len(name_words) > MAX_NAME_WORDS:
                return ParseError("parse.list_word", {"word": shorten(word, 30)}, "list")
            values["assignee_name"] = name
            filters[-1] = written if quoted else name
            index = after
            continue
        else:
            return ParseError("parse.list_word", {"word": shorten(word, 30)}, "list")
        index += 1
    return ListArgs(
        stage=values["stage"],
        flags=frozenset(flags),
        assignee=values["assignee"],
        assignee_name=values["assignee_name"],
        workplace=values["workplace"],
        giver=values["giver"],
        page=page,
        filters=" ".join(filters),
    )


def read_search(rest: str, _: Process) -> SearchArgs | ParseError:
    tokens = _tokens(rest)
    page = 1
    if (
        len(tokens) >= 2
        and not tokens[-2][1]
        and not tokens[-1][1]
        and tokens[-2][0].casefold() in PAGE_WORDS
    ):
        found = _page(tokens, len(tokens) - 2, "search")
        if isinstance(found, ParseError):
            return found
        page, tokens = found, tokens[:-2]
    words = tuple(word.strip(".,:;!?") if not quoted else word for word, quoted in tokens)
    words = tuple(word for word in words if word)
    if not words:
        return ParseError("search.needs_word", {}, "search")
    if sum(not quoted for _, quoted in tokens) > MAX_SEARCH_WORDS:
        return ParseError("search.too_many_words", {"most": str(MAX_SEARCH_WORDS)}, "search")
    for word in words:
        if len(word) < MIN_SEARCH_CHARS:
            return ParseError(
                "search.too_short", {"word": word, "least": str(MIN_SEARCH_CHARS)}, "search"
            )
        if len(word) > MAX_SEARCH_CHARS:
            return ParseError("search.too_long", {"most": str(MAX_SEARCH_CHARS)}, "search")
    text = " ".join(f"”{w}”" if q else w for w, q in tokens)
    return SearchArgs(words=words, page=page, text=text)
