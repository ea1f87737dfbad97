"""What the Teams adapter says on its own, in Swedish and English: same keys, same
placeholders (a test checks)."""

from __future__ import annotations

from conversations.texts import DEFAULT_LANGUAGE

SV: dict[str, str] = {
    # Files need Teams' file consent cards, which the bot does not use: say where the file is.
    "attachment.elsewhere": (
        "Filen ”{name}” kan jag inte skicka här i Teams. Du får den i terminalchatten på "
        "servern: kör idesluss chat och skriv samma kommando där, så sparas filen."
    ),
}

EN: dict[str, str] = {
    "attachment.elsewhere": (
        "I cannot send the file “{name}” here in Teams. You get it in the terminal chat on "
        "the server: run idesluss chat and type the same command there, and the file is saved."
    ),
}

TEXTS = {"sv": SV, "en": EN}


def tt(lang: str, key: str, **values: str) -> str:
    table = TEXTS.get(lang, TEXTS[DEFAULT_LANGUAGE])
    return table[key].format(**values)
