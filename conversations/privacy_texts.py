# ruff: noqa: E501 - sentences read better unbroken
"""What the bot says about personal data (`mina uppgifter`, `glöm mig`, `gdpr …`), in Swedish
(default) and English. A test checks both languages have the same keys and placeholders."""

from __future__ import annotations

from conversations.texts import DEFAULT_LANGUAGE

SV: dict[str, str] = {
    "pseudonym": "Tidigare medarbetare {number}",
    "mydata.title": "Det här har jag sparat om dig",
    "mydata.text": (
        "Här är allt jag har sparat om dig. Hela underlaget finns i filen {file}. "
        "Vill du att jag glömmer dig? Skriv ”glöm mig”."
    ),
    "mydata.other_title": "Uppgifter om {person}",
    "mydata.other_text": "Hela underlaget om {person} finns i filen {file}. Uttaget är loggat.",
    "fact.name": "Namn",
    "fact.platform": "Plattform och användar-id",
    "fact.language": "Språk",
    "fact.workplace": "Arbetsplats",
    "fact.ideas": "Idéer",
    "fact.draft": "Påbörjad idé",
    "fact.messages": "Meddelanden till dig",
    "fact.satisfaction": "Svar om nöjdhet",
    "fact.coordinator": "Idéslussare",
    "value.none": "–",
    "value.yes": "Ja",
    "value.no": "Nej",
    "value.language_auto": "Som i {platform}",
    "value.count": "{count} st",
    "forget.explain": (
        "Om du vill kan jag glömma dig. Det betyder:\n"
        "• Ditt namn byts mot ”{pseudonym}” och ditt användar-id mot ett slumpat id, så att ingen kan koppla uppgifterna till dig.\n"
        "• Din adress för meddelanden, ditt språkval och din arbetsplats tas bort.\n"
        "• En idé du har börjat på men inte skickat in tas bort, och meddelanden som väntar på att skickas till dig stoppas.\n"
        "• Idéer du har skickat in finns kvar, eftersom de är allmänna handlingar, men utan ditt namn.\n"
        "Det går inte att ångra. Vill du att jag glömmer dig?"
    ),
    "forget.confirm": "Ja, glöm mig",
    "forget.keep": "Nej, behåll",
    "forget.kept": "Då sparar jag allt som förut. Du kan alltid skriva ”mina uppgifter” för att se vad jag har sparat.",
    "forget.stale": "Den frågan är för gammal. Skriv ”glöm mig” igen om du vill att jag glömmer dig.",
    "forget.done": (
        "Klart. Jag har glömt dig: dina idéer finns kvar som {pseudonym}, utan koppling till dig. "
        "Skriver du till mig igen börjar vi från början."
    ),
    "erase.done": (
        "Klart. {person} heter nu {pseudonym} och kan inte längre kopplas till sina uppgifter "
        "({ideas} idéer finns kvar utan namn). Raderingen är loggad."
    ),
    "erase.admin_only": "Bara en administratör kan radera en persons uppgifter, eftersom det inte går att ångra.",
    "export.coordinator_only": "Bara idéslussare och administratörer kan ta ut en annan persons uppgifter.",
    "unknown_person": "Jag har inga uppgifter om {person}.",
    "anonymous.choice": "Dölj mitt namn för bedömare",
    "anonymous.on": (
        "Klart. Ditt namn på idé {number} visas nu bara för idéslussarna – inte för dem som "
        "bedömer idén eller i exporter. Skriv ”anonym {number} av” om du ändrar dig."
    ),
    "anonymous.off": "Klart. Ditt namn på idé {number} visas igen för dem som bedömer idén.",
    "anonymous.not_yours": "Du kan bara välja det för dina egna idéer. Skriv ”mina” så ser du dem.",
    "anonymous.marker": "{name} (dolt för bedömare)",
    "anonymous.export": "(anonym)",
}

EN: dict[str, str] = {
    "pseudonym": "Former employee {number}",
    "mydata.title": "What I have stored about you",
    "mydata.text": (
        "Here is everything I have stored about you. The full record is in the file {file}. "
        "Would you like me to forget you? Write “forget me”."
    ),
    "mydata.other_title": "Data about {person}",
    "mydata.other_text": "The full record about {person} is in the file {file}. This export is logged.",
    "fact.name": "Name",
    "fact.platform": "Platform and user id",
    "fact.language": "Language",
    "fact.workplace": "Workplace",
    "fact.ideas": "Ideas",
    "fact.draft": "Idea in progress",
    "fact.messages": "Messages to you",
    "fact.satisfaction": "Satisfaction answers",
    "fact.coordinator": "Coordinator",
    "value.none": "–",
    "value.yes": "Yes",
    "value.no": "No",
    "value.language_auto": "As in {platform}",
    "value.count": "{count}",
    "forget.explain": (
        "If you like, I can forget you. This means:\n"
        "• Your name is replaced by “{pseudonym}” and your user id by a random id, so nobody can link the data to you.\n"
        "• Your address for messages, your language choice and your workplace are removed.\n"
        "• An idea you have started but not sent in is deleted, and messages waiting to be sent to you are stopped.\n"
        "• Ideas you have sent in stay, because they are official documents, but without your name.\n"
        "This cannot be undone. Do you want me to forget you?"
    ),
    "forget.confirm": "Yes, forget me",
    "forget.keep": "No, keep it",
    "forget.kept": "Then I keep everything as before. You can always write “my data” to see what I have stored.",
    "forget.stale": "That question is too old. Write “forget me” again if you want me to forget you.",
    "forget.done": (
        "Done. I have forgotten you: your ideas stay as {pseudonym}, with no link to you. "
        "If you write to me again, we start afresh."
    ),
    "erase.done": (
        "Done. {person} is now {pseudonym} and can no longer be linked to their data "
        "({ideas} ideas stay without a name). The erasure is logged."
    ),
    "erase.admin_only": "Only an admin can erase a person's data, because it cannot be undone.",
    "export.coordinator_only": "Only coordinators and admins can export another person's data.",
    "unknown_person": "I have no data about {person}.",
    "anonymous.choice": "Hide my name from assessors",
    "anonymous.on": (
        "Done. Your name on idea {number} is now shown only to the coordinators – not to those "
        "who assess the idea, nor in exports. Write “anonymous {number} off” if you change your mind."
    ),
    "anonymous.off": "Done. Your name on idea {number} is shown again to those who assess it.",
    "anonymous.not_yours": "You can only choose that for your own ideas. Write “mine” to see them.",
    "anonymous.marker": "{name} (hidden from assessors)",
    "anonymous.export": "(anonymous)",
}

TEXTS: dict[str, dict[str, str]] = {"sv": SV, "en": EN}


def pt(lang: str, key: str, **values: object) -> str:
    table = TEXTS.get(lang, TEXTS[DEFAULT_LANGUAGE])
    return table[key].format(**values) if values else table[key]
