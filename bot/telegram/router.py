"""Every update, in the one place every update passes through: one unit of work each.

For an update that writes (nearly all): open a write unit of work; skip an update
already processed (Telegram delivers again what it did not hear back about); lock
the chat's conversation row; load the caller's account; route (see
:mod:`bot.handlers.routing`) to the one handler, which calls its use case; save the
conversation; record the update id; write the handler's replies into the outbox,
due a little later; commit. Only then are the replies sent, at once, by the router
itself: nothing is said before what it says is stored. Each reply that went out is
marked sent (in batches, a moment later); a reply the router could not send (Telegram
would not take it after the rate limiter's retries, or the process died before it
got to it) is sent by the outbox when it falls due, so no reply is lost and one is
repeated at most once per crash. A 403 marks the user inactive.

Read-only commands (/digest, /short) run in a read snapshot instead, so building a
city's digest never holds the write lock.

A handler that fails is rolled back whole; the user hears that it did not work,
the operators are told, and the update counts as processed (delivering it again
would fail the same way). A database that cannot be reached is raised to the
caller, so a webhook answers 500 and Telegram delivers the update again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import exc
from telegram import Bot, Update
from telegram import Message as TelegramMessage
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.handlers.request import Caller, Press, Replies, Request, SharedContact
from bot.handlers.routing import Incoming, Route, Routes, dispatch, namespace_of
from bot.matching.phones import mask_phones
from bot.matching.text import clean_text
from bot.services import users
from bot.services.messages import Message, outgoing
from bot.services.runtime import Services
from bot.telegram import menus, payloads
from bot.texts import common as texts
from bot.texts.html import split_message
from storage.records import Conversation, User

log = logging.getLogger(__name__)

# Tries of a unit of work that lost a race for the database (a lock wait timed out, a
# deadlock): it is rolled back whole, so trying again is safe.
ATTEMPTS = 3
# How long the outbox leaves a reply to the router before sending it itself.
REPLY_GRACE = 30.0
# How often replies the router sent are marked sent in the outbox, all in one write.
MARK_SENT_EVERY = 0.25
REPLY_KIND = "reply"


@dataclass(frozen=True, slots=True)
class _Update:
    """What the router takes from a Telegram update."""

    update_id: int
    chat_id: int
    caller: Caller
    text: str | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    press: Press | None = None
    press_id: str | None = None
    contact: SharedContact | None = None
    media: str | None = None


def _read(update: Update) -> _Update | None:
    """The parts of ``update`` farmdock acts on; None for anything else (channel posts,
    edits, members joining …). Text is cleaned here, where it enters."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return None
    caller = Caller(user.id, clean_text(user.full_name).strip(), user.username)
    query = update.callback_query
    if query is not None:
        message_id = query.message.message_id if query.message is not None else None
        return _Update(update.update_id, chat.id, caller,
                       press=Press(query.data or "", message_id), press_id=query.id)
    message = update.message
    if message is None:
        return None
    if message.contact is not None:
        return _Update(update.update_id, chat.id, caller, contact=SharedContact(
            message.contact.phone_number, message.contact.user_id))
    if message.text is not None:
        text = clean_text(message.text)
        if text.startswith("/"):
            head, *args = text.split()
            name = head[1:].split("@", 1)[0].lower()
            return _Update(update.update_id, chat.id, caller, text=text, command=name,
                           args=tuple(args))
        return _Update(update.update_id, chat.id, caller, text=text)
    return _Update(update.update_id, chat.id, caller, media=_media_kind(message))


def _media_kind(message: TelegramMessage) -> str:
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


class Router:
    """Routes updates to handlers through ``routes``; ``services`` gives the running bot's.

    ``reply_grace`` is how long a reply waits in the outbox for the router to send it.
    """

    def __init__(
        self, routes: Routes, services: Callable[[], Services], *,
        reply_grace: float = REPLY_GRACE,
    ) -> None:
        self.routes = routes
        self._services = services
        self._grace = reply_grace
        # Keys of reply rows the router sent itself, to be marked sent.
        self._sent: list[str] = []
        self._marking: asyncio.Task[None] | None = None

    async def __call__(self, update: object, context: Any) -> None:
        """python-telegram-bot's handler callback."""
        if isinstance(update, Update):
            await self.process(update, context.bot)

    async def process(self, update: Update, bot: Bot) -> None:
        """Handle one update whole: its effects committed, then its replies sent."""
        incoming = _read(update)
        if incoming is None:
            return
        services = self._services()
        route = None
        if incoming.command is not None:
            route = self.routes.commands.get(incoming.command)
        if route is not None and not route.writes:
            replies = await self._read_only(incoming, route, services)
            await self._send(bot, incoming, replies, _said(incoming, replies), [], services)
            return
        replies, said, keys = await self._writing(incoming, services)
        await self._send(bot, incoming, replies, said, keys, services)

    async def close(self) -> None:
        """Mark what was sent before the process stops (the rest the outbox sends)."""
        if self._marking is not None:
            self._marking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._marking
            self._marking = None
        await self._mark_sent()

    # -- running the handler ----------------------------------------------------------

    async def _writing(
        self, incoming: _Update, services: Services
    ) -> tuple[Replies, list[Message], list[str]]:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._write_once(incoming, services)
            except exc.OperationalError:
                if attempt == ATTEMPTS:
                    raise
                log.warning("update %s lost a race for the database; try %d",
                            incoming.update_id, attempt + 1)
        raise AssertionError("unreachable")

    async def _write_once(
        self, incoming: _Update, services: Services
    ) -> tuple[Replies, list[Message], list[str]]:
        async with services.db.write() as uow:
            if not await uow.updates.claim(incoming.update_id):
                # Delivered again: its effects are there already, its replies in the outbox.
                return Replies(), [], []
            # A conversation is a person's, whoever's message a button was on.
            conversation = await uow.conversations.lock(incoming.caller.id)
            account = await users.identify(uow, incoming.caller.id)
            route = dispatch(self.routes, _routing(incoming, account), conversation.flow,
                             conversation.step)
            request = _request(incoming, services, uow, conversation, account)
            try:
                await route.handler(request)
            except Exception as error:
                failed = error
            else:
                await uow.conversations.save(conversation)
                said = _said(incoming, request.replies)
                due = time.time() + self._grace
                keys = [f"reply:{incoming.update_id}:{n}" for n in range(len(said))]
                await uow.outbox.enqueue([
                    outgoing(key, incoming.chat_id, REPLY_KIND, message, not_before=due)
                    for key, message in zip(keys, said, strict=True)
                ])
                wake = uow.outbox.added > len(keys)
                await uow.commit()
                if wake:
                    services.wake_outbox()
                return request.replies, said, keys
        # The handler failed: nothing it did is kept, but the update counts as handled.
        await self._failed(incoming, services, failed)
        replies = Replies()
        replies.say(texts.ERROR)
        return replies, _said(incoming, replies), []

    async def _read_only(self, incoming: _Update, route: Route, services: Services) -> Replies:
        async with services.db.read() as uow:
            account = await uow.users.get(incoming.caller.id)
        if account is not None and account.status == "inactive":
            async with services.db.write() as uow:
                account = await users.identify(uow, incoming.caller.id)
                await uow.commit()
        if account is not None and account.status == "blocked":
            return Replies()
        async with services.db.read() as uow:
            conversation = await uow.conversations.get(incoming.caller.id)
            request = _request(incoming, services, uow, conversation, account)
            try:
                await route.handler(request)
            except Exception as error:
                await self._failed(incoming, services, error)
                replies = Replies()
                replies.say(texts.ERROR)
                return replies
        return request.replies

    async def _failed(self, incoming: _Update, services: Services, error: Exception) -> None:
        """Log it, tell the operators (through the outbox), and count the update handled."""
        log.error("error handling update %s from user %s", incoming.update_id,
                  incoming.caller.id, exc_info=error)
        summary = html.escape(_describe(incoming))[:2000]
        alerts = [
            outgoing(f"error:{incoming.update_id}:{chat}", chat, "operator-error", Message(
                texts.OPERATOR_ERROR.format(error=html.escape(mask_phones(repr(error)))[:500],
                                            user=incoming.caller.id, update=summary)))
            for chat in services.settings.operator_chat_ids
        ]
        async with services.db.write() as uow:
            await uow.updates.claim(incoming.update_id)
            await uow.outbox.enqueue(alerts)
            await uow.commit()
        if alerts:
            services.wake_outbox()

    # -- saying it ----------------------------------------------------------------------

    async def _send(
        self, bot: Bot, incoming: _Update, replies: Replies, said: list[Message],
        keys: list[str], services: Services,
    ) -> None:
        """The replies, in order; a press is always answered. ``keys`` are the replies'
        outbox rows: each one sent is marked sent, the rest the outbox sends."""
        if incoming.press_id is not None:
            try:
                await bot.answer_callback_query(incoming.press_id, replies.toast_text)
            except TelegramError as error:
                log.info("press of %s not answered: %s", incoming.chat_id, error)
        for position, message in enumerate(said):
            try:
                await payloads.send(bot, incoming.chat_id, message)()
            except BadRequest as error:
                # The same button pressed twice changes nothing ("not modified"); any other
                # refusal would be refused again.
                if "not modified" not in error.message.lower():
                    log.error("reply to %s refused: %s", incoming.chat_id, error)
            except Forbidden:
                # The user blocked the bot: stop writing to them.
                async with services.db.write() as uow:
                    await uow.users.mark_inactive(incoming.chat_id)
                    await uow.commit()
                return
            except TelegramError as error:
                # Not taken even after the retries (429s, timeouts): the outbox sends the
                # rest now, with its own back-off.
                log.warning("reply to %s failed (%s); the rest goes through the outbox",
                            incoming.chat_id, error)
                await self._due_now(keys[position:], services)
                return
            if keys:
                self._sent.append(keys[position])
        if self._sent and self._marking is None:
            self._marking = asyncio.get_running_loop().create_task(self._mark_soon())
        if replies.menu_for is not None:
            await menus.set_staff_menu(bot, replies.menu_for)

    async def _mark_soon(self) -> None:
        try:
            await asyncio.sleep(MARK_SENT_EVERY)
            await self._mark_sent()
        finally:
            self._marking = None

    async def _mark_sent(self) -> None:
        keys, self._sent = self._sent, []
        if not keys:
            return
        services = self._services()
        try:
            async with services.db.write() as uow:
                await uow.outbox.mark_sent_keys(keys)
                await uow.commit()
        except Exception:
            # Not marked: the outbox will send them again, once — never lose one instead.
            log.exception("could not mark %d replies sent", len(keys))

    async def _due_now(self, keys: list[str], services: Services) -> None:
        if not keys:
            return
        async with services.db.write() as uow:
            await uow.outbox.due_now(keys)
            await uow.commit()
        services.wake_outbox()


def _said(incoming: _Update, replies: Replies) -> list[Message]:
    """Each reply as one message to send: a long text in several, an edit aimed at the
    message whose button was pressed."""
    said = []
    pressed = incoming.press.message_id if incoming.press is not None else None
    for kind, message in replies.sends:
        if kind == "edit" and pressed is not None:
            said.append(replace(message, replaces=pressed))
            continue
        parts = split_message(message.text) if message.attachment is None else [message.text]
        said.extend(Message(part) for part in parts[:-1])
        said.append(replace(message, text=parts[-1]))
    return said


def _routing(incoming: _Update, account: User | None) -> Incoming:
    return Incoming(
        blocked=account is not None and account.status == "blocked",
        command=incoming.command,
        press_namespace=namespace_of(incoming.press.action) if incoming.press else None,
        text=incoming.text is not None and incoming.command is None,
        contact=incoming.contact is not None,
    )


def _request(
    incoming: _Update, services: Services, uow: Any, conversation: Conversation,
    account: User | None,
) -> Request:
    return Request(
        update_id=incoming.update_id, chat_id=incoming.chat_id, caller=incoming.caller,
        services=services, uow=uow, conversation=conversation, account=account,
        text=incoming.text, command=incoming.command, args=incoming.args,
        press=incoming.press, contact=incoming.contact, media=incoming.media,
    )


def _describe(incoming: _Update) -> str:
    """The update for the operators: what it was, never a phone number."""
    if incoming.press is not None:
        return f"press {incoming.press.action!r}"
    if incoming.contact is not None:
        return f"contact {texts.PHONE_HIDDEN}"
    if incoming.text is not None:
        return f"text of {len(incoming.text)} characters"
    return f"{incoming.media or 'other'} message"
