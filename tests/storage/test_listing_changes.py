"""Change numbers on listings: every write transaction stamps the rows it writes."""

import time

import pytest

from storage.database import Database
from tests.storage.factories import cabbage, execute, fetch, grower, listed
from tests.stores import each


async def change_numbers(db: Database, ids: list[int]) -> set[int]:
    marks = ", ".join("?" * len(ids))
    rows = await fetch(db, f"SELECT change_seq FROM listings WHERE id IN ({marks})", tuple(ids))
    return {r["change_seq"] for r in rows}


async def test_each_write_takes_a_higher_change_number(db: Database) -> None:
    owner = await grower(db)
    start = await each(db).listings.latest_change_seq()
    assert (await each(db).listings.changed_since(start)).listings == []
    first = await listed(db, owner.telegram_id)
    second = await listed(db, owner.telegram_id, expires_at=time.time() - 1)

    changes = await each(db).listings.changed_since(start)
    assert [s.id for s in changes.listings] == [first.id, second.id]
    after_adds = changes.seq
    assert after_adds == await each(db).listings.latest_change_seq()
    [first_number], [second_number] = [await change_numbers(db, [x.id]) for x in (first, second)]
    assert start <= first_number < second_number

    await each(db).listings.update(first.id, owner.telegram_id, price=2.0)
    await each(db).listings.expire_due(time.time())
    changes = await each(db).listings.changed_since(after_adds)
    # Oldest change first, each listing once, in its current state.
    assert [(s.id, s.status, s.price) for s in changes.listings] == [
        (first.id, "open", 2.0), (second.id, "expired", 1.6)]
    assert changes.seq == await each(db).listings.latest_change_seq() > after_adds

    await each(db).listings.close(first.id, owner.telegram_id, reason="done")
    changes = await each(db).listings.changed_since(changes.seq)
    assert [(s.id, s.status) for s in changes.listings] == [(first.id, "closed")]

    nothing = await each(db).listings.changed_since(changes.seq)
    assert nothing.listings == [] and nothing.seq == changes.seq


async def test_a_batch_shares_one_change_number(db: Database) -> None:
    owner = await grower(db)
    before = await each(db).listings.latest_change_seq()
    ids = await each(db).listings.add_many(
        [cabbage(owner.telegram_id, created_at=1.0),
         cabbage(owner.telegram_id, kind="need", created_at=2.0)]
    )
    changes = await each(db).listings.changed_since(before)
    assert [s.id for s in changes.listings] == ids
    assert [s.created_at for s in changes.listings] == [1.0, 2.0]
    assert len(await change_numbers(db, ids)) == 1
    assert (await each(db).listings.changed_since(changes.seq)).listings == []


async def test_one_unit_of_work_takes_one_change_number(db: Database) -> None:
    owner = await grower(db)
    before = await each(db).listings.latest_change_seq()
    async with db.write() as uow:
        first = await uow.listings.add(cabbage(owner.telegram_id))
        second = await uow.listings.add(cabbage(owner.telegram_id, kind="need"))
        await uow.listings.update(first.id, owner.telegram_id, price=2.0)
        await uow.commit()
    changes = await each(db).listings.changed_since(before)
    assert [s.id for s in changes.listings] == [first.id, second.id]
    assert len(await change_numbers(db, [first.id, second.id])) == 1


async def test_a_rolled_back_write_leaves_no_change_behind(db: Database) -> None:
    owner = await grower(db)
    kept = await listed(db, owner.telegram_id)
    seq = await each(db).listings.latest_change_seq()
    async with db.write() as uow:
        await uow.listings.add(cabbage(owner.telegram_id))
        await uow.listings.close(kept.id, owner.telegram_id)
    assert (await each(db).listings.changed_since(seq)).listings == []
    after = await listed(db, owner.telegram_id)
    changes = await each(db).listings.changed_since(seq)
    assert [s.id for s in changes.listings] == [after.id]


async def test_change_numbers_are_shared_by_every_connection(database_target: str) -> None:
    async with await Database.open(database_target) as one, \
            await Database.open(database_target) as other:
        owner = await grower(one)
        a = await listed(one, owner.telegram_id)
        b = await listed(other, owner.telegram_id)
        seen = await each(one).listings.changed_since(0)
        assert [s.id for s in seen.listings] == [a.id, b.id]
        assert seen.seq == await each(other).listings.latest_change_seq()
        assert b.id > a.id


async def test_a_change_committed_after_a_later_one_is_not_skipped(
    database_target: str,
) -> None:
    """PostgreSQL's writers commit in any order: the first to take a number may be the
    last to commit. A reader that saw the later one still gets the earlier one next."""
    async with await Database.open(database_target) as db:
        if db.dialect == "sqlite":
            pytest.skip("SQLite has one writer at a time: numbers commit in their order")
        owner = await grower(db)
        start = await each(db).listings.latest_change_seq()
        async with db.write() as slow:
            early = await slow.listings.add(cabbage(owner.telegram_id))
            late = await listed(db, owner.telegram_id, kind="need")
            seen = await each(db).listings.changed_since(start)
            assert [s.id for s in seen.listings] == [late.id]
            await slow.commit()
        again = await each(db).listings.changed_since(seen.seq)
        assert early.id in [s.id for s in again.listings]
        # And once nothing is in flight, the reader moves past both.
        assert (await each(db).listings.changed_since(again.seq)).listings == []


async def test_migration_numbers_existing_listings(empty_database_target: str) -> None:
    old = await Database.open(empty_database_target, migrate=False)
    try:
        await old.migrate("0001")
        await execute(old, "INSERT INTO users (telegram_id, role, created_at, updated_at)"
                           " VALUES (1, 'grower', 0, 0)")
        await execute(old, "INSERT INTO listings (user_id, kind, product, category,"
                           " created_at, updated_at) VALUES (1, 'offer', '大白菜', '蔬菜', 0, 0)",
                      (), (), ())
        await old.migrate()
        existing = await each(old).listings.changed_since(0)
        assert len(existing.listings) == 3
        added = await listed(old, 1)
        assert (await each(old).listings.changed_since(existing.seq)).listings == [added]
    finally:
        await old.close()
