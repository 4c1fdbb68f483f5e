"""How the bot talks to Telegram: rate limits with retries, per-user ordering of updates,
and what the HTTP layer saw of a call."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, BaseUpdateProcessor
from telegram.request import HTTPXRequest

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


@dataclass
class TrackedCall:
    """What the HTTP layer saw of one Bot API call made inside ``tracked_call()``."""

    # Telegram answered 200 (to this or an earlier try): it did what was asked, whatever
    # became of the answer afterwards.
    accepted: bool = False


_TRACKED: ContextVar[TrackedCall | None] = ContextVar("farmdock_tracked_call", default=None)


@contextlib.contextmanager
def tracked_call() -> Iterator[TrackedCall]:
    """Track the Bot API calls made in this block (by this task) through an ObservedRequest."""
    call = TrackedCall()
    token = _TRACKED.set(call)
    try:
        yield call
    finally:
        _TRACKED.reset(token)


class ObservedRequest(HTTPXRequest):
    """``HTTPXRequest`` that tells the caller's ``tracked_call`` what went over the wire.

    python-telegram-bot decodes Telegram's answer after the HTTP call; when that fails
    (an answer it cannot read) the exception alone does not say whether Telegram took
    the message. The HTTP status does, so a caller that must not send twice asks here.
    """

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        call = _TRACKED.get()
        if call is not None and status == 200:
            call.accepted = True
        return status, payload
