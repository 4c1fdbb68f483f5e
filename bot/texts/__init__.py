"""Every user-facing string of the bot, in one place, so wording is reviewed together.

One module per conversation or role. Texts are HTML (the bot sends with
``parse_mode=HTML``); functions that put user-supplied text into a message
escape it with :func:`bot.render.esc`.
"""
