"""The outbox: messages to send exactly once, kept until Telegram has taken them.

A row's payload is what to say (a message as JSON, see ``bot.services.messages``);
the sender decides how to say it. Rows are enqueued in the unit of work of what
caused them, so a notice exists exactly when its cause was committed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ARRAY, BigInteger, and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import OutboxMessage
from storage.schema import outbox
from storage.sql import chunks, insert_ignoring_duplicates

_ROW = select(*OutboxMessage.columns(outbox))
_NO_CLAIM = {"claimed_by": None, "claimed_until": None}
# PostgreSQL: the chats of the rows a claim selected, one row each (see claim_due).
_CHAT = (func.unnest(bindparam("chats", type_=ARRAY(BigInteger)))
         .table_valued("chat").render_derived(name="claimed_chat"))


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message to enqueue; ``key`` (e.g. ``2026-05-09|12345|digest``) makes it idempotent."""

    key: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    not_before: float = 0.0


class OutboxRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        # Rows this unit of work added: the sender is woken once they are committed.
        self.added = 0

    async def enqueue(self, messages: Sequence[OutgoingMessage]) -> int:
        """Add messages whose key is new; return how many were added (known keys are kept,
        and of one key given twice the first counts)."""
        fresh: dict[str, OutgoingMessage] = {}
        for m in messages:
            fresh.setdefault(m.key, m)
        counted = self._conn.dialect.supports_sane_multi_rowcount
        if not counted:
            # The driver cannot say how many rows an INSERT of several added: ask first.
            for key in await self.known_keys(list(fresh)):
                del fresh[key]
        if not fresh:
            return 0
        now = time.time()
        # Duplicates ignored: a known key, or one another worker adds meanwhile.
        result = await self._conn.execute(insert_ignoring_duplicates(self._conn, outbox), [
            {"key": m.key, "chat_id": m.chat_id, "kind": m.kind,
             "payload": json.dumps(m.payload, ensure_ascii=False), "not_before": m.not_before,
             "created_at": now}
            for m in fresh.values()
        ])
        added = result.rowcount if counted else len(fresh)
        self.added += added
        return added

    async def enqueue_groups(self, groups: Sequence[Sequence[OutgoingMessage]]) -> int:
        """Add each group whole or not at all; return how many rows were added.

        A group (a digest in several parts, with its files) whose first key is already
        known is skipped entirely, so a refill that cuts the text differently never
        adds a second, partly different copy.
        """
        firsts = await self.known_keys([group[0].key for group in groups if group])
        return await self.enqueue(
            [m for group in groups if group and group[0].key not in firsts for m in group]
        )

    async def known_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are in the outbox already, whatever their state."""
        found: set[str] = set()
        for chunk in chunks(list(keys)):
            found.update((await self._conn.execute(
                select(outbox.c.key).where(outbox.c.key.in_(chunk)))).scalars())
        return found

    async def due(
        self, now: float, limit: int = 100, *, skip_chats: Collection[int] = ()
    ) -> list[OutboxMessage]:
        """Pending messages that may go now, oldest first, leaving out ``skip_chats``."""
        query = _ROW.where(outbox.c.status == "pending", outbox.c.not_before <= now)
        if skip_chats:
            query = query.where(outbox.c.chat_id.not_in(list(skip_chats)))
        rows = await self._conn.execute(query.order_by(outbox.c.not_before, outbox.c.id)
                                        .limit(limit))
        return [OutboxMessage.from_row(r) for r in rows]

    async def claim_due(
        self, worker_id: str, now: float, *, lease_seconds: float, limit: int = 100,
        skip_chats: Collection[int] = (),
    ) -> list[OutboxMessage]:
        """Claim pending messages that may go now for ``worker_id``; return them, oldest first.

        A row is claimable when it is due and unclaimed, its claim has run out, or it is
        this worker's already (claiming again renews the lease). A chat is left out while
        another worker holds a live claim on any of its rows, sent ones included (see
        ``mark_sent``), so one worker at a time writes to a chat and Telegram's per-chat
        limit holds across workers. Claimed rows are stamped ``claimed_until = now +
        lease_seconds``: a worker that dies leaves them to the others after that.
        ``skip_chats`` are chats this worker must not write to yet.

        Select and stamp happen in the caller's write unit of work, so two workers never
        both claim a row. On SQLite that unit holds the write lock. On PostgreSQL the rows
        are taken ``FOR UPDATE SKIP LOCKED`` (a row another worker is claiming is passed
        over, not waited for), and each chat with a lock held to the commit, after which
        the chat is looked at again: a claim another worker committed meanwhile wins.
        """
        held = outbox.alias("held")

        def others_hold(chat: Any) -> Any:
            return exists().where(held.c.chat_id == chat, held.c.claimed_until > now,
                                  held.c.claimed_by != worker_id)

        query = _ROW.where(
            outbox.c.status == "pending", outbox.c.not_before <= now,
            or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now,
                outbox.c.claimed_by == worker_id),
            ~others_hold(outbox.c.chat_id),
        )
        if skip_chats:
            query = query.where(outbox.c.chat_id.not_in(list(skip_chats)))
        query = query.order_by(outbox.c.not_before, outbox.c.id).limit(limit)
        postgresql = self._conn.dialect.name == "postgresql"
        if postgresql:
            query = query.with_for_update(skip_locked=True, of=outbox)
        rows = [OutboxMessage.from_row(r) for r in await self._conn.execute(query)]
        if postgresql and rows:
            locked = list((await self._conn.execute(
                select(_CHAT.c.chat).where(func.pg_try_advisory_xact_lock(_CHAT.c.chat)),
                {"chats": sorted({r.chat_id for r in rows})})).scalars())
            # A statement of its own, so it sees what was committed before the lock came.
            taken = set((await self._conn.execute(
                select(held.c.chat_id).distinct().where(
                    held.c.chat_id.in_(locked), held.c.claimed_until > now,
                    held.c.claimed_by != worker_id))).scalars()) if locked else set()
            rows = [r for r in rows if r.chat_id in set(locked) - taken]
        until = now + lease_seconds
        for chunk in chunks([r.id for r in rows]):
            await self._conn.execute(update(outbox).where(outbox.c.id.in_(chunk))
                                     .values(claimed_by=worker_id, claimed_until=until))
        return [replace(r, claimed_by=worker_id, claimed_until=until) for r in rows]

    async def renew_claims(
        self, worker_id: str, message_ids: Collection[int], now: float, *,
        lease_seconds: float,
    ) -> int:
        """Extend ``worker_id``'s claims on the pending ``message_ids`` to ``now +
        lease_seconds`` (never shortening one); return how many rows were renewed.

        A row another worker claimed meanwhile (its claim had run out) is not ours any
        more and is left alone: fewer rows renewed than asked means the caller lost some.
        """
        renewed = 0
        until = now + lease_seconds
        for chunk in chunks(list(message_ids)):
            result = await self._conn.execute(
                update(outbox).where(outbox.c.claimed_by == worker_id,
                                     outbox.c.status == "pending", outbox.c.id.in_(chunk))
                .values(claimed_until=case((outbox.c.claimed_until > until,
                                            outbox.c.claimed_until), else_=until))
            )
            renewed += result.rowcount
        return renewed

    async def release_claims(self, worker_id: str) -> int:
        """Give up ``worker_id``'s claims on pending rows (a clean stop); return how many."""
        result = await self._conn.execute(
            update(outbox).where(outbox.c.claimed_by == worker_id, outbox.c.status == "pending")
            .values(**_NO_CLAIM)
        )
        return result.rowcount

    async def next_due_at(self) -> float | None:
        """When the earliest pending message may go (wall time), claimed or not."""
        value = (await self._conn.execute(
            select(func.min(outbox.c.not_before)).where(outbox.c.status == "pending")
        )).scalar()
        return None if value is None else float(value)

    async def mark_sent(
        self, message_id: int, *, chat_busy_until: float | None = None,
        error: str | None = None,
    ) -> None:
        """Telegram took the message. With ``chat_busy_until`` the row keeps its claim until
        then, so that no other worker writes to the chat sooner; otherwise the claim is
        cleared. ``error`` notes what went wrong after Telegram took it (an unreadable
        answer)."""
        values: dict[str, Any] = {"status": "sent", "sent_at": time.time(),
                                  "attempts": outbox.c.attempts + 1}
        values.update(_NO_CLAIM if chat_busy_until is None
                      else {"claimed_until": chat_busy_until})
        if error is not None:
            values["last_error"] = error
        await self._conn.execute(update(outbox).where(outbox.c.id == message_id).values(values))

    async def mark_sent_keys(self, keys: Sequence[str]) -> None:
        """Rows sent by someone else than the sender (the router's replies): never again."""
        now = time.time()
        for chunk in chunks(list(keys)):
            await self._conn.execute(
                update(outbox).where(outbox.c.key.in_(chunk), outbox.c.status == "pending")
                .values(status="sent", sent_at=now, attempts=outbox.c.attempts + 1,
                        **_NO_CLAIM)
            )

    async def due_now(self, keys: Sequence[str]) -> None:
        """Make pending rows due at once (the router could not send its replies)."""
        now = time.time()
        for chunk in chunks(list(keys)):
            await self._conn.execute(
                update(outbox).where(outbox.c.key.in_(chunk), outbox.c.status == "pending")
                .values(not_before=now)
            )

    async def mark_failed(self, message_id: int, error: str) -> None:
        """Give up on a message for good (the recipient blocked the bot, the chat is gone)."""
        await self._conn.execute(update(outbox).where(outbox.c.id == message_id).values(
            status="failed", last_error=error, attempts=outbox.c.attempts + 1, **_NO_CLAIM,
        ))

    async def postpone(self, message_id: int, until: float, error: str) -> None:
        """Try again later (429, network trouble); the row is free for any worker then."""
        await self._conn.execute(update(outbox).where(outbox.c.id == message_id).values(
            not_before=until, last_error=error, attempts=outbox.c.attempts + 1, **_NO_CLAIM,
        ))

    async def rows(
        self, *, kind: str | None = None, chat_id: int | None = None
    ) -> list[OutboxMessage]:
        """Outbox rows, oldest first, optionally of one kind or one chat."""
        conditions = []
        if kind is not None:
            conditions.append(outbox.c.kind == kind)
        if chat_id is not None:
            conditions.append(outbox.c.chat_id == chat_id)
        query = _ROW.where(and_(*conditions)) if conditions else _ROW
        return [OutboxMessage.from_row(r) for r in
                await self._conn.execute(query.order_by(outbox.c.id))]
