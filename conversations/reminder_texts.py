"""What the bot says on its own initiative: reminders, the idea giver's "still with us",
the nudge to finish a started idea, and delivery notices to coordinators.

Klarspråk, warm and short; every message names the idea and the stage and says what happens
next. A test checks that both languages have the same keys and placeholders.
"""

from __future__ import annotations

from conversations.texts import named_in, text_in

SV: dict[str, str] = {
    "reminder.idle": (
        "Hej {name}! Idén ”{title}” (nummer {number}) har legat i steget {stage} i {days} "
        "arbetsdagar utan att något har hänt. Kan du titta på den i dag? "
        "Idégivaren väntar på besked."
    ),
    "reminder.idle.noname": (
        "Hej! Idén ”{title}” (nummer {number}) har legat i steget {stage} i {days} "
        "arbetsdagar utan att något har hänt. Kan du titta på den i dag? "
        "Idégivaren väntar på besked."
    ),
    "reminder.escalation": (
        "Hej {name}! Idén ”{title}” (nummer {number}) har legat i steget {stage} i {days} "
        "arbetsdagar. {responsible} har fått en påminnelse, men inget har hänt ännu. "
        "Kan du hjälpa till att få den vidare?"
    ),
    "reminder.escalation.noname": (
        "Hej! Idén ”{title}” (nummer {number}) har legat i steget {stage} i {days} "
        "arbetsdagar. {responsible} har fått en påminnelse, men inget har hänt ännu. "
        "Kan du hjälpa till att få den vidare?"
    ),
    "reminder.parked": (
        "Hej {name}! Idén ”{title}” (nummer {number}) har varit vilande i {days} arbetsdagar. "
        "Är det dags att titta på den igen? Idégivaren har fått veta att vi hör av oss."
    ),
    "reminder.parked.noname": (
        "Hej! Idén ”{title}” (nummer {number}) har varit vilande i {days} arbetsdagar. "
        "Är det dags att titta på den igen? Idégivaren har fått veta att vi hör av oss."
    ),
    "reminder.giver": (
        "Hej {name}! Din idé ”{title}” finns kvar hos oss. Den är i steget {stage}, "
        "och {coordinator} har hand om den. Vi hör av oss så snart något händer."
    ),
    "reminder.giver.noname": (
        "Hej! Din idé ”{title}” finns kvar hos oss. Den är i steget {stage}, "
        "och {coordinator} har hand om den. Vi hör av oss så snart något händer."
    ),
    "reminder.nudge": (
        "Hej {name}! Du började berätta om en idé men vi blev inte klara. "
        "Skriv till mig när du har en stund, så fortsätter vi där vi slutade."
    ),
    "reminder.nudge.noname": (
        "Hej! Du började berätta om en idé men vi blev inte klara. "
        "Skriv till mig när du har en stund, så fortsätter vi där vi slutade."
    ),
    "notice.unreachable": (
        "Hej {name}! Jag kan inte längre skicka meddelanden till {person} – troligen har "
        "appen blockerats eller tagits bort. {count} meddelanden kom inte fram. "
        "Ta gärna kontakt på något annat sätt."
    ),
    "notice.unreachable.noname": (
        "Hej! Jag kan inte längre skicka meddelanden till {person} – troligen har "
        "appen blockerats eller tagits bort. {count} meddelanden kom inte fram. "
        "Ta gärna kontakt på något annat sätt."
    ),
    "someone.coordinators": "idéslussarna",
    "someone.coordinators.subject": "Idéslussarna",
    "someone.unknown": "en medarbetare",
}

EN: dict[str, str] = {
    "reminder.idle": (
        "Hi {name}! The idea “{title}” (number {number}) has been in the stage {stage} for "
        "{days} working days with nothing happening. Could you look at it today? "
        "The idea giver is waiting to hear from us."
    ),
    "reminder.idle.noname": (
        "Hi! The idea “{title}” (number {number}) has been in the stage {stage} for "
        "{days} working days with nothing happening. Could you look at it today? "
        "The idea giver is waiting to hear from us."
    ),
    "reminder.escalation": (
        "Hi {name}! The idea “{title}” (number {number}) has been in the stage {stage} for "
        "{days} working days. {responsible} got a reminder, but nothing has happened yet. "
        "Could you help move it forward?"
    ),
    "reminder.escalation.noname": (
        "Hi! The idea “{title}” (number {number}) has been in the stage {stage} for "
        "{days} working days. {responsible} got a reminder, but nothing has happened yet. "
        "Could you help move it forward?"
    ),
    "reminder.parked": (
        "Hi {name}! The idea “{title}” (number {number}) has been on hold for {days} working "
        "days. Is it time to look at it again? The idea giver was told we would be in touch."
    ),
    "reminder.parked.noname": (
        "Hi! The idea “{title}” (number {number}) has been on hold for {days} working "
        "days. Is it time to look at it again? The idea giver was told we would be in touch."
    ),
    "reminder.giver": (
        "Hi {name}! Your idea “{title}” is still with us. It is in the stage {stage}, "
        "looked after by {coordinator}. We will be in touch as soon as something happens."
    ),
    "reminder.giver.noname": (
        "Hi! Your idea “{title}” is still with us. It is in the stage {stage}, "
        "looked after by {coordinator}. We will be in touch as soon as something happens."
    ),
    "reminder.nudge": (
        "Hi {name}! You started telling me about an idea, but we didn't finish. "
        "Write to me when you have a moment and we'll carry on where we left off."
    ),
    "reminder.nudge.noname": (
        "Hi! You started telling me about an idea, but we didn't finish. "
        "Write to me when you have a moment and we'll carry on where we left off."
    ),
    "notice.unreachable": (
        "Hi {name}! I can no longer send messages to {person} – the app has probably been "
        "blocked or removed. {count} messages did not arrive. "
        "Please get in touch with them some other way."
    ),
    "notice.unreachable.noname": (
        "Hi! I can no longer send messages to {person} – the app has probably been "
        "blocked or removed. {count} messages did not arrive. "
        "Please get in touch with them some other way."
    ),
    "someone.coordinators": "the coordinators",
    "someone.coordinators.subject": "The coordinators",
    "someone.unknown": "a colleague",
}

TEXTS: dict[str, dict[str, str]] = {"sv": SV, "en": EN}


def t(lang: str, key: str, **values: object) -> str:
    return text_in(TEXTS, lang, key, **values)


def t_named(lang: str, key: str, name: str | None, **values: object) -> str:
    """Like `t`, but picks the `.noname` variant when we don't know the person's name."""
    return named_in(TEXTS, lang, key, name, **values)
