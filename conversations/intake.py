"""The intake dialogue: guiding one person through describing an idea.

Pure functions over an `IntakeState`; the bot loads and saves the state around every turn.
Buttons come back as actions `"<step>:<value>"`, so a click on a card from an earlier step
is recognised as stale instead of being taken as an answer to the current question.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from conversations.clean import shorten as _shorten
from conversations.clean import strip_unsafe
from conversations.i18n import LANGUAGES, format_number, tr
from conversations.reply import Choice, Fact, Reply
from conversations.understanding import NO, YES, Context, Expecting, Meaning, plain, understand
from conversations.workplaces import MOST_OFFERED, Organisation, Place, confident, normalise

FLOW = "intake"


@dataclass(frozen=True)
class Question:
    key: str
    kind: Literal["text", "line", "yesno"]
    optional: bool = False
    min_length: int = 0
    max_length: int = 0


# A long answer is welcome: the limits are far beyond what people write on a phone (a page
# and more), and an answer over them is kept for the person to save in part (never dropped).
QUESTIONS: tuple[Question, ...] = (
    Question("title", "line", min_length=3, max_length=80),
    Question("need", "text", min_length=10, max_length=4000),
    Question("idea", "text", min_length=10, max_length=4000),
    Question("benefit", "text", min_length=5, max_length=4000),
    Question("first_test", "text", optional=True, min_length=3, max_length=2000),
    Question("involved", "text", optional=True, min_length=2, max_length=2000),
    Question("participate", "yesno"),
    Question("workplace", "line", min_length=2, max_length=120),
)
QUESTION_BY_KEY = {q.key: q for q in QUESTIONS}
SUMMARY = "summary"
EDIT_CHOOSE = "edit_choose"
CONFIRM_CANCEL = "confirm_cancel"
# A first message too long for a name: the bot proposes a short one and keeps the text.
TITLE_PROPOSAL = "title_proposal"
# A workplace the organisation file has more than one place near: the nearest as buttons.
WORKPLACE_CHOICE = "workplace_choice"
STEPS = (*QUESTION_BY_KEY, SUMMARY, EDIT_CHOOSE, CONFIRM_CANCEL, TITLE_PROPOSAL, WORKPLACE_CHOICE)
# The answers that come with the workplace: the administration and unit it is counted in
# (None: it matched no place of the organisation file).
PLACE_KEYS = ("administration", "unit")
# What may be in a new dialogue before the person wrote anything: their workplace of last time.
KNOWN_KEYS = frozenset({"workplace", *PLACE_KEYS})
# What each step waits for, as the understanding layer reads a message.
EXPECTING: dict[str, Expecting] = {
    **{q.key: ("yesno" if q.kind == "yesno" else q.kind) for q in QUESTIONS},
    SUMMARY: "summary",
    EDIT_CHOOSE: "field",
    CONFIRM_CANCEL: "yesno",
    TITLE_PROPOSAL: "yesno",
    # A pick by number or name, or the workplace written anew: a one-line answer.
    WORKPLACE_CHOICE: "line",
}
# A proposed name is at most this long, cut at a word.
PROPOSED_TITLE_LENGTH = 60
# A "name" of more words than this is a description: a name is proposed from it.
TITLE_WORDS = 10


@dataclass(frozen=True)
class IntakeContext:
    """What the dialogue may know about the person, passed in by the bot."""

    lang: str
    first_name: str | None = None
    known_workplace: str | None = None
    introduced: bool = False  # the person has heard the long introduction before
    # The municipality's organisation (bot/organisation.py): a workplace is matched to one
    # of its places. None: workplaces are kept as written.
    organisation: Organisation | None = None
    # Where the known workplace was counted last time.
    known_administration: str | None = None
    known_unit: str | None = None


@dataclass
class IntakeState:
    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    # "editing": return to the summary after this answer;
    # "cancel_from": the step to return to when the person decides not to cancel.
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Turn:
    state: IntakeState | None  # None: the dialogue is over
    replies: list[Reply]
    submitted: dict[str, Any] | None = None
    cancelled: bool = False
    language: str | None = None  # the person asked to talk in this language from now on


def clean_text(raw: str | None, *, single_line: bool = False) -> str:
    """Normalise what a person typed: NFC, no control or direction-override characters,
    trimmed; newlines kept in longer answers, folded into spaces in one-line answers."""
    if not raw:
        return ""
    # Text from a platform was made safe where it entered (bot/incoming.py); doing it again
    # costs little and keeps this function whole for anything else that calls it.
    text = strip_unsafe(raw)
    if single_line:
        text = " ".join(text.split())
    else:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return unicodedata.normalize("NFC", text.strip())


def context_of(state: IntakeState | None, ctx: IntakeContext) -> Context:
    """What the understanding layer needs to know of the dialogue at this step."""
    if state is None or state.step not in EXPECTING:
        return Context("nothing", lang=ctx.lang)
    question = QUESTION_BY_KEY.get(state.step)
    optional = question is not None and question.optional
    return Context(EXPECTING[state.step], lang=ctx.lang, step=state.step, optional=optional)


# ── starting and resuming ──────────────────────────────────────────────────────────────


def start(ctx: IntakeContext, *, text: str | None = None, new_idea: bool = False) -> Turn:
    """A new dialogue: the introduction the first time; after that "Hej Anna!", or one warm
    line when the person said they have a new idea. With `text` (what the person already
    wrote about the idea) a name is proposed from it."""
    state = IntakeState(step=QUESTIONS[0].key)
    if ctx.known_workplace:
        state.answers["workplace"] = ctx.known_workplace
        state.answers.update(_known_place(ctx))
    key = "welcome" if ctx.introduced else "greeting"
    if ctx.introduced and (new_idea or text):
        key = "greeting.again"
    greeting = Reply(tr(ctx.lang, key, first_name=ctx.first_name))
    if text:
        return _prefixed(greeting, _propose_title(state, ctx, text))
    return Turn(state, [greeting, _prompt(state, ctx)])


def _prefixed(reply: Reply, turn: Turn) -> Turn:
    return Turn(turn.state, [reply, *turn.replies], turn.submitted, turn.cancelled, turn.language)


def stale_without_dialogue(ctx: IntakeContext) -> Turn:
    """A button clicked when no dialogue is in progress (a second click on "Submit", an old
    card): say so, and start nothing."""
    return Turn(None, [Reply(tr(ctx.lang, "invalid.no_dialogue"))])


def resume(state: IntakeState, ctx: IntakeContext) -> Turn:
    """Remind the person where we were, without taking anything as an answer. Someone who
    left before answering anything is simply greeted again."""
    if not _has_own_answers(state):
        hello = Reply(tr(ctx.lang, "welcome", first_name=ctx.first_name))
        return Turn(state, [hello, _prompt(state, ctx)])
    return Turn(
        state, [Reply(tr(ctx.lang, "resume", first_name=ctx.first_name)), _prompt(state, ctx)]
    )


def carry_on(state: IntakeState, ctx: IntakeContext) -> list[Reply]:
    """After a command in the middle of the dialogue: where we were, nothing changed."""
    return [Reply(tr(ctx.lang, "resume.after_command")), _prompt(state, ctx)]


def _has_own_answers(state: IntakeState) -> bool:
    return has_own_answers(state.answers)


def has_own_answers(answers: dict[str, Any]) -> bool:
    """Anything the person wrote in this dialogue (a known workplace was not written here)."""
    return any(key not in KNOWN_KEYS for key in answers)


def _known_place(ctx: IntakeContext) -> dict[str, str | None]:
    """Where last time's workplace is counted: as stored, or (a workplace from before the
    organisation file) the place it surely is."""
    org = ctx.organisation
    if ctx.known_administration:
        return {"administration": ctx.known_administration, "unit": ctx.known_unit}
    sure = org.confident(ctx.known_workplace) if org and ctx.known_workplace else None
    return _place_answers(sure)


def _place_answers(place: Place | None) -> dict[str, str | None]:
    if place is None:
        return dict.fromkeys(PLACE_KEYS)
    return {"administration": place.administration, "unit": place.unit}


# Who will read a new idea: a coordinator; with none yet, the admins; or nobody at all.
Reader = Literal["coordinator", "admin", "nobody"]
_RECEIPTS: dict[str, str] = {
    "coordinator": "submitted",
    "admin": "submitted.no_coordinator",
    "nobody": "submitted.nobody",
}


def submitted_reply(
    lang: str, first_name: str | None, number: int, title: str, *, reader: Reader = "coordinator"
) -> Reply:
    key = _RECEIPTS[reader]
    return Reply(tr(lang, key, first_name=first_name, title=title, number=number))


# ── one turn ───────────────────────────────────────────────────────────────────────────


def answer(
    state: IntakeState,
    ctx: IntakeContext,
    *,
    text: str | None = None,
    action: str | None = None,
    meaning: Meaning | None = None,
) -> Turn:
    """Take one message or button click and return the next state and what to say. The bot
    passes what the message means (it knows the commands); without it, it is read here."""
    if state.step not in STEPS:
        # A state saved by an older version: ask the first open question; this message
        # answered something else, so it is not taken as the answer.
        return _goto(IntakeState(_first_unanswered(state), state.answers, {}), ctx)
    if action is not None:
        step, _, value = action.partition(":")
        if step != state.step:
            return _again(state, ctx, tr(ctx.lang, "invalid.stale_button"))
        return _on_value(state, ctx, value, typed=None)

    typed = text or ""
    labelled = _choice_by_label(state, typed)
    if labelled is not None:  # a button's label typed out ("Ja, avbryt") works like the click
        return _on_value(state, ctx, labelled, typed=None)
    if meaning is None:
        meaning = understand(typed, context_of(state, ctx))
    return _on_meaning(state, ctx, meaning, typed)


def _on_meaning(state: IntakeState, ctx: IntakeContext, meaning: Meaning, typed: str) -> Turn:
    kind = meaning.kind
    if kind == "help":
        return _help(state, ctx)
    if kind == "back":
        return _back(state, ctx)
    if kind == "cancel":
        if state.step == CONFIRM_CANCEL:  # "avbryt" again means: yes, stop
            return _on_value(state, ctx, "yes", typed=None)
        return _cancel(state, ctx)
    if kind == "skip" and state.step in QUESTION_BY_KEY:
        return _skip(state, ctx)
    if kind == "skip" and state.step == WORKPLACE_CHOICE:  # no choice: what they wrote
        return _on_value(state, ctx, "own", typed=None)
    if kind == "language" and isinstance(meaning.value, str) and meaning.value in LANGUAGES:
        spoken = replace(ctx, lang=meaning.value, introduced=True)
        said = Reply(tr(spoken.lang, "language.switched"))
        return Turn(state, [said, _prompt(state, spoken)], language=spoken.lang)
    if kind in ("greeting", "thanks", "small_talk"):
        name = {"first_name": ctx.first_name} if kind == "greeting" else {}
        return _again(state, ctx, tr(ctx.lang, f"social.{kind}", **name))
    if kind in ("yes", "no"):
        return _on_value(state, ctx, kind, typed=typed)
    if kind == "edit":
        if state.step == EDIT_CHOOSE and meaning.value is not None:
            return _on_value(state, ctx, str(meaning.value), typed=None)
        if state.step == SUMMARY:
            return _edit(state, ctx, None if meaning.value is None else str(meaning.value))
    return _on_value(state, ctx, None, typed=meaning.text or typed)


def _on_value(state: IntakeState, ctx: IntakeContext, value: str | None, typed: str | None) -> Turn:
    """A button's value ("yes", "submit", a field's key …) or, with no value, typed text."""
    step = state.step
    if step in QUESTION_BY_KEY:
        question = QUESTION_BY_KEY[step]
        if value == "skip":
            return _skip(state, ctx)
        if question.kind == "yesno":
            if value not in ("yes", "no"):
                return _not_understood(state, ctx)
            return _store(state, ctx, value == "yes")
        if value == "keep" and isinstance(state.context.get("draft"), str):
            kept = _cut(state.context["draft"], question.max_length)
            if step == "workplace":
                return _place_workplace(state, ctx, kept)
            return _store(state, ctx, kept)
        current = state.answers.get(step)
        if value == "keep_current" and isinstance(current, str) and current:
            return _store(state, ctx, current)
        if value is not None and typed is None:  # a button that this step does not have
            return _again(state, ctx, tr(ctx.lang, "invalid.stale_button"))
        return _store_text(state, ctx, question, typed or "")
    if step == SUMMARY:
        if value in ("submit", "yes"):
            missing = _first_missing(state)
            if missing is not None:  # only a state saved by an older version can lack one
                return _goto(IntakeState(missing, state.answers, {"editing": True}), ctx)
            return Turn(None, [], submitted=dict(state.answers))
        if value in ("edit", "no"):
            return _edit(state, ctx, None)
        if value == "cancel":
            return _cancel(state, ctx)
        return _not_understood(state, ctx)
    if step == EDIT_CHOOSE:
        if value not in QUESTION_BY_KEY:
            return _not_understood(state, ctx)
        return _edit(state, ctx, value)
    if step == CONFIRM_CANCEL:
        if value == "yes":
            return Turn(None, [Reply(tr(ctx.lang, "cancelled"))], cancelled=True)
        if value == "no":
            back_to = state.context.get("cancel_from") or QUESTIONS[0].key
            context = {"editing": True} if state.context.get("cancel_editing") else {}
            return _goto(IntakeState(back_to, state.answers, context), ctx)
        return _not_understood(state, ctx)
    if step == TITLE_PROPOSAL:
        editing = {"editing": True} if state.context.get("editing") else {}
        title_step = IntakeState("title", state.answers, editing)
        if value == "yes":  # (checked as a typed name would be: a state saved earlier)
            return _store_text(
                title_step, ctx, QUESTION_BY_KEY["title"], state.context.get("proposed") or ""
            )
        if value == "no":  # "title.own" asks for the name itself
            return Turn(title_step, [Reply(tr(ctx.lang, "title.own"))])
        if value is None and typed:  # a name of their own, typed instead
            return _store_text(title_step, ctx, QUESTION_BY_KEY["title"], typed)
        return _not_understood(state, ctx)
    if step == WORKPLACE_CHOICE:
        return _on_workplace_choice(state, ctx, value, typed)
    raise AssertionError(f"unhandled step {step}")  # pragma: no cover - STEPS is closed


def _edit(state: IntakeState, ctx: IntakeContext, key: str | None) -> Turn:
    """To the list of answers, or straight to the one the person named ("ändra namnet")."""
    if key is None or key not in QUESTION_BY_KEY:
        return _goto(IntakeState(EDIT_CHOOSE, state.answers, {}), ctx)
    return _goto(IntakeState(key, state.answers, {"editing": True}), ctx, show_current=True)


def _store_text(state: IntakeState, ctx: IntakeContext, question: Question, typed: str) -> Turn:
    cleaned = clean_text(typed, single_line=question.kind == "line")
    if not cleaned:
        return _again(state, ctx, tr(ctx.lang, "invalid.empty"))
    if question.key == "title" and _not_a_name(cleaned, question):
        # A whole description where a name was asked: keep it, and propose a name from it.
        return _propose_title(state, ctx, typed)
    if len(cleaned) > question.max_length:
        # Kept, not dropped: the person may save the first part with one click, or shorten it.
        problem = tr(
            ctx.lang,
            "invalid.too_long",
            max=format_number(question.max_length, ctx.lang),
            length=format_number(len(cleaned), ctx.lang),
        )
        kept = IntakeState(state.step, state.answers, {**state.context, "draft": cleaned})
        return _again(kept, ctx, problem)
    if len(cleaned) < question.min_length:
        return _again(state, ctx, tr(ctx.lang, "invalid.too_short"))
    if question.key == "workplace":
        return _place_workplace(state, ctx, cleaned)
    return _store(state, ctx, cleaned)


# ── the workplace, as the organisation file names it ──────────────────────────────────


def _place_workplace(state: IntakeState, ctx: IntakeContext, written: str) -> Turn:
    """A workplace the person wrote: the place it surely is is taken with a short line
    saying so (the summary that follows shows it, and it can be changed there: one click
    fewer for everyone who wrote it plainly); near places are offered as buttons; nothing
    near, and it is kept as written (counted as unknown)."""
    org = ctx.organisation
    if org is None:
        return _store_place(state, ctx, written, None)
    found = org.matches(written, limit=len(org.places))
    sure = confident(found)
    if sure is not None:
        said = Reply(tr(ctx.lang, "workplace.understood", place=sure.label))
        return _prefixed(said, _store_place(state, ctx, written, sure))
    if not found:
        return _store_place(state, ctx, written, None)
    context = {
        "typed": written,
        "offers": [[m.place.administration, m.place.unit] for m in found[:MOST_OFFERED]],
        "editing": bool(state.context.get("editing")),
    }
    return _goto(IntakeState(WORKPLACE_CHOICE, state.answers, context), ctx)


def _store_place(
    state: IntakeState, ctx: IntakeContext, workplace: str, place: Place | None
) -> Turn:
    """The workplace and where it is counted; on to the next question (or the summary)."""
    editing = {"editing": True} if state.context.get("editing") else {}
    asked = IntakeState("workplace", state.answers, editing)
    answers = {**state.answers, "workplace": workplace, **_place_answers(place)}
    return _goto(IntakeState(_next_step(asked, ctx), answers, {}), ctx)


def _offers(state: IntakeState) -> list[Place]:
    offers = state.context.get("offers")
    if not isinstance(offers, list):
        return []
    return [
        Place(str(o[0]), None if o[1] is None else str(o[1]))
        for o in offers
        if isinstance(o, list) and len(o) == 2 and o[0]
    ]


def _on_workplace_choice(
    state: IntakeState, ctx: IntakeContext, value: str | None, typed: str | None
) -> Turn:
    """A place picked (a button, its number, "ja" when there is one), "Något annat" (what
    they wrote is kept), or the workplace written anew (matched again)."""
    offers = _offers(state)
    written = str(state.context.get("typed") or "")
    if value is None and typed is not None:
        said = plain(typed).rstrip(".")
        if said.isdecimal():
            value = said
        elif said in YES or said in NO:  # a workplace is never "ja" (the step reads a line)
            value = "yes" if said in YES else "no"
    if value == "yes" and len(offers) == 1:
        value = "1"
    if value in ("own", "no") and written:
        return _store_place(state, ctx, written, None)
    if value is not None and value.isdecimal() and value.isascii():
        if not 1 <= int(value) <= len(offers):
            return _not_understood(state, ctx)
        place = offers[int(value) - 1]
        return _store_place(state, ctx, place.name, place)
    if value is not None or not typed:
        return _not_understood(state, ctx)
    editing = {"editing": True} if state.context.get("editing") else {}
    return _store_text(
        IntakeState("workplace", state.answers, editing), ctx, QUESTION_BY_KEY["workplace"], typed
    )


def _not_a_name(text: str, question: Question) -> bool:
    """A whole description where a name was asked: too long, or sentences rather than a name."""
    words = len(text.split())
    return len(text) > question.max_length or words > TITLE_WORDS or bool(_SENTENCES.search(text))


_SENTENCES = re.compile(r"\w[.!?]\s+[A-ZÅÄÖ]")


def _propose_title(state: IntakeState, ctx: IntakeContext, typed: str) -> Turn:
    """Propose a short name from what the person wrote. A text longer than a name is kept as
    the description of the idea (unless one is written already)."""
    text = clean_text(typed)
    proposed = proposed_title(text)
    answers = dict(state.answers)
    kept_text = len(text) > len(proposed) + 10 and not answers.get("idea")
    if kept_text:
        answers["idea"] = _cut(text, QUESTION_BY_KEY["idea"].max_length)
    if len(proposed) < QUESTION_BY_KEY["title"].min_length:
        # Nothing in it makes a name ("Õ. …"): keep the text, and ask for a name.
        asked = IntakeState(
            "title", answers, {"editing": True} if state.context.get("editing") else {}
        )
        return Turn(asked, [Reply(tr(ctx.lang, "title.own"))])
    context = {"proposed": proposed, "editing": bool(state.context.get("editing"))}
    key = "title.proposal.kept" if kept_text else "title.proposal"
    proposal = IntakeState(TITLE_PROPOSAL, answers, context)
    return Turn(
        proposal, [Reply(tr(ctx.lang, key, title=proposed), choices=_choices(proposal, ctx))]
    )


_LEAD_INS = re.compile(
    r"^(?:jag har en (?:ny )?idé(?: om| på| till)?|min idé är(?: att)?|idén är(?: att)?|"
    r"jag tycker(?: att)?(?: vi)?(?: borde)?(?: ha)?|vi borde(?: ha)?|man borde(?: ha)?|"
    r"tänk om(?: vi)?(?: hade)?|"
    r"det vore (?:bra|smart|fint)(?: om| att)?|jag skulle vilja(?: att)?|"
    r"i have an idea(?: about| for)?|my idea is(?: to| that)?|i think(?: that)?(?: we)?"
    r"(?: should)?(?: have)?|we should(?: have)?|what if we(?: had)?|"
    r"it would be (?:good|great|nice)(?: to| if)?)[\s:,–-]+",
    re.IGNORECASE,
)
# Words a cut name must not end on ("Lånecyklar för" → "Lånecyklar").
_STOP_AT_END = frozenset(
    {"och", "att", "som", "för", "med", "i", "på", "till", "en", "ett", "av", "om", "men"}
    | {"eller", "så", "den", "det", "de", "vi", "the", "and", "to", "of", "for", "with", "a"}
    | {"an", "in", "on", "or", "but", "so", "that"}
)


def proposed_title(text: str) -> str:
    """A short name from a longer text: its first sentence, without "jag har en idé om" and
    the like, cut at a word to at most PROPOSED_TITLE_LENGTH characters."""
    first = re.split(r"(?<=[.!?])\s|[\n:;]", text.strip(), maxsplit=1)[0].strip(" .!?,–-")
    first = _LEAD_INS.sub("", first).strip() or first
    # "Lånecyklar för hemtjänsten, så att ingen väntar": the part before the reason.
    clause = re.split(r",\s|\s[–-]\s", first, maxsplit=1)[0]
    if len(clause.split()) >= 2:
        first = clause
    words: list[str] = []
    for word in first.split():
        if len(" ".join([*words, word])) > PROPOSED_TITLE_LENGTH:
            break
        words.append(word)
    while len(words) > 2 and words[-1].casefold().strip(",") in _STOP_AT_END:
        words.pop()
    title = " ".join(words).strip(" ,.;:–-") or _cut(first, PROPOSED_TITLE_LENGTH)
    return title[:1].upper() + title[1:]


def _cut(text: str, limit: int) -> str:
    """The first `limit` characters, ending at a word or a line when one is near."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    at = max(cut.rfind("\n"), cut.rfind(" "))
    return (cut[:at] if at > limit * 0.8 else cut).rstrip()


def _store(state: IntakeState, ctx: IntakeContext, value: Any) -> Turn:
    answers = {**state.answers, state.step: value}
    return _goto(IntakeState(_next_step(state, ctx), answers, {}), ctx)


def _next_step(state: IntakeState, ctx: IntakeContext) -> str:
    if state.context.get("editing"):
        return SUMMARY
    keys = [q.key for q in QUESTIONS]
    for key in keys[keys.index(state.step) + 1 :]:
        if key == "workplace" and ctx.known_workplace and state.answers.get("workplace"):
            continue
        return key
    return SUMMARY


def _previous_step(state: IntakeState, ctx: IntakeContext) -> str | None:
    keys = [q.key for q in QUESTIONS]
    if state.step == SUMMARY:
        earlier = keys
    elif state.step in keys:
        earlier = keys[: keys.index(state.step)]
    else:
        return SUMMARY
    for key in reversed(earlier):
        if key == "workplace" and ctx.known_workplace and state.answers.get("workplace"):
            continue
        return key
    return None


def _skip(state: IntakeState, ctx: IntakeContext) -> Turn:
    if not QUESTION_BY_KEY[state.step].optional:
        return _again(state, ctx, tr(ctx.lang, "invalid.not_optional"))
    return _store(state, ctx, None)


def _back(state: IntakeState, ctx: IntakeContext) -> Turn:
    if state.step == CONFIRM_CANCEL:
        return _on_value(state, ctx, "no", typed=None)
    if state.step == WORKPLACE_CHOICE:  # back to the question, to write it another way
        editing = {"editing": True} if state.context.get("editing") else {}
        return _goto(IntakeState("workplace", state.answers, editing), ctx, show_current=True)
    if state.context.get("editing") or state.step == EDIT_CHOOSE:
        return _goto(IntakeState(SUMMARY, state.answers, {}), ctx)
    previous = _previous_step(state, ctx)
    if previous is None:
        return _again(state, ctx, tr(ctx.lang, "back.at_start"))
    return _goto(IntakeState(previous, state.answers, {}), ctx, show_current=True)


def _cancel(state: IntakeState, ctx: IntakeContext) -> Turn:
    if not _has_own_answers(state):
        return Turn(None, [Reply(tr(ctx.lang, "cancelled"))], cancelled=True)
    # Back from "don't cancel" to a question: the choice of places is asked again from there.
    step = "workplace" if state.step == WORKPLACE_CHOICE else state.step
    context = {"cancel_from": step, "cancel_editing": bool(state.context.get("editing"))}
    return _goto(IntakeState(CONFIRM_CANCEL, state.answers, context), ctx)


def _help(state: IntakeState, ctx: IntakeContext) -> Turn:
    help_text = f"{tr(ctx.lang, f'help.{state.step}')}\n\n{tr(ctx.lang, 'help.words')}"
    return _again(state, ctx, help_text)


def _not_understood(state: IntakeState, ctx: IntakeContext) -> Turn:
    labels = ", ".join(tr(ctx.lang, "quoted", text=c.label) for c in _choices(state, ctx))
    return _again(state, ctx, tr(ctx.lang, "invalid.choice", options=labels))


def _again(state: IntakeState, ctx: IntakeContext, problem: str) -> Turn:
    """Explain what went wrong and ask the same question again; nothing changes."""
    return Turn(state, [Reply(problem), _prompt(state, ctx)])


def _goto(state: IntakeState, ctx: IntakeContext, *, show_current: bool = False) -> Turn:
    return Turn(state, [_prompt(state, ctx, show_current=show_current)])


# ── what each step looks like ───────────────────────────────────────────────────────────


def _prompt(state: IntakeState, ctx: IntakeContext, *, show_current: bool = False) -> Reply:
    lang = ctx.lang
    step = state.step
    if step == SUMMARY:
        return Reply(
            tr(lang, "summary.intro"),
            choices=_choices(state, ctx),
            facts=summary_facts(state, lang),
        )
    if step == EDIT_CHOOSE:
        return Reply(tr(lang, "edit.which"), choices=_choices(state, ctx))
    if step == CONFIRM_CANCEL:
        return Reply(tr(lang, "confirm_cancel"), choices=_choices(state, ctx))
    if step == TITLE_PROPOSAL:
        proposed = state.context.get("proposed") or ""
        return Reply(tr(lang, "title.proposal", title=proposed), choices=_choices(state, ctx))
    if step == WORKPLACE_CHOICE:
        typed = _shorten(str(state.context.get("typed") or ""), 120)
        return Reply(tr(lang, "workplace.choose", typed=typed), choices=_choices(state, ctx))
    text = tr(lang, f"ask.{step}")
    current = state.answers.get(step)
    if isinstance(current, str) and current:
        # Shown when the person comes back to a question, or when what they wrote first
        # already answers it (a long first message kept as the description).
        text = f"{text}\n{tr(lang, 'ask.current', current=_shorten(current, 300))}"
    return Reply(text, choices=_choices(state, ctx))


def _choices(state: IntakeState, ctx: IntakeContext) -> tuple[Choice, ...]:
    lang, step = ctx.lang, state.step

    def choice(value: str, label_key: str) -> Choice:
        return Choice(f"{step}:{value}", tr(lang, label_key))

    if step == SUMMARY:
        return (
            choice("submit", "choice.submit"),
            choice("edit", "choice.edit"),
            choice("cancel", "choice.cancel"),
        )
    if step == EDIT_CHOOSE:
        return tuple(choice(q.key, f"field.{q.key}") for q in QUESTIONS)
    if step == CONFIRM_CANCEL:
        return (choice("yes", "choice.confirm_cancel"), choice("no", "choice.keep_going"))
    if step == TITLE_PROPOSAL:
        return (choice("yes", "choice.title_yes"), choice("no", "choice.title_own"))
    if step == WORKPLACE_CHOICE:
        places = tuple(
            Choice(f"{step}:{number}", place.label)
            for number, place in enumerate(_offers(state), start=1)
        )
        return (*places, choice("own", "choice.workplace_own"))
    question = QUESTION_BY_KEY[step]
    if question.kind == "yesno":
        return (choice("yes", "choice.yes"), choice("no", "choice.no"))
    choices: list[Choice] = []
    if isinstance(state.context.get("draft"), str):
        label = tr(lang, "choice.keep_first", max=format_number(question.max_length, lang))
        choices.append(Choice(f"{step}:keep", label))
    elif isinstance(state.answers.get(step), str) and state.answers.get(step):
        choices.append(choice("keep_current", "choice.keep_current"))
    if question.optional:
        choices.append(choice("skip", "choice.skip"))
    return tuple(choices)


def summary_facts(state: IntakeState, lang: str) -> tuple[Fact, ...]:
    facts = []
    for question in QUESTIONS:
        value = state.answers.get(question.key)
        if isinstance(value, bool):
            shown = tr(lang, "value.yes") if value else tr(lang, "value.no")
        elif question.key == "workplace" and value:
            shown = workplace_shown(state.answers)
        else:
            shown = value or tr(lang, "value.empty")
        facts.append(Fact(tr(lang, f"field.{question.key}"), shown))
    return tuple(facts)


def workplace_shown(answers: dict[str, Any]) -> str:
    """The workplace as written, and where it is counted when that says more:
    "hemtjänsten norrmalm (Hemtjänst Norrmalm, Vård- och omsorgsförvaltningen)"."""
    written = str(answers.get("workplace") or "")
    administration = answers.get("administration")
    if not administration:
        return written
    place = Place(str(administration), answers.get("unit") or None)
    if normalise(written) == normalise(place.name):
        return place.label
    where = f"{place.unit}, {place.administration}" if place.unit else place.administration
    return f"{written} ({where})"


def _first_unanswered(state: IntakeState) -> str:
    for question in QUESTIONS:
        if question.key not in state.answers:
            return question.key
    return SUMMARY


def _first_missing(state: IntakeState) -> str | None:
    for question in QUESTIONS:
        if not question.optional and state.answers.get(question.key) in (None, ""):
            return question.key
    return None


def _choice_by_label(state: IntakeState, typed: str) -> str | None:
    """The value of the current step's button whose label (in any language) was typed."""
    said = plain(typed)
    if not said or len(said) > 40:  # no label is that long
        return None
    for lang in LANGUAGES:
        for choice in _choices(state, IntakeContext(lang=lang)):
            if _plain_label(choice.label) == said:
                return choice.value.partition(":")[2]
    return None


@functools.lru_cache(maxsize=256)
def _plain_label(label: str) -> str:
    return plain(label)
