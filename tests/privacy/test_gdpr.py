"""The rights of access and erasure in the chat: `mina uppgifter`, `glöm mig`, `gdpr …`."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.commands.parser import Command, ParseError, looks_like_command, parse
from bot.commands.privacy import ForgetMeArgs, GdprArgs
from bot.process import load_process
from storage.models import AuditEvent, Base, Dialogue, Idea, OutboxMessage, Person
from tests.bot.ideas import run_sweep, submit_idea
from tests.chat import Chat

PERSONAL = ("Anna", "Zetterqvist", "U07ANNA9X")


async def _everything(db, *, but: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every value in every table (but those named, and
    the open question "Vill du att jag glömmer dig?": it is the conversation, not data)."""
    found = []
    async with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in (*but, "open_questions"):
                continue
            query = select(table).order_by(*table.primary_key.columns)
            for row in (await session.execute(query)).mappings():
                for column, value in row.items():
                    if isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    if (table.name, column) != ("persons", "updated_at"):  # every turn sets it
                        found.append((table.name, column, str(value)))
    return found


async def _audit(db) -> list[tuple[str, int | None, int | None]]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(AuditEvent.kind, AuditEvent.actor_id, AuditEvent.subject_id).order_by(
                AuditEvent.id
            )
        )
        return [tuple(r) for r in rows]


async def _a_full_life(anna: Chat, maria: Chat) -> int:
    """Anna's idea is assigned, noted on and moved (a message to her waits in the outbox);
    she has started on a second idea."""
    number = await submit_idea(anna, "Tryggare tunnlar")
    await maria.says(f"tilldela {number} mig")
    await maria.says(f"notera {number} Ringde Anna Zetterqvist, hon vill vara med.")
    await maria.says(f"flytta {number} Hej Anna! Vi tittar på det nu.")
    await anna.says("Jag har en ny idé")
    await anna.says("Cykelparkering vid stadshuset")
    return number


def test_the_privacy_words_parse_in_both_languages() -> None:
    process = load_process()
    assert parse("mina uppgifter", process) == Command("mydata")
    assert parse("My data", process) == Command("mydata")
    assert parse("/idea glöm mig", process) == Command("forget-me", ForgetMeArgs())
    assert parse("forget me", process) == Command("forget-me", ForgetMeArgs())
    assert parse("mina", process) == Command("mine")  # "mina" alone is still the ideas
    assert parse("gdpr radera <@U1|x>", process) == Command("gdpr", GdprArgs("erase", "@U1"))
    assert parse("gdpr export slack:U1", process) == Command("gdpr", GdprArgs("export", "slack:U1"))
    assert isinstance(parse("gdpr", process), ParseError)
    assert parse("glöm mig nu", process).key == "parse.extra_words"
    assert looks_like_command("glöm mig") and looks_like_command("mina uppgifter")
    assert not looks_like_command("glömda cyklar")


async def test_my_data_is_a_summary_and_a_json_file(anna: Chat, maria: Chat, db) -> None:
    number = await _a_full_life(anna, maria)
    await anna.says("/idea mina uppgifter")
    anna.hears("Det här har jag sparat om dig", "Anna Zetterqvist", f"{number} Tryggare tunnlar")
    anna.hears("Påbörjad idé: Ja", "Vi fortsätter med din idé:")  # the idea waits
    reply = anna.replies[0]
    (attachment,) = reply.attachments
    assert attachment.media_type == "application/json"
    data = json.loads(attachment.data)
    assert data["person"]["platform_user_id"] == "U07ANNA9X"
    assert data["person"]["address"] == {"user": "U07ANNA9X"}
    assert data["ideas"][0]["title"] == "Tryggare tunnlar"
    assert [e["kind"] for e in data["ideas"][0]["history"]] == ["submitted", "assigned", "stage"]
    # Coordinators' internal notes are in their export, not in the idea giver's own.
    assert "Ringde" not in attachment.data.decode()
    assert data["idea_in_progress"]["answers"]["title"] == "Cykelparkering vid stadshuset"
    assert data["messages_to_you"][0]["status"] == "pending"
    assert await _audit(db) == [("gdpr_access", 1, 1)]


async def test_forget_me_asks_first_and_keep_changes_nothing(anna: Chat, maria: Chat, db) -> None:
    await _a_full_life(anna, maria)
    before = await _everything(db, but=("audit_events",))
    await anna.says("/idea glöm mig")
    anna.hears("Tidigare medarbetare 1", "allmänna handlingar", "Det går inte att ångra")
    assert anna.buttons() == ["Ja, glöm mig", "Nej, behåll"]
    # Asking writes only the question (its "yes" button is good for this question only).
    assert await _everything(db, but=("audit_events",)) == before
    assert await _audit(db) == [("gdpr_erase_asked", 1, 1)]
    await anna.clicks("Nej, behåll")
    anna.hears("Då sparar jag allt som förut")
    assert await _everything(db, but=("audit_events",)) == before


async def test_after_forget_me_nothing_anywhere_names_the_person(
    anna: Chat, maria: Chat, db, clock
) -> None:
    number = await _a_full_life(anna, maria)
    await anna.says("/idea glöm mig")
    clock.advance(minutes=5)
    await anna.clicks("Ja, glöm mig")
    anna.hears("Jag har glömt dig", "Tidigare medarbetare 1")

    for table, column, value in await _everything(db):
        for personal in PERSONAL:
            assert personal not in value, (table, column, value)

    async with db.transaction() as session:
        person = await session.get(Person, 1)
        assert person.display_name == "Tidigare medarbetare 1"
        assert person.platform_user_id.startswith("forgotten-")
        assert (person.address, person.locale, person.workplace) == (None, None, None)
        assert await session.get(Dialogue, 1) is None
        idea = await session.get(Idea, number)
        assert (idea.person_id, idea.title) == (1, "Tryggare tunnlar")  # the document stays
        statuses = (
            await session.execute(
                select(OutboxMessage.status).where(OutboxMessage.recipient_id == 1)
            )
        ).scalars()
        assert set(statuses) == {"dropped"}  # never delivered now
    assert await _audit(db) == [("gdpr_erase_asked", 1, 1), ("gdpr_erase", 1, 1)]

    await maria.says(f"visa {number}")
    maria.hears("Tryggare tunnlar", "Idégivare: Tidigare medarbetare 1", "Ringde Tidigare")
    await maria.says("lista")
    maria.hears(f"{number}. Tryggare tunnlar")
    # The coordinator's news of the idea, still waiting, names the pseudonym instead.
    await run_sweep(anna.bot)
    said = await maria.receives()
    assert "Tidigare medarbetare 1" in said and "Zetterqvist" not in said

    # Writing again is meeting someone new: nothing of before is linked to them.
    await anna.says("/idea mina")
    anna.hears("inte skickat in någon idé")
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 3


async def test_an_old_confirmation_asks_again(anna: Chat, maria: Chat, db, clock) -> None:
    await _a_full_life(anna, maria)
    await anna.says("/idea glöm mig")
    before = await _everything(db)
    clock.advance(hours=2)
    await anna.clicks("Ja, glöm mig")
    anna.hears("Den frågan är för gammal")
    assert await _everything(db) == before


async def test_a_forged_confirmation_asks_first(anna: Chat, maria: Chat, db, clock) -> None:
    """A "yes" button the bot never handed out, however plausible (today's time, a word of
    the right form), forgets nothing: the person is asked, with real buttons."""
    await _a_full_life(anna, maria)
    before = await _everything(db, but=("audit_events",))
    forged = (
        "privacy:forget:",
        "privacy:forget:abc",
        "privacy:forget:99999999999999",
        f"privacy:forget:{int(clock.now().timestamp())}",
        "privacy:forget:AAAAAAAAAAAAAAAA",
    )
    for value in forged:
        await anna.clicks_value(value)
        if len(value) > len("privacy:forget:abc"):  # of the button's form
            assert anna.buttons() == ["Ja, glöm mig", "Nej, behåll"], value
    assert await _everything(db, but=("audit_events",)) == before
    assert {kind for kind, _, _ in await _audit(db)} == {"gdpr_erase_asked"}


async def test_a_confirmation_replayed_after_the_erasure_asks_the_new_person_first(
    anna: Chat, maria: Chat, db, clock
) -> None:
    await _a_full_life(anna, maria)
    await anna.says("/idea glöm mig")
    yes = next(c.value for r in anna.replies for c in r.choices if c.label == "Ja, glöm mig")
    await anna.clicks("Ja, glöm mig")
    anna.hears("Jag har glömt dig")
    await anna.clicks_value(yes)  # the same button again
    assert anna.buttons() == ["Ja, glöm mig", "Nej, behåll"]
    async with db.transaction() as session:
        forgotten = (
            await session.execute(
                select(func.count())
                .select_from(Person)
                .where(Person.platform_user_id.startswith("forgotten-"))
            )
        ).scalar_one()
    assert forgotten == 1  # the new Anna was asked, not forgotten


async def test_only_admins_erase_and_only_coordinators_export_others(
    anna: Chat, maria: Chat, ada: Chat, db
) -> None:
    number = await _a_full_life(anna, maria)
    before = await _everything(db)
    await anna.says("/idea gdpr exportera @maria")
    anna.hears("Bara idéslussare och administratörer")
    await maria.says("/idea gdpr radera @U07ANNA9X")
    maria.hears("Bara en administratör kan radera")
    assert await _everything(db) == before

    await maria.says("/idea gdpr exportera @U07ANNA9X")
    maria.hears("Uppgifter om Anna Zetterqvist", "Uttaget är loggat")
    data = json.loads(maria.replies[0].attachments[0].data)
    assert "Ringde" in json.dumps(data, ensure_ascii=False)  # the full record, notes too
    await ada.says("/idea gdpr radera @nobody")
    ada.hears("Jag har inga uppgifter om console:nobody")
    await ada.says("/idea gdpr radera @U07ANNA9X")
    ada.hears("Anna Zetterqvist heter nu Tidigare medarbetare 1", "1 idéer")
    for table, column, value in await _everything(db):
        if table != "audit_events":
            assert "Zetterqvist" not in value, (table, column, value)
    async with db.transaction() as session:
        ids = dict((await session.execute(select(Person.platform_user_id, Person.id))).all())
    maria_id, ada_id = ids["maria"], ids["ada"]
    assert await _audit(db) == [("gdpr_export", maria_id, 1), ("gdpr_erase", ada_id, 1)]
    await maria.says(f"visa {number}")
    maria.hears("Tidigare medarbetare 1")


async def test_a_coordinator_who_is_forgotten_loses_the_table_right(
    bot, maria: Chat, ada: Chat, db
) -> None:
    bo = Chat(bot, user="bo", name="Bo Ek")
    await bo.says("/idea hjälp")
    await ada.says("/idea idéslussare lägg till @bo")
    await bo.says("/idea mina uppgifter")
    bo.hears("Idéslussare: Ja")
    await bo.says("/idea glöm mig")
    await bo.clicks("Ja, glöm mig")
    await ada.says("/idea idéslussare lista")
    ada.does_not_hear("console:bo")
    for _, _, value in await _everything(db):
        assert "console:bo" not in value and "Bo Ek" not in value


async def test_english_speakers_get_english(bot, db) -> None:
    eve = Chat(bot, user="eve", name="Eve Smith", language="en")
    await eve.says("/idea my data")
    eve.hears("What I have stored about you", "Eve Smith")
    await eve.says("/idea forget me")
    assert eve.buttons() == ["Yes, forget me", "No, keep it"]
    await eve.clicks("Yes, forget me")
    eve.hears("I have forgotten you")


async def test_privacy_actions_log_no_names_or_ids(anna: Chat, maria: Chat, caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    await _a_full_life(anna, maria)
    await anna.says("/idea mina uppgifter")
    await maria.says("/idea gdpr exportera @U07ANNA9X")
    await anna.says("/idea glöm mig")
    await anna.clicks("Ja, glöm mig")
    for record in caplog.records:
        if record.levelno >= logging.INFO:
            shown = record.getMessage() + repr(record.__dict__)
            for personal in (*PERSONAL, "Tryggare tunnlar"):
                assert personal not in shown, record
