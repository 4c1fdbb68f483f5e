"""How the bot talks to Telegram: one send budget with replies first, rate limits with
retries, per-user ordering of updates, and what the HTTP layer saw of a call."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

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
# Long polls and webhook calls have their own retry loops in python-telegram-bot, and
# start-up (getMe) has farmdock's own (bot.app.run).
_NOT_RETRIED = frozenset({"getUpdates", "setWebhook", "deleteWebhook", "getMe"})
# Calls that put a new message into a chat: what Telegram's overall limit counts.
# Edits and answers to button presses follow a user's own action one for one.
MESSAGE_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendVideo", "sendAudio",
    "sendVoice", "sendAnimation", "sendVideoNote", "sendSticker", "sendLocation", "sendVenue",
    "sendContact", "sendPoll", "sendDice", "sendInvoice", "sendGame", "sendPaidMedia",
    "copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
})
# A hair above the exact spacing, so float rounding never lands a send a
# microsecond early on Telegram's side of the window.
_SLACK = 0.001


class SendBudget:
    """This process's share of Telegram's overall rate, one message at a time: a reply to
    someone who just wrote goes first, the outbox takes what is left.

    A token bucket that holds at most one token, so sends are spread evenly, which no
    sliding-window or bucket limiter on Telegram's side refuses. ``take(interactive=True)``
    waits only for the replies ahead of it (in order) and the send just granted;
    ``take(interactive=False)`` waits besides for every reply waiting, so a broadcast never
    makes anyone who typed wait for it.

    Per chat, the outbox keeps Telegram's one message a second, and keeps off a chat for
    ``quiet_after_reply`` seconds after a reply there: the person is in the middle of a
    conversation, and a notice slipped in would make their next reply wait out that
    second (a reply waits only after an outbox message, never after another reply).

    Per-chat times count from when a send ended (``done``), not when its turn was
    granted: Telegram counts arrivals, and a send in flight may arrive late.

    With several workers, :meth:`share` gives the budget the turns every worker takes
    from (:class:`SharedTurns`, in the database): a reply then queues for its turn there
    as here, and the outbox takes a turn only when the shared clock is free, so one busy
    worker uses what idle ones leave and replies still go first across workers.
    ``clock`` and ``sleep`` are parameters so that a benchmark can simulate time.
    """

    def __init__(
        self,
        per_second: float,
        *,
        per_chat_interval: float = 1.0,
        quiet_after_reply: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("a send budget needs a positive rate")
        self.per_second = float(per_second)
        self._interval = 1.0 / per_second
        self._per_chat_interval = per_chat_interval
        self._quiet_after_reply = quiet_after_reply
        self._clock = clock
        self._sleep = sleep
        self._free_at = -math.inf  # when the next send may go
        # When each chat last got a message of the outbox, and a reply.
        self._last_background: dict[int, float] = {}
        self._last_reply: dict[int, float] = {}
        self._replies_waiting = 0
        self._no_reply_waiting = asyncio.Event()
        self._no_reply_waiting.set()
        self._reply_queue = asyncio.Lock()  # replies in the order they came
        self._background_queue = asyncio.Lock()
        self.granted = {True: 0, False: 0}  # sends granted: interactive, background
        self._shared: SharedTurns | None = None

    def share(self, turns: SharedTurns) -> None:
        """Take every message's turn from ``turns`` too: Telegram's rate is the bot's."""
        self._shared = turns

    async def take(self, *, interactive: bool, chat_id: int | None = None) -> bool:
        """Wait until one message (to ``chat_id``, if known) may be sent now, count it as
        sent and return True. For the outbox (not ``interactive``), False instead when the
        chat is busy (see ``busy_chats``) by the time its turn comes: nothing is counted.
        """
        if interactive:
            await self._take_reply(chat_id)
            return True
        async with self._background_queue:
            while True:
                if self._keep_off(chat_id):
                    return False
                await self._no_reply_waiting.wait()
                await self._until_free()
                if not self._replies_waiting and not self._keep_off(chat_id):
                    if not await self._shared_turn(queue=False):
                        continue  # another worker's turn: it is free again now
                    self._grant(interactive=False, chat_id=chat_id)
                    return True
                # A reply came meanwhile: it goes first (and may have made the chat busy).

    def done(self, chat_id: int | None, *, interactive: bool) -> None:
        """A call to ``chat_id`` ended, either way: a message whose turn was taken, or an
        edit (no turn, but the chat is in conversation). The chat's second counts from
        now. Calling it twice is harmless."""
        if chat_id is not None:
            (self._last_reply if interactive else self._last_background)[chat_id] = \
                self._clock()

    def busy_chats(self) -> dict[int, float]:
        """The chats the outbox must not write to now, each with the clock time it may."""
        now = self._clock()
        ready: dict[int, float] = {}
        for times, wait in ((self._last_background, self._per_chat_interval),
                            (self._last_reply, self._quiet_after_reply)):
            for chat, at in list(times.items()):
                if at + wait <= now:
                    del times[chat]  # forget what no longer matters
                elif at + wait > ready.get(chat, -math.inf):
                    ready[chat] = at + wait
        return ready

    def _keep_off(self, chat_id: int | None) -> bool:
        """Whether the outbox must not write to ``chat_id`` now (see ``busy_chats``)."""
        if chat_id is None:
            return False
        now = self._clock()
        return (self._last_background.get(chat_id, -math.inf) + self._per_chat_interval > now
                or self._last_reply.get(chat_id, -math.inf) + self._quiet_after_reply > now)

    async def _take_reply(self, chat_id: int | None) -> None:
        # Telegram's one message a second per chat, after a message of the outbox only.
        last = self._last_background.get(chat_id, -math.inf) if chat_id is not None \
            else -math.inf
        while (wait := last + self._per_chat_interval - self._clock()) > 0:
            await self._sleep(wait + _SLACK)
        self._replies_waiting += 1
        self._no_reply_waiting.clear()
        try:
            async with self._reply_queue:
                await self._until_free()
                await self._shared_turn(queue=True)
                self._grant(interactive=True, chat_id=chat_id)
        finally:
            self._replies_waiting -= 1
            if not self._replies_waiting:
                self._no_reply_waiting.set()

    async def _shared_turn(self, *, queue: bool) -> bool:
        """Wait for this message's turn on the shared clock (none: True at once). Without
        ``queue``, False after waiting until the clock is free, if it was not."""
        if self._shared is None:
            return True
        try:
            start = await self._shared.reserve(queue=queue)
            if start is None:
                wait = await self._shared.free_at() - time.time()
            else:
                wait = start - time.time()
        except Exception as error:
            # The database is down: keep this worker's own pace rather than stop talking.
            log.warning("no turn from the shared send clock (%s); sending at this "
                        "worker's pace", error)
            return True
        if wait > 0:
            await self._sleep(wait + _SLACK)
        return start is not None

    async def _until_free(self) -> None:
        while (wait := self._free_at - self._clock()) > 0:
            await self._sleep(wait + _SLACK)

    def _grant(self, *, interactive: bool, chat_id: int | None) -> None:
        now = self._clock()
        self._free_at = now + self._interval
        self.granted[interactive] += 1
        if chat_id is not None:
            (self._last_reply if interactive else self._last_background)[chat_id] = now


class SharedTurns(Protocol):
    """Turns of Telegram's overall rate shared by every worker (wall-clock times)."""

    async def reserve(self, *, queue: bool) -> float | None: ...
    async def free_at(self) -> float: ...


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` (which retries 429s) that also retries network errors, and takes
    every message from the ``budget`` in place of the library's own overall limit.

    A message sent inside ``tracked_call(prepaid=True)`` (the outbox, which took its
    token itself) is not charged again on its first try; any other message is a reply,
    served first. Without a budget the overall rate is not limited here.

    A ``BadRequest`` is a ``NetworkError`` in python-telegram-bot but never gets
    better by repeating, so it is raised at once, as is ``Forbidden``. A
    timed-out send may already have reached the user; one repeat is a smaller
    harm than a lost reply.
    """

    def __init__(self, budget: SendBudget | None = None, *, max_retries: int = 0) -> None:
        # overall_max_rate=0: the budget is the overall limit (the per-group one stays).
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self.budget = budget

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = _chat_id(data)
        if self.budget is not None and chat_id is not None:
            callback = _charged(self.budget, chat_id, callback, endpoint in MESSAGE_METHODS)
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


def _charged(
    budget: SendBudget, chat_id: int, callback: Callable[..., Coroutine[Any, Any, Any]],
    message: bool,
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """``callback`` to ``chat_id`` taking one turn of ``budget`` per try (retries
    included) when it sends a ``message``, and telling the budget when each try ended:
    an edit takes no turn but shows the chat is in conversation."""

    async def charged(*args: Any, **kwargs: Any) -> Any:
        call = _TRACKED.get()
        if call is not None and call.prepaid:
            call.prepaid = False
        elif message:
            await budget.take(interactive=call is None, chat_id=chat_id)
        try:
            return await callback(*args, **kwargs)
        finally:
            budget.done(chat_id, interactive=call is None)

    return charged


def _chat_id(data: dict[str, Any]) -> int | None:
    """The numeric chat a request writes to (``@channel`` names are not tracked)."""
    value = data.get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


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
    # The caller took the first try's message from the send budget already.
    prepaid: bool = False


_TRACKED: ContextVar[TrackedCall | None] = ContextVar("farmdock_tracked_call", default=None)


@contextlib.contextmanager
def tracked_call(*, prepaid: bool = False) -> Iterator[TrackedCall]:
    """Track the Bot API calls made in this block (by this task) through an ObservedRequest;
    ``prepaid`` when the caller took the message from the send budget itself."""
    call = TrackedCall(prepaid=prepaid)
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
