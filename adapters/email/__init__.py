"""E-mail, for the people the chat cannot reach (bot/mail.py says when): the replies the chat
would have shown, rendered as plain text and HTML (render.py), sent through the
municipality's SMTP server with aiosmtplib (sender.py). Only bot/cli.py makes a sender."""
