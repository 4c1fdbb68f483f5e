"""What every conversation shares: the context, guards, replies, /help, /cancel, errors."""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationHandlerStop, CallbackContext, ConversationHandler, ExtBot

from bot import callbacks, keyboards
from bot.matching.phones import normalize_phone
from bot.matching.text import clean_text
from bot.menus import STAFF_ROLES
from bot.render import split_message
from bot.services.digest_model import Jurisdiction
from bot.services.runtime import SERVICES_KEY, Services
from bot.services.users import refuse
from bot.texts import common as texts
from bot.texts import officials as official_texts
from storage import users
from storage.records import User

log = logging.getLogger(__name__)

POSTS_PER_MINUTE = 20
_RECENT_POSTS = "recent_posts"
# Where a shared contact carries its number (a vCard holds it too).
_PHONE_KEYS = frozenset({"phone_number", "vcard"})
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


class FarmContext(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], dict[str, Any]]):
    """The callback context: the running services and the caller's account.

    python-telegram-bot builds one context per update and hands it to every
    group, so the account the guard loads in group -1 is seen by all handlers.
    """

    account: User | None = None

    @property
    def services(self) -> Services:
        return self.bot_data[SERVICES_KEY]


async def guard(update: Update, context: FarmContext) -> None:
    """Load the caller's account; blocked users get nothing done.

    A blocked user's messages are ignored. A press is audited and its spinner answered
    (Telegram keeps it turning otherwise) with a line about their own account only.
    """
    sender = update.effective_user
    if sender is None:
        return
    db = context.services.db
    account = await users.get_user(db, sender.id)
    if account is not None and account.status == "blocked":
        if update.callback_query is not None:
            await refuse(db, sender.id, str(update.callback_query.data)[:64], "blocked user")
            await answer(update.callback_query, texts.BLOCKED)
        raise ApplicationHandlerStop
    if account is not None and account.status == "inactive":
        # Marked inactive after a 403; writing to us again means they unblocked the bot.
        await users.set_status(db, sender.id, "active")
        account = await users.get_user(db, sender.id)
    context.account = account


def typed_text(update: Update) -> str:
    """What the user typed, cleaned here where it enters: every handler reads text this way."""
    message = update.effective_message
    return clean_text(message.text or "") if message is not None else ""


def telegram_name(update: Update) -> str:
    """The sender's name as Telegram has it, cleaned like typed text."""
    user = update.effective_user
    return clean_text(user.full_name).strip() if user is not None else ""


async def reply(update: Update, text: str, markup: Markup | None = None) -> Message:
    """Send HTML text to the update's chat, split if long; buttons go under the last part."""
    chat = update.effective_chat
    assert chat is not None
    chunks = split_message(text)
    for chunk in chunks[:-1]:
        await chat.send_message(chunk, parse_mode=ParseMode.HTML)
    return await chat.send_message(chunks[-1], parse_mode=ParseMode.HTML, reply_markup=markup)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the text of the message a button was pressed on, in HTML like every reply.

    Pressing the same button twice (续期 on the same day) changes nothing, which
    Telegram reports as an error; the user did nothing wrong, so it is not one.
    """
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def answer(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press (a toast when ``text`` is given)."""
    await query.answer(text)


async def member(update: Update, context: FarmContext) -> User | None:
    """The caller's active account, or None after telling them to sign up."""
    if context.account is None or context.account.status != "active":
        await reply(update, texts.NOT_SIGNED_UP)
        return None
    return context.account


async def trader(update: Update, context: FarmContext) -> User | None:
    """The caller if they may post listings (growers, buyers, admins)."""
    account = await member(update, context)
    if account is not None and account.role == "official":
        await reply(update, texts.GROWERS_AND_BUYERS_ONLY)
        return None
    return account


def too_fast(context: FarmContext, now: float | None = None) -> bool:
    """Count a post; True when the user sent more than 20 in the last minute.

    The times live in user_data, which is persisted, so a restart does not reset them.
    """
    now = time.time() if now is None else now
    assert context.user_data is not None
    recent = [t for t in context.user_data.get(_RECENT_POSTS, []) if now - t < 60]
    slow = len(recent) >= POSTS_PER_MINUTE
    if not slow:
        recent.append(now)
    context.user_data[_RECENT_POSTS] = recent
    return slow


async def refuse_press(update: Update, context: FarmContext, reason: str) -> None:
    """A button press the caller may not make: audit it and say so."""
    query = update.callback_query
    assert query is not None
    await refuse(context.services.db, query.from_user.id, str(query.data)[:64], reason)
    log.warning("refused callback %r from %s: %s", query.data, query.from_user.id, reason)
    await answer(query, texts.REFUSED)


async def help_command(update: Update, context: FarmContext) -> None:
    """/help for the caller's role: posting for growers and buyers, the digest, /short and
    escalations for officials; admins, who may do both, read both."""
    account = context.account
    if account is None or account.status != "active" or account.role not in STAFF_ROLES:
        await reply(update, texts.HELP)
        return
    settings = context.services.settings
    area = Jurisdiction.of(account) if account.role == "official" else Jurisdiction()
    staff_help = official_texts.official_help(
        area.label, settings.digest_time.strftime("%H:%M"), settings.escalation_hours
    )
    await reply(update, staff_help if account.role == "official"
                else f"{texts.HELP}\n\n{staff_help}")


async def cancel_command(update: Update, context: FarmContext) -> None:
    """/cancel outside any conversation."""
    await reply(update, texts.NOTHING_TO_CANCEL, ReplyKeyboardRemove())


def canceller(key: str) -> Callable[[Update, FarmContext], Awaitable[int]]:
    """/cancel inside a conversation: forget what it collected under ``key`` in user_data."""

    async def cancel(update: Update, context: FarmContext) -> int:
        assert context.user_data is not None
        context.user_data.pop(key, None)
        await reply(update, texts.CANCELLED, ReplyKeyboardRemove())
        return ConversationHandler.END

    return cancel


async def contact_shared(update: Update, context: FarmContext) -> None:
    """A shared phone number outside sign-up: keep it if it is the sender's own."""
    message = update.effective_message
    assert message is not None and message.contact is not None
    account = await member(update, context)
    if account is None:
        return
    if message.contact.user_id != account.telegram_id:
        await reply(update, texts.CONTACT_NOT_OWN, keyboards.share_phone(skip=False))
        return
    phone = normalize_phone(message.contact.phone_number)
    if phone is None:
        await reply(update, texts.CONTACT_NOT_CHINESE, ReplyKeyboardRemove())
        return
    await users.set_phone(context.services.db, account.telegram_id, phone)
    await reply(update, texts.CONTACT_SAVED, ReplyKeyboardRemove())


async def media_sent(update: Update, context: FarmContext) -> None:
    """Voice, a photo, a file, a sticker or a location: say how to post instead of silence.

    No conversation takes these, so a step in progress (signing up, a draft's question)
    is left where it was and the next typed answer continues it.
    """
    message = update.effective_message
    assert message is not None
    account = context.account
    active = account is not None and account.status == "active"
    await reply(update, texts.media_hint(
        _media_kind(message), account.role if account is not None and active else None,
        account.place.label() if account is not None and active else "",
    ))


def _media_kind(message: Message) -> str:
    """Which hint a message needs: voice, photo, video, document, sticker or location."""
    if message.voice or message.audio:
        return "voice"
    if message.video or message.video_note or message.animation:  # before document: a GIF is both
        return "video"
    if message.photo:
        return "photo"
    if message.sticker:
        return "sticker"
    if message.location or message.venue:
        return "location"
    return "document"


async def unmatched_callback(update: Update, context: FarmContext) -> None:
    """A press no handler took: an old button (harmless) or forged data (audited)."""
    query = update.callback_query
    assert query is not None
    data = query.data or ""
    if callbacks.POSTING_PATTERN.match(data) or callbacks.REGISTRATION_PATTERN.match(data):
        await stale_press(update, context, "button of a step not in progress")
        return
    await refuse_press(update, context, "unknown callback data")


async def stale_press(update: Update, context: FarmContext, reason: str) -> None:
    """A button of a finished step: most likely an old message, possibly forged data.

    Nothing is done; the press is audited all the same, and the user told it expired.
    """
    query = update.callback_query
    assert query is not None
    await refuse(context.services.db, query.from_user.id, str(query.data)[:64], reason)
    await answer(query, texts.STALE_BUTTON)


async def unknown_command(update: Update, context: FarmContext) -> None:
    await reply(update, texts.UNKNOWN_COMMAND)


async def error_handler(update: object, context: FarmContext) -> None:
    """Log with context, tell the user in Chinese, tell the operators; never a traceback."""
    error = context.error
    chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat \
        else None
    user_id = update.effective_user.id if isinstance(update, Update) and update.effective_user \
        else None
    if isinstance(error, Forbidden) and chat_id is not None:
        # The user blocked the bot: stop writing to them (and do not try to say sorry).
        await users.mark_inactive(context.services.db, chat_id)
        log.info("user %s blocked the bot; marked inactive", chat_id)
        return
    # Phone numbers are shown only to the other side of a match, never to operators.
    summary = redact_phones(update.to_dict() if isinstance(update, Update) else str(update))
    log.error("error handling update from user %s in chat %s: %r", user_id, chat_id, summary,
              exc_info=error)
    if chat_id is not None:
        try:
            await context.bot.send_message(chat_id, texts.ERROR)
        except Exception:  # the error may be that Telegram is unreachable
            log.exception("could not tell chat %s about the error", chat_id)
    for operator in context.services.settings.operator_chat_ids:
        try:
            await context.bot.send_message(
                operator,
                texts.OPERATOR_ERROR.format(
                    error=html.escape(repr(error))[:500], user=user_id,
                    update=html.escape(str(summary))[:2000],
                ),
                parse_mode=ParseMode.HTML,
            )
        except Exception:
            log.exception("could not tell operator %s about the error", operator)


def redact_phones(value: Any) -> Any:
    """``value`` (an update as a dict) with every shared phone number masked."""
    if isinstance(value, dict):
        return {k: texts.PHONE_HIDDEN if k in _PHONE_KEYS else redact_phones(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact_phones(v) for v in value]
    return value
