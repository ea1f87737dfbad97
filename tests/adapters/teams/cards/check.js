// Reads a JSON array of Adaptive Cards on stdin and writes, for each card, what Microsoft's
// Adaptive Cards library (the one the Teams web and desktop clients are built on) makes of
// it: every parse and validation event (a warning such as "Required inputs should have a
// label"), the card's elements in order, and each text element's text as the library reads
// it. Run by tests/adapters/teams/test_card_corpus.py; `npm ci` in this folder installs it.
"use strict";
// The package's ES module build cannot be loaded by Node as shipped; its UMD bundle can.
const AC = require("adaptivecards/dist/adaptivecards.js");

function describe(element) {
  const type = element.getJsonTypeName();
  const seen = { type };
  if (type === "RichTextBlock") {
    seen.inlines = [];
    for (let i = 0; i < element.getInlineCount(); i++) {
      const inline = element.getInlineAt(i);
      seen.inlines.push({ type: inline.getJsonTypeName(), text: inline.text });
    }
  } else if (type === "TextBlock") {
    seen.text = element.text;
  } else if (type === "Input.ChoiceSet") {
    seen.label = element.label;
    seen.errorMessage = element.errorMessage;
    seen.choices = element.choices.map((choice) => choice.title);
  }
  return seen;
}

function check(json) {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, context);
  const events = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    events.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    events.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  const elements = [];
  for (let i = 0; i < card.getItemCount(); i++) {
    elements.push(describe(card.getItemAt(i)));
  }
  return { version: card.version.toString(), events, elements };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(check)));
});
