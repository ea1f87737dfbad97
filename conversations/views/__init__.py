"""The commands' renderers: a handler in bot/commands/ gathers what is true into view data
(frozen dataclasses of plain values) and a pure function here turns it into the words of the
`Reply` objects, in Swedish or English. No I/O, no database, no process file: tested like the
intake dialogue, a view in and the text out. Dates arrive already in the municipality's time
zone (the handler localises them), so the renderers need no clock and no zone."""
