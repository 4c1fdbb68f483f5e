import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from bot.services.messages import Attachment, Button, Message
from storage.database import Database, SchemaTooNewError
from tests.storage.factories import HEAD, execute, fetch, revision_folder
from tests.stores import each


async def table_names(db: Database) -> set[str]:
    async with db.read() as uow:
        return set(await uow.connection.run_sync(lambda c: inspect(c).get_table_names()))


async def column_names(db: Database, table: str) -> list[str]:
    return [r["name"] for r in await fetch(db, f"PRAGMA table_info({table})")]


async def at_version(path: Path, version: int) -> Database:
    """A database brought up to ``version`` only, as an older farmdock left it."""
    db = await Database.open(path, migrate=False)
    await db.migrate(f"{version:04d}")
    assert await db.schema_version() == version
    return db


async def test_empty_database_gets_every_migration(empty_database_target: str) -> None:
    db = await Database.open(empty_database_target, migrate=False)
    try:
        assert await db.schema_version() == 0
        applied = await db.migrate()
        assert applied == list(range(1, HEAD + 1))
        assert await db.schema_version() == HEAD
        tables = await table_names(db)
        assert {"users", "listings", "matches", "outbox", "audit_log", "conversations",
                "processed_updates"} <= tables
        assert "bot_state" not in tables
    finally:
        await db.close()


async def test_migrating_again_is_a_no_op(empty_database_target: str) -> None:
    first = await Database.open(empty_database_target)
    await first.close()
    again = await Database.open(empty_database_target, migrate=False)
    try:
        assert await again.migrate() == []
        assert await again.schema_version() == HEAD
        if again.dialect != "sqlite":
            return
        rows = await fetch(again, "SELECT version FROM schema_version ORDER BY version")
        # Kept for older farmdocks, which read the version there.
        assert [r["version"] for r in rows] == list(range(1, HEAD + 1))
    finally:
        await again.close()


async def test_newer_schema_is_refused_with_a_clear_message(
    tmp_path: Path, database_target: str
) -> None:
    path = database_target
    db = await Database.open(path)
    later = revision_folder(tmp_path / "later", HEAD + 1, "CREATE TABLE f (x INTEGER)")
    assert await db.migrate(extra_revisions=[later]) == [HEAD + 1]
    await db.close()
    with pytest.raises(SchemaTooNewError, match=f"version {HEAD + 1:04d}.*upgrade farmdock"):
        await Database.open(path)


async def test_newer_numbered_migrations_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = await Database.open(path, migrate=False)
    # As a farmdock of numbered migrations that knew one more than this one left it.
    await execute(db, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                      " name TEXT NOT NULL, applied_at REAL NOT NULL)")
    await execute(db, "INSERT INTO schema_version VALUES (?, 'x.sql', 0)",
                  *[(v,) for v in range(1, HEAD + 2)])
    await db.close()
    with pytest.raises(SchemaTooNewError, match=f"version {HEAD + 1}.*upgrade farmdock"):
        await Database.open(path)


async def test_failed_migration_leaves_no_trace(tmp_path: Path, database_target: str) -> None:
    db = await Database.open(database_target)
    try:
        broken = revision_folder(tmp_path / "broken", HEAD + 1, "CREATE TABLE half (x INTEGER)",
                                 "INSERT INTO nowhere VALUES (1)")
        with pytest.raises(Exception, match="nowhere"):
            await db.migrate(extra_revisions=[broken])
        assert await db.schema_version() == HEAD
        assert "half" not in await table_names(db)
    finally:
        await db.close()


async def test_pragmas_are_set(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        # Every connection of the pool, readers' and writers' alike.
        async with db.read() as reader, db.write() as writer:
            for uow in (reader, writer):
                pragma = uow.connection.exec_driver_sql
                assert (await pragma("PRAGMA journal_mode")).scalar() == "wal"
                assert (await pragma("PRAGMA foreign_keys")).scalar() == 1
                assert (await pragma("PRAGMA busy_timeout")).scalar() >= 5000
    finally:
        await db.close()


async def test_migration_5_brings_every_stored_phone_into_one_form(tmp_path: Path) -> None:
    db = await at_version(tmp_path / "a.db", 4)
    phones = {
        1: "+8613812345678", 2: "13700002222", 3: "8613912345678", 4: "138 1234 5678",
        5: "0375 5678901", 6: "03755678901", 7: "+86 375 5678901", 8: "abc", 9: None,
        10: "0375—5678901",
    }
    await execute(db, "INSERT INTO users (telegram_id, role, phone, created_at, updated_at)"
                      " VALUES (?, 'grower', ?, 0, 0)", *phones.items())
    await db.close()
    db = await Database.open(tmp_path / "a.db")
    try:
        rows = await fetch(db, "SELECT telegram_id, phone FROM users ORDER BY telegram_id")
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
    db = await at_version(tmp_path / "a.db", 4)
    await execute(db, "INSERT INTO users (telegram_id, role, created_at, updated_at)"
                      " VALUES (1, 'grower', 0, 0)")
    await execute(db, INSERT_LISTING, (float("inf"), 1.6), (2500.0, 1.6))
    await db.close()
    db = await Database.open(tmp_path / "a.db")
    try:
        rows = await fetch(db, "SELECT id, quantity, status, closed_reason, change_seq"
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
    database_target: str, quantity: float, price: float | None
) -> None:
    db = await Database.open(database_target)
    try:
        await execute(db, "INSERT INTO users (telegram_id, role, created_at, updated_at)"
                          " VALUES (1, 'grower', 0, 0)")
        await execute(db, INSERT_LISTING, (2500.0, 1.6))
        with pytest.raises(IntegrityError, match="finite"):
            await execute(db, INSERT_LISTING, (quantity, price))
        with pytest.raises(IntegrityError, match="finite"):
            await execute(db, "UPDATE listings SET quantity = ?, price = ?", (quantity, price))
        rows = await fetch(db, "SELECT quantity, price FROM listings")
        assert [(r["quantity"], r["price"]) for r in rows] == [(2500.0, 1.6)]
        if db.dialect == "postgresql":
            # PostgreSQL keeps a NaN, so its CHECK refuses that too.
            with pytest.raises(IntegrityError, match="finite"):
                await execute(db, "UPDATE listings SET pack_amount = ?", (float("nan"),))
            return
        # NaN never reaches a row as a number: SQLite binds it as NULL.
        await execute(db, "UPDATE listings SET pack_amount = ?", (float("nan"),))
        [row] = await fetch(db, "SELECT pack_amount FROM listings")
        assert row["pack_amount"] is None
    finally:
        await db.close()


WORKBOOK = b"PK\x03\x04 the digest's workbook"
CHART = b"\x89PNG\r\n\x1a\n the digest's chart"
# Outbox payloads as farmdock wrote them up to migration 5: Bot API calls.
OLD_PAYLOADS = {
    "match:5:need": {
        "method": "sendMessage", "text": "为您找到匹配：<b>大白菜</b> 2500公斤",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "int:5"}]]},
    },
    "2026-05-09|7|digest": {
        "method": "sendMessage", "text": "<b>平顶山市 2026-05-09 日报</b>", "parse_mode": "HTML",
    },
    "2026-05-09|7|digest|xlsx": {
        "method": "sendDocument", "caption": "平顶山市 2026-05-09", "parse_mode": "HTML",
        "document": {"filename": "日报-2026-05-09.xlsx",
                     "data": base64.b64encode(WORKBOOK).decode("ascii")},
    },
    "2026-05-09|7|digest|png": {
        "method": "sendPhoto", "caption": "平顶山市 2026-05-09", "parse_mode": "HTML",
        "photo": {"filename": "日报-2026-05-09.png",
                  "data": base64.b64encode(CHART).decode("ascii")},
    },
}
# What each of them says, in the form the outbox keeps from migration 6 on.
MESSAGES = {
    "match:5:need": Message("为您找到匹配：<b>大白菜</b> 2500公斤",
                            buttons=((Button("x", "int:5"),),)),
    "2026-05-09|7|digest": Message("<b>平顶山市 2026-05-09 日报</b>"),
    "2026-05-09|7|digest|xlsx": Message(
        "平顶山市 2026-05-09", attachment=Attachment("document", "日报-2026-05-09.xlsx", WORKBOOK)),
    "2026-05-09|7|digest|png": Message(
        "平顶山市 2026-05-09", attachment=Attachment("photo", "日报-2026-05-09.png", CHART)),
}


async def test_migration_6_keeps_the_data_and_rewrites_what_waits_in_the_outbox(
    tmp_path: Path,
) -> None:
    db = await at_version(tmp_path / "a.db", 5)
    await execute(db, "INSERT INTO users (telegram_id, role, name, phone, county, township,"
                      " created_at, updated_at) VALUES (?, ?, ?, ?, '宝丰县', '张八桥镇', 1, 1)",
                  (1, "grower", "王师傅", "13812345678"), (2, "buyer", "李经理", None),
                  (7, "official", "市局", None))
    await execute(db, "INSERT INTO listings (user_id, kind, product, category, quantity, unit,"
                      " created_at, updated_at, change_seq) VALUES (?, ?, '大白菜', '蔬菜', 2500,"
                      " 'kg', 10, 10, ?)", (1, "offer", 1), (2, "need", 2))
    await execute(db, "INSERT INTO matches (need_id, offer_id, score, rank, created_at,"
                      " need_notified_at, offer_notified_at, need_interest_at, offer_interest_at,"
                      " contacts_exchanged_at) VALUES (2, 1, 0.9, 1, 20, 21, 22, 23, 24, 25)")
    await execute(db, "INSERT INTO outbox (key, chat_id, kind, payload, status, created_at)"
                      " VALUES (?, ?, ?, ?, 'pending', 30)",
                  *[(key, 2 if key.startswith("match") else 7, key.split("|")[-1],
                     json.dumps(payload, ensure_ascii=False))
                    for key, payload in OLD_PAYLOADS.items()])
    sent = json.dumps({"method": "sendMessage", "text": "昨天的日报", "parse_mode": "HTML"},
                      ensure_ascii=False)
    await execute(db, "INSERT INTO outbox (key, chat_id, kind, payload, status, created_at,"
                      " sent_at) VALUES (?, 7, 'digest', ?, ?, 1, 2)",
                  ("2026-05-08|7|digest", sent, "sent"), ("2026-05-08|8|digest", sent, "failed"))
    await execute(db, "INSERT INTO bot_state (namespace, key, value, updated_at)"
                      " VALUES ('conversations', 'posting:1:1', '{\"state\": 2}', 0)")
    await db.close()

    db = await Database.open(tmp_path / "a.db")
    try:
        assert await db.schema_version() == HEAD
        tables = await table_names(db)
        assert "bot_state" not in tables and {"conversations", "processed_updates"} <= tables
        assert await fetch(db, "SELECT * FROM conversations") == []

        matches = await column_names(db, "matches")
        assert "need_notified_at" not in matches and "offer_notified_at" not in matches
        match = await each(db).matches.get(1)
        assert match is not None
        assert (match.need_id, match.offer_id, match.score, match.rank, match.created_at,
                match.need_interest_at, match.offer_interest_at,
                match.contacts_exchanged_at) == (2, 1, 0.9, 1, 20, 23, 24, 25)
        users = await each(db).users.by_ids([1, 2, 7])
        assert [(u.role, u.name, u.phone) for u in users.values()] == [
            ("grower", "王师傅", "13812345678"), ("buyer", "李经理", None),
            ("official", "市局", None)]
        offer = await each(db).listings.get(1)
        assert offer is not None and (offer.kind, offer.product, offer.quantity) == (
            "offer", "大白菜", 2500)
        assert await each(db).listings.latest_change_seq() == 2

        rows = {row.key: row for row in await each(db).outbox.rows()}
        for key, message in MESSAGES.items():
            payload = json.loads(rows[key].payload)
            # Exactly the message form, nothing of the Bot API call left.
            assert Message.from_dict(payload) == message, key
            assert payload == message.to_dict(), key
            assert (rows[key].status, rows[key].chat_id) == (
                "pending", 2 if key.startswith("match") else 7)
        # What was sent or given up on stays as it was written.
        assert rows["2026-05-08|7|digest"].payload == sent
        assert rows["2026-05-08|8|digest"].payload == sent
    finally:
        await db.close()


async def test_migration_6_leaves_a_payload_it_does_not_know_as_it_is(tmp_path: Path) -> None:
    db = await at_version(tmp_path / "a.db", 5)
    odd = ["not json {", "[1, 2]", json.dumps({"text": "已是新的形式"}, ensure_ascii=False)]
    await execute(db, "INSERT INTO outbox (key, chat_id, kind, payload, created_at)"
                      " VALUES (?, 1, 'note', ?, 0)", *[(f"k{i}", p) for i, p in enumerate(odd)])
    await db.close()
    db = await Database.open(tmp_path / "a.db")
    try:
        assert [row.payload for row in await each(db).outbox.rows()] == odd
    finally:
        await db.close()
