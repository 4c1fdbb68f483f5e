import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.database import Database
from tests.storage.factories import cabbage, grower
from tests.stores import each


async def test_fifty_tasks_write_at_once_on_one_database(db: Database) -> None:
    owner = await grower(db)
    await asyncio.gather(
        *(each(db).listings.add(cabbage(owner.telegram_id, quantity=float(i)))
          for i in range(50))
    )
    stored = await each(db).listings.open()
    assert sorted(x.quantity for x in stored) == [float(i) for i in range(50)]


async def test_writers_on_separate_connections_wait_instead_of_failing(tmp_path: Path) -> None:
    # Several Database objects stand in for several worker processes on one file.
    path = tmp_path / "shared.db"
    first = await Database.open(path)
    owner = await grower(first)
    others = [await Database.open(path) for _ in range(4)]
    try:
        writers = [first, *others]
        await asyncio.gather(*(
            each(writers[i % len(writers)]).listings.add(cabbage(owner.telegram_id))
            for i in range(50)
        ))
        assert len(await each(first).listings.open()) == 50
    finally:
        for database in [first, *others]:
            await database.close()


async def test_backup_while_writing_passes_integrity_check(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    db = await Database.open(path)
    owner = await grower(db)
    stop = asyncio.Event()

    async def keep_writing() -> int:
        written = 0
        while not stop.is_set():
            await each(db).listings.add(cabbage(owner.telegram_id))
            written += 1
        return written

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0.05)
    env = {**os.environ, "FARMDOCK_DB": str(path)}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.cli", "backup", str(tmp_path / "copy.db")],
        env=env, capture_output=True, text=True, timeout=60,
    )
    stop.set()
    written = await writer
    await db.close()
    assert result.returncode == 0, result.stderr
    assert "integrity: ok" in result.stdout
    copy = await Database.open(tmp_path / "copy.db", migrate=False)
    try:
        assert await copy.integrity_check() == "ok"
        copied = len(await each(copy).listings.open())
        assert 0 < copied <= written
    finally:
        await copy.close()


async def test_a_writer_cancelled_while_waiting_for_the_lock_leaves_no_transaction_open(
    tmp_path: Path,
) -> None:
    # Shutting down cancels tasks wherever they are, also inside BEGIN IMMEDIATE
    # while another connection holds the write lock.
    path = tmp_path / "shared.db"
    db = await Database.open(path)
    owner = await grower(db)
    other = await Database.open(path)
    try:
        async with other.write():
            waiting = asyncio.create_task(each(db).listings.add(cabbage(owner.telegram_id)))
            await asyncio.sleep(0.2)  # let it reach BEGIN, which waits for the lock
            waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        stored = await each(db).listings.add(cabbage(owner.telegram_id))
        assert [x.id for x in await each(db).listings.open()] == [stored.id]
    finally:
        await other.close()
        await db.close()
