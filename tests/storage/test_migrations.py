import sqlite3
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


async def at_version_4(path: Path) -> Database:
    db = await Database.open(path, migrate=False)
    await db.migrate(bundled_migrations()[:4])
    return db


async def test_migration_5_brings_every_stored_phone_into_one_form(tmp_path: Path) -> None:
    db = await at_version_4(tmp_path / "a.db")
    phones = {
        1: "+8613812345678", 2: "13700002222", 3: "8613912345678", 4: "138 1234 5678",
        5: "0375 5678901", 6: "03755678901", 7: "+86 375 5678901", 8: "abc", 9: None,
        10: "0375—5678901",
    }
    async with db.transaction() as conn:
        for telegram_id, phone in phones.items():
            await conn.execute(
                "INSERT INTO users (telegram_id, role, phone, created_at, updated_at)"
                " VALUES (?, 'grower', ?, 0, 0)", (telegram_id, phone))
    await db.close()
    db = await Database.open(tmp_path / "a.db")
    try:
        rows = await db.fetch_all("SELECT telegram_id, phone FROM users ORDER BY telegram_id")
        assert {r["telegram_id"]: r["phone"] for r in rows} == {
            1: "13812345678", 2: "13700002222", 3: "13912345678", 4: "13812345678",
            5: "0375-5678901", 6: "0375-5678901", 7: "0375-5678901", 8: "abc", 9: None,
            10: "0375-5678901",
        }
    finally:
        await db.close()


INSERT_LISTING = (
    "INSERT INTO listings (user_id, kind, product, category, quantity, unit, price, price_unit,"
    " created_at, updated_at) VALUES (1, 'offer', '土豆', '蔬菜', ?, 'kg', ?, 'kg', 0, 0)"
)


async def test_migration_5_withdraws_listings_holding_an_infinity(tmp_path: Path) -> None:
    db = await at_version_4(tmp_path / "a.db")
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO users (telegram_id, role, created_at, updated_at)"
                           " VALUES (1, 'grower', 0, 0)")
        await conn.execute(INSERT_LISTING, (float("inf"), 1.6))
        await conn.execute(INSERT_LISTING, (2500.0, 1.6))
    await db.close()
    db = await Database.open(tmp_path / "a.db")
    try:
        rows = await db.fetch_all("SELECT id, quantity, status, closed_reason, change_seq"
                                  " FROM listings ORDER BY id")
        assert [(r["quantity"], r["status"], r["closed_reason"]) for r in rows] == [
            (None, "withdrawn", "invalid"), (2500.0, "open", None)]
        # Workers' indexes catch up with the change: it carries a new change number.
        assert rows[0]["change_seq"] > rows[1]["change_seq"]
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("quantity", "price"),
    [(float("inf"), 1.6), (-float("inf"), 1.6), (2500.0, float("inf")), (1e308 * 10, None)],
)
async def test_the_database_refuses_infinite_numbers(
    tmp_path: Path, quantity: float, price: float | None
) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO users (telegram_id, role, created_at, updated_at)"
                               " VALUES (1, 'grower', 0, 0)")
            await conn.execute(INSERT_LISTING, (2500.0, 1.6))
        with pytest.raises(sqlite3.IntegrityError, match="finite"):
            async with db.transaction() as conn:
                await conn.execute(INSERT_LISTING, (quantity, price))
        with pytest.raises(sqlite3.IntegrityError, match="finite"):
            async with db.transaction() as conn:
                await conn.execute("UPDATE listings SET quantity = ?, price = ?",
                                   (quantity, price))
        rows = await db.fetch_all("SELECT quantity, price FROM listings")
        assert [(r["quantity"], r["price"]) for r in rows] == [(2500.0, 1.6)]
        # NaN never reaches a row as a number: SQLite binds it as NULL.
        async with db.transaction() as conn:
            await conn.execute("UPDATE listings SET pack_amount = ?", (float("nan"),))
        row = await db.fetch_one("SELECT pack_amount FROM listings")
        assert row is not None and row["pack_amount"] is None
    finally:
        await db.close()
