"""Every user-facing string of the bot, in one place, so wording is reviewed together.

One module per conversation or role. Texts are HTML, as Telegram reads it; functions
that put user-supplied text into a message escape it with :func:`bot.texts.html.esc`.
"""
