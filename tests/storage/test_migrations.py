from pathlib import Path

import pytest

from storage.database import Database, Migration, SchemaTooNewError, bundled_migrations


async def test_empty_database_gets_every_migration(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db", migrate=False)
    try:
        assert await db.schema_version() == 0
        applied = await db.migrate()
        assert applied == [m.version for m in bundled_migrations()]
        assert await db.schema_version() == len(bundled_migrations())
        tables = {r[0] for r in await db.fetch_all("SELECT name FROM sqlite_master")}
        assert {"users", "listings", "matches", "outbox", "audit_log", "bot_state"} <= tables
    finally:
        await db.close()


async def test_migrating_again_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    first = await Database.open(path)
    await first.close()
    again = await Database.open(path, migrate=False)
    try:
        assert await again.migrate() == []
        rows = await again.fetch_all("SELECT version FROM schema_version")
        assert len(rows) == len(bundled_migrations())
    finally:
        await again.close()


async def test_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = await Database.open(path)
    future = [*bundled_migrations(), Migration(99, "0099_future.sql", "CREATE TABLE f (x)")]
    await db.migrate(future)
    await db.close()
    with pytest.raises(SchemaTooNewError, match="upgrade farmdock"):
        await Database.open(path)


async def test_failed_migration_leaves_no_trace(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        broken = [*bundled_migrations(),
                  Migration(len(bundled_migrations()) + 1, "broken.sql",
                            "CREATE TABLE half (x); INSERT INTO nowhere VALUES (1)")]
        with pytest.raises(Exception, match="nowhere"):
            await db.migrate(broken)
        assert await db.schema_version() == len(bundled_migrations())
        names = {r[0] for r in await db.fetch_all("SELECT name FROM sqlite_master")}
        assert "half" not in names
    finally:
        await db.close()


async def test_pragmas_are_set(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        assert (await db.fetch_one("PRAGMA journal_mode"))[0] == "wal"  # type: ignore[index]
        assert (await db.fetch_one("PRAGMA foreign_keys"))[0] == 1  # type: ignore[index]
        assert (await db.fetch_one("PRAGMA busy_timeout"))[0] >= 5000  # type: ignore[index]
    finally:
        await db.close()
