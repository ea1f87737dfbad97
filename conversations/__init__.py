"""Conversations: what the bot says and asks, in Swedish and English. Pure: no I/O, no SDKs."""
