"""The audit log: who did what, when. Written in the same unit of work as the act."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import AuditEntry
from storage.schema import audit_log

_ENTRY = select(*AuditEntry.columns(audit_log))
_ADD = audit_log.insert()


async def write_audit(
    conn: AsyncConnection, actor_id: int | None, action: str, target: str | None = None,
    **detail: Any,
) -> None:
    """Add an entry in the unit of work ``conn`` belongs to."""
    await conn.execute(_ADD, {
        "at": time.time(), "actor_id": actor_id, "action": action, "target": target,
        "detail": json.dumps(detail, ensure_ascii=False, default=str),
    })


class AuditRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def write(
        self, actor_id: int | None, action: str, target: str | None = None, **detail: Any
    ) -> None:
        await write_audit(self._conn, actor_id, action, target, **detail)

    async def entries(
        self, *, action: str | None = None, actor_id: int | None = None
    ) -> list[AuditEntry]:
        """Entries, oldest first, optionally of one action or one actor."""
        query = _ENTRY.order_by(audit_log.c.id)
        if action is not None:
            query = query.where(audit_log.c.action == action)
        if actor_id is not None:
            query = query.where(audit_log.c.actor_id == actor_id)
        return [AuditEntry.from_row(r) for r in await self._conn.execute(query)]
