"""Key-value state of the bot (conversations, user and chat data) as JSON rows."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from storage.database import Database


async def load_namespace(db: Database, namespace: str) -> dict[str, Any]:
    """Every key of a namespace with its decoded value."""
    rows = await db.fetch_all(
        "SELECT key, value FROM bot_state WHERE namespace = ?", (namespace,)
    )
    return {r["key"]: json.loads(r["value"]) for r in rows}


async def save_value(db: Database, namespace: str, key: str, value: Any) -> None:
    """Store a value (JSON-encodable); None deletes the key."""
    async with db.transaction() as conn:
        if value is None:
            await conn.execute(
                "DELETE FROM bot_state WHERE namespace = ? AND key = ?", (namespace, key)
            )
        else:
            await conn.execute(
                "INSERT INTO bot_state (namespace, key, value, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at",
                (namespace, key, json.dumps(value, ensure_ascii=False), time.time()),
            )


async def delete_key(db: Database, namespace: str, key: str) -> None:
    await save_value(db, namespace, key, None)


async def save_values(db: Database, items: Sequence[tuple[str, str, Any]]) -> None:
    """Store many (namespace, key, value) at once, in one transaction; None deletes a key."""
    now = time.time()
    deleted = [(ns, key) for ns, key, value in items if value is None]
    stored = [
        (ns, key, json.dumps(value, ensure_ascii=False), now)
        for ns, key, value in items if value is not None
    ]
    async with db.transaction() as conn:
        if deleted:
            await conn.executemany(
                "DELETE FROM bot_state WHERE namespace = ? AND key = ?", deleted
            )
        if stored:
            await conn.executemany(
                "INSERT INTO bot_state (namespace, key, value, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at",
                stored,
            )
