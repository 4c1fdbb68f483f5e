"""The one place that assembles the Telegram Application."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

from bot.settings import Settings
from storage.database import Database

log = logging.getLogger(__name__)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet a new user."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("欢迎使用 farmdock 生活物资购销信息发布平台。")


def build_application(settings: Settings) -> Application:
    """The Application with storage opened in post_init and closed in post_shutdown."""

    async def post_init(application: Application) -> None:
        application.bot_data["db"] = await Database.open(settings.db_path)

    async def post_shutdown(application: Application) -> None:
        db = application.bot_data.pop("db", None)
        if db is not None:
            await db.close()

    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_base_file_url)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    return application


def run(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM; the Application closes storage on the way out."""
    application = build_application(settings)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
