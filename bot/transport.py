"""How the bot talks to Telegram: rate limits with retries, and per-user ordering of updates."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, BaseUpdateProcessor

log = logging.getLogger(__name__)

# Telegram's broadcast ceiling: about 30 messages a second over all chats.
TELEGRAM_OVERALL_RATE = 30.0
RETRY_AFTER_RETRIES = 3
NETWORK_RETRIES = 2
NETWORK_BACKOFF = 0.5  # seconds, doubled per retry
# Long polls and webhook calls have their own retry loops in python-telegram-bot.
_NOT_RETRIED = frozenset({"getUpdates", "setWebhook", "deleteWebhook"})


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` (which retries 429s) that also retries network errors.

    A ``BadRequest`` is a ``NetworkError`` in python-telegram-bot but never gets
    better by repeating, so it is raised at once, as is ``Forbidden``. A
    timed-out send may already have reached the user; one repeat is a smaller
    harm than a lost reply.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as error:
                if endpoint in _NOT_RETRIED or attempt >= NETWORK_RETRIES:
                    raise
                delay = NETWORK_BACKOFF * 2**attempt
                log.warning("%s failed (%s); retry %d in %.1f s", endpoint, error, attempt + 1,
                            delay)
                attempt += 1
                await asyncio.sleep(delay)


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Updates of different users run concurrently; one user's updates run in order.

    Conversations keep per-user state, so two updates of the same user handled
    at once could both read the old state; users never wait for each other.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def do_process_update(
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock = self._locks.get(user.id)
        if lock is None:
            lock = self._locks[user.id] = asyncio.Lock()
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
