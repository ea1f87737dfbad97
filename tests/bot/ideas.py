"""Submitting an idea through the real dialogue, for tests about what happens afterwards."""

from __future__ import annotations

from typing import Any

from tests.chat import Chat

WORDS = {
    # "I have an idea" starts one for someone new and for someone who has told one before.
    "sv": {"hello": "Jag har en idé", "skip": "hoppa över", "yes": "ja", "submit": "skicka"},
    "en": {"hello": "I have an idea", "skip": "skip", "yes": "yes", "submit": "submit"},
}


async def submit_idea(
    chat: Chat,
    title: str,
    *,
    need: str = "Many people wait a long time every morning.",
    idea: str = "We could try a simple change for a month.",
    benefit: str = "Colleagues and residents alike.",
    workplace: str | None = "Kultur och fritid",
    lang: str = "sv",
) -> int:
    """Go through the intake dialogue and return the new idea's number."""
    words = WORDS[lang]
    await chat.says(words["hello"])
    for answer in (title, need, idea, benefit, words["skip"], words["skip"], words["yes"]):
        await chat.says(answer)
    if workplace is not None and (
        "Var arbetar du" in chat.transcript() or "Where do you work" in chat.transcript()
    ):
        await chat.says(workplace)
    await chat.says(words["submit"])
    said = chat.transcript()
    marker = "nummer " if lang == "sv" else "number "
    assert marker in said, said
    return int(said.split(marker, 1)[1].split(".")[0])


async def run_sweep(bot: Any) -> Any:
    """The reminder sweep now, as the scheduler runs it: coordinators' news goes out as their
    digest (in office hours; the test clock starts on a Monday morning)."""
    from bot.reminders import sweep

    now = bot.clock.now()
    return await sweep(bot.db, now, settings=bot.settings, policy=bot.reminder_policy,
                       calendar=bot.calendar)  # fmt: skip
