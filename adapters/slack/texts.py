"""What the Slack app says on its own (outside the dialogue and the commands): the answer
to an @mention and the App Home tab. Swedish and English, same keys, same placeholders."""

from __future__ import annotations

from conversations.texts import text_in

SV: dict[str, str] = {
    "mention.how_to_start": (
        "Hej {name}! Jag är Idéslussen. Har du en idé? Skriv till mig i {messages_link}, så "
        "hjälper jag dig att beskriva den – det tar ungefär fem minuter. Idéslussare skriver "
        "/idea hjälp för att se sina kommandon."
    ),
    "mention.how_to_start.noname": (
        "Hej! Jag är Idéslussen. Har du en idé? Skriv till mig i {messages_link}, så hjälper "
        "jag dig att beskriva den – det tar ungefär fem minuter. Idéslussare skriver /idea "
        "hjälp för att se sina kommandon."
    ),
    "mention.messages_tab": "fliken Meddelanden",
    "mention.direct_message": "ett direktmeddelande",
    "home.title": "Idéslussen",
    "home.intro": (
        "Här ser du dina idéer och var de är just nu. Vill du skicka in en ny idé? Skriv till "
        "mig under fliken Meddelanden."
    ),
    "home.mine": "Dina idéer",
    "home.mine.none": (
        "Du har inte skickat in någon idé än. Alla idéer är välkomna – stora som små. Skriv "
        "till mig under fliken Meddelanden så börjar vi."
    ),
    "home.queue": "Att ta hand om",
    "home.queue.intro": (
        "Idéer som är dina eller som ingen har tagit än, den som väntat längst först."
    ),
    "home.queue.none": "Inga idéer väntar på dig just nu.",
    "home.idea.stage": "Läge: {stage}",
    "home.idea.updated": "Senast ändrad: {date}",
    "home.idea.giver": "Från: {name}",
    "home.idea.yours": "Din",
    "home.idea.unassigned": "Ingen har tagit den än",
    "home.more": "Här visas de {count} senaste.",
    "command.try_again": (
        "Förlåt, jag kunde inte ta emot det just nu – något strular hos mig. Försök igen om "
        "en liten stund."
    ),
}

EN: dict[str, str] = {
    "mention.how_to_start": (
        "Hi {name}! I'm the Idea Sluice. Do you have an idea? Write to me in {messages_link} "
        "and I'll help you describe it – it takes about five minutes. Coordinators can type "
        "/idea help to see their commands."
    ),
    "mention.how_to_start.noname": (
        "Hi! I'm the Idea Sluice. Do you have an idea? Write to me in {messages_link} and I'll "
        "help you describe it – it takes about five minutes. Coordinators can type /idea help "
        "to see their commands."
    ),
    "mention.messages_tab": "the Messages tab",
    "mention.direct_message": "a direct message",
    "home.title": "The Idea Sluice",
    "home.intro": (
        "Here you see your ideas and where they are right now. Want to send a new idea? Write "
        "to me in the Messages tab."
    ),
    "home.mine": "Your ideas",
    "home.mine.none": (
        "You haven't sent an idea yet. Every idea is welcome – big or small. Write to me in "
        "the Messages tab and we'll begin."
    ),
    "home.queue": "To look after",
    "home.queue.intro": (
        "Ideas that are yours or that nobody has taken yet, longest waiting first."
    ),
    "home.queue.none": "No ideas are waiting for you right now.",
    "home.idea.stage": "Stage: {stage}",
    "home.idea.updated": "Last changed: {date}",
    "home.idea.giver": "From: {name}",
    "home.idea.yours": "Yours",
    "home.idea.unassigned": "Nobody has taken it yet",
    "home.more": "Showing the latest {count}.",
    "command.try_again": (
        "Sorry, I couldn't take that in just now – something is wrong on my side. Please try "
        "again in a little while."
    ),
}

TEXTS: dict[str, dict[str, str]] = {"sv": SV, "en": EN}


def t(lang: str, key: str, **values: object) -> str:
    return text_in(TEXTS, lang, key, **values)
