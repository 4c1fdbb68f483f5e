"""The plainest python-telegram-bot echo bot: the ceiling that the real bot's throughput
is compared with, since no handler can answer faster than one that only echoes."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the user's text straight back."""
    if update.message and update.message.text:
        await update.message.reply_text(update.message.text)


def build_echo_application(token: str, base_url: str) -> Application:
    """An Application that echoes every text message, talking to the Bot API at ``base_url``."""
    application = ApplicationBuilder().token(token).base_url(base_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application
