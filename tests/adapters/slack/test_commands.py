"""/idea for coordinators and @mentions in channels: what reaches the core, and that the
answer is shown only to the person who asked (ephemeral)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import IdeaBot, TurnResult
from bot.incoming import Incoming
from conversations.reply import Choice, Fact, Reply
from storage.database import Database
from storage.models import Idea, OutboxMessage
from tests.adapters.slack.conftest import COORDINATOR, SlackChat, SlackSide, submit_through_slack


@pytest.fixture
def heard(slack_bot: IdeaBot, monkeypatch: pytest.MonkeyPatch) -> list[Incoming]:
    """Every Incoming the core is handed, while the real core still answers."""
    seen: list[Incoming] = []
    real = slack_bot.run_turn

    async def spy(session: AsyncSession, incoming: Incoming) -> TurnResult:
        seen.append(incoming)
        return await real(session, incoming)

    monkeypatch.setattr(slack_bot, "run_turn", spy)
    return seen


@pytest.fixture
def answers(slack_bot: IdeaBot, monkeypatch: pytest.MonkeyPatch) -> list[Incoming]:
    """The core replaced by one that answers every command like a coordinator command with
    choices, so the adapter's side of the contract is tested on its own."""
    seen: list[Incoming] = []

    async def run_turn(session: AsyncSession, incoming: Incoming) -> TurnResult:
        seen.append(incoming)
        return TurnResult(
            [
                Reply(
                    "Idé 12 ”Tryggare tunnlar” är nu i läget Test. Anna får veta det.",
                    title="Idé 12 flyttad",
                    facts=(Fact("Läge", "Test"), Fact("Idégivare", "Anna <Andersson>")),
                    choices=(Choice("close:12", "Avsluta"), Choice("assign:12:me", "Ta den")),
                )
            ],
            "sv",
        )

    monkeypatch.setattr(slack_bot, "run_turn", run_turn)
    return seen


async def test_a_slash_command_reaches_the_core_as_a_command(
    slack: SlackSide, heard: list[Incoming], anna: SlackChat, db: Database
) -> None:
    """The whole way: Anna's idea told in her DM, Maria's `/idea advance` over signed HTTP,
    the stage changed and the message to Anna written to the outbox in the same turn, and
    the running dispatcher (woken by that turn, not by its next tick) posting it to her DM."""
    number = await submit_through_slack(anna, "Tryggare tunnlar")
    heard.clear()
    slack.api.forget()

    text = f"advance {number} assessment Vi tittar på den i Väster"
    assert await slack.command(COORDINATOR, text) == 200
    await slack.settle()
    [incoming] = heard
    assert incoming.command is True and incoming.in_group is True
    assert (incoming.platform, incoming.user_id) == ("slack", COORDINATOR)
    assert incoming.text == text
    assert incoming.display_name == "Maria Lind" and incoming.locale == "sv-SE"
    # The answer went only to her, through the command's response_url.
    [answer] = slack.api.calls_to("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert "Tryggare tunnlar" in answer.params["text"]
    async with db.transaction() as session:
        idea = await session.get(Idea, number)
        assert idea is not None and idea.stage == "assessment"
        rows = (
            (await session.execute(select(OutboxMessage).where(OutboxMessage.idea_id == number)))
            .scalars()
            .all()
        )
        # To Anna (Maria's own notice of the new idea waits: she has no DM address yet).
        [row] = [r for r in rows if r.kind != "new_idea"]
        assert row.recipient_id == idea.person_id
    # Anna hears about it in her DM, from the dispatcher, long before its next tick (15 s).
    [dm] = await slack.api_calls("chat.postMessage", within=5, channel="DANNA")
    assert "Maria Lind har börjat titta närmare på din idé ”Tryggare tunnlar”" in dm.text
    # …and the row is marked sent (in the dispatcher's own transaction, just after the post).
    async with asyncio.timeout(5):
        while await _status(db, row.id) != "sent":  # noqa: ASYNC110 - nor here
            await asyncio.sleep(0.01)


async def _status(db: Database, row_id: int) -> str:
    async with db.transaction() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        return row.status


async def test_mentions_in_a_slash_command_reach_the_core_in_slacks_escaped_form(
    slack: SlackSide, heard: list[Incoming]
) -> None:
    text = "assign 12 <@U024BE7LH|anna> &lt;snabbt&gt; &amp; <https://kommunen.se|här>"
    assert await slack.command(COORDINATOR, text) == 200
    await slack.settle()
    assert heard[0].text == "assign 12 <@U024BE7LH|anna> <snabbt> & här (https://kommunen.se)"


async def test_a_command_answer_has_buttons_and_is_ephemeral(
    slack: SlackSide, answers: list[Incoming]
) -> None:
    assert await slack.command(COORDINATOR, "advance 12 testing", channel="D0MARIA") == 200
    await slack.settle()
    assert answers[0].in_group is False  # typed in her DM
    [answer] = slack.api.calls_to("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert answer.params["replace_original"] is False
    assert [(b["text"]["text"], b["value"]) for b in answer.buttons] == [
        ("Avsluta", "close:12"),
        ("Ta den", "assign:12:me"),
    ]
    assert "Anna &lt;Andersson&gt;" in answer.text


async def test_a_click_under_a_command_answer_is_a_command_answered_ephemerally(
    slack: SlackSide, answers: list[Incoming]
) -> None:
    await slack.command(COORDINATOR, "show 12")
    await slack.settle()
    close = slack.api.calls_to("response_url")[0].buttons[0]
    hook = slack.api.response_url("click")
    assert (
        await slack.click(
            COORDINATOR, close, channel="C0GENERAL", ephemeral=True, response_url=hook
        )
        == 200
    )
    await slack.settle()
    click = answers[-1]
    assert (click.action, click.command, click.in_group) == ("close:12", True, True)
    assert click.text is None
    assert len(slack.api.calls_to("response_url")) == 2
    assert slack.api.calls_to("chat.postMessage") == []


async def test_a_bare_mention_explains_how_to_start_only_to_the_one_who_asked(
    slack: SlackSide, heard: list[Incoming]
) -> None:
    event = {"type": "app_mention", "user": "UANNA", "channel": "C0GENERAL", "text": "<@UBOT> "}
    assert await slack.event(event) == 200
    await slack.settle()
    assert heard == []  # nothing for the core: no dialogue starts in a channel
    [answer] = slack.api.calls_to("chat.postEphemeral")
    assert (answer.params["channel"], answer.params["user"]) == ("C0GENERAL", "UANNA")
    assert answer.params["text"].startswith("Hej Anna! Jag är Idéslussen.")
    assert (
        "<slack://app?team=T0TEAM&id=A0IDESLUSS&tab=messages|fliken Meddelanden>"
        in (answer.params["text"])
    )


async def test_a_mention_with_words_is_a_command_answered_ephemerally(
    slack: SlackSide, answers: list[Incoming]
) -> None:
    event = {
        "type": "app_mention",
        "user": COORDINATOR,
        "channel": "C0GENERAL",
        "text": "<@UBOT> show 12",
    }
    assert await slack.event(event) == 200
    await slack.settle()
    [incoming] = answers
    assert (incoming.text, incoming.command, incoming.in_group) == ("show 12", True, True)
    [answer] = slack.api.calls_to("chat.postEphemeral")
    assert answer.params["user"] == COORDINATOR and answer.buttons


async def test_an_export_in_a_channel_says_the_file_goes_to_the_dm(
    slack: SlackSide, anna: SlackChat
) -> None:
    """The CSV of `/idea export` typed in a channel goes to the coordinator's DM, and the
    ephemeral answer says so (the upload itself: tests/adapters/slack/test_files.py)."""
    await submit_through_slack(anna, "Tryggare tunnlar")
    slack.api.forget()
    assert await slack.command(COORDINATOR, "export csv") == 200
    await slack.settle()
    [answer] = slack.api.calls_to("response_url")
    assert "Filen ”idesluss-" in answer.params["text"]
    assert "vår privata chatt" in answer.params["text"]
    [received] = slack.api.files_in("D" + COORDINATOR.lstrip("U"))
    assert received.filename.startswith("idesluss-") and b"Tryggare tunnlar" in received.data
