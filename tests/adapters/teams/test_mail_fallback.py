"""Anna blocked the bot in Teams: the fake Bot Connector answers 403 MessageWritesBlocked,
and the next follow-up reaches her by e-mail instead, through a real SMTP server on
loopback; Maria, the coordinator, hears in Teams that Anna will get mail."""

from __future__ import annotations

from adapters.email.sender import SmtpSender
from bot.dispatcher import Dispatcher
from bot.mail import MailSettings
from storage.models import Person
from tests.adapters.teams.conftest import ANNA_ID
from tests.adapters.teams.test_dialogue import stored_person
from tests.adapters.teams.test_with_the_core import (  # noqa: F401 - the fixture
    ADVANCE,
    outbox_of,
    proactive_to,
    submitted,
)
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.smtp_server import FakeSmtp


async def test_a_giver_who_blocked_the_bot_hears_the_next_follow_up_by_mail(
    submitted,  # noqa: F811
    teams,
    teams_bot,
    clock,
    connector: FakeBotConnector,
    db,
    smtp: FakeSmtp,
) -> None:
    anna, maria = submitted
    person = await stored_person(db, ANNA_ID)
    async with db.transaction() as session:
        (await session.get(Person, person.id)).email = "anna.andersson@kommun.example"
    mail = SmtpSender(
        MailSettings(
            host=smtp.host,
            port=smtp.port,
            starttls=False,
            mail_from="Idéslussen <idesluss@kommun.example>",
        ),
        timeout=5,
    )
    dispatcher = Dispatcher(
        teams_bot.db, [teams.sender], settings=teams_bot.settings, clock=clock, mail=mail
    )
    await maria.says(ADVANCE)
    connector.fail_next(
        403, {"error": {"code": "MessageWritesBlocked", "message": "Thread is blocked."}}
    )

    await dispatcher.run_until_idle()

    assert connector.to(anna.conversation_id) == []
    assert (await stored_person(db, ANNA_ID)).reachable is False
    (arrived,) = smtp.arrived
    assert arrived.rcpt_tos == ["anna.andersson@kommun.example"]
    plain = arrived.part("plain")
    assert "Tryggare tunnlar" in plain and "Great, let's try it!" in plain
    assert "Skriv till Idéslussen i Teams" in plain
    assert "Tryggare tunnlar" in arrived.message["Subject"]
    (notice,) = proactive_to(connector, maria)
    assert "Anna Andersson" in notice.text and "e-post" in notice.text
    rows = await outbox_of(db, ANNA_ID)
    assert [(r.status, r.sent_via) for r in rows][-1] == ("sent", "email")

    # The next one goes by mail too, without a call to her Teams chat.
    attempts = connector.attempts
    await maria.says("advance 1 development Vi bygger vidare!")
    await dispatcher.run_until_idle()
    assert len(smtp.arrived) == 2 and "Vi bygger vidare!" in smtp.arrived[1].part("plain")
    assert connector.attempts == attempts + 1  # only the command's answer to Maria
