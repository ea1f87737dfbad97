"""Edges: the only code that knows a chat platform. Each turns platform input into an
`Incoming`, hands it to the bot and renders the `Reply` objects it gets back."""
