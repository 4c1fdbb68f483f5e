"""The audit log: who did what, when. Written in the same transaction as the act where possible."""

from __future__ import annotations

import json
import time
from typing import Any

import aiosqlite

from storage.database import Database, equal_filters
from storage.records import AuditEntry


async def write_audit(
    conn: aiosqlite.Connection, actor_id: int | None, action: str, target: str | None = None,
    **detail: Any,
) -> None:
    """Add an entry inside an open transaction."""
    await conn.execute(
        "INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        (time.time(), actor_id, action, target, json.dumps(detail, ensure_ascii=False)),
    )


async def audit(
    db: Database, actor_id: int | None, action: str, target: str | None = None, **detail: Any
) -> None:
    """Add an entry in its own transaction."""
    async with db.transaction() as conn:
        await write_audit(conn, actor_id, action, target, **detail)


async def audit_entries(
    db: Database, *, action: str | None = None, actor_id: int | None = None
) -> list[AuditEntry]:
    """Entries, oldest first, optionally of one action or one actor."""
    where, params = equal_filters(action=action, actor_id=actor_id)
    rows = await db.fetch_all(f"SELECT * FROM audit_log{where} ORDER BY id", params)
    return [AuditEntry.from_row(r) for r in rows]
