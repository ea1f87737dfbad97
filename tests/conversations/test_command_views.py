"""The commands' pure renderers: view data in, the words of a reply out, in both languages."""

from __future__ import annotations

from datetime import datetime

import pytest

from conversations.command_views import (
    IDEA_GIVER,
    HelpView,
    MineLine,
    WhoAmIView,
    help_reply,
    mine_reply,
    whoami_reply,
)


@pytest.mark.parametrize(
    ("lang", "role", "said"),
    [
        ("sv", IDEA_GIVER, "Du är slack:U024BE7LH – idégivare."),
        ("sv", "coordinator", "Du är slack:U024BE7LH – idéslussare."),
        ("en", "admin", "You are slack:U024BE7LH – admin."),
    ],
)
def test_whoami_names_the_id_the_role_and_the_settings(lang: str, role: str, said: str) -> None:
    reply = whoami_reply(lang, WhoAmIView("slack:U024BE7LH", role))
    first, second = reply.text.split("\n")
    assert first == said
    assert "IDESLUSS_COORDINATORS" in second and "IDESLUSS_ADMINS" in second


def test_help_has_a_section_per_role_with_the_lines_and_the_stages() -> None:
    view = HelpView(
        (("everyone", ("help.mine", "help.whoami")), ("coordinator", ("help.list",))),
        (("Bedömning", "assessment"),),
    )
    text = help_reply("sv", view).text
    assert text.startswith("Det här kan du skriva till mig:\n• mina – dina idéer")
    assert "• vem är jag – ditt id här och din roll\n• vad som helst annat" in text
    assert "Som idéslussare kan du också skriva:\n• lista" in text
    assert text.endswith("Stegen: Bedömning (assessment).")
    assert "Stegen" not in help_reply("sv", HelpView((("everyone", ()),))).text


def test_mine_lists_the_ideas_or_says_there_are_none() -> None:
    assert mine_reply("en", ()).text.startswith("You haven't sent in an idea yet.")
    text = mine_reply(
        "en", (MineLine(3, "Safer tunnels", "Assessment", datetime(2026, 6, 15, 9, 30)),)
    ).text
    assert "3. Safer tunnels – Assessment, last changed 2026-06-15" in text
