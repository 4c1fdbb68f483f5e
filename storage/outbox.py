"""The outbox: messages to send exactly once, kept until Telegram has taken them."""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.database import Database
from storage.records import OutboxMessage


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


async def mark_sent(db: Database, message_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1"
            " WHERE id = ?",
            (time.time(), message_id),
        )


async def mark_failed(db: Database, message_id: int, error: str) -> None:
    """Give up on a message for good (the recipient blocked the bot, the chat is gone)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1"
            " WHERE id = ?",
            (error, message_id),
        )


async def postpone(db: Database, message_id: int, until: float, error: str) -> None:
    """Try again later (429, network trouble)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET not_before = ?, last_error = ?, attempts = attempts + 1"
            " WHERE id = ?",
            (until, error, message_id),
        )


async def messages(
    db: Database, *, kind: str | None = None, chat_id: int | None = None
) -> list[OutboxMessage]:
    """Outbox rows, oldest first, optionally of one kind or one chat."""
    sql = "SELECT * FROM outbox WHERE 1 = 1"
    params: list[Any] = []
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    if chat_id is not None:
        sql += " AND chat_id = ?"
        params.append(chat_id)
    rows = await db.fetch_all(sql + " ORDER BY id", params)
    return [OutboxMessage.from_row(r) for r in rows]
