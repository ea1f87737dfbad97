# ruff: noqa: E501 - sentences read better unbroken
"""Every sentence of the commands, the notifications and the satisfaction question, in Swedish
(default) and English. Stage names and the messages sent when an idea moves live in the process
file instead (bot/process.toml), so a municipality can change them without code.

A test checks that both languages have the same keys and the same placeholders.
"""

from __future__ import annotations

from conversations.texts import text_in

SV: dict[str, str] = {
    # A file (an export) that this chat cannot carry: say where to get it instead.
    "attachment.elsewhere": (
        "Filen ”{name}” kan jag inte skicka i den här chatten. Samma uppgifter får du i "
        "terminalchatten (idesluss chat), eller av den som sköter servern med "
        "idesluss export --since ÅÅÅÅ-MM-DD."
    ),
    "welcome": "Hej {name}!",
    "welcome.noname": "Hej!",
    # a message in a channel or group chat that is not a command
    "group.personal_chat": (
        "En idé beskriver du bäst i lugn och ro i en chatt med bara mig. Skriv till mig där, "
        "så hjälper jag dig steg för steg. Kommandon fungerar här också – skriv ”hjälp” så "
        "visar jag vilka."
    ),
    # the answer to a command in a channel or group chat went to the person's personal chat;
    # the group hears only this, which names nothing but the person
    "group.answered_privately": "Jag har svarat dig i vår privata chatt, {name}.",
    "group.answered_privately.noname": "Jag har svarat dig i vår privata chatt.",
    "group.open_personal_chat": (
        "{name}, svaret skickar jag i en privat chatt med mig. Öppna en chatt med bara mig, "
        "så kommer det där."
    ),
    "group.open_personal_chat.noname": (
        "Svaret skickar jag i en privat chatt med mig. Öppna en chatt med bara mig, "
        "så kommer det där."
    ),
    "group.cannot_reach": (
        "{name}, det svaret ger jag bara i en privat chatt med mig, och där når jag dig inte "
        "just nu. Öppna en chatt med mig och fråga där."
    ),
    "group.cannot_reach.noname": (
        "Det svaret ger jag bara i en privat chatt med mig, och där når jag dig inte just nu. "
        "Öppna en chatt med mig och fråga där."
    ),
    # help
    "help.everyone": "Det här kan du skriva till mig:",
    "help.mine": "mina – dina idéer och hur långt de har kommit",
    "help.show": "visa 12 – allt om din idé nummer 12",
    "help.mydata": "mina uppgifter – allt jag har sparat om dig",
    "help.forget-me": "glöm mig – ta bort din koppling till uppgifterna",
    "help.anonymous": "anonym 12 – bara idéslussarna får se att idé 12 är din",
    "help.whoami": "vem är jag – ditt id här och din roll",
    "help.new_idea": "vad som helst annat – så hjälper jag dig att beskriva en ny idé",
    "help.coordinator": "Som idéslussare kan du också skriva:",
    "help.list": "lista [steg] [--otilldelade] [--mina] – kön, äldst först",
    "help.show.coordinator": "visa 12 – allt om idé 12, med historik, anteckningar och liknande idéer",
    "help.advance": "flytta 12 [steg] [meddelande] – till nästa steg, med en hälsning till idégivaren",
    "help.park": "parkera 12 [meddelande] – låt idén vila",
    "help.refer": "hänvisa 12 ”vart” [meddelande] – till den som äger frågan",
    "help.close": "avsluta 12 skäl – med enkla ord till idégivaren",
    "help.reopen": "återöppna 12 [meddelande]",
    "help.assign": "tilldela 12 mig|@namn – ta hand om en idé eller ge den till någon",
    "help.note": "notera 12 text – syns bara för idéslussare",
    "help.snooze": "pausa 12 5 [skäl] – inga påminnelser om idé 12 på 5 arbetsdagar",
    "help.stats": "statistik",
    "help.export": "exportera csv",
    "help.gdpr": "gdpr exportera @namn – en persons uppgifter",
    "help.admin": "Som administratör kan du också skriva:",
    "help.coordinator.admin": "idéslussare lägg till|ta bort @namn · idéslussare lista",
    "help.outbox": "utkorg – hur det går med utskicken",
    "help.gdpr.admin": "gdpr radera @namn",
    "help.stages": "Stegen: {stages}.",
    # understanding commands
    "parse.not_understood": "Jag förstod inte riktigt. Skriv ”hjälp” så visar jag vad du kan skriva.",
    "parse.unknown_command": (
        "Jag känner inte igen ”{word}”. Skriv ”hjälp” så visar jag vad du kan skriva."
    ),
    "parse.needs_number": "Vilken idé menar du? Skriv idéns nummer.",
    "parse.bad_number": "”{word}” är inget idénummer. Skriv numret med siffror, till exempel 12.",
    "parse.needs_person": "Vem menar du? Skriv ”mig” eller @namn.",
    "parse.needs_where": "Vart ska idén hänvisas? Skriv enheten, gärna inom citattecken.",
    "parse.needs_reason": (
        "Skriv också varför idén avslutas – idégivaren får läsa det, så skriv vänligt och enkelt."
    ),
    "parse.needs_note": "Vad vill du anteckna? Skriv texten efter numret.",
    "parse.list_word": "Jag förstod inte ”{word}” i listan. Skriv ett steg, --otilldelade eller --mina.",
    "parse.export_format": "Jag kan bara exportera som csv, inte ”{format}”.",
    "parse.coordinator_action": "Skriv idéslussare lägg till @namn, idéslussare ta bort @namn eller idéslussare lista.",
    "parse.extra_words": "Jag förstod inte ”{words}” efter kommandot.",
    "usage.mydata": "Så här: mina uppgifter",
    "usage.anonymous": "Så här: anonym 12 (eller anonym 12 av)",
    "usage.forget-me": "Så här: glöm mig",
    "usage.gdpr": "Så här: gdpr exportera @namn (idéslussare) eller gdpr radera @namn (administratör)",
    "parse.gdpr_action": "Skriv gdpr exportera @namn eller gdpr radera @namn.",
    "parse.too_long": "Det är för långt för mig att spara – högst {max} tecken. Inget är ändrat; korta texten och försök igen.",
    "usage.list": "Så här: lista [steg] [--otilldelade] [--mina]",
    "usage.show": "Så här: visa 12",
    "usage.assign": "Så här: tilldela 12 mig (eller @namn)",
    "usage.advance": "Så här: flytta 12 [steg] [meddelande till idégivaren]",
    "usage.park": "Så här: parkera 12 [meddelande till idégivaren]",
    "usage.refer": "Så här: hänvisa 12 ”Tekniska förvaltningen” [meddelande till idégivaren]",
    "usage.close": "Så här: avsluta 12 skälet, med enkla ord till idégivaren",
    "usage.reopen": "Så här: återöppna 12 [meddelande till idégivaren]",
    "usage.note": "Så här: notera 12 din anteckning",
    "usage.export": "Så här: exportera csv",
    "usage.coordinator": "Så här: idéslussare lägg till @namn · idéslussare ta bort @namn · idéslussare lista",
    "usage.help": "Så här: hjälp",
    "usage.mine": "Så här: mina",
    "usage.stats": "Så här: statistik",
    "usage.snooze": "Så här: pausa 12 5 [skäl] (antal arbetsdagar)",
    "usage.outbox": "Så här: utkorg",
    "usage.whoami": "Så här: vem är jag",
    # whoami
    "whoami.id": "Du är {id} – {role}.",
    "whoami.settings": (
        "Det är så en administratör skriver dig i IDESLUSS_COORDINATORS (idéslussare) eller "
        "IDESLUSS_ADMINS (administratörer)."
    ),
    "whoami.role.giver": "idégivare",
    "whoami.role.coordinator": "idéslussare",
    "whoami.role.admin": "administratör",
    # Teams' command menu (the manifest is made from the commands: adapters/teams/package.py)
    "menu.help": "Vad jag kan hjälpa till med, och alla kommandon",
    "menu.help.group": "Vad jag kan hjälpa till med (idéer beskriver du i chatten med mig)",
    "menu.mine": "Dina idéer och var de är just nu",
    "menu.list": "Idéslussare: idéer som väntar, per steg",
    "menu.show": "Visa en idé: show 12",
    "menu.advance": "Flytta en idé till nästa steg: advance 12 testing Bra idé!",
    "menu.close": "Avsluta en idé med en förklaring: close 12 Tack! Vi …",
    "menu.whoami": "Ditt id och din roll, som en administratör behöver dem",
    "parse.needs_days": "Hur många arbetsdagar ska påminnelserna vänta? Skriv antalet efter idéns nummer.",
    "parse.bad_days": "”{word}” är inget antal arbetsdagar. Skriv ett tal från 1 till {most}.",
    "parse.maybe_idea": "Ville du beskriva en idé? Skriv ”ny idé” så börjar vi.",
    # who may do what
    "refuse.coordinator": (
        "Det där kan bara idéslussare göra. Vill du veta hur det går för dina idéer? Skriv ”mina”."
    ),
    "refuse.admin": "Det där kan bara en administratör göra.",
    # ideas and moves
    "idea.not_found": "Jag hittar ingen idé med nummer {number}.",
    "idea.not_yours": "Jag hittar ingen idé med nummer {number} bland dina idéer.",
    "move.not_allowed": "Idé {number} är i steget {stage}. Därifrån kan den gå till: {allowed}.",
    "move.nowhere": "Idé {number} är i steget {stage}, och därifrån går den inte att flytta.",
    "move.choose": "Idé {number} är i steget {stage}. Skriv vilket steg den ska till: {allowed}.",
    "move.needs_reason": (
        "För att avsluta idé {number} behöver jag ett skäl. Skriv: avsluta {number} skälet"
    ),
    "move.needs_where": "Skriv vart idé {number} hänvisas: hänvisa {number} ”enheten” [meddelande]",
    "move.not_reopenable": "Idé {number} är i steget {stage} och behöver inte återöppnas.",
    "move.done": (
        "Klart: idé {number} ”{title}” gick från {from_stage} till {to_stage}. "
        "{giver} får ett meddelande om det."
    ),
    "move.done_anonymous": "Klart: idé {number} ”{title}” gick från {from_stage} till {to_stage}.",
    "assign.done": "Klart: {person} tar hand om idé {number} ”{title}”.",
    "assign.same": "{person} har redan hand om idé {number}.",
    "assign.not_coordinator": "{person} är inte idéslussare, så jag kan inte ge idén till hen.",
    "note.done": "Anteckningen är sparad på idé {number}. Den syns bara för idéslussare.",
    "snooze.done": (
        "Klart: inga påminnelser om idé {number} ”{title}” på {days}. "
        "De börjar igen {date}. Idégivaren får fortfarande höra av oss som vanligt."
    ),
    "snooze.finished": "Idé {number} är i steget {stage}, som inte har några påminnelser att pausa.",
    "outbox.counts": "Utkorgen: {pending} väntar, {sent} skickade, {failed} gick inte fram.",
    "outbox.no_failures": "Inga meddelanden har misslyckats.",
    "outbox.failures": "Senast misslyckade:",
    "outbox.failure": "• meddelande {id} ({kind}{idea}), {attempts} försök: {error}",
    "outbox.failure_idea": ", idé {number}",
    "outbox.no_error": "inget fel sparat",
    "someone": "en idéslussare",
    "nobody": "ingen ännu",
    "unknown_person": "okänd",
    # mine
    "mine.none": "Du har inte skickat in någon idé än. Skriv till mig när du vill beskriva en!",
    "mine.intro": "Dina idéer:",
    "mine.line": "{number}. {title} – {stage}, senast ändrad {date}",
    "mine.hint": "Skriv ”visa” och numret för att se mer om en idé.",
    # list
    "list.empty": "Inga idéer väntar här just nu.",
    "list.intro": "{count} idéer, äldst först:",
    "list.intro.one": "1 idé:",
    "list.line": "{number}. {title} – {stage} i {days} – {assignee}",
    "days.one": "1 dag",
    "days.many": "{days} dagar",
    "workdays.one": "1 arbetsdag",
    "workdays.many": "{days} arbetsdagar",
    "list.more": "… och {more} till. Begränsa med ett steg, till exempel: lista bedömning",
    # show
    "show.title": "Idé {number}: {title}",
    "show.stage": "Steg",
    "show.giver": "Idégivare",
    "show.assignee": "Ansvarig",
    "show.submitted": "Inkom",
    "show.satisfaction": "Nöjdhet",
    "show.satisfaction_value": "{score} av 5",
    "show.similar": "Liknande idéer",
    "show.no_similar": "inga",
    "show.history": "Historik",
    "show.notes": "Anteckningar",
    "history.submitted": "{date} {actor}: skickade in idén",
    "history.stage": "{date} {actor}: {from_stage} → {to_stage}",
    "history.assigned": "{date} {actor}: gav idén till {person}",
    "history.satisfaction": "{date} {actor}: svarade {score} av 5 på nöjdhetsfrågan",
    "history.satisfaction_comment": "{date} {actor}: lämnade en kommentar om hanteringen",
    "history.note": "{date} {actor}: {text}",
    "history.snoozed": "{date} {actor}: pausade påminnelserna till {until}",
    "history.message": " – ”{text}”",
    # stats
    "stats.title": "Statistik",
    "stats.total": "Idéer totalt",
    "stats.per_stage": "Per steg",
    "stats.per_workplace": "Per arbetsplats (de tio största)",
    "stats.median": "Median dagar per steg",
    "stats.median_line": "{stage} {days}",
    "stats.heard_back": "Fick svar i tid",
    "stats.heard_back_value": ("{share} % ({ok} av {count}) hörde av oss inom {days} arbetsdagar"),
    "stats.satisfaction": "Nöjdhet",
    "stats.satisfaction_value": "medel {mean} av 5 ({count} svar) – {distribution}",
    "stats.none": "–",
    "stats.no_workplace": "(ingen arbetsplats)",
    # export
    "export.done": "Här är alla {count} idéer med sin historik.",
    # coordinators
    "coord.added": "Klart: {person} är nu idéslussare.",
    "coord.already": "{person} är redan idéslussare.",
    "coord.removed": "Klart: {person} är inte längre idéslussare.",
    "coord.not_found": "{person} finns inte i listan över idéslussare.",
    "coord.from_settings": (
        "{person} är idéslussare via inställningen IDESLUSS_COORDINATORS och tas bort där."
    ),
    "coord.list": "Idéslussare: {people}",
    "coord.list_settings": "(från IDESLUSS_COORDINATORS)",
    "coord.list_empty": "Det finns inga idéslussare än.",
    # notifications to coordinators
    "notify.new_idea": (
        "En ny idé har kommit in: nummer {number} ”{title}” från {giver} ({workplace})."
    ),
    "notify.similar": "Liknande idéer: {similar}.",
    "notify.no_similar": "Jag hittade inga liknande idéer.",
    "notify.assigned": "{actor} har gett dig idé {number} ”{title}”. Skriv ”visa {number}” för att läsa den.",
    "choice.assign_me": "Jag tar den",
    "choice.advance_to": "Flytta till {stage}",
    # the coordinator's own words in a message to the idea giver
    "note.quoted": "{coordinator} skriver: ”{note}”",
    # satisfaction
    "satisfaction.ask": (
        "Tack igen för din idé ”{title}”, {first_name} – vad det än blev av den, så har du "
        "hjälpt oss att bli bättre. En sista fråga: hur nöjd är du med hur din idé togs om hand? "
        "Välj från 1 (inte alls) till 5 (mycket nöjd)."
    ),
    "satisfaction.ask.noname": (
        "Tack igen för din idé ”{title}” – vad det än blev av den, så har du hjälpt oss att "
        "bli bättre. En sista fråga: hur nöjd är du med hur din idé togs om hand? "
        "Välj från 1 (inte alls) till 5 (mycket nöjd)."
    ),
    "satisfaction.choice.1": "1 Inte alls",
    "satisfaction.choice.2": "2",
    "satisfaction.choice.3": "3",
    "satisfaction.choice.4": "4",
    "satisfaction.choice.5": "5 Mycket nöjd",
    "satisfaction.thanks": (
        "Tack för ditt svar! Vill du berätta något mer om hur det gick? Skriv det gärna, "
        "eller skriv ”hoppa över”."
    ),
    "satisfaction.thanks_short": "Tack för ditt svar om idén ”{title}”!",
    "satisfaction.comment_saved": "Tack, det tar vi med oss. Har du fler idéer? Skriv till mig när som helst.",
    "satisfaction.comment_skipped": "Okej! Har du fler idéer? Skriv till mig när som helst.",
    "satisfaction.already": "Du har redan svarat om idén ”{title}” – tack!",
    "satisfaction.not_asked": "Den frågan hör inte till någon av dina avslutade idéer.",
}

EN: dict[str, str] = {
    "attachment.elsewhere": (
        "I cannot send the file “{name}” in this chat. You get the same data in the terminal "
        "chat (idesluss chat), or from whoever runs the server with "
        "idesluss export --since YYYY-MM-DD."
    ),
    "welcome": "Hi {name}!",
    "welcome.noname": "Hi!",
    "group.personal_chat": (
        "An idea is best described in peace, in a chat with just me. Write to me there and "
        "I will help you step by step. Commands work here too – write “help” and I will show "
        "you which."
    ),
    "group.answered_privately": "I have answered you in our private chat, {name}.",
    "group.answered_privately.noname": "I have answered you in our private chat.",
    "group.open_personal_chat": (
        "{name}, I will send the answer in a private chat with me. Open a chat with just me "
        "and it will be there."
    ),
    "group.open_personal_chat.noname": (
        "I will send the answer in a private chat with me. Open a chat with just me "
        "and it will be there."
    ),
    "group.cannot_reach": (
        "{name}, I only give that answer in a private chat with me, and I cannot reach you "
        "there right now. Open a chat with me and ask there."
    ),
    "group.cannot_reach.noname": (
        "I only give that answer in a private chat with me, and I cannot reach you there "
        "right now. Open a chat with me and ask there."
    ),
    "help.everyone": "This is what you can write to me:",
    "help.mine": "mine – your ideas and how far they have come",
    "help.show": "show 12 – everything about your idea number 12",
    "help.mydata": "my data – everything I have stored about you",
    "help.forget-me": "forget me – remove your link to it",
    "help.anonymous": "anonymous 12 – only the coordinators may see that idea 12 is yours",
    "help.whoami": "who am i – your id here and your role",
    "help.new_idea": "anything else – and I will help you describe a new idea",
    "help.coordinator": "As a coordinator you can also write:",
    "help.list": "list [stage] [--unassigned] [--mine] – the queue, oldest first",
    "help.show.coordinator": "show 12 – everything about idea 12, with history, notes and similar ideas",
    "help.advance": "advance 12 [stage] [message] – to the next stage, with a word to the idea giver",
    "help.park": "park 12 [message] – let the idea rest",
    "help.refer": "refer 12 “where” [message] – to whoever owns the question",
    "help.close": "close 12 reason – in plain words for the idea giver",
    "help.reopen": "reopen 12 [message]",
    "help.assign": "assign 12 me|@name – take care of an idea or give it to someone",
    "help.note": "note 12 text – only coordinators see it",
    "help.snooze": "snooze 12 5 [reason] – no reminders about idea 12 for 5 working days",
    "help.stats": "stats",
    "help.export": "export csv",
    "help.gdpr": "gdpr export @name – a person's data",
    "help.admin": "As an admin you can also write:",
    "help.coordinator.admin": "coordinator add|remove @name · coordinator list",
    "help.outbox": "outbox – how the outgoing messages are doing",
    "help.gdpr.admin": "gdpr erase @name",
    "help.stages": "The stages: {stages}.",
    "parse.not_understood": "I didn't quite understand. Write “help” and I'll show what you can write.",
    "parse.unknown_command": (
        "I don't recognise “{word}”. Write “help” and I'll show what you can write."
    ),
    "parse.needs_number": "Which idea do you mean? Write the idea's number.",
    "parse.bad_number": "“{word}” is not an idea number. Write the number in digits, for example 12.",
    "parse.needs_person": "Who do you mean? Write “me” or @name.",
    "parse.needs_where": "Where should the idea be referred? Write the unit, ideally in quotes.",
    "parse.needs_reason": (
        "Please also write why the idea is closed – the idea giver will read it, so keep it "
        "kind and simple."
    ),
    "parse.needs_note": "What would you like to note? Write the text after the number.",
    "parse.list_word": "I didn't understand “{word}” in the list. Write a stage, --unassigned or --mine.",
    "parse.export_format": "I can only export as csv, not “{format}”.",
    "parse.coordinator_action": "Write coordinator add @name, coordinator remove @name or coordinator list.",
    "parse.extra_words": "I didn't understand “{words}” after the command.",
    "usage.mydata": "Like this: my data",
    "usage.anonymous": "Like this: anonymous 12 (or anonymous 12 off)",
    "usage.forget-me": "Like this: forget me",
    "usage.gdpr": "Like this: gdpr export @name (coordinators) or gdpr erase @name (admins)",
    "parse.gdpr_action": "Write gdpr export @name or gdpr erase @name.",
    "parse.too_long": "That is too long for me to store – at most {max} characters. Nothing has changed; shorten the text and try again.",
    "usage.list": "Like this: list [stage] [--unassigned] [--mine]",
    "usage.show": "Like this: show 12",
    "usage.assign": "Like this: assign 12 me (or @name)",
    "usage.advance": "Like this: advance 12 [stage] [message to the idea giver]",
    "usage.park": "Like this: park 12 [message to the idea giver]",
    "usage.refer": "Like this: refer 12 “Technical services” [message to the idea giver]",
    "usage.close": "Like this: close 12 the reason, in plain words for the idea giver",
    "usage.reopen": "Like this: reopen 12 [message to the idea giver]",
    "usage.note": "Like this: note 12 your note",
    "usage.export": "Like this: export csv",
    "usage.coordinator": "Like this: coordinator add @name · coordinator remove @name · coordinator list",
    "usage.help": "Like this: help",
    "usage.mine": "Like this: mine",
    "usage.stats": "Like this: stats",
    "usage.snooze": "Like this: snooze 12 5 [reason] (working days)",
    "usage.outbox": "Like this: outbox",
    "usage.whoami": "Like this: who am i",
    "whoami.id": "You are {id} – {role}.",
    "whoami.settings": (
        "This is how an admin writes you in IDESLUSS_COORDINATORS (coordinators) or "
        "IDESLUSS_ADMINS (admins)."
    ),
    "whoami.role.giver": "idea giver",
    "whoami.role.coordinator": "coordinator",
    "whoami.role.admin": "admin",
    "menu.help": "What I can help with, and all commands",
    "menu.help.group": "What I can help with (describe ideas in our personal chat)",
    "menu.mine": "Your ideas and where they are now",
    "menu.list": "Coordinators: ideas waiting, by stage",
    "menu.show": "Show an idea: show 12",
    "menu.advance": "Move an idea to its next stage: advance 12 testing Great idea!",
    "menu.close": "Close an idea with a reason: close 12 Thank you! We …",
    "menu.whoami": "Your id and your role, as an admin needs them",
    "parse.needs_days": "For how many working days should the reminders wait? Write the number after the idea's number.",
    "parse.bad_days": "“{word}” is not a number of working days. Write a number from 1 to {most}.",
    "parse.maybe_idea": "Did you want to describe an idea? Write “new idea” and we'll start.",
    "refuse.coordinator": (
        "Only coordinators can do that. Want to know how your ideas are doing? Write “mine”."
    ),
    "refuse.admin": "Only an admin can do that.",
    "idea.not_found": "I can't find an idea with number {number}.",
    "idea.not_yours": "I can't find an idea with number {number} among your ideas.",
    "move.not_allowed": "Idea {number} is at the stage {stage}. From there it can go to: {allowed}.",
    "move.nowhere": "Idea {number} is at the stage {stage}, and it can't be moved from there.",
    "move.choose": "Idea {number} is at the stage {stage}. Write which stage it should go to: {allowed}.",
    "move.needs_reason": "To close idea {number} I need a reason. Write: close {number} the reason",
    "move.needs_where": "Write where idea {number} is referred: refer {number} “the unit” [message]",
    "move.not_reopenable": "Idea {number} is at the stage {stage} and doesn't need reopening.",
    "move.done": (
        "Done: idea {number} “{title}” went from {from_stage} to {to_stage}. "
        "{giver} gets a message about it."
    ),
    "move.done_anonymous": "Done: idea {number} “{title}” went from {from_stage} to {to_stage}.",
    "assign.done": "Done: {person} is taking care of idea {number} “{title}”.",
    "assign.same": "{person} is already taking care of idea {number}.",
    "assign.not_coordinator": "{person} is not a coordinator, so I can't give them the idea.",
    "note.done": "The note is saved on idea {number}. Only coordinators see it.",
    "snooze.done": (
        "Done: no reminders about idea {number} “{title}” for {days}. "
        "They start again on {date}. The idea giver still hears from us as usual."
    ),
    "snooze.finished": "Idea {number} is at the stage {stage}, which has no reminders to pause.",
    "outbox.counts": "The outbox: {pending} waiting, {sent} sent, {failed} could not be delivered.",
    "outbox.no_failures": "No messages have failed.",
    "outbox.failures": "Latest failures:",
    "outbox.failure": "• message {id} ({kind}{idea}), {attempts} attempts: {error}",
    "outbox.failure_idea": ", idea {number}",
    "outbox.no_error": "no error recorded",
    "someone": "a coordinator",
    "nobody": "nobody yet",
    "unknown_person": "unknown",
    "mine.none": "You haven't sent in an idea yet. Write to me whenever you want to describe one!",
    "mine.intro": "Your ideas:",
    "mine.line": "{number}. {title} – {stage}, last changed {date}",
    "mine.hint": "Write “show” and the number to see more about an idea.",
    "list.empty": "No ideas are waiting here right now.",
    "list.intro": "{count} ideas, oldest first:",
    "list.intro.one": "1 idea:",
    "list.line": "{number}. {title} – {stage} for {days} – {assignee}",
    "days.one": "1 day",
    "days.many": "{days} days",
    "workdays.one": "1 working day",
    "workdays.many": "{days} working days",
    "list.more": "… and {more} more. Narrow it down with a stage, for example: list assessment",
    "show.title": "Idea {number}: {title}",
    "show.stage": "Stage",
    "show.giver": "Idea giver",
    "show.assignee": "Assigned to",
    "show.submitted": "Submitted",
    "show.satisfaction": "Satisfaction",
    "show.satisfaction_value": "{score} of 5",
    "show.similar": "Similar ideas",
    "show.no_similar": "none",
    "show.history": "History",
    "show.notes": "Notes",
    "history.submitted": "{date} {actor}: submitted the idea",
    "history.stage": "{date} {actor}: {from_stage} → {to_stage}",
    "history.assigned": "{date} {actor}: gave the idea to {person}",
    "history.satisfaction": "{date} {actor}: answered {score} of 5 to the satisfaction question",
    "history.satisfaction_comment": "{date} {actor}: left a comment on the handling",
    "history.note": "{date} {actor}: {text}",
    "history.snoozed": "{date} {actor}: paused the reminders until {until}",
    "history.message": " – “{text}”",
    "stats.title": "Statistics",
    "stats.total": "Ideas in total",
    "stats.per_stage": "Per stage",
    "stats.per_workplace": "Per workplace (the ten largest)",
    "stats.median": "Median days per stage",
    "stats.median_line": "{stage} {days}",
    "stats.heard_back": "Heard back in time",
    "stats.heard_back_value": "{share} % ({ok} of {count}) heard from us within {days} working days",
    "stats.satisfaction": "Satisfaction",
    "stats.satisfaction_value": "mean {mean} of 5 ({count} answers) – {distribution}",
    "stats.none": "–",
    "stats.no_workplace": "(no workplace)",
    "export.done": "Here are all {count} ideas with their history.",
    "coord.added": "Done: {person} is now a coordinator.",
    "coord.already": "{person} is already a coordinator.",
    "coord.removed": "Done: {person} is no longer a coordinator.",
    "coord.not_found": "{person} is not in the list of coordinators.",
    "coord.from_settings": (
        "{person} is a coordinator through the IDESLUSS_COORDINATORS setting and is removed there."
    ),
    "coord.list": "Coordinators: {people}",
    "coord.list_settings": "(from IDESLUSS_COORDINATORS)",
    "coord.list_empty": "There are no coordinators yet.",
    "notify.new_idea": "A new idea has come in: number {number} “{title}” from {giver} ({workplace}).",
    "notify.similar": "Similar ideas: {similar}.",
    "notify.no_similar": "I found no similar ideas.",
    "notify.assigned": "{actor} has given you idea {number} “{title}”. Write “show {number}” to read it.",
    "choice.assign_me": "I'll take it",
    "choice.advance_to": "Move to {stage}",
    "note.quoted": "{coordinator} writes: “{note}”",
    "satisfaction.ask": (
        "Thank you again for your idea “{title}”, {first_name} – whatever became of it, you have "
        "helped us do better. One last question: how satisfied are you with how your idea was "
        "handled? Choose from 1 (not at all) to 5 (very satisfied)."
    ),
    "satisfaction.ask.noname": (
        "Thank you again for your idea “{title}” – whatever became of it, you have helped us do "
        "better. One last question: how satisfied are you with how your idea was handled? "
        "Choose from 1 (not at all) to 5 (very satisfied)."
    ),
    "satisfaction.choice.1": "1 Not at all",
    "satisfaction.choice.2": "2",
    "satisfaction.choice.3": "3",
    "satisfaction.choice.4": "4",
    "satisfaction.choice.5": "5 Very satisfied",
    "satisfaction.thanks": (
        "Thank you for your answer! Would you like to tell us more about how it went? "
        "Write it, or write “skip”."
    ),
    "satisfaction.thanks_short": "Thank you for your answer about the idea “{title}”!",
    "satisfaction.comment_saved": "Thank you, we'll take that with us. Have more ideas? Write to me any time.",
    "satisfaction.comment_skipped": "All right! Have more ideas? Write to me any time.",
    "satisfaction.already": "You have already answered about the idea “{title}” – thank you!",
    "satisfaction.not_asked": "That question doesn't belong to any of your finished ideas.",
}

TEXTS: dict[str, dict[str, str]] = {"sv": SV, "en": EN}


def ct(lang: str, key: str, **values: object) -> str:
    """The command text for `key` in `lang`, with placeholders filled in."""
    return text_in(TEXTS, lang, key, **values)
