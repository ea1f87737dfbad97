"""The intake dialogue: guiding one person through describing an idea.

Pure functions over an `IntakeState`; the bot loads and saves the state around every turn.
Buttons come back as actions `"<step>:<value>"`, so a click on a card from an earlier step
is recognised as stale instead of being taken as an answer to the current question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from conversations.clean import shorten as _shorten
from conversations.clean import strip_unsafe
from conversations.i18n import LANGUAGES, tr
from conversations.reply import Choice, Fact, Reply

FLOW = "intake"


@dataclass(frozen=True)
class Question:
    key: str
    kind: Literal["text", "line", "yesno"]
    optional: bool = False
    min_length: int = 0
    max_length: int = 0


QUESTIONS: tuple[Question, ...] = (
    Question("title", "line", min_length=3, max_length=80),
    Question("need", "text", min_length=10, max_length=2000),
    Question("idea", "text", min_length=10, max_length=2000),
    Question("benefit", "text", min_length=5, max_length=2000),
    Question("first_test", "text", optional=True, min_length=3, max_length=1000),
    Question("involved", "text", optional=True, min_length=2, max_length=1000),
    Question("participate", "yesno"),
    Question("workplace", "line", min_length=2, max_length=120),
)
QUESTION_BY_KEY = {q.key: q for q in QUESTIONS}
SUMMARY = "summary"
EDIT_CHOOSE = "edit_choose"
CONFIRM_CANCEL = "confirm_cancel"
STEPS = (*QUESTION_BY_KEY, SUMMARY, EDIT_CHOOSE, CONFIRM_CANCEL)

# Words that work at every step, in both languages whatever the person's language.
HELP_WORDS = {"hjälp", "help", "?", "hjalp"}
BACK_WORDS = {"tillbaka", "back", "bakåt", "föregående", "previous"}
CANCEL_WORDS = {"avbryt", "cancel", "stop", "stopp", "sluta", "quit"}
SKIP_WORDS = {"hoppa över", "hoppa", "skip", "vet inte", "don't know", "dont know", "pass"}
YES_WORDS = {"ja", "j", "yes", "y", "japp", "jajamen", "gärna", "ok", "okej", "sure", "yep"}
NO_WORDS = {"nej", "n", "no", "nope", "nä", "nää", "inte"}
SUBMIT_WORDS = {"skicka", "skicka in", "submit", "send", "klar", "done", "ja", "yes"}
EDIT_WORDS = {"ändra", "ändra något", "edit", "change", "change something", "rätta"}


@dataclass(frozen=True)
class IntakeContext:
    """What the dialogue may know about the person, passed in by the bot."""

    lang: str
    first_name: str | None = None
    known_workplace: str | None = None


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


def _word(text: str) -> str:
    """The form of a short answer used to compare with command words."""
    word = clean_text(text, single_line=True).lower().strip(" .!,;:”“\"'»«")
    # "hjälp?" and "skip?" are the words themselves; a lone "?" asks for help.
    return word.rstrip("? ") if len(word) > 1 else word


# ── starting and resuming ──────────────────────────────────────────────────────────────


def start(ctx: IntakeContext) -> Turn:
    state = IntakeState(step=QUESTIONS[0].key)
    if ctx.known_workplace:
        state.answers["workplace"] = ctx.known_workplace
    greeting = Reply(tr(ctx.lang, "greeting", first_name=ctx.first_name))
    return Turn(state, [greeting, _prompt(state, ctx)])


def stale_without_dialogue(ctx: IntakeContext) -> Turn:
    """A button clicked when no dialogue is in progress (a second click on "Submit", an old
    card): say so, and start nothing."""
    return Turn(None, [Reply(tr(ctx.lang, "invalid.no_dialogue"))])


def resume(state: IntakeState, ctx: IntakeContext) -> Turn:
    """Remind the person where we were, without taking anything as an answer. Someone who
    left before answering anything is simply greeted again."""
    if not _has_own_answers(state):
        return start(ctx)
    return Turn(
        state, [Reply(tr(ctx.lang, "resume", first_name=ctx.first_name)), _prompt(state, ctx)]
    )


def _has_own_answers(state: IntakeState) -> bool:
    """Anything the person wrote in this dialogue (a known workplace was not written here)."""
    return any(key != "workplace" for key in state.answers)


def submitted_reply(lang: str, first_name: str | None, number: int, title: str) -> Reply:
    return Reply(tr(lang, "submitted", first_name=first_name, title=title, number=number))


# ── one turn ───────────────────────────────────────────────────────────────────────────


def answer(
    state: IntakeState, ctx: IntakeContext, *, text: str | None = None, action: str | None = None
) -> Turn:
    """Take one message or button click and return the next state and what to say."""
    if state.step not in STEPS:
        # A state saved by an older version: ask the first open question; this message
        # answered something else, so it is not taken as the answer.
        return _goto(IntakeState(_first_unanswered(state), state.answers, {}), ctx)
    if action is not None:
        step, _, value = action.partition(":")
        if step != state.step:
            return _again(state, ctx, tr(ctx.lang, "invalid.stale_button"))
        return _on_value(state, ctx, value, typed=None)

    word = _word(text or "")
    if word in HELP_WORDS:
        return _help(state, ctx)
    if word in BACK_WORDS:
        return _back(state, ctx)
    if word in CANCEL_WORDS:
        if state.step == CONFIRM_CANCEL:  # "avbryt" again means: yes, stop
            return _on_value(state, ctx, "yes", typed=None)
        return _cancel(state, ctx)
    if word in SKIP_WORDS and state.step in QUESTION_BY_KEY:
        return _skip(state, ctx)
    # A button's label typed out ("Ja, avbryt", "Change something") works like the click.
    labelled = _choice_by_label(state, word)
    if labelled is not None:
        return _on_value(state, ctx, labelled, typed=None)
    return _on_value(state, ctx, None, typed=text or "")


def _on_value(state: IntakeState, ctx: IntakeContext, value: str | None, typed: str | None) -> Turn:
    step = state.step
    if step in QUESTION_BY_KEY:
        question = QUESTION_BY_KEY[step]
        if value == "skip":
            return _skip(state, ctx)
        if question.kind == "yesno":
            choice = value or _match_yes_no(typed or "")
            if choice not in ("yes", "no"):
                return _not_understood(state, ctx)
            return _store(state, ctx, choice == "yes")
        if value is not None:  # a button that this step does not have
            return _again(state, ctx, tr(ctx.lang, "invalid.stale_button"))
        return _store_text(state, ctx, question, typed or "")
    if step == SUMMARY:
        choice = value or _match(typed or "", {"submit": SUBMIT_WORDS, "edit": EDIT_WORDS})
        if choice == "submit":
            missing = _first_missing(state)
            if missing is not None:  # only a state saved by an older version can lack one
                return _goto(IntakeState(missing, state.answers, {"editing": True}), ctx)
            return Turn(None, [], submitted=dict(state.answers))
        if choice == "edit":
            return _goto(IntakeState(EDIT_CHOOSE, state.answers, {}), ctx)
        if choice == "cancel":
            return _cancel(state, ctx)
        return _not_understood(state, ctx)
    if step == EDIT_CHOOSE:
        key = value or _match_field(typed or "")
        if key not in QUESTION_BY_KEY:
            return _not_understood(state, ctx)
        return _goto(IntakeState(key, state.answers, {"editing": True}), ctx, show_current=True)
    if step == CONFIRM_CANCEL:
        choice = value or _match_yes_no(typed or "")
        if choice == "yes":
            return Turn(None, [Reply(tr(ctx.lang, "cancelled"))], cancelled=True)
        if choice == "no":
            back_to = state.context.get("cancel_from") or QUESTIONS[0].key
            context = {"editing": True} if state.context.get("cancel_editing") else {}
            return _goto(IntakeState(back_to, state.answers, context), ctx)
        return _not_understood(state, ctx)
    raise AssertionError(f"unhandled step {step}")  # pragma: no cover - STEPS is closed


def _store_text(state: IntakeState, ctx: IntakeContext, question: Question, typed: str) -> Turn:
    cleaned = clean_text(typed, single_line=question.kind == "line")
    if not cleaned:
        return _again(state, ctx, tr(ctx.lang, "invalid.empty"))
    if len(cleaned) > question.max_length:
        problem = tr(ctx.lang, "invalid.too_long", max=question.max_length, length=len(cleaned))
        return _again(state, ctx, problem)
    if len(cleaned) < question.min_length:
        return _again(state, ctx, tr(ctx.lang, "invalid.too_short"))
    return _store(state, ctx, cleaned)


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
    if state.context.get("editing") or state.step == EDIT_CHOOSE:
        return _goto(IntakeState(SUMMARY, state.answers, {}), ctx)
    previous = _previous_step(state, ctx)
    if previous is None:
        return _again(state, ctx, tr(ctx.lang, "back.at_start"))
    return _goto(IntakeState(previous, state.answers, {}), ctx, show_current=True)


def _cancel(state: IntakeState, ctx: IntakeContext) -> Turn:
    if not _has_own_answers(state):
        return Turn(None, [Reply(tr(ctx.lang, "cancelled"))], cancelled=True)
    context = {"cancel_from": state.step, "cancel_editing": bool(state.context.get("editing"))}
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
    text = tr(lang, f"ask.{step}")
    current = state.answers.get(step)
    if show_current and isinstance(current, str) and current:
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
    question = QUESTION_BY_KEY[step]
    if question.kind == "yesno":
        return (choice("yes", "choice.yes"), choice("no", "choice.no"))
    if question.optional:
        return (choice("skip", "choice.skip"),)
    return ()


def summary_facts(state: IntakeState, lang: str) -> tuple[Fact, ...]:
    facts = []
    for question in QUESTIONS:
        value = state.answers.get(question.key)
        if isinstance(value, bool):
            shown = tr(lang, "value.yes") if value else tr(lang, "value.no")
        else:
            shown = value or tr(lang, "value.empty")
        facts.append(Fact(tr(lang, f"field.{question.key}"), shown))
    return tuple(facts)


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


def _choice_by_label(state: IntakeState, word: str) -> str | None:
    """The value of the current step's button whose label (in any language) was typed."""
    if not word:
        return None
    for lang in LANGUAGES:
        for choice in _choices(state, IntakeContext(lang=lang)):
            if _word(choice.label) == word:
                return choice.value.partition(":")[2]
    return None


def _match(typed: str, options: dict[str, set[str]]) -> str | None:
    word = _word(typed)
    for value, words in options.items():
        if word in words:
            return value
    return None


def _match_yes_no(typed: str) -> str | None:
    return _match(typed, {"yes": YES_WORDS, "no": NO_WORDS})


def _match_field(typed: str) -> str | None:
    word = _word(typed)
    for question in QUESTIONS:
        labels = {question.key} | {
            tr(other, f"field.{question.key}").lower() for other in LANGUAGES
        }
        if word in labels:
            return question.key
    return None
