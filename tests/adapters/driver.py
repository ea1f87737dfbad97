"""The driver every adapter's contract test implements, and the helpers its scenarios use
(tests/adapters/contract.py, tests/adapters/conversation_contract.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from bot.incoming import Incoming
from bot.reminders import sweep
from conversations.reply import Reply

ANSWERS = (
    "Tryggare tunnlar",
    "Många är rädda i gångtunnlarna på kvällen, särskilt äldre.",
    "Bättre belysning och konst som skolbarnen målar.",
    "Invånare som går där, och polisen får färre anmälningar.",
    "En tunnel i Väster under en vinter.",
)


class ChatDriver(Protocol):
    incomings: list[Incoming]
    supports_stale_clicks: bool

    async def open(self) -> None: ...
    async def say(self, text: str) -> None: ...
    async def click(self, label: str, *, earlier: bool = False) -> None: ...
    def transcript(self) -> str: ...
    def buttons(self) -> list[str]: ...
    async def proactive(self, replies: list[Reply]) -> str: ...
    async def garbage(self) -> None: ...
    async def coordinator_says(self, text: str) -> None: ...
    async def coordinator_clicks(self, label: str) -> None: ...
    def coordinator_transcript(self) -> str: ...
    def coordinator_buttons(self) -> list[str]: ...
    async def stage_of(self, number: int) -> str: ...
    async def deliver_outbox(self) -> str: ...


class RecordingBot:
    """The real bot, with a record of every Incoming it was given: through `handle` (the
    terminal) or, for deliveries run from the inbox, `run_turn`."""

    def __init__(self, bot: Any) -> None:
        self.inner = bot
        self.incomings: list[Incoming] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        self.incomings.append(incoming)
        return await self.inner.handle(incoming)

    async def run_turn(self, session: Any, incoming: Incoming) -> Any:
        self.incomings.append(incoming)
        return await self.inner.run_turn(session, incoming)


def hears(driver: ChatDriver, *fragments: str) -> None:
    said = driver.transcript()
    for fragment in fragments:
        assert fragment in said, f"expected {fragment!r} in the bot's answer:\n{said}"


async def up_to_participation(driver: ChatDriver) -> None:
    await driver.open()
    for answer in ANSWERS:
        await driver.say(answer)
    await driver.click("Hoppa över")
    hears(driver, "Vill du själv vara med")


async def submitted_idea(driver: ChatDriver) -> None:
    """Anna's "Tryggare tunnlar", all the way in; Maria has heard of it."""
    await up_to_participation(driver)
    await driver.click("Nej")
    await driver.say("Kultur och fritid")
    await driver.click("Skicka in")
    hears(driver, "har nummer 1")
    await driver.deliver_outbox()  # Maria hears of the new idea


async def travel(driver: ChatDriver, working_days: int, *, hours: float = 0) -> str:
    """The days go by: the clock moves on `working_days` Swedish working days (to the same
    time of day) and then `hours` more, the reminder sweep runs as the scheduler would, and
    the dispatcher delivers. What reached the idea giver; what reached Maria is her
    transcript."""
    core = driver.bot.inner  # type: ignore[attr-defined]
    later = core.calendar.add_working_days(core.clock.now(), working_days)
    later += timedelta(hours=hours)
    core.clock.set(later)
    await sweep(
        core.db,
        later,
        policy=core.reminder_policy,
        calendar=core.calendar,
        settings=core.settings,
    )
    return await driver.deliver_outbox()
