import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.database import Database
from tests.backends import settings_env
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


async def test_writers_on_separate_connections_wait_instead_of_failing(
    database_target: str,
) -> None:
    # Several Database objects stand in for several worker processes on one database.
    first = await Database.open(database_target)
    owner = await grower(first)
    others = [await Database.open(database_target) for _ in range(4)]
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


async def test_backup_while_writing_passes_integrity_check(
    tmp_path: Path, database_target: str, request: pytest.FixtureRequest,
) -> None:
    db = await Database.open(database_target)
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
    env = {**os.environ, **settings_env(database_target)}
    if db.dialect == "postgresql":
        # The server's own pg_dump, as an operator's machine has it.
        tools = request.getfixturevalue("postgres_server").bin_dir
        env["PATH"] = f"{tools}{os.pathsep}{env['PATH']}"
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.cli", "backup", str(tmp_path / "copy.db")],
        env=env, capture_output=True, text=True, timeout=60,
    )
    stop.set()
    written = await writer
    await db.close()
    assert result.returncode == 0, result.stderr
    if db.dialect == "postgresql":
        assert "(pg_dump)" in result.stdout
        dump = (tmp_path / "copy.db").read_text("utf-8")
        rows = dump.split("COPY public.listings ", 1)[1].split("\n\\.\n", 1)[0]
        assert 0 < len(rows.splitlines()) - 1 <= written
        return
    assert "integrity: ok" in result.stdout
    copy = await Database.open(tmp_path / "copy.db", migrate=False)
    try:
        assert await copy.integrity_check() == "ok"
        copied = len(await each(copy).listings.open())
        assert 0 < copied <= written
    finally:
        await copy.close()


async def test_a_writer_cancelled_while_waiting_for_the_lock_leaves_no_transaction_open(
    database_target: str,
) -> None:
    # Shutting down cancels tasks wherever they are, also inside BEGIN IMMEDIATE
    # while another connection holds the write lock.
    db = await Database.open(database_target)
    if db.dialect == "postgresql":
        await db.close()
        pytest.skip("PostgreSQL has no lock on the whole database for a writer to wait on")
    owner = await grower(db)
    other = await Database.open(database_target)
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
