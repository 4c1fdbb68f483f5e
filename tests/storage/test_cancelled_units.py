"""A unit of work whose task is cancelled mid-statement (a job or the outbox sender
stopped at shutdown) keeps nothing: not its writes, not SQLite's write lock."""

from __future__ import annotations

import asyncio
import gc

import pytest
from sqlalchemy import text

import storage.database
from storage.database import Database
from tests.stores import each

# Long enough for the cancellation to land while SQLite is still running it.
SLOW_QUERY = text(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000)"
    " SELECT count(*) FROM c"
)


async def test_a_write_cancelled_mid_statement_leaves_the_database_writable_at_once(
    database_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lock left behind shows as "database is locked" after the busy timeout: keep it short.
    monkeypatch.setattr(storage.database, "BUSY_TIMEOUT_MS", 1000)
    running = asyncio.Event()

    async def cut_short(db: Database) -> None:
        async with db.write() as uow:
            await uow.users.upsert(1, role="grower", name="王师傅")
            running.set()
            await uow.connection.execute(SLOW_QUERY)
            await uow.commit()

    # Without the collector, whatever the cancelled task left open stays open.
    gc.disable()
    try:
        async with await Database.open(database_target) as db:
            task = asyncio.create_task(cut_short(db))
            await running.wait()
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await each(db).users.upsert(2, role="buyer", name="李经理")
            assert await each(db).users.get(1) is None
            assert await each(db).users.get(2) is not None
    finally:
        gc.enable()
