"""Drain the outbox to Telegram within its limits, each message exactly once.

Telegram allows about 30 messages a second overall and one a second per chat;
going over earns a 429 and, repeated, a temporary ban. The sender paces
itself so that it never asks for a 429: it takes each message from a
:class:`bot.transport.SendBudget` for the overall rate (in the bot, the budget the
replies share, which serves them first), and keeps a per-chat "not before" time.
A message is marked sent right after Telegram accepts it, so a crash in between
repeats at most the messages in flight (one, by default).

Several workers (processes, machines) may each run a sender on one database.
A sender claims the rows it is about to send (``outbox.claim_due``) under its
worker id for a short lease; others leave claimed rows, and chats with claimed
rows, alone, so each message goes once and one sender at a time writes to a chat.
While ``run`` runs, a heartbeat renews the lease of the rows in hand every
``HEARTBEAT`` seconds, so a slow send never outlives its claim; a sender that dies
(even by SIGKILL) holds its rows only until the lease runs out, a few seconds.
Whatever renews it, a sender starts a send only while at least half the lease it
last wrote is left, so two live workers never send one row. The overall rate is
per bot, not per sender: with several workers, give each its share
(``global_per_second``).

What happens to a row that Telegram does not simply take:

- 429: postponed by ``retry_after``, and the sender pauses.
- 403 (blocked), 400 (refused), a payload that cannot become a request: failed.
- A network error or 5xx: postponed with exponential back-off, never dropped (the
  message may already have arrived; one repeat is the lesser harm).
- Telegram answered 200 but its answer could not be read: sent, never again; the
  error is noted in ``last_error`` and the operators are told.
- Anything else (a bug, a closed client): postponed with back-off until the row has
  had ``MAX_ATTEMPTS`` tries, then failed and the operators told.

Telling "answered 200" apart needs the bot's request to be a
:class:`bot.transport.ObservedRequest` (``build_application`` makes it so); with
another request such an error counts as "anything else".

Operators (``operator_chat_ids``) are told through the outbox itself, in rows keyed by
day and kind of trouble, so each kind reaches them once a day however many rows hit it.

Clock and sleep are parameters so that a benchmark can run an hour of
broadcasting against a simulated clock in seconds. The outbox's own
``not_before`` column is wall time (``time.time``), since it outlives the process.

An outbox payload is a :class:`bot.services.messages.Message` as JSON: what to say;
:mod:`bot.telegram.payloads` makes the Bot API call that says it. Every change to a
row is its own small unit of work.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import math
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning

from bot.services.messages import Message, outgoing
from bot.services.runtime import default_worker_id
from bot.telegram import payloads
from bot.telegram.transport import ObservedRequest, SendBudget, TrackedCall, tracked_call
from bot.texts import outbox as texts
from storage.database import Database
from storage.interfaces import UnitOfWork
from storage.records import OutboxMessage

T = TypeVar("T")

log = logging.getLogger(__name__)

# A hair above the exact spacing, so float rounding never lands a send a
# microsecond early on Telegram's side of the window.
_SLACK = 0.001
# Transient failures back off exponentially up to this many seconds; the
# message is never dropped for being slow to get through.
MAX_BACKOFF = 600.0
# Tries (all kinds counted) after which an unexpected error gives a row up.
MAX_ATTEMPTS = 5
# Outbox rows that tell operators about trouble; trouble with these tells no one.
ALERT_KIND = "outbox-alert"
POLL_INTERVAL = 5.0
# How long a claim keeps other workers off a row: how long a dead worker's rows wait.
CLAIM_LEASE = 3.0
# How often a running sender renews the lease of the rows in hand: a live sender's
# claim could run out only after six beats in a row went missing.
HEARTBEAT = 0.5
# When rows are due but another worker holds them, look again this often.
HELD_ELSEWHERE_RECHECK = 0.5
# Rows claimed at a time: about a second of sending, so rows a dead worker held are
# picked up within a second of its lease running out.
BATCH_SIZE = 30
SENDER_KEY = "outbox_sender"
_TASK_KEY = "outbox_sender_task"

class OutboxSender:
    """Sends pending outbox rows; ``drain`` once, or ``run`` in the background."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        global_per_second: float = 30,
        budget: SendBudget | None = None,
        per_chat_interval: float = 1.0,
        wall_clock: Callable[[], float] = time.time,
        worker_id: str | None = None,
        lease_seconds: float = CLAIM_LEASE,
        batch_size: int = BATCH_SIZE,
        operator_chat_ids: Sequence[int] = (),
    ) -> None:
        self._db = db
        self._operators = tuple(operator_chat_ids)
        if not isinstance(bot.request, ObservedRequest):
            log.debug("outbox sender without an ObservedRequest: unreadable answers will repeat")
        self.worker_id = worker_id or default_worker_id()
        self._lease = lease_seconds
        self._batch_size = batch_size
        self._bot = bot
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        # The overall rate: shared with the replies when given, else the outbox's own.
        self._budget = budget or SendBudget(global_per_second, clock=clock, sleep=sleep)
        self._per_chat_interval = per_chat_interval
        # Monotonic time before which a chat (or, after a 429, everything) must wait.
        self._chat_ready: dict[int, float] = {}
        self._paused_until = -math.inf
        # The claimed rows not sent yet, and the earliest wall time any claim on them
        # may run out (as last written by claim_due or the heartbeat).
        self._in_hand: set[int] = set()
        self._held_until = -math.inf
        self._wake = asyncio.Event()
        self.sent = 0
        self.retries_after = 0  # 429s received; pacing should keep this at zero

    def wake(self) -> None:
        """Something was enqueued: drain now rather than at the next poll."""
        self._wake.set()

    async def drain(self) -> int:
        """Send every message due now, within the limits; return how many Telegram took."""
        sent = 0
        while True:
            now = self._clock()
            # Chats the budget keeps the outbox off (a reply just went there) wait too.
            for chat, ready in self._budget.busy_chats().items():
                self._chat_ready[chat] = max(ready, self._chat_ready.get(chat, -math.inf))
            busy = {chat for chat, ready in self._chat_ready.items() if ready > now}
            # Forget chats that are ready again, so the busy set stays small.
            self._chat_ready = {c: r for c, r in self._chat_ready.items() if c in busy}
            claimed_at = self._wall_clock()
            batch = await self._claim(claimed_at, busy)
            self._in_hand = {message.id for message in batch}
            self._held_until = claimed_at + self._lease
            if not batch:
                if not busy:
                    return sent
                # Only chats that must wait have messages left (or none has): wait
                # for the first of them, then look again.
                if not await self._has_due():
                    return sent
                await self._sleep(min(self._chat_ready.values()) - self._clock() + _SLACK)
                continue
            for message in batch:
                if self._chat_ready.get(message.chat_id, -math.inf) > self._clock():
                    continue  # an earlier row of this batch went to the same chat
                if not await self._wait_for_token(message.chat_id):
                    continue  # claimed again in a later round, once the chat is free
                if self._wall_clock() >= self._held_until - self._lease / 2:
                    break  # claim again (renewing what is still ours) before sending more
                sent += await self._send(message)
                self._in_hand.discard(message.id)

    async def run(self) -> None:
        """Drain at start (catching up on rows left by a previous run), then on every wake;
        meanwhile renew the claims in hand every ``HEARTBEAT`` seconds."""
        heartbeat = asyncio.create_task(self._heartbeat(), name="outbox-heartbeat")
        try:
            while True:
                self._wake.clear()
                try:
                    await self.drain()
                    idle = await self._idle_time()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("outbox drain failed; retrying in %s s", POLL_INTERVAL)
                    idle = POLL_INTERVAL
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), idle)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def renew_claims(self) -> None:
        """Extend the lease of the rows in hand (the one being sent too) from now."""
        in_hand = list(self._in_hand)
        if not in_hand:
            return
        now = self._wall_clock()
        renewed = await self._write(lambda uow: uow.outbox.renew_claims(
            self.worker_id, in_hand, now, lease_seconds=self._lease
        ))
        # Fewer renewed: a row was sent meanwhile or, its lease run out, taken by another
        # worker. Only a full renewal extends what the send loop may rely on; otherwise
        # it claims afresh once the old lease is half gone.
        if renewed == len(in_hand):
            self._held_until = max(self._held_until, now + self._lease)

    async def _heartbeat(self) -> None:
        while True:
            await self._sleep(HEARTBEAT)
            try:
                await self.renew_claims()
            except Exception:
                # The send loop stops sending before the claims could run out.
                log.exception("could not renew the outbox claims")

    async def release_claims(self) -> None:
        """Give this sender's unsent claimed rows back (on a clean stop)."""
        await self._write(lambda uow: uow.outbox.release_claims(self.worker_id))

    async def _claim(self, claimed_at: float, busy: set[int]) -> list[OutboxMessage]:
        async with self._db.write() as uow:
            batch = await uow.outbox.claim_due(
                self.worker_id, claimed_at, lease_seconds=self._lease,
                limit=self._batch_size, skip_chats=busy,
            )
            await uow.commit()
        return batch

    async def _write(self, change: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """One change to the outbox, in a unit of work of its own."""
        async with self._db.write() as uow:
            result = await change(uow)
            await uow.commit()
        return result

    # -- pacing -----------------------------------------------------------------

    async def _wait_for_token(self, chat_id: int) -> bool:
        """Wait for the outbox's turn to write to ``chat_id``; False when the chat became
        busy meanwhile (a reply went there) and the row must wait."""
        while (pause := self._paused_until - self._clock()) > 0:
            await self._sleep(pause)
        return await self._budget.take(interactive=False, chat_id=chat_id)

    async def _idle_time(self) -> float:
        """Seconds until the next postponed row is due, at most ``POLL_INTERVAL``."""
        async with self._db.read() as uow:
            due_at = await uow.outbox.next_due_at()
        if due_at is None:
            return POLL_INTERVAL
        wait = due_at - self._wall_clock()
        if wait <= 0:
            # Due now, yet drain left it: another worker holds the row or its chat.
            wait = HELD_ELSEWHERE_RECHECK
        return min(POLL_INTERVAL, wait)

    async def _has_due(self) -> bool:
        async with self._db.read() as uow:
            return bool(await uow.outbox.due(self._wall_clock(), 1))

    # -- one message --------------------------------------------------------------

    async def _send(self, message: OutboxMessage) -> int:
        """Send one row and record the outcome; 1 when Telegram took it."""
        self._chat_ready[message.chat_id] = self._clock() + self._per_chat_interval + _SLACK
        try:
            send = payloads.send(self._bot, message.chat_id,
                                 Message.from_dict(json.loads(message.payload)))
        except Exception as error:
            return await self._cannot_build(message, error)
        with tracked_call(prepaid=True) as call:
            try:
                await send()
            except Exception as error:
                return await self._failed(message, error, call)
            finally:
                # The chat's second counts from the answer: the message may arrive late.
                self._budget.done(message.chat_id, interactive=False)
                self._chat_ready[message.chat_id] = (
                    self._clock() + self._per_chat_interval + _SLACK
                )
        await self._mark_sent(message)
        return 1

    async def _mark_sent(self, message: OutboxMessage, error: str | None = None) -> None:
        # The sent row keeps its claim for the per-chat interval: no other worker
        # writes to this chat sooner.
        busy_until = self._wall_clock() + self._per_chat_interval + _SLACK
        await self._write(lambda uow: uow.outbox.mark_sent(
            message.id, error=error, chat_busy_until=busy_until))
        self.sent += 1

    async def _failed(self, message: OutboxMessage, error: Exception, call: TrackedCall) -> int:
        """Record why a send raised; 1 when Telegram took the message all the same."""
        if call.accepted:
            # Telegram did send it; only its answer could not be read. Never send it again.
            log.error("outbox %s (%s): Telegram took it, but its answer could not be read",
                      message.id, message.key, exc_info=error)
            await self._mark_sent(message, _describe(error))
            await self._tell_operators(texts.ANSWER_UNREADABLE, "unreadable", message, error)
            return 1
        if isinstance(error, RetryAfter):
            seconds = _retry_after_seconds(error)
            self.retries_after += 1
            log.warning("429 for chat %s: waiting %.0f s", message.chat_id, seconds)
            self._paused_until = self._clock() + seconds
            await self._postpone(message, self._wall_clock() + seconds, str(error))
        elif isinstance(error, Forbidden):
            # The user blocked the bot or deleted their account: stop writing to them.
            async with self._db.write() as uow:
                await uow.users.mark_inactive(message.chat_id)
                await uow.outbox.mark_failed(message.id, str(error))
                await uow.commit()
        elif isinstance(error, BadRequest) and "not modified" in error.message.lower():
            # An edit that was made already (sent before a crash, not yet marked): done.
            await self._mark_sent(message)
            return 1
        elif isinstance(error, BadRequest | ChatMigrated):
            # Sending the same request again would fail the same way.
            log.error("outbox %s (%s) refused: %s", message.id, message.key, error)
            await self._write(lambda uow: uow.outbox.mark_failed(message.id, str(error)))
        elif isinstance(error, InvalidToken):
            raise error
        elif isinstance(error, TelegramError):
            # Timeouts included: the message may have gone through; sending it again
            # risks one repeat, dropping it risks losing it.
            delay = _backoff(message.attempts + 1)
            log.warning("outbox %s: %s; retrying in %.0f s", message.id, error, delay)
            await self._postpone(message, self._wall_clock() + delay, str(error))
        elif message.attempts + 1 >= MAX_ATTEMPTS:
            log.error("outbox %s (%s): giving up after %d tries", message.id, message.key,
                      message.attempts + 1, exc_info=error)
            await self._write(lambda uow: uow.outbox.mark_failed(message.id, _describe(error)))
            await self._tell_operators(texts.GAVE_UP, "gave-up", message, error)
        else:
            # A bug or a broken client, not Telegram: it may pass, but not by hammering.
            delay = _backoff(message.attempts + 1)
            log.warning("outbox %s (%s): %s; retrying in %.0f s", message.id, message.key,
                        _describe(error), delay)
            await self._postpone(message, self._wall_clock() + delay, _describe(error))
        return 0

    async def _postpone(self, message: OutboxMessage, until: float, error: str) -> None:
        await self._write(lambda uow: uow.outbox.postpone(message.id, until, error))

    async def _cannot_build(self, message: OutboxMessage, error: Exception) -> int:
        """A payload that makes no request (missing file, unknown method) never gets better."""
        log.error("outbox %s (%s) cannot be sent", message.id, message.key, exc_info=error)
        await self._write(lambda uow: uow.outbox.mark_failed(message.id, _describe(error)))
        await self._tell_operators(texts.CANNOT_BUILD, "cannot-build", message, error)
        return 0

    async def _tell_operators(
        self, text: str, trouble: str, message: OutboxMessage, error: Exception
    ) -> None:
        """Queue one alert per operator, keyed so that each kind of trouble goes once a day."""
        if not self._operators or message.kind == ALERT_KIND:
            return
        day = datetime.fromtimestamp(self._wall_clock(), UTC).date().isoformat()
        body = text.format(
            id=message.id, key=html.escape(message.key), attempts=message.attempts + 1,
            error=html.escape(_describe(error)[:500]),
        )
        alerts = [
            outgoing(f"{day}|{chat}|{ALERT_KIND}|{trouble}|{type(error).__name__}", chat,
                     ALERT_KIND, Message(body))
            for chat in self._operators
        ]
        await self._write(lambda uow: uow.outbox.enqueue(alerts))


def _backoff(attempts: int) -> float:
    """Seconds to wait after a row's ``attempts``-th failed try."""
    return min(MAX_BACKOFF, 2.0 ** min(attempts, 20))


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that the attribute will become a timedelta; accept both.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# -- wiring into the Application --------------------------------------------------


def start_outbox_sender(
    application: Application, db: Database, *, global_per_second: float = 30.0,
    budget: SendBudget | None = None, operator_chat_ids: Sequence[int] = (),
) -> OutboxSender:
    """Create the sender and run it as a background task; ``wake`` it after enqueuing.

    Call from ``post_init`` once the database is open; pending rows left by an earlier
    run are sent at once. ``budget`` is the send budget the
    replies take from too; without it the sender keeps to ``global_per_second``, this
    process's share of Telegram's overall limit. ``operator_chat_ids`` hear of rows that
    could not be sent the normal way.
    """
    sender = OutboxSender(
        db, application.bot, global_per_second=global_per_second,
        budget=budget, operator_chat_ids=operator_chat_ids,
    )
    application.bot_data[SENDER_KEY] = sender
    application.bot_data[_TASK_KEY] = asyncio.get_running_loop().create_task(
        sender.run(), name="outbox-sender"
    )
    return sender


async def stop_outbox_sender(application: Application) -> None:
    """Stop the background task (call before the database closes). Idempotent."""
    task: asyncio.Task[None] | None = application.bot_data.pop(_TASK_KEY, None)
    sender: OutboxSender | None = application.bot_data.pop(SENDER_KEY, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if sender is not None:
        # Hand unsent rows to the other workers now rather than after the lease.
        await sender.release_claims()


def wake_outbox_sender(application: Application) -> None:
    """Tell the running sender that rows were enqueued (no-op when it is not running)."""
    sender: OutboxSender | None = application.bot_data.get(SENDER_KEY)
    if sender is not None:
        sender.wake()
