"""The one clock all workers take Telegram's overall rate from (see migration 7)."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import send_clock

# One bot, one clock.
_BOT = "telegram"


class SendClockRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def reserve(self, now: float, interval: float, *, queue: bool) -> float | None:
        """Take the next turn, ``interval`` seconds long: return when it starts (wall
        time, ``now`` or later). With ``queue`` the turn is taken after any already
        taken; without, only if the clock is free at ``now`` (else None)."""
        start = case((send_clock.c.free_at > now, send_clock.c.free_at), else_=now)
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(send_clock).values(name=_BOT, free_at=now + interval)
        statement = statement.on_conflict_do_update(
            index_elements=[send_clock.c.name],
            set_={"free_at": start + interval},
            where=None if queue else send_clock.c.free_at <= now,
        ).returning(send_clock.c.free_at)
        free_at = (await self._conn.execute(statement)).scalar()
        return None if free_at is None else float(free_at) - interval

    async def free_at(self) -> float:
        """When the clock is free (0 before any turn was taken)."""
        value = (await self._conn.execute(
            select(send_clock.c.free_at).where(send_clock.c.name == _BOT))).scalar()
        return float(value or 0.0)
