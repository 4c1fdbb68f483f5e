"""Officials' commands and the scheduled jobs that serve them.

Every command checks the caller's role from the database itself: a guard in
front of the handlers may exist, but a jurisdiction leak must not depend on it.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.settings import Settings
from bot.texts import officials as texts
from storage import users
from storage.database import Database
from storage.records import User


async def current_official(update: Update, context: ContextTypes.DEFAULT_TYPE) -> User | None:
    """The caller if they are an active official (or admin), else None after a polite refusal."""
    assert update.effective_user is not None and update.effective_message is not None
    db: Database = context.bot_data["db"]
    user = await users.get_user(db, update.effective_user.id)
    if user is None or user.status != "active" or user.role not in ("official", "admin"):
        await update.effective_message.reply_text(texts.NOT_AN_OFFICIAL)
        return None
    return user


async def digest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest [YYYY-MM-DD]: the caller's area, today so far or a past day."""
    await current_official(update, context)


def register(application: Application, settings: Settings) -> None:
    """Add the officials' commands and schedule the digest, escalation and reminder jobs."""
    application.add_handler(CommandHandler("digest", digest_command))
