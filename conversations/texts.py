"""Every sentence the intake dialogue says, in Swedish (default) and English.

Klarspråk: short sentences, "du", one question at a time, an example and a way out.
A test checks that both languages have the same keys and the same placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Protocol

DEFAULT_LANGUAGE = "sv"
LANGUAGES = ("sv", "en")

SV: dict[str, str] = {
    # Starting, resuming, ending.
    "greeting": (
        "Hej {name}! Jag är Idéslussen. Jag hjälper dig att beskriva din idé och ser till att "
        "den når dem som kan pröva den i liten skala. Det tar ungefär fem minuter, och du kan "
        "sluta när som helst – jag kommer ihåg var vi var."
    ),
    "greeting.noname": (
        "Hej! Jag är Idéslussen. Jag hjälper dig att beskriva din idé och ser till att den når "
        "dem som kan pröva den i liten skala. Det tar ungefär fem minuter, och du kan sluta när "
        "som helst – jag kommer ihåg var vi var."
    ),
    "resume": "Välkommen tillbaka, {name}! Vi höll på att beskriva din idé. Här fortsätter vi:",
    "resume.noname": "Välkommen tillbaka! Vi höll på att beskriva din idé. Här fortsätter vi:",
    "submitted": (
        "Tack, {name}! Din idé ”{title}” har kommit fram och har nummer {number}. "
        "En idéslussare läser den och hör av sig till dig inom en vecka. "
        "Har du fler idéer? Skriv till mig när som helst."
    ),
    "submitted.noname": (
        "Tack! Din idé ”{title}” har kommit fram och har nummer {number}. "
        "En idéslussare läser den och hör av sig till dig inom en vecka. "
        "Har du fler idéer? Skriv till mig när som helst."
    ),
    "cancelled": (
        "Okej, jag har lagt idén åt sidan och sparar inget av det du skrev. "
        "Skriv till mig när du vill börja igen – alla idéer är välkomna."
    ),
    # The questions, each with an example and a way out.
    "ask.title": (
        "Vad vill du kalla din idé? Ett kort namn räcker, till exempel "
        "”Lånecyklar för hemtjänsten”."
    ),
    "ask.need": (
        "Vilket behov eller problem löser idén, och vem märker av det i dag? "
        "Till exempel: ”Personalen i hemtjänsten väntar på bilar varje morgon.”"
    ),
    "ask.idea": (
        "Hur skulle idén fungera? Beskriv den med dina egna ord – det behöver inte vara färdigt."
    ),
    "ask.benefit": (
        "Vem har nytta av idén – invånare, kollegor eller kommunen – och på vilket sätt?"
    ),
    "ask.first_test": (
        "Hur skulle idén kunna prövas i liten skala först? Till exempel: ”En arbetsgrupp provar "
        "i en månad.” Skriv ”hoppa över” om du inte vet än."
    ),
    "ask.involved": (
        "Vilka enheter, förvaltningar eller samarbetspartner kan behöva vara med? "
        "Skriv ”hoppa över” om du inte vet."
    ),
    "ask.participate": "Vill du själv vara med när idén prövas?",
    "ask.workplace": (
        "Var arbetar du? Skriv din förvaltning eller enhet, till exempel "
        "”Vård och omsorg, hemtjänst Väster”."
    ),
    "ask.current": "Nu står det: ”{current}”",
    "summary.intro": "Så här ser din idé ut. Stämmer det?",
    "edit.which": "Vad vill du ändra?",
    "confirm_cancel": "Vill du avbryta? Det du har skrivit om idén sparas då inte.",
    # Field names, used in the summary and in the edit menu.
    "field.title": "Namn",
    "field.need": "Behov",
    "field.idea": "Så fungerar den",
    "field.benefit": "Nytta",
    "field.first_test": "Första test",
    "field.involved": "Vilka behöver vara med",
    "field.participate": "Vill vara med och pröva",
    "field.workplace": "Arbetsplats",
    "value.empty": "(inte ifyllt)",
    "value.yes": "Ja",
    "value.no": "Nej",
    # Buttons.
    "choice.yes": "Ja",
    "choice.no": "Nej",
    "choice.submit": "Skicka in",
    "choice.edit": "Ändra något",
    "choice.cancel": "Avbryt",
    "choice.skip": "Hoppa över",
    "choice.confirm_cancel": "Ja, avbryt",
    "choice.keep_going": "Nej, fortsätt",
    # When an answer does not fit: the bot's problem, not the person's.
    "invalid.empty": "Jag fick inget svar.",
    "invalid.too_short": "Det blev lite kort – kan du skriva några ord till?",
    "invalid.too_long": (
        "Det var mycket text! Här får svaret vara högst {max} tecken, och ditt var {length}. "
        "Kan du korta ner det lite?"
    ),
    "invalid.choice": "Jag förstod inte riktigt – välj ett av alternativen: {options}.",
    "quoted": "”{text}”",
    "invalid.not_optional": "Den här frågan behöver jag ett svar på för att kunna gå vidare.",
    "invalid.stale_button": "Den knappen hörde till en tidigare fråga. Vi är här nu:",
    "invalid.no_dialogue": (
        "Den knappen hörde till ett samtal som redan är avslutat. "
        "Skriv till mig när du vill beskriva en ny idé."
    ),
    "back.at_start": "Det här är första frågan.",
    "error.try_again": (
        "Förlåt, jag kommer inte åt mina anteckningar just nu. Det du har skrivit tidigare är "
        "sparat – försök igen om en liten stund."
    ),
    "error.too_many": (
        "Oj, nu kom det många meddelanden på kort tid. Vänta en minut och skriv sedan igen – "
        "det du skrev nyss har jag inte sparat."
    ),
    "error.unknown_account": (
        "Jag kan inte känna igen ditt konto, så jag kan inte spara något åt dig härifrån. "
        "Det du skrev nyss har jag inte sparat. Be gärna den som sköter Idéslussen om hjälp."
    ),
    # Help, per step and the words that always work.
    "help.title": "Namnet hjälper oss att prata om idén. Några ord räcker.",
    "help.need": (
        "Berätta vad som inte fungerar bra i dag, eller vad som saknas, och vem som märker det."
    ),
    "help.idea": "Beskriv vad som skulle göras annorlunda. Det gör inget om idén inte är färdig.",
    "help.benefit": "Tänk på vem som får det bättre: invånare, kollegor eller kommunen.",
    "help.first_test": (
        "Ett första test kan vara litet: en enhet, en vecka, ett fåtal invånare. "
        "Det är ofta så idéer prövas i idéslussen."
    ),
    "help.involved": "Det kan vara en annan enhet, en förvaltning, en förening eller ett företag.",
    "help.participate": "Många som är med och prövar sin idé tycker att det är det bästa med den.",
    "help.workplace": "Vi frågar så att rätt person kan höra av sig till dig.",
    "help.summary": "Välj ”Skicka in” om allt stämmer, eller ”Ändra något” för att rätta ett svar.",
    "help.edit_choose": "Välj det svar du vill skriva om. Sedan kommer du tillbaka hit.",
    "help.confirm_cancel": "Svara ja för att avbryta, eller nej för att fortsätta med idén.",
    "help.words": (
        "Du kan alltid skriva: ”tillbaka” för förra frågan, ”hoppa över” om en fråga är frivillig, "
        "”avbryt” för att sluta, och ”hjälp” för att se det här igen."
    ),
}

EN: dict[str, str] = {
    "greeting": (
        "Hi {name}! I'm the Idea Sluice. I help you describe your idea and make sure it reaches "
        "the people who can try it out on a small scale. It takes about five minutes, and you "
        "can stop at any time – I'll remember where we were."
    ),
    "greeting.noname": (
        "Hi! I'm the Idea Sluice. I help you describe your idea and make sure it reaches the "
        "people who can try it out on a small scale. It takes about five minutes, and you can "
        "stop at any time – I'll remember where we were."
    ),
    "resume": "Welcome back, {name}! We were describing your idea. Let's carry on:",
    "resume.noname": "Welcome back! We were describing your idea. Let's carry on:",
    "submitted": (
        "Thank you, {name}! Your idea “{title}” has arrived and has number {number}. "
        "An idea coordinator will read it and get back to you within a week. "
        "Got more ideas? Write to me any time."
    ),
    "submitted.noname": (
        "Thank you! Your idea “{title}” has arrived and has number {number}. "
        "An idea coordinator will read it and get back to you within a week. "
        "Got more ideas? Write to me any time."
    ),
    "cancelled": (
        "All right, I've put the idea aside and kept nothing of what you wrote. "
        "Write to me whenever you want to start again – every idea is welcome."
    ),
    "ask.title": (
        "What would you like to call your idea? A short name is enough, for example "
        "“Shared bikes for home care”."
    ),
    "ask.need": (
        "Which need or problem does the idea address, and who notices it today? "
        "For example: “Home care staff wait for cars every morning.”"
    ),
    "ask.idea": "How would the idea work? Describe it in your own words – it needn't be finished.",
    "ask.benefit": (
        "Who would benefit from the idea – residents, colleagues or the municipality – and how?"
    ),
    "ask.first_test": (
        "How could the idea be tried out on a small scale first? For example: “One team tries "
        "it for a month.” Write “skip” if you don't know yet."
    ),
    "ask.involved": (
        "Which units, departments or partners might need to take part? "
        "Write “skip” if you don't know."
    ),
    "ask.participate": "Would you like to take part when the idea is tried out?",
    "ask.workplace": (
        "Where do you work? Write your department or unit, for example "
        "“Care services, home care West”."
    ),
    "ask.current": "Right now it says: “{current}”",
    "summary.intro": "This is your idea. Does it look right?",
    "edit.which": "What would you like to change?",
    "confirm_cancel": "Do you want to stop? What you've written about the idea won't be kept.",
    "field.title": "Name",
    "field.need": "Need",
    "field.idea": "How it works",
    "field.benefit": "Benefit",
    "field.first_test": "First test",
    "field.involved": "Who needs to take part",
    "field.participate": "Wants to help try it out",
    "field.workplace": "Workplace",
    "value.empty": "(not filled in)",
    "value.yes": "Yes",
    "value.no": "No",
    "choice.yes": "Yes",
    "choice.no": "No",
    "choice.submit": "Submit",
    "choice.edit": "Change something",
    "choice.cancel": "Cancel",
    "choice.skip": "Skip",
    "choice.confirm_cancel": "Yes, stop",
    "choice.keep_going": "No, carry on",
    "invalid.empty": "I didn't get an answer.",
    "invalid.too_short": "That was a bit short – could you add a few more words?",
    "invalid.too_long": (
        "That's a lot of text! The answer can be at most {max} characters here, and yours was "
        "{length}. Could you shorten it a little?"
    ),
    "invalid.choice": "I didn't quite understand – please pick one of: {options}.",
    "quoted": "“{text}”",
    "invalid.not_optional": "I need an answer to this question to go on.",
    "invalid.stale_button": "That button belonged to an earlier question. This is where we are:",
    "invalid.no_dialogue": (
        "That button belonged to a conversation that has already ended. "
        "Write to me whenever you want to describe a new idea."
    ),
    "back.at_start": "This is the first question.",
    "error.try_again": (
        "Sorry, I can't reach my notes right now. What you wrote earlier is saved – "
        "please try again in a little while."
    ),
    "error.too_many": (
        "Whoa, that was a lot of messages in a short time. Wait a minute and then write again – "
        "I have not saved what you just wrote."
    ),
    "error.unknown_account": (
        "I can't recognise your account, so I can't save anything for you from here. "
        "I have not saved what you just wrote. Please ask whoever runs Idésluss for help."
    ),
    "help.title": "The name helps us talk about the idea. A few words are enough.",
    "help.need": "Tell me what doesn't work well today, or what's missing, and who notices it.",
    "help.idea": "Describe what would be done differently. It's fine if the idea isn't finished.",
    "help.benefit": (
        "Think about who would be better off: residents, colleagues or the municipality."
    ),
    "help.first_test": (
        "A first test can be small: one unit, one week, a few residents. "
        "That is often how ideas are tried out in the idea sluice."
    ),
    "help.involved": "It could be another unit, a department, an association or a company.",
    "help.participate": "Many people who help try out their idea say it's the best part.",
    "help.workplace": "We ask so that the right person can get in touch with you.",
    "help.summary": (
        "Choose “Submit” if everything is right, or “Change something” to fix an answer."
    ),
    "help.edit_choose": "Choose the answer you want to rewrite. Then you'll come back here.",
    "help.confirm_cancel": "Answer yes to stop, or no to carry on with the idea.",
    "help.words": (
        "You can always write: “back” for the previous question, “skip” if a question is "
        "optional, “cancel” to stop, and “help” to see this again."
    ),
}

TEXTS: dict[str, dict[str, str]] = {"sv": SV, "en": EN}


def language_for(locale: str | None) -> str:
    """Map a platform locale such as `sv-SE` or `en-GB` to a language we speak."""
    if not locale:
        return DEFAULT_LANGUAGE
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class SpeaksALanguage(Protocol):
    """What a person row says about their language (storage.models.Person has both)."""

    locale: str | None  # the one they chose (`språk en`)
    platform_locale: str | None  # the one their platform reports


def person_language(person: SpeaksALanguage) -> str:
    """The language we speak with a person: the one they chose, else their platform's.
    The one place this is decided."""
    return person.locale or language_for(person.platform_locale)


def text_in(tables: Mapping[str, Mapping[str, str]], lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang` from one of the sv/en tables (this one, the commands',
    the reminders', a platform's), with placeholders filled in; Swedish if `lang` is not
    spoken."""
    table = tables.get(lang, tables[DEFAULT_LANGUAGE])
    return table[key].format(**values) if values else table[key]


def named_in(
    tables: Mapping[str, Mapping[str, str]],
    lang: str,
    key: str,
    name: str | None,
    **values: object,
) -> str:
    """Like `text_in`, but picks the `.noname` variant when we don't know the person's name."""
    if name:
        return text_in(tables, lang, key, name=name, **values)
    return text_in(tables, lang, f"{key}.noname", **values)


def t(lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang`, with placeholders filled in."""
    return text_in(TEXTS, lang, key, **values)


def t_named(lang: str, key: str, name: str | None, **values: object) -> str:
    """Like `t`, but picks the `.noname` variant when we don't know the person's name."""
    return named_in(TEXTS, lang, key, name, **values)


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field}
