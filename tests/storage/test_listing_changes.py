"""Change numbers on listings: every write transaction stamps the rows it writes."""

import time
from pathlib import Path

from storage import listings
from storage.database import Database, bundled_migrations
from tests.storage.factories import cabbage, grower, listed


async def test_each_write_takes_a_higher_change_number(db: Database) -> None:
    owner = await grower(db)
    assert await listings.latest_change_seq(db) == 0
    first = await listed(db, owner.telegram_id)
    second = await listed(db, owner.telegram_id, expires_at=time.time() - 1)
    after_adds = await listings.latest_change_seq(db)

    changes = await listings.listings_changed_since(db, 0)
    assert [s.id for s in changes.listings] == [first.id, second.id]
    assert changes.seq == after_adds

    await listings.update_listing(db, first.id, owner.telegram_id, price=2.0)
    await listings.expire_due(db, time.time())
    changes = await listings.listings_changed_since(db, after_adds)
    # Oldest change first, each listing once, in its current state.
    assert [(s.id, s.status, s.price) for s in changes.listings] == [
        (first.id, "open", 2.0), (second.id, "expired", 1.6)]
    assert changes.seq == await listings.latest_change_seq(db) > after_adds

    await listings.close_listing(db, first.id, owner.telegram_id, reason="done")
    changes = await listings.listings_changed_since(db, changes.seq)
    assert [(s.id, s.status) for s in changes.listings] == [(first.id, "closed")]

    nothing = await listings.listings_changed_since(db, changes.seq)
    assert nothing.listings == [] and nothing.seq == changes.seq


async def test_a_batch_shares_one_change_number(db: Database) -> None:
    owner = await grower(db)
    before = await listings.latest_change_seq(db)
    ids = await listings.add_listings(
        db, [(cabbage(owner.telegram_id), 1.0), (cabbage(owner.telegram_id, kind="need"), 2.0)]
    )
    changes = await listings.listings_changed_since(db, before)
    assert [s.id for s in changes.listings] == ids
    assert changes.seq == before + 1


async def test_change_numbers_are_shared_by_every_connection(tmp_path: Path) -> None:
    path = tmp_path / "city.db"
    async with await Database.open(path) as one, await Database.open(path) as other:
        owner = await grower(one)
        a = await listed(one, owner.telegram_id)
        b = await listed(other, owner.telegram_id)
        seen = await listings.listings_changed_since(one, 0)
        assert [s.id for s in seen.listings] == [a.id, b.id]
        assert seen.seq == await listings.latest_change_seq(other)


async def test_migration_numbers_existing_listings(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = await Database.open(path, migrate=False)
    try:
        await old.migrate(bundled_migrations()[:1])
        async with old.transaction() as conn:
            await conn.execute("INSERT INTO users (telegram_id, role, created_at, updated_at)"
                               " VALUES (1, 'grower', 0, 0)")
            for _ in range(3):
                await conn.execute("INSERT INTO listings (user_id, kind, product, category,"
                                   " created_at, updated_at)"
                                   " VALUES (1, 'offer', '大白菜', '蔬菜', 0, 0)")
        await old.migrate()
        existing = await listings.listings_changed_since(old, 0)
        assert len(existing.listings) == 3 and existing.seq == 3
        added = await listed(old, 1)
        assert (await listings.listings_changed_since(old, 3)).listings == [added]
    finally:
        await old.close()
