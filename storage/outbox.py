"""The outbox: messages to send exactly once, kept until Telegram has taken them."""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

import aiosqlite

from storage.database import Database, equal_filters
from storage.records import OutboxMessage

_NO_CLAIM = "claimed_by = NULL, claimed_until = NULL"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message to enqueue; ``key`` (e.g. ``2026-05-09|12345|digest``) makes it idempotent."""

    key: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    not_before: float = 0.0


async def enqueue(db: Database, messages: Sequence[OutgoingMessage]) -> int:
    """Add messages whose key is new; return how many were added (existing keys are kept)."""
    async with db.transaction() as conn:
        return await _insert(conn, messages)


async def enqueue_groups(db: Database, groups: Sequence[Sequence[OutgoingMessage]]) -> int:
    """Add each group whole or not at all, in one transaction; return how many rows were added.

    A group (a digest in several parts, with its files) whose first key is already
    known is skipped entirely, so a refill that cuts the text differently never
    adds a second, partly different copy.
    """
    async with db.transaction() as conn:
        fresh = []
        for group in groups:
            if not group:
                continue
            cur = await conn.execute("SELECT 1 FROM outbox WHERE key = ?", (group[0].key,))
            if await cur.fetchone() is None:
                fresh.extend(group)
        return await _insert(conn, fresh)


async def known_keys(db: Database, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are in the outbox already, whatever their state."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # below SQLite's parameter limit
        chunk = list(keys[start : start + 500])
        rows = await db.fetch_all(
            f"SELECT key FROM outbox WHERE key IN ({','.join('?' * len(chunk))})", chunk
        )
        found.update(r["key"] for r in rows)
    return found


async def _insert(conn: aiosqlite.Connection, messages: Sequence[OutgoingMessage]) -> int:
    now = time.time()
    before = conn.total_changes
    await conn.executemany(
        "INSERT INTO outbox (key, chat_id, kind, payload, not_before, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        [
            (m.key, m.chat_id, m.kind, json.dumps(m.payload, ensure_ascii=False),
             m.not_before, now)
            for m in messages
        ],
    )
    return conn.total_changes - before


async def due_messages(
    db: Database, now: float, limit: int = 100, *, skip_chats: Collection[int] = ()
) -> list[OutboxMessage]:
    """Pending messages that may go now, oldest first.

    ``skip_chats`` leaves out chats the sender must not write to yet (Telegram's
    per-chat limit), so that a long queue for one chat never hides the others.
    """
    sql = "SELECT * FROM outbox WHERE status = 'pending' AND not_before <= ?"
    params: list[Any] = [now]
    if skip_chats:
        sql += f" AND chat_id NOT IN ({','.join('?' * len(skip_chats))})"
        params += list(skip_chats)
    rows = await db.fetch_all(sql + " ORDER BY not_before, id LIMIT ?", [*params, limit])
    return [OutboxMessage.from_row(r) for r in rows]


async def claim_due(
    db: Database,
    worker_id: str,
    now: float,
    *,
    lease_seconds: float,
    limit: int = 100,
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

    Select and stamp happen in one write transaction (``BEGIN IMMEDIATE``), so two
    workers never both claim a row. On PostgreSQL the select takes
    ``FOR UPDATE SKIP LOCKED`` to the same end, and the chat test needs the chat's
    rows locked too (or an advisory lock per chat).
    """
    sql = (
        "SELECT * FROM outbox AS o WHERE o.status = 'pending' AND o.not_before <= ?"
        " AND (o.claimed_until IS NULL OR o.claimed_until <= ? OR o.claimed_by = ?)"
        " AND NOT EXISTS (SELECT 1 FROM outbox AS held WHERE held.chat_id = o.chat_id"
        " AND held.claimed_until > ? AND held.claimed_by <> ?)"
    )
    params: list[Any] = [now, now, worker_id, now, worker_id]
    if skip_chats:
        sql += f" AND o.chat_id NOT IN ({','.join('?' * len(skip_chats))})"
        params += list(skip_chats)
    sql += " ORDER BY o.not_before, o.id LIMIT ?"
    until = now + lease_seconds
    async with db.transaction() as conn:
        rows = list(await conn.execute_fetchall(sql, [*params, limit]))
        await conn.executemany(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?",
            [(worker_id, until, r["id"]) for r in rows],
        )
    return [
        replace(OutboxMessage.from_row(r), claimed_by=worker_id, claimed_until=until)
        for r in rows
    ]


async def renew_claims(
    db: Database, worker_id: str, message_ids: Collection[int], now: float, *,
    lease_seconds: float,
) -> int:
    """Extend ``worker_id``'s claims on the pending ``message_ids`` to ``now +
    lease_seconds`` (never shortening one); return how many rows were renewed.

    A row another worker claimed meanwhile (its claim had run out) is not ours any more
    and is left alone: fewer rows renewed than asked means the caller lost some.
    """
    ids = list(message_ids)
    renewed = 0
    async with db.transaction() as conn:
        for start in range(0, len(ids), 500):  # below SQLite's parameter limit
            chunk = ids[start : start + 500]
            cur = await conn.execute(
                "UPDATE outbox SET claimed_until = MAX(claimed_until, ?)"
                " WHERE claimed_by = ? AND status = 'pending'"
                f" AND id IN ({','.join('?' * len(chunk))})",
                [now + lease_seconds, worker_id, *chunk],
            )
            renewed += cur.rowcount
    return renewed


async def release_claims(db: Database, worker_id: str) -> int:
    """Give up ``worker_id``'s claims on pending rows (a clean shutdown); return how many."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            f"UPDATE outbox SET {_NO_CLAIM} WHERE claimed_by = ? AND status = 'pending'",
            (worker_id,),
        )
        return cur.rowcount


async def next_due_at(db: Database) -> float | None:
    """When the earliest pending message may go (wall time), claimed or not; None when none."""
    row = await db.fetch_one("SELECT MIN(not_before) FROM outbox WHERE status = 'pending'")
    return None if row is None or row[0] is None else float(row[0])


async def mark_sent(
    db: Database, message_id: int, *, chat_busy_until: float | None = None,
    error: str | None = None,
) -> None:
    """Telegram took the message. With ``chat_busy_until`` the row keeps its claim until
    then, so that no other worker writes to the chat sooner; otherwise the claim is cleared.
    ``error`` notes what went wrong after Telegram took it (its answer was unreadable).
    """
    if chat_busy_until is None:
        claim, params = _NO_CLAIM, [time.time(), message_id]
    else:
        claim, params = "claimed_until = ?", [time.time(), chat_busy_until, message_id]
    note = ""
    if error is not None:
        note = " last_error = ?,"
        params.insert(1, error)
    async with db.transaction() as conn:
        await conn.execute(
            f"UPDATE outbox SET status = 'sent', sent_at = ?,{note} attempts = attempts + 1,"
            f" {claim} WHERE id = ?",
            params,
        )


async def mark_failed(db: Database, message_id: int, error: str) -> None:
    """Give up on a message for good (the recipient blocked the bot, the chat is gone)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1,"
            f" {_NO_CLAIM} WHERE id = ?",
            (error, message_id),
        )


async def postpone(db: Database, message_id: int, until: float, error: str) -> None:
    """Try again later (429, network trouble); the row is free for any worker then."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET not_before = ?, last_error = ?, attempts = attempts + 1,"
            f" {_NO_CLAIM} WHERE id = ?",
            (until, error, message_id),
        )


async def messages(
    db: Database, *, kind: str | None = None, chat_id: int | None = None
) -> list[OutboxMessage]:
    """Outbox rows, oldest first, optionally of one kind or one chat."""
    where, params = equal_filters(kind=kind, chat_id=chat_id)
    rows = await db.fetch_all(f"SELECT * FROM outbox{where} ORDER BY id", params)
    return [OutboxMessage.from_row(r) for r in rows]
