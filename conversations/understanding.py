"""What a person means by a message, read in its context before any dialogue step sees it.

People do not answer like a form. Between the bot's questions they greet it, thank it,
apologise for a pause, ask where they were, ask for English, type a command, answer yes in
ten ways and give a score in a sentence. `understand` reads one message with what the bot
just asked (`Context`) and says what it is (`Meaning`); the dialogue and the router act on
that, so a greeting is never stored as an idea's name and "mina" is never stored as a need.

Pure, no I/O, and deliberately plain: word lists and a few rules that a reader can follow,
with rapidfuzz only where people make typos (command words, yes and no).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz import process as fuzzy

# What the bot is waiting for when the message arrives.
Expecting = Literal[
    "line",  # a short answer on one line (an idea's name, a workplace)
    "text",  # a longer answer (the need, the idea, the benefit …)
    "yesno",  # a yes or no question
    "summary",  # the summary: submit, edit or cancel
    "field",  # which answer to change
    "score",  # how satisfied, 1–5
    "comment",  # an optional comment after the score
    "nothing",  # no question open: the person writes first, or after an idea is in
]

Kind = Literal[
    "answer",  # an answer to the question asked (the text as written)
    "greeting",  # "Hej!", "God morgon", "Hello 👋"
    "thanks",  # "Tack!", "tack så mycket 😊", "thanks"
    "small_talk",  # "förlåt, var tvungen att springa", "var var vi?", "haha", "ok"
    "help",  # "hjälp", "vad ska jag skriva?", "help"
    "language",  # value: "sv" or "en" ("English please", "på svenska tack")
    "command",  # value: the command's name ("mine", "show", "forget-me", "advance" …)
    "yes",
    "no",
    "score",  # value: 1–5; comment: the rest of the message, if any
    "skip",  # "hoppa över", "vet inte än"
    "back",  # "tillbaka", "förra frågan"
    "cancel",  # "avbryt", "jag vill inte längre"
    "edit",  # value: the field to change ("title", "need" …) or None
    "new_idea",  # "jag har en idé"; comment: what followed the lead-in, if anything
    "statement",  # something said with no question open that is none of the above
]


@dataclass(frozen=True)
class Context:
    """What the bot knows when the message arrives."""

    expecting: Expecting
    lang: str = "sv"  # the conversation's language
    coordinator: bool = False
    step: str | None = None  # the dialogue's step ("title", "need" …), if any
    # The command the text reads as, when the bot's parser reads it as a whole command this
    # person may use (the bot owns the command registry; this layer only decides).
    command: str | None = None
    optional: bool = False  # the question may be skipped (then a plain "nej" skips it)


@dataclass(frozen=True)
class Meaning:
    kind: Kind
    value: str | int | None = None
    comment: str | None = None  # the words beside a score, or after "jag har en idé:"
    # The answer as it should be kept, when it is not the whole message ("Hej! Tryggare
    # tunnlar" answers "Tryggare tunnlar"); None: the message as written.
    text: str | None = None


YESNO_EXPECTING = frozenset({"yesno", "summary"})


# ── reading the words ──────────────────────────────────────────────────────────────────
# Messages are compared in a plain form: lower case, no punctuation or emoji, letters that
# people type twice in a hurry said once ("jaaa", "tackk"), and å/ä/ö also without their
# dots ("hjalp", "tillbaka"), because phones and foreign keyboards drop them.

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f3fb-\U0001f3ff]"
)
_NOT_WORD = re.compile(r"[^\w\s'’-]+")
_REPEATS = re.compile(r"(\w)\1{2,}")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_YES_EMOJI = frozenset("👍👌✅✔🙆")
_NO_EMOJI = frozenset("👎❌🙅✖")


def plain(text: str) -> str:
    """The message as it is compared: lower case, words separated by one space."""
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    text = _EMOJI.sub(" ", text)
    text = _NOT_WORD.sub(" ", text)
    text = _REPEATS.sub(r"\1\1", text)
    return " ".join(text.replace("_", " ").split()).strip(" -'")


_UNDOTTED = str.maketrans("åäöéü", "aaoeu")


def undotted(text: str) -> str:
    return text.translate(_UNDOTTED)


def _words(*phrases: str) -> frozenset[str]:
    """Phrases in their plain form, with and without å/ä/ö."""
    forms = {plain(p) for p in phrases}
    return frozenset(forms | {undotted(p) for p in forms})


def _is(said: str, phrases: frozenset[str]) -> bool:
    return said in phrases or undotted(said) in phrases


# The first words of each word list's phrases, so that most messages are turned away from a
# list with one set lookup (every message is compared with a dozen lists).
_FIRST_WORDS: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _first_words(phrases: frozenset[str]) -> frozenset[str]:
    known = _FIRST_WORDS.get(id(phrases))
    if known is None or known[0] is not phrases:
        known = (phrases, frozenset(p.split(" ", 1)[0] for p in phrases))
        _FIRST_WORDS[id(phrases)] = known
    return known[1]


def _starts(said: str, phrases: frozenset[str]) -> str | None:
    """The longest phrase the message starts with (as whole words), if any."""
    first = _first_words(phrases)
    for candidate in (said, undotted(said)):
        words = candidate.split()
        if not words or words[0] not in first:
            continue
        for count in range(min(len(words), 6), 0, -1):
            head = " ".join(words[:count])
            if head in phrases:
                return head
    return None


def _after(said: str, head: str) -> str:
    words = said.split()
    return " ".join(words[len(head.split()) :])


# Words that carry nothing on their own around a greeting, thanks or a yes: "hej där",
# "tack igen", "ja men", the bot's own name.
# fmt: off
FILLER = _words(
    "här", "here",
    "där", "du", "ni", "igen", "allihop", "alla", "på dig", "och", "så", "men", "bara", "då", "nu",
    "hörru", "bot", "boten", "idéslussen", "idesluss", "idéslussen bot", "there", "again", "all",
    "you", "and", "so", "just", "then", "now", "bot", "friend", "mycket", "very", "much",
    "så mycket", "so much", "lots", "a lot", "verkligen", "really", "väldigt", "jätte", "super",
    "snälla", "please", "pls", "plz", "okej", "ok", "oh", "åh", "vad bra", "great", "hmm", "hm",
    "eh", "öh", "um", "uhm", "well", "nja",
)
GREETINGS = _words(
    "hej", "hejsan", "hejhej", "hej hej", "hallå", "halloj", "hallå där", "tjena", "tjenare",
    "tja", "tjabba", "tjo", "tjenixen", "morrn", "morsning", "god morgon", "godmorgon",
    "godmiddag", "god middag", "god eftermiddag", "goddag", "god dag", "god kväll", "godkväll",
    "hello", "hi", "hey", "heya", "hiya", "howdy", "yo", "good morning", "good afternoon",
    "good evening", "morning", "hola", "hej igen", "hi again", "hello again", "hey there",
    "hi there", "hello there", "tjo tjim", "mornin", "goodmorning", "hallo",
)
FAREWELLS = _words(
    "hej då", "hejdå", "vi hörs", "ha det bra", "bye", "goodbye", "see you",
)
THANKS = _words(
    "tack", "tackar", "tack tack", "tack så mycket", "tusen tack", "stort tack", "tack snälla",
    "tack för hjälpen", "tack för det", "tack ska du ha", "tackar så mycket", "tack tack tack",
    "toppen tack", "perfekt tack", "bra tack", "superbra tack", "tack för all hjälp", "thanks",
    "thank you", "thank you so much", "thanks a lot", "many thanks", "thx", "ty", "tnx", "cheers",
    "thanks for the help", "thank you for your help", "thanks for helping", "great thanks",
    "perfect thanks", "awesome thanks", "much appreciated", "appreciate it", "tackar och bugar",
    "tack för att du finns", "thanks again", "tack igen", "tack detsamma",
)
SMALL_TALK = _words(
    "var var vi", "vart var vi", "var var vi nu", "vart var vi nu", "var är vi", "where were we",
    "where was i", "where are we", "vad var frågan", "vad var frågan nu", "what was the question",
    "ett ögonblick", "ett ögonblick bara", "en sekund", "vänta lite", "vänta", "strax",
    "strax tillbaka", "jag är tillbaka", "nu är jag tillbaka", "här igen", "one moment", "one sec",
    "just a sec", "hold on", "wait", "brb", "be right back", "i'm back", "im back", "back again",
    "haha", "hahaha", "hehe", "lol", "oj", "oops", "hoppsan", "ojdå", "hm", "hmm", "ok", "okej",
    "okay", "okey", "oki", "k", "kk", "cool", "nice", "fint", "fint så", "vad bra", "bra",
    "toppen", "kul", "great", "perfekt", "perfect", "awesome", "super", "hur mår du",
    "hur är läget", "läget", "allt väl", "how are you", "how's it going", "hur går det", "sorry",
    "förlåt", "ursäkta", "sorry about that", "förlåt för det", "mm", "mhm", "aha", "jaha", "jaså",
    "i see", "got it", "uppfattat", "kör", "ja ja", "är du en robot", "are you a robot",
    "är du en människa", "are you human", "vem är du", "who are you", "lugnt", "no worries",
    "ingen fara", "inga problem", "no problem",
)
# fmt: on
# "Förlåt, var tvungen att springa iväg": an apology for a pause, not an answer. Only with
# one of these words does an apology count as small talk; "Förlåt, men bilarna är alltid
# sena" answers the question.
# fmt: off
_PAUSE = _words(
    "larm", "tog", "larmet", "chatt", "chat", "tryckte", "råkade", "fel chatt", "wrong chat",
    "springa", "sprang", "iväg", "borta", "ringde", "telefonen", "möte", "mötet", "störd",
    "avbruten", "avbröts", "dröjde", "dröjt", "sent", "glömde", "upptagen", "tillbaka",
    "distracted", "busy", "meeting", "call", "run", "ran", "away", "late", "delay", "back",
    "interrupted", "phone", "brb", "vänta", "wait", "sorry for the wait", "lunch", "rast",
    "barnen", "kid", "kids", "brukare", "patient", "jobbet", "work",
)
_APOLOGY = _words(
    "förlåt", "ursäkta", "sorry", "oj förlåt", "sorry sorry", "pardon", "excuse me",
)
# fmt: on
_WHERE_WERE_WE = re.compile(
    r"\b(va[rt]|vart) (var|är) vi\b|\bwhere (were|was|are) (we|i)\b|\bvad var frågan\b"
    r"|\bwhat was the question\b|\bvad frågade du\b|\bwhat did you ask\b"
)
# fmt: off
HELP = _words(
    "hjälp", "help", "hjälp mig", "help me", "hjälp tack", "help please",
    "vad menar du", "hur menar du", "vad betyder det", "what do you mean", "what does that mean",
    "jag förstår inte", "förstår inte", "i don't understand", "i dont understand",
    "don't understand", "vad ska jag skriva", "what should i write", "what do i write",
    "vad ska jag svara", "hur ska jag svara", "hur svarar jag", "how do i answer",
    "how should i answer", "exempel", "ge ett exempel", "har du ett exempel",
    "kan du ge ett exempel", "give me an example", "an example", "example please",
    "what can you do", "vad kan du", "vad kan du göra", "vad kan jag skriva", "vad gör du",
    "hur funkar det", "hur fungerar det", "how does this work", "how does it work",
    "jag vet inte vad jag ska skriva", "i don't know what to write", "hjälp vad ska jag göra",
    "vad gör jag nu", "what now", "what do i do now", "vad ska jag göra", "kan du förklara",
    "förklara", "explain", "can you explain", "menar du", "hur då",
)
SKIP = _words(
    "vill helst inte säga", "vill inte säga", "helst inte", "nothing more", "inget mer", "no more",
    "rather not say", "vet inte vad den ska heta", "not sure yet", "no idea yet",
    "hoppa över", "hoppa", "hoppa över den", "hoppar över", "skippa", "skip", "skip it",
    "skip this", "pass", "vet inte", "vet ej", "vet inte än", "vet inte ännu", "ingen aning",
    "inte än", "inte ännu", "not yet", "don't know", "dont know", "i don't know", "no idea",
    "not sure", "inte säker", "osäker", "n a", "na", "nästa", "nästa fråga", "next",
    "next question", "kanske senare", "maybe later", "later", "senare", "jag vet inte",
    "har ingen aning", "vet inte riktigt", "inget", "ingen", "inga", "nothing", "none", "nobody",
    "ingen särskild", "inga andra", "inte vad jag vet", "ingen just nu", "skip for now",
    "hoppa över tills vidare",
)
BACK = _words(
    "tilbaka", "tilbaks",
    "tillbaka", "tillbaks", "back", "go back", "bakåt", "förra", "förra frågan", "föregående",
    "föregående fråga", "previous", "previous question", "gå tillbaka", "backa", "ångra", "undo",
    "oj fel", "jag skrev fel", "skrev fel", "det blev fel", "vänta det blev fel", "fel",
    "oops wrong", "wrong", "i made a mistake", "that was wrong", "last question",
    "the previous one", "ta om förra", "ändra förra", "ändra förra svaret",
    "change my last answer", "jag vill ändra förra svaret", "kan jag ändra förra",
)
CANCEL = _words(
    "avbryt allt", "cancel everything", "cancel it all", "stop everything",
    "avbryt", "avsluta", "sluta", "stopp", "stop", "cancel", "quit", "exit", "glöm det",
    "strunta i det", "skit i det", "never mind", "nevermind", "forget it", "forget about it",
    "jag vill inte längre", "jag vill inte", "i don't want to", "i dont want to",
    "jag vill avbryta", "i want to stop", "i want to cancel", "släng", "släng den",
    "ta bort utkastet", "radera", "delete", "jag ångrar mig", "jag har ändrat mig",
    "i changed my mind", "changed my mind", "vi tar det en annan gång", "en annan gång",
    "another time", "avbryt idén", "cancel the idea", "drop it", "ge upp",
)
YES = _words(
    "jajamän", "jajemen", "yess", "absolut ja",
    "ja", "j", "jo", "japp", "jepp", "jajamen", "jadå", "jajjemen", "ja visst", "visst", "absolut",
    "gärna", "ja gärna", "självklart", "givetvis", "okej", "ok", "okay", "oki", "kör", "kör på",
    "kör hårt", "yes", "y", "yep", "yeah", "yup", "ya", "yas", "sure", "definitely", "of course",
    "absolutely", "certainly", "correct", "that's right", "det stämmer", "stämmer", "stämmer bra",
    "precis", "exakt", "rätt", "det är rätt", "ser bra ut", "looks good", "looks great", "perfekt",
    "toppen", "bra", "great", "fine", "fint", "alright", "all right", "go", "go ahead", "do it",
    "gör det", "ja tack", "yes please", "jaa", "jo då", "jodå", "ja det vill jag", "det vill jag",
    "i do", "i would", "i'd like that", "yes i would", "sounds good", "låter bra", "låter bra det",
    "varför inte", "why not", "ja ja", "skicka", "skicka in", "skicka in den", "submit", "send",
    "send it", "klar", "done", "färdig", "det ser bra ut", "allt stämmer", "all good",
    "everything is correct", "yes send", "ja skicka", "japp skicka", "ja skicka in", "yes submit",
    "alla rätt", "jajemän",
)
NO = _words(
    "inte just nu", "not this time", "i'd rather not", "rather not", "nej inte nu",
    "inte den här gången", "not right now",
    "nej", "n", "nä", "nää", "nix", "nope", "no", "nah", "nay", "inte nu", "nej tack", "no thanks",
    "no thank you", "helst inte", "hellre inte", "not really", "inte riktigt", "inte direkt",
    "inte alls", "not at all", "nej det vill jag inte", "no i don't", "i don't", "jag vill inte",
    "absolut inte", "definitely not", "no way", "nej nej", "nåt annat", "nej inte än", "fel",
    "wrong", "det stämmer inte", "that's wrong", "not correct", "nej då", "nejdå", "icke", "nopp",
    "nä tack", "nää tack", "hellre inte tack", "not now",
)
EDIT = _words(
    "ändra", "ändra något", "ändra lite", "edit", "change", "change something", "rätta",
    "rätta något", "fixa", "jag vill ändra", "i want to change", "i'd like to change",
    "can i change", "kan jag ändra", "nej ändra", "no change", "korrigera", "redigera",
)
FIELDS: dict[str, frozenset[str]] = {
    "title": _words(
        "namn", "namnet", "titel", "titeln", "rubrik", "rubriken", "idéns namn", "title",
        "the title", "name", "the name", "heading",
    ),
    "need": _words(
        "behov", "behovet", "problem", "problemet", "need", "the need", "the problem",
        "problem it solves", "vilket behov",
    ),
    "idea": _words(
        "hur den fungerar", "så fungerar den", "how it works", "hur det fungerar",
        "hur idén fungerar",
        "idé", "idén", "själva idén", "beskrivning", "beskrivningen", "lösning", "lösningen",
        "idea", "the idea", "description", "the description", "solution", "the solution",
        "vad idén är",
    ),
    "benefit": _words(
        "nytta", "nyttan", "vem har nytta", "benefit", "the benefit", "who benefits", "who gains",
        "vinsten",
    ),
    "first_test": _words(
        "test", "testet", "första test", "första testet", "prova", "first test", "the first test",
        "the test", "pilot", "how to test",
    ),
    "involved": _words(
        "vilka som ska vara med", "who's involved", "who is involved", "vilka som behövs",
        "involverade", "vilka fler", "fler", "involved", "who else", "others",
        "the others", "other people", "partners",
    ),
    "participate": _words(
        "vara med", "delta", "medverka", "om jag vill vara med", "participate", "take part",
        "join", "being part",
    ),
    "workplace": _words(
        "arbetsplats", "arbetsplatsen", "arbetsplatsen min", "jobb", "var jag jobbar", "workplace",
        "the workplace", "where i work", "my workplace", "enhet", "enheten", "förvaltning",
    ),
}
# fmt: on
FIELD_ORDER = tuple(FIELDS)
# fmt: off
NEW_IDEA = _words(
    "har en idé", "har ett förslag", "har en idé till", "har en ny idé", "jag har också en idé",
    "har också en idé", "jag har också ett förslag", "kan jag skicka in en idé",
    "kan jag lämna en idé", "kan jag lämna ett förslag", "can i submit an idea",
    "can i send an idea", "how do i submit an idea", "hur lämnar jag en idé",
    "hur skickar jag in en idé", "i also have an idea", "i have one more idea",
    "jag har en idé", "jag har ett förslag", "jag har en ny idé", "ny idé", "en idé", "en ny idé",
    "idé", "förslag", "ett förslag", "jag vill lämna en idé", "jag vill lämna ett förslag",
    "jag vill berätta om en idé", "jag har en tanke", "jag har en fundering", "jag vill tipsa om",
    "jag skulle vilja föreslå", "jag vill föreslå", "jag vill ge ett förslag",
    "jag har en idé till", "vi har en idé", "vi har ett förslag", "i have an idea",
    "i have a suggestion", "i've got an idea", "ive got an idea", "new idea", "an idea", "idea",
    "suggestion", "i'd like to suggest", "i would like to suggest", "i want to suggest",
    "here's an idea", "heres an idea", "i want to share an idea", "i'd like to share an idea",
    "jag har kommit på", "jag kom på", "i had an idea", "jag fick en idé", "en till idé",
    "another idea", "one more idea", "jag har en till idé", "i have another idea",
    "jag vill lämna in en idé", "lämna en idé", "submit an idea", "jag har en idé på",
)
_IDEA_TOPIC_LEAD = _words("om", "about", "angående", "regarding")
# fmt: on

_LANGUAGE_REQUEST = re.compile(
    r"^(?:(?:can|could|may|shall) (?:we|you|i)(?: please)? (?:speak|talk|write|chat|use|"
    r"switch(?: to)?|continue(?: in)?|do(?: this| it)?(?: in)?|have(?: it| this)?(?: in)?)"
    r"|do you (?:speak|talk|understand|have|know)|(?:speak|talk|write|switch to|change to|"
    r"continue in|reply in|answer in|use)|kan (?:vi|du|ni|jag)(?: få)?(?: ta det| prata| skriva| "
    r"snacka| köra| byta till| fortsätta)?|talar du|pratar du|snackar du|förstår du|"
    r"(?:byt|byta|ändra|växla) (?:till|språk till)|(?:prata|skriv|svara|ta det|kör)|"
    r"is there|finns det|går det att (?:få|prata|ta det))\b.*\b(english|engelska|swedish|"
    r"svenska)\b"
)
_LANGUAGE_ALONE = re.compile(
    r"^(?:(?:in|på) )?(english|engelska|swedish|svenska)(?: (?:please|tack|pls|plz|thanks|"
    r"thank you|snälla|instead|istället|i stället|is fine|går bra|ok|tack så mycket))*$"
)
_NO_LANGUAGE = re.compile(
    r"\b(?:i )?(?:don't|dont|do not|can't|cant|cannot) (?:speak|understand|read|write) "
    r"(swedish|english)\b|\bjag (?:förstår|kan|talar|pratar) inte (svenska|engelska)\b"
    r"|\b(?:no|inte) (swedish|svenska|english|engelska)\b"
)
_LANGUAGE_OF = {"english": "en", "engelska": "en", "swedish": "sv", "svenska": "sv"}
_OTHER = {"en": "sv", "sv": "en"}

# Scores: a digit 1–5, its word in either language, or a grade in words.
# fmt: off
_SCORE_WORDS = {
    "ett": 1, "en": 1, "etta": 1, "ettan": 1, "one": 1, "två": 2, "tvåa": 2, "tvåan": 2, "two": 2,
    "tre": 3, "trea": 3, "trean": 3, "three": 3, "fyra": 4, "fyran": 4, "four": 4, "fem": 5,
    "femma": 5, "femman": 5, "five": 5,
}
# fmt: on
_OUT_OF = r"(?:\s*(?:/|av|of|out of)\s*(?:5|fem|five))?"
_SCORE = re.compile(rf"(?<![\w.,])([1-5]){_OUT_OF}(?![\w]|[.,]\d)(?!\s*(?:%|kr|st\b|min))", re.I)
_SCORE_WORD = re.compile(rf"(?<!\w)({'|'.join(_SCORE_WORDS)}){_OUT_OF}(?!\w)", re.I)
# "en"/"ett" are also the article ("en trea"): a number only when they are the whole answer.
_ARTICLES = frozenset({"en", "ett"})
# fmt: off
_GRADES = (
    (1, _words(
        "inte alls nöjd", "not at all", "inte alls", "not at all satisfied", "not at all happy",
        "mycket missnöjd", "jättebesviken", "väldigt besviken", "very disappointed",
        "very unhappy", "very dissatisfied", "terrible", "awful", "katastrof", "uselt",
        "jättedåligt", "mycket dåligt", "very bad",
    )),
    (2, _words(
        "missnöjd", "inte nöjd", "besviken", "dåligt", "disappointed", "unhappy", "dissatisfied",
        "not happy", "not satisfied", "bad", "inte så bra", "not great", "not good",
    )),
    (3, _words(
        "sådär", "så där", "helt ok", "okej", "ok", "mittemellan", "mitt emellan", "varken eller",
        "so so", "so-so", "okay", "alright", "average", "meh", "middle", "neutral", "helt okej",
    )),
    (4, _words(
        "nöjd", "ganska nöjd", "rätt nöjd", "bra", "good", "satisfied", "happy", "pretty happy",
        "pretty good", "quite happy", "fairly satisfied",
    )),
    (5, _words(
        "great job", "good job", "bra jobbat", "well done", "fint jobbat", "toppen jobbat",
        "mycket nöjd", "jättenöjd", "supernöjd", "väldigt nöjd", "kanonbra", "jättebra", "toppen",
        "perfekt", "very satisfied", "very happy", "excellent", "great", "fantastic", "amazing",
        "super happy", "extremely happy", "perfect", "superbra", "helnöjd",
    )),
)
# fmt: on
# The words around a score that are not a comment: "meh, 3 kanske", "I'd say a 4".
# fmt: off
_SCORE_FILLER = _words(
    "här", "here",
    "tyvärr", "sadly", "unfortunately", "i guess", "guess", "2:a", "a", "ungefär så", "sisådär",
    "tror jag", "i think", "jag tror", "ok", "okay",
    "kanske", "typ", "ungefär", "väl", "nog", "jag säger", "jag ger", "jag ger en", "jag ger det",
    "säger", "ger", "en", "ett", "a", "an", "i'd say", "id say", "i say", "i give", "i'd give",
    "i'd give it", "maybe", "probably", "about", "around", "like", "meh", "hmm", "hm", "eh", "öh",
    "well", "nja", "tja", "poäng", "points", "betyg", "i", "it", "det", "den", "av", "of", "fem",
    "five", "out", "out of", "mitt betyg", "score", "my score", "svar", "answer", "blir", "it's",
    "its", "är", "is", "en stark", "en svag", "stark", "svag", "solid", "ok", "okej", "sisådär",
    "så", "helt", "helt ok", "det blir", "it gets",
)
# fmt: on


# ── patterns beyond word lists ─────────────────────────────────────────────────────────

# A question about the question ("vad menar du med liten skala?", "why do you need that?"):
# help, when the bot has asked something. With nothing asked it is something to place.
_HELP_QUESTION = re.compile(
    r"^(?:vad (?:menar|betyder|innebär|ska jag|kan jag|händer|är)|hur (?:ska|menar|gör|"
    r"svarar|skriver|då)|varför (?:behöver|frågar|vill)|förstår inte|jag förstår inte|"
    r"kan (?:du|jag) (?:ge|förklara|vara anonym|få ett exempel)|menar du|"
    r"what (?:do|does|should|is|are|can|happens)|what's|whats|how (?:do|should|can)|"
    r"why (?:do|does|are)|i don'?t (?:understand|get)|can you (?:give|explain)|"
    r"could you (?:give|explain)|do you mean)\b"
)
_HELP_STATEMENT = re.compile(
    r"^(?:hur ska jag svara|vad ska jag skriva|förstår inte|jag förstår inte|i don'?t "
    r"understand|i don'?t get it|what should i write)\b"
)
# "Vänta, jag måste tänka lite", "brb, kids", "Kan vi pausa och fortsätta sen?": a pause.
_PAUSE_START = re.compile(
    r"^(?:ett ögonblick|ett ögonblick bara|en sekund|en minut|vänta(?: lite)?|strax|"
    r"wait|hang on|hold on|one (?:sec|second|moment|minute)|just a (?:sec|second|moment)|"
    r"brb|sorry,? one sec|give me a (?:sec|second|minute))(?:[\s,.!…:–-]|$)",
    re.IGNORECASE,
)
_PAUSE_ANYWHERE = re.compile(
    r"^(?:kan vi|can we|could we|får jag|may i|jag måste|i have to|i need to)\b.*\b(?:pausa|"
    r"ta en paus|ta paus|take a break|pause)\b|\b(?:fortsätta sen|fortsätta senare|"
    r"continue later|carry on later)\b"
)
# "Hej! Lena här", "Hi, Sam here": a greeting with a name.
_NAME_HERE = re.compile(r"^(?:det är |this is |it's |jag heter |i'm |im )?[\w-]+ (?:här|here)$")
# An idea said straight out, with nothing asked: its own start.
_IDEA_STRAIGHT_OUT = re.compile(
    r"^(?:vi borde|man borde|ni borde|tänk om|det vore (?:bra|smart|fint|kul)|jag tycker "
    r"(?:att )?vi borde|we should|what if|it would be (?:good|great|nice)|why don'?t we|"
    r"how about)\b"
)
# A mention of the previous answer: "oj, jag skrev fel på förra frågan", "can I change my
# last answer?".
_PREVIOUS = re.compile(
    r"\b(?:förra (?:frågan|svaret)|föregående (?:fråga|svar)|(?:last|previous) "
    r"(?:answer|question))\b"
)
# At the summary, "nej, namnet är fel", "the workplace is wrong": which answer to change.
_WRONG = _words(
    "fel", "wrong", "konstig", "konstigt", "ändra", "change", "rätta", "fix", "incorrect",
    "inte rätt", "not right", "stämmer inte", "fixa", "edit",
)  # fmt: skip
_THANKS_FOR = re.compile(r"^(?:för|for)\b")
_INTERJECTIONS = _words("hmm", "hm", "oj", "oh", "eh", "öh", "well", "nja", "men", "um", "äh")
_NO_COMMENT = _words("det är bra", "det var allt", "that's all", "nothing more", "inget mer")
_SCORE_SENTENCE_END = " .,!?;:–-\n\t"


# ── the meaning of one message ─────────────────────────────────────────────────────────


def understand(text: str, context: Context) -> Meaning:
    """What `text` means, said in `context`. Total: every text has one meaning."""
    said = plain(text)
    if not said:
        return _without_words(text, context)
    if (found := _control(text, said, context)) is not None:
        return found
    if context.command is not None and not (
        context.expecting in ("line", "text") and _answer_shaped(text)
    ):
        return Meaning("command", context.command)
    choosing = context.expecting in YESNO_EXPECTING or context.expecting == "field"
    if choosing and (found := _choice(said, context)) is not None:
        return found
    if context.expecting == "score":
        return _score(text, said)
    if context.expecting == "comment" and (found := _no_comment(said)) is not None:
        return found
    if (found := _social(text, said, context)) is not None:
        return found
    if context.expecting == "nothing":
        return _unasked(text, said)
    # An answer; at a yes/no question or the summary, one the dialogue explains it cannot use.
    return Meaning("answer")


def _without_words(text: str, context: Context) -> Meaning:
    """A message of emoji or punctuation only: a thumbs up is a yes where one is asked."""
    marks = set(text.strip())
    if context.expecting in YESNO_EXPECTING and marks & _YES_EMOJI:
        return Meaning("yes")
    if context.expecting in YESNO_EXPECTING and marks & _NO_EMOJI:
        return Meaning("no")
    if "?" in marks and not marks - set("?! "):
        return Meaning("help")
    if "🙏" in marks:
        return Meaning("thanks")
    if context.expecting == "nothing":
        return Meaning("greeting") if "👋" in text else Meaning("small_talk")
    if context.expecting in ("line", "text", "comment"):
        return Meaning("small_talk") if marks - set(" ") else Meaning("answer")
    return Meaning("small_talk")


def _control(text: str, said: str, context: Context) -> Meaning | None:
    """Help, a change of language, a pause, and the dialogue's own words (skip, back,
    cancel), which work at every step."""
    asked = context.expecting != "nothing"
    if _is(said, HELP) or _fuzzy_is(said, _HELP_WORDS, context):
        return Meaning("help")
    if asked and _asks_for_help(text, said):
        return Meaning("help")
    language = _language_request(said)
    if language is not None:
        return Meaning("language", language)
    if asked and context.expecting != "score" and _pauses(text, said):
        return Meaning("small_talk")
    if context.command not in (None, "help"):
        return None  # a whole command ("ångra" from a coordinator) is the command
    if context.step is None:
        # "avbryt" to a question outside the dialogue ("Menade du Prövas?"): no, do nothing.
        yesno_asked = context.expecting == "yesno" and _is(said, CANCEL)
        return Meaning("no") if yesno_asked else None
    yesno = context.expecting in YESNO_EXPECTING
    if context.step == "confirm_cancel":  # "avbryt" again is a yes, "tillbaka" a no
        if _is(said, CANCEL) or _fuzzy_is(said, CANCEL, context):
            return Meaning("yes")
        if _is(said, BACK):
            return Meaning("no")
    if not (yesno and _is(said, NO)) and (
        (_starts(said, CANCEL) and _only(said, _CANCEL_OR_FILLER))
        or _fuzzy_is(said, CANCEL, context)
    ):
        return Meaning("cancel")
    if (
        context.expecting == "summary"
        and (head := _starts(said, NO))
        and _starts(_after(said, head), CANCEL)
    ):
        return Meaning("cancel")  # "nej, avbryt"
    back = _is(said, BACK) or _fuzzy_is(said, BACK, context)
    if back and not (yesno and (_is(said, NO) or _is(said, YES))):
        return Meaning("back")
    if len(said.split()) <= 12 and _PREVIOUS.search(said):
        return Meaning("back")
    return _skip(said, context)


def _skip(said: str, context: Context) -> Meaning | None:
    """ "hoppa över", "vet inte än", and at a question one may skip, a plain "nej"."""
    if context.expecting not in ("line", "text", "yesno"):
        return None
    # At a yes/no question a "no" is an answer, not a skip.
    skip_words = SKIP - NO if context.expecting == "yesno" else SKIP
    if _is(said, skip_words) or _fuzzy_is(said, _SKIP_TYPOS, context):
        return Meaning("skip")
    head = _starts(said, _UNSURE)
    if head is not None and len(said.split()) <= 8:
        return Meaning("skip")  # "vet inte vad den ska heta än", "not sure what to call it"
    if context.optional and (_is(said, NO) or _only(said, _NO_SKIP_FILLER)):
        return Meaning("skip")
    return None


def _fuzzy_is(said: str, phrases: frozenset[str], context: Context) -> bool:
    """A typo of one of these short words ("tilbaka", "avbyrt", "hjäp"), in a message of
    one or two words; only where the bot asked something, and never for a command."""
    if context.expecting == "nothing" or context.command not in (None, "help"):
        return False
    if len(said) < 4 or len(said.split()) > 2:
        return False
    return fuzzy.extractOne(said, phrases, scorer=fuzz.ratio, score_cutoff=80) is not None


_HELP_WORDS = _words("hjälp", "help", "hjälpa")
# The skip words long enough that a near miss is a typo of them ("hopa över", "hoppa övr"),
# not another word.
_SKIP_TYPOS = _words("hoppa över", "hoppa", "skippa", "vet inte", "ingen aning")
# The word lists put together as the rules use them, once (not on every message).
_YES_OR_NO = YES | NO
_SKIP_OR_NO = SKIP | NO
_CANCEL_OR_FILLER = CANCEL | FILLER
_NO_SKIP_FILLER = NO | SKIP | FILLER
_FILLER_OR_APOLOGY = FILLER | _APOLOGY
_FILLER_OR_THANKS = FILLER | THANKS
_NOT_A_COMMENT = _SCORE_FILLER | THANKS | FILLER
_NO_COMMENT_REST = FILLER | THANKS | _NO_COMMENT
_GREETING_REST = FILLER | GREETINGS | SMALL_TALK | _APOLOGY
_THANKS_REST = FILLER | THANKS | SMALL_TALK | FAREWELLS | GREETINGS
_TALK_OR_GREETING = SMALL_TALK | GREETINGS
_UNSURE = _words(
    "vet inte", "vet ej", "jag vet inte", "ingen aning", "har ingen aning", "inte säker",
    "not sure", "no idea", "don't know", "dont know", "i don't know", "i'm not sure",
    "vill helst inte", "vill inte säga", "rather not say", "nä vet inte", "nej vet inte",
)  # fmt: skip


def _asks_for_help(text: str, said: str) -> bool:
    """A short question about the question, or "jag förstår inte"."""
    words = len(said.split())
    if words <= 10 and text.rstrip().endswith("?") and _HELP_QUESTION.search(said):
        return True
    return words <= 8 and bool(_HELP_STATEMENT.search(said))


def _pauses(text: str, said: str) -> bool:
    """ "Vänta, jag måste tänka lite", "brb, kids", "kan vi pausa och fortsätta sen?"."""
    if len(said.split()) > 10:
        return False
    return bool(_PAUSE_START.search(text.strip().casefold())) or bool(_PAUSE_ANYWHERE.search(said))


def _language_request(said: str) -> str | None:
    """ "English please", "do you speak English?", "kan vi ta det på svenska" → the language.
    Text that only mentions a language ("Kurser i svenska för nyanlända") is not a request."""
    words = said.split()
    if len(words) > 14 or not _NAMES_A_LANGUAGE.search(said):
        return None
    # A greeting or an apology in front ("Hi there! Sorry, do you speak English?") does not
    # change the request.
    if (greeting := _starts(said, GREETINGS)) is not None and _after(said, greeting):
        said = _after(said, greeting)
    while said and (_is(said.split()[0], _FILLER_OR_APOLOGY) or said.split()[0] == "sorry"):
        said = " ".join(said.split()[1:])
    if match := _LANGUAGE_ALONE.match(said):
        return _LANGUAGE_OF[match.group(1)]
    if match := _LANGUAGE_FIRST.match(said):
        return _LANGUAGE_OF[match.group(1)]
    if match := _NO_LANGUAGE.search(said):
        refused = next(group for group in match.groups() if group)
        return _OTHER[_LANGUAGE_OF[refused]]
    if len(words) <= 10 and (match := _LANGUAGE_REQUEST.search(said)):
        return _LANGUAGE_OF[match.group(1)]
    return None


_NAMES_A_LANGUAGE = re.compile(r"engl|engel|swed|svensk|eng\b")
_LANGUAGE_FIRST = re.compile(
    r"^(?:in|på) (english|engelska|swedish|svenska)(?: please| tack| pls| snälla)\b"
)


def _answer_shaped(text: str) -> bool:
    """A command word at the start of a real answer: several lines, or a long sentence."""
    return "\n" in text.strip() or len(text.split()) > 8


def _choice(said: str, context: Context) -> Meaning | None:
    """Yes, no or which answer to change, where the bot asked for one."""
    if context.expecting == "field":
        field = _field(said)
        if field is not None:
            return Meaning("edit", field)
        if _starts(said, _SKIP_OR_NO) or _is(said, _words("inget", "nothing", "ingenting")):
            return Meaning("back")  # "inget, det var bra": nothing to change after all
        return None
    if context.expecting == "summary" and (found := _edit(said)) is not None:
        return found
    yes, no = _yes_no(said)
    if yes and not no:
        return Meaning("yes")
    if no and not yes:
        return Meaning("no")
    if context.expecting in YESNO_EXPECTING and _fuzzy_is(said, _YES_OR_NO, context):
        best = fuzzy.extractOne(said, _YES_OR_NO, scorer=fuzz.ratio)
        return Meaning("yes" if best[0] in YES else "no")
    return None


def _yes_no(said: str) -> tuple[bool, bool]:
    """Whether the message says yes, and whether it says no: the whole message, or its first
    words ("ja gärna, det vore kul", "no thanks, not now", "hmm nej")."""
    while said.split() and _is(said.split()[0], _INTERJECTIONS) and len(said.split()) > 1:
        said = " ".join(said.split()[1:])
    if _is(said, YES):
        return True, False
    if _is(said, NO):
        return False, True
    yes_head = _starts(said, YES)
    no_head = _starts(said, NO)
    if yes_head and no_head:
        return (len(yes_head) >= len(no_head)), (len(no_head) > len(yes_head))
    if yes_head or no_head:
        rest = _after(said, yes_head or no_head or "")
        # "ja men bara om …" is still a yes; "nej" followed by a real sentence is a no.
        contradicts = _starts(rest, NO if yes_head else YES)
        if contradicts and not _starts(rest, FILLER):
            return False, False
        return bool(yes_head), bool(no_head)
    return False, False


def _edit(said: str) -> Meaning | None:
    """At the summary: "ändra", "ändra namnet", "nej, namnet är fel", "the workplace is
    wrong", "Nyttan blev konstig, kan jag ändra den?"."""
    head = _starts(said, EDIT)
    if head is not None:
        rest = _after(said, head)
        for filler in ("på", "i", "the", "my", "mitt", "min", "det", "om"):
            if rest.startswith(filler + " "):
                rest = rest[len(filler) + 1 :]
        return Meaning("edit", _field(rest) if rest else None)
    if len(said.split()) <= 3 and (field := _field(said)) is not None:
        return Meaning("edit", field)
    if len(said.split()) > 12:
        return None
    mentioned = _fields_named(said)
    wrong = any(_is(w, _WRONG) for w in said.split()) or _starts(said, NO) is not None
    if len(mentioned) == 1 and wrong:
        return Meaning("edit", mentioned.pop())
    return None


def _fields_named(said: str) -> set[str]:
    words = said.split()
    found = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            if (field := _exact_field(" ".join(words[i : i + size]))) is not None:
                found.add(field)
    return found


def _exact_field(said: str) -> str | None:
    for key, names in FIELDS.items():
        if _is(said, names):
            return key
    return None


def _field(said: str) -> str | None:
    """Which answer: its name in either language, or its number in the list of buttons."""
    # isdecimal, not isdigit: "²" is a digit int() cannot read.
    if said.isdecimal() and 1 <= int(said) <= len(FIELD_ORDER):
        return FIELD_ORDER[int(said) - 1]
    if (key := _exact_field(said)) is not None:
        return key
    names_by_phrase = {name: key for key, names in FIELDS.items() for name in names}
    best = fuzzy.extractOne(said, list(names_by_phrase), scorer=fuzz.ratio, score_cutoff=84)
    return names_by_phrase[best[0]] if best else None


def _score(text: str, said: str) -> Meaning:
    """A score from 1 to 5 as a digit, a word or a grade, with the rest kept as a comment."""
    digits = [m for m in _SCORE.finditer(text)]
    named = [
        m
        for m in _SCORE_WORD.finditer(text)
        if m.group(1).casefold() not in _ARTICLES or said in _ARTICLES
    ]
    found = digits or named
    scores = {
        int(m.group(1)) if m in digits else _SCORE_WORDS[m.group(1).casefold()] for m in found
    }
    if len(scores) == 1:
        return Meaning("score", scores.pop(), comment=_comment_beside_score(text, found[0]))
    if not scores and (graded := _grade(said)) is not None:
        return Meaning("score", graded, comment=None)
    if _is(said, _SKIP_OR_NO):
        return Meaning("skip")
    if (social := _social(text, said, Context("text"))) is not None:
        return social
    return Meaning("answer")


def _grade(said: str) -> int | None:
    for score, grades in reversed(_GRADES):  # "mycket nöjd" before "nöjd"
        if _is(said, grades) or any(
            f" {grade} " in f" {said} " for grade in grades if len(grade.split()) > 1
        ):
            return score
    for score, grades in _GRADES:
        if _is(said, grades):
            return score
    return None


def _comment_beside_score(text: str, score: re.Match[str]) -> str | None:
    """What the person said besides the score (tests/conversations/corpus.py has the rule):
    the score's own sentence without the score and its words, and the other sentences; a
    bare thank-you or a word that only says the score again is no comment."""
    kept: list[str] = []
    position = 0
    for piece in _SENTENCE.split(text.strip()):
        start = text.find(piece, position)
        position = start + len(piece)
        sentence = piece.strip()
        if not sentence:
            continue
        if start <= score.start() < position:
            sentence = _SCORE_WORD.sub(" ", _SCORE.sub(" ", sentence))
        words = plain(sentence)
        if (
            not words
            or _only(words, _NOT_A_COMMENT)
            or (len(words.split()) <= 3 and _grade(words) is not None)
        ):
            continue
        if start <= score.start() < position:
            sentence = _trim_lead(sentence)
        kept.append(sentence)
    comment = " ".join(kept).strip(_SCORE_SENTENCE_END)
    return comment if plain(comment) else None


def _trim_lead(rest: str) -> str:
    """The comment part of "3, för att det tog lång tid": without the score's leftovers."""
    words = rest.split()
    while words and (not plain(words[0]) or _is(plain(words[0]), _SCORE_FILLER)):
        words.pop(0)
    return " ".join(words).strip(_SCORE_SENTENCE_END)


def _no_comment(said: str) -> Meaning | None:
    """After "Vill du berätta mer?": "nä det är bra", "nothing more, thanks"."""
    if _is(said, _NO_COMMENT) or (
        (head := _starts(said, _SKIP_OR_NO)) is not None
        and _only(_after(said, head), _NO_COMMENT_REST)
    ):
        return Meaning("skip")
    if (head := _starts(said, THANKS)) is not None and len(_after(said, head).split()) <= 3:
        return Meaning("thanks")
    return None


def _social(text: str, said: str, context: Context) -> Meaning | None:
    """Greetings, thanks and small talk, alone or around each other."""
    if _is(said, GREETINGS):
        return Meaning("greeting")
    if (farewell := _starts(said, FAREWELLS)) is not None and not _only(
        _after(said, farewell), _FILLER_OR_THANKS
    ):
        return None  # "Hej då papperslappar": a name for an idea, not a goodbye
    if _is(said, THANKS):
        return Meaning("thanks")
    if _is(said, SMALL_TALK) or _WHERE_WERE_WE.search(said):
        return Meaning("small_talk")
    if (head := _starts(said, GREETINGS)) is not None:
        rest = _after(said, head)
        if _only(rest, _GREETING_REST) or _small_talk(rest):
            return Meaning("greeting")
        if _NAME_HERE.match(rest):
            return Meaning("greeting")  # "Hej! Lena här"
        if _thanks(rest, names=2):
            return Meaning("thanks")  # "Hej Maria, tack för svaret!"
        # "Hej! Tryggare tunnlar": a greeting in front of the answer.
        remainder = _strip_greeting(text)
        if remainder and context.expecting in ("line", "text", "comment"):
            inner = understand(remainder, context)
            if inner.kind == "answer":
                return Meaning("answer", text=remainder)
            return inner
        if remainder and context.expecting == "nothing":
            inner = _unasked(remainder, plain(remainder))
            return inner if inner.kind != "statement" else Meaning("statement", text=remainder)
    if _thanks(said, names=0):
        return Meaning("thanks")
    if _small_talk(said, nothing_asked=context.expecting == "nothing"):
        return Meaning("small_talk")
    if _is(said, FAREWELLS) or (
        (head := _starts(said, FAREWELLS)) is not None
        and _only(_after(said, head), _FILLER_OR_THANKS)
    ):
        return Meaning("thanks")
    return None


def _thanks(said: str, *, names: int) -> bool:
    """ "tack så mycket", "tusen tack för hjälpen", "Maria, tack för svaret" (up to `names`
    words, a name, before the thanks)."""
    words = said.split()
    for skip in range(min(names, len(words)) + 1):
        rest = " ".join(words[skip:])
        head = _starts(rest, THANKS)
        if head is None:
            continue
        after = _after(rest, head)
        if _only(after, _THANKS_REST) or _small_talk(after):
            return True
        if _THANKS_FOR.match(after) and len(after.split()) <= 6:
            return True  # "för hjälpen", "for listening"
    return False


def _small_talk(said: str, *, nothing_asked: bool = False) -> bool:
    if not said:
        return False
    if _WHERE_WERE_WE.search(said) and len(said.split()) <= 16:
        return True
    words = said.split()
    if (head := _starts(said, _APOLOGY)) is not None and len(words) <= 16:
        rest = _after(said, head).split()
        if not rest or any(_is(w, _PAUSE) for w in rest):
            return True
        # With nothing asked, a short apology is about the chat itself ("fel chatt").
        return nothing_asked and len(words) <= 6
    return len(words) <= 4 and all(_is(w, _TALK_OR_GREETING) for w in words)


def _only(rest: str, allowed: frozenset[str]) -> bool:
    """Whether `rest` is empty or made only of these words and phrases."""
    words = rest.split()
    i = 0
    while i < len(words):
        for count in range(min(4, len(words) - i), 0, -1):
            if _is(" ".join(words[i : i + count]), allowed):
                i += count
                break
        else:
            return False
    return True


def _strip_greeting(text: str) -> str:
    """The message without the greeting (and name, comma, emoji) in front of it."""
    stripped = text.strip()
    pieces = re.split(r"(?<=[!.,:;?])\s+|\n+", stripped, maxsplit=1)
    if (
        len(pieces) == 2
        and (_is(plain(pieces[0]), GREETINGS) or _starts(plain(pieces[0]), GREETINGS))
        and len(plain(pieces[0]).split()) <= 3
    ):
        return pieces[1].strip()
    words = stripped.split()
    head = _starts(plain(stripped), GREETINGS)
    if head is None:
        return stripped
    return " ".join(words[len(head.split()) :]).lstrip(" ,!.:;–-")


def _unasked(text: str, said: str) -> Meaning:
    """A message with no question open: a new idea, or something the bot must ask about."""
    sentences = [s for s in _SENTENCE.split(text.strip()) if plain(s)]
    for index, sentence in enumerate(sentences):
        head = _starts(plain(sentence), NEW_IDEA)
        if head is None:
            continue
        # The lead-in may come after an introduction ("Hej, jag heter Lena … Jag har en idé").
        rest = " ".join([sentence, *sentences[index + 1 :]])
        return Meaning("new_idea", comment=_topic(rest, head))
    if _IDEA_STRAIGHT_OUT.search(said):
        return Meaning("new_idea", comment=text.strip().strip(_SCORE_SENTENCE_END))
    if _is(said, YES) or _is(said, NO):
        return Meaning("small_talk")
    return Meaning("statement")


def _topic(text: str, head: str) -> str | None:
    """What follows "jag har en idé om …", as written: the start of the idea."""
    words = text.strip().split()
    # The lead-in's words as written: as many words as the plain lead-in has, give or take
    # the punctuation stuck to them ("idé:").
    taken, count = 0, len(head.split())
    while taken < len(words) and count > 0:
        count -= len(plain(words[taken]).split()) or 0
        taken += 1
    rest = words[taken:]
    while rest and (not plain(rest[0]) or _is(plain(rest[0]), _IDEA_TOPIC_LEAD)):
        rest = rest[1:]
    topic = " ".join(rest).strip(_SCORE_SENTENCE_END)
    return topic if plain(topic) and not _only(plain(topic), FILLER) else None


def may_be_score(text: str) -> bool:
    """Cheap check before the bot looks for an open satisfaction question."""
    said = plain(text)
    return bool(_SCORE.search(text)) or bool(_SCORE_WORD.search(text)) or _grade(said) is not None


def may_be_yes_or_no(text: str) -> bool:
    """Cheap check before the bot looks for a yes/no question asked mid-dialogue: the
    message starts with a yes or no word, or is a thumbs up or down."""
    said = plain(text)
    if not said:
        return bool(set(text) & (_YES_EMOJI | _NO_EMOJI))
    first = said.split(" ", 1)[0]
    return first in _first_words(_YES_OR_NO) or undotted(first) in _first_words(_YES_OR_NO)
