"""A :class:`~bot.services.messages.Message` as the Bot API call that says it."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode

from bot.services.messages import Message

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
Call = Callable[[], Awaitable[Any]]


def inline_keyboard(message: Message) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(button.label, callback_data=button.action) for button in row]
        for row in message.buttons
    ])


def reply_markup(message: Message) -> ReplyMarkup | None:
    """The buttons under a message, the contact request, or taking a keyboard away."""
    if message.buttons:
        return inline_keyboard(message)
    if message.contact_request is not None:
        request = message.contact_request
        rows = [[KeyboardButton(request.share, request_contact=True)]]
        if request.skip:
            rows.append([KeyboardButton(request.skip)])
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if message.clear_keyboard:
        return ReplyKeyboardRemove()
    return None


def send(bot: Bot, chat_id: int, message: Message) -> Call:
    """The call that says ``message`` in ``chat_id`` (a new message, or an edit of the one
    it replaces), every argument built, so a message that cannot become a request fails
    here, before anything is sent."""
    if message.replaces is not None:
        return edit(bot, chat_id, message.replaces, message)
    markup = reply_markup(message)
    attachment = message.attachment
    if attachment is None:
        return functools.partial(
            bot.send_message, chat_id=chat_id, text=message.text, parse_mode=ParseMode.HTML,
            reply_markup=markup, disable_web_page_preview=True,
        )
    upload = InputFile(attachment.content, filename=attachment.filename)
    method = bot.send_document if attachment.kind == "document" else bot.send_photo
    field = "document" if attachment.kind == "document" else "photo"
    return functools.partial(
        method, chat_id=chat_id, caption=message.text or None, parse_mode=ParseMode.HTML,
        reply_markup=markup, **{field: upload},
    )


def edit(bot: Bot, chat_id: int, message_id: int, message: Message) -> Call:
    """The call that replaces the text (and inline buttons) of a message the bot sent."""
    return functools.partial(
        bot.edit_message_text, chat_id=chat_id, message_id=message_id, text=message.text,
        parse_mode=ParseMode.HTML, reply_markup=inline_keyboard(message),
        disable_web_page_preview=True,
    )
