"""Drain the outbox to Telegram within its limits, each message exactly once.

Telegram allows about 30 messages a second overall and one a second per chat;
going over earns a 429 and, repeated, a temporary ban. The sender paces
itself so that it never asks for a 429: a token bucket for the overall rate
and a per-chat "not before" time. A message is marked sent right after
Telegram accepts it, so a crash in between repeats at most the messages in
flight (one, by default).

Several workers (processes, machines) may each run a sender on one database.
A sender claims the rows it is about to send (``outbox.claim_due``) under its
worker id for a lease; others leave claimed rows, and chats with claimed rows,
alone, so each message goes once and one sender at a time writes to a chat. A
sender that dies holds its rows only until the lease runs out. The overall rate
is per bot, not per sender: with several workers, give each its share
(``global_per_second``).

Clock and sleep are parameters so that a benchmark can run an hour of
broadcasting against a simulated clock in seconds. The outbox's own
``not_before`` column is wall time (``time.time``), since it outlives the process.

An outbox payload is a JSON object::

    {"method": "sendMessage", "text": "...", "parse_mode": "HTML",
     "reply_markup": {"inline_keyboard": [...]}}          # reply_markup optional
    {"method": "sendDocument" | "sendPhoto", "caption": "...", "parse_mode": "HTML",
     "document" | "photo": {"filename": "x.xlsx", "path": "/..." | "data": "<base64>"}}
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import math
import os
import secrets
import socket
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardMarkup,
    InputFile,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
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

from storage import outbox, users
from storage.database import Database
from storage.records import OutboxMessage

log = logging.getLogger(__name__)

# A hair above the exact spacing, so float rounding never lands a send a
# microsecond early on Telegram's side of the window.
_SLACK = 0.001
# Transient failures back off exponentially up to this many seconds; the
# message is never dropped for being slow to get through.
MAX_BACKOFF = 600.0
POLL_INTERVAL = 5.0
# How long a claim keeps other workers off a row. A sender sends a claimed batch
# only within the first half of the lease and claims again after that, so a slow
# send (a document, a 429 pause) never outlives the claim it was made under.
CLAIM_LEASE = 60.0
# When rows are due but another worker holds them, look again this often.
HELD_ELSEWHERE_RECHECK = 1.0
BATCH_SIZE = 200
SENDER_KEY = "outbox_sender"
_TASK_KEY = "outbox_sender_task"

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


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
        per_chat_interval: float = 1.0,
        wall_clock: Callable[[], float] = time.time,
        worker_id: str | None = None,
        lease_seconds: float = CLAIM_LEASE,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._db = db
        self.worker_id = worker_id or default_worker_id()
        self._lease = lease_seconds
        self._batch_size = batch_size
        self._bot = bot
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._rate = float(global_per_second)
        self._per_chat_interval = per_chat_interval
        # Token bucket holding at most one token: sends are spread evenly,
        # which no sliding-window or bucket limiter on the other side refuses.
        self._tokens = 1.0
        self._refilled_at = clock()
        # Monotonic time before which a chat (or, after a 429, everything) must wait.
        self._chat_ready: dict[int, float] = {}
        self._paused_until = -math.inf
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
            busy = {chat for chat, ready in self._chat_ready.items() if ready > now}
            # Forget chats that are ready again, so the busy set stays small.
            self._chat_ready = {c: r for c, r in self._chat_ready.items() if c in busy}
            claimed_at = self._wall_clock()
            batch = await outbox.claim_due(
                self._db, self.worker_id, claimed_at,
                lease_seconds=self._lease, limit=self._batch_size, skip_chats=busy,
            )
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
                await self._wait_for_token()
                if self._wall_clock() >= claimed_at + self._lease / 2:
                    break  # claim again (renewing what is still ours) before sending more
                sent += await self._send(message)

    async def run(self) -> None:
        """Drain at start (catching up on rows left by a previous run), then on every wake."""
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

    async def release_claims(self) -> None:
        """Give this sender's unsent claimed rows back (on a clean stop)."""
        await outbox.release_claims(self._db, self.worker_id)

    # -- pacing -----------------------------------------------------------------

    async def _wait_for_token(self) -> None:
        while True:
            now = self._clock()
            if now < self._paused_until:
                await self._sleep(self._paused_until - now)
                continue
            self._tokens = min(1.0, self._tokens + (now - self._refilled_at) * self._rate)
            self._refilled_at = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return
            await self._sleep((1.0 - self._tokens) / self._rate + _SLACK)

    async def _idle_time(self) -> float:
        """Seconds until the next postponed row is due, at most ``POLL_INTERVAL``."""
        due_at = await outbox.next_due_at(self._db)
        if due_at is None:
            return POLL_INTERVAL
        wait = due_at - self._wall_clock()
        if wait <= 0:
            # Due now, yet drain left it: another worker holds the row or its chat.
            wait = HELD_ELSEWHERE_RECHECK
        return min(POLL_INTERVAL, wait)

    async def _has_due(self) -> bool:
        return bool(await outbox.due_messages(self._db, self._wall_clock(), 1))

    # -- one message --------------------------------------------------------------

    async def _send(self, message: OutboxMessage) -> int:
        """Send one row and record the outcome; 1 when Telegram took it."""
        self._chat_ready[message.chat_id] = self._clock() + self._per_chat_interval + _SLACK
        try:
            await _call(self._bot, message.chat_id, json.loads(message.payload))
        except RetryAfter as error:
            seconds = _retry_after_seconds(error)
            self.retries_after += 1
            log.warning("429 for chat %s: waiting %.0f s", message.chat_id, seconds)
            self._paused_until = self._clock() + seconds
            await outbox.postpone(self._db, message.id, self._wall_clock() + seconds, str(error))
            return 0
        except Forbidden as error:
            # The user blocked the bot or deleted their account: stop writing to them.
            await users.mark_inactive(self._db, message.chat_id)
            await outbox.mark_failed(self._db, message.id, str(error))
            return 0
        except (BadRequest, ChatMigrated) as error:
            # Sending the same request again would fail the same way.
            log.error("outbox %s (%s) refused: %s", message.id, message.key, error)
            await outbox.mark_failed(self._db, message.id, str(error))
            return 0
        except InvalidToken:
            raise
        except TelegramError as error:
            # Timeouts included: the message may have gone through; sending it again
            # risks one repeat, dropping it risks losing it.
            delay = min(MAX_BACKOFF, 2.0 ** min(message.attempts + 1, 20))
            log.warning("outbox %s: %s; retrying in %.0f s", message.id, error, delay)
            await outbox.postpone(self._db, message.id, self._wall_clock() + delay, str(error))
            return 0
        except (OSError, ValueError, KeyError) as error:
            # A broken payload (missing file, unknown method) never gets better.
            log.exception("outbox %s (%s) cannot be sent", message.id, message.key)
            await outbox.mark_failed(self._db, message.id, f"{type(error).__name__}: {error}")
            return 0
        # The sent row keeps its claim for the per-chat interval: no other worker
        # writes to this chat sooner.
        await outbox.mark_sent(
            self._db, message.id,
            chat_busy_until=self._wall_clock() + self._per_chat_interval + _SLACK,
        )
        self.sent += 1
        return 1


def default_worker_id() -> str:
    """Names this process's sender in the outbox's claims: host, pid and a random part."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


async def _call(bot: Bot, chat_id: int, payload: dict[str, Any]) -> None:
    """The Bot API call an outbox payload describes."""
    method = payload.get("method", "sendMessage")
    common: dict[str, Any] = {
        "chat_id": chat_id,
        "parse_mode": payload.get("parse_mode"),
        "reply_markup": _reply_markup(payload.get("reply_markup")),
    }
    if method == "sendMessage":
        await bot.send_message(
            text=payload["text"],
            disable_web_page_preview=payload.get("disable_web_page_preview", True),
            **common,
        )
    elif method == "sendDocument":
        await bot.send_document(
            document=_input_file(payload["document"]), caption=payload.get("caption"), **common
        )
    elif method == "sendPhoto":
        await bot.send_photo(
            photo=_input_file(payload["photo"]), caption=payload.get("caption"), **common
        )
    else:
        raise ValueError(f"unknown outbox method {method!r}")


def _reply_markup(data: dict[str, Any] | None) -> ReplyMarkup | None:
    """A Telegram JSON keyboard as the PTB object ``send_*`` expects."""
    if not data:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data)
    if "remove_keyboard" in data:
        return ReplyKeyboardRemove.de_json(data)
    if "force_reply" in data:
        return ForceReply.de_json(data)
    raise ValueError(f"unknown reply_markup {sorted(data)}")


def _input_file(spec: dict[str, Any]) -> InputFile:
    """A file given by ``path`` or by base64 ``data``, sent under ``filename``."""
    if "data" in spec:
        content = base64.b64decode(spec["data"])
    else:
        content = Path(spec["path"]).read_bytes()
    return InputFile(content, filename=spec.get("filename"))


def _retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that the attribute will become a timedelta; accept both.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# -- wiring into the Application --------------------------------------------------


def database_of(application: Application) -> Database:
    """The open database of a running Application: its services' (see bot.services.runtime),
    else ``bot_data["db"]``."""
    services = application.bot_data.get("services")
    return services.db if services is not None else application.bot_data["db"]


def start_outbox_sender(
    application: Application, db: Database | None = None, *, global_per_second: float = 30.0
) -> OutboxSender:
    """Create the sender and run it as a background task; ``wake`` it after enqueuing.

    Call from ``post_init`` once the database is open (``db``, or see ``database_of``);
    pending rows left by an earlier run are sent at once. ``global_per_second`` is this
    process's share of Telegram's overall limit.
    """
    sender = OutboxSender(
        db or database_of(application), application.bot, global_per_second=global_per_second
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
