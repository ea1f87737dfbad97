"""Slack's text markup, both ways. Outgoing: every text we did not write ourselves is escaped
(`&`, `<`, `>`), so an idea called `<!channel>` pings nobody. Incoming: Slack escapes what
people typed the same way and wraps links and mentions in `<…>`; we turn that back into the
plain text the core works with."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<([^<>]*)>")
_MENTION = re.compile(r"^([@#])([A-Z0-9]+)(?:\|([^|>]*))?$")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def from_slack(text: str | None, *, keep_mentions: bool = False) -> str | None:
    """What a person typed, as plain text. Links become their address (or label and address),
    special mentions (`<!channel>`) their name. With `keep_mentions`, user and channel mentions
    stay in Slack's escaped form (`<@U024BE7LH|anna>`), which the command parser reads."""
    if text is None:
        return None
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        parts.append(unescape(text[position : match.start()]))
        parts.append(_token(match.group(1), keep_mentions))
        position = match.end()
    parts.append(unescape(text[position:]))
    return "".join(parts)


def _token(inner: str, keep_mentions: bool) -> str:
    mention = _MENTION.match(inner)
    if mention:
        if keep_mentions:
            return f"<{inner}>"
        sigil, ident, label = mention.groups()
        return f"{sigil}{unescape(label) if label else ident}"
    if inner.startswith("!"):  # <!here>, <!channel>, <!subteam^ID|@team>
        label = inner.partition("|")[2] or inner[1:].split("^")[0]
        return unescape(label if label.startswith("@") else f"@{label}")
    address, _, label = inner.partition("|")
    address, label = unescape(address), unescape(label)
    if address.startswith("mailto:"):
        return label or address.removeprefix("mailto:")
    if label and label != address and label not in address:
        return f"{label} ({address})"
    return address
