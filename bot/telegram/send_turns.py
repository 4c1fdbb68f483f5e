"""Telegram's overall rate as turns in the database, shared by every worker."""

from __future__ import annotations

import time

from storage.database import Database


class DatabaseTurns:
    """Each message's turn, ``1 / per_second`` long, from the database's one send clock
    (see :class:`bot.telegram.transport.SendBudget`)."""

    def __init__(self, db: Database, per_second: float) -> None:
        self._db = db
        self._interval = 1.0 / per_second

    async def reserve(self, *, queue: bool) -> float | None:
        async with self._db.write() as uow:
            start = await uow.send_clock.reserve(time.time(), self._interval, queue=queue)
            await uow.commit()
        return start

    async def free_at(self) -> float:
        async with self._db.read() as uow:
            return await uow.send_clock.free_at()
