"""Two workers on one database, each with its own matching index, see each other's listings."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.services.listings import (
    change_listing,
    close_listing,
    expire_listings,
    matches_of_user,
    publish_listing,
)
from bot.services.match_index import ListingIndex
from storage import listings, users
from storage.database import Database
from storage.records import User
from tests.storage.factories import cabbage, grower


@dataclass
class Worker:
    """What one bot process holds: its own connections and its own index."""

    db: Database
    index: ListingIndex


@pytest.fixture
async def workers(tmp_path: Path) -> AsyncIterator[tuple[Worker, Worker]]:
    path = tmp_path / "province.db"
    a, b = await Database.open(path), await Database.open(path)
    index_a, index_b = ListingIndex(), ListingIndex()
    await index_a.load(a)
    await index_b.load(b)
    yield Worker(a, index_a), Worker(b, index_b)
    await a.close()
    await b.close()


async def buyer(db: Database, telegram_id: int = 2002) -> User:
    return await users.upsert_user(
        db, telegram_id, role="buyer", name="李经理", organisation="丹尼斯超市",
        county="湛河区", township="姚孟街道", phone="13900000002",
    )


async def test_a_need_posted_through_one_worker_is_matched_by_an_offer_through_the_other(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    g, shop = await grower(a.db), await buyer(a.db)
    need = await publish_listing(a.db, a.index, cabbage(shop.telegram_id, kind="need", price=None))
    offer = await publish_listing(b.db, b.index, cabbage(g.telegram_id))
    assert [v.other.id for v in offer.matches] == [need.listing.id]
    assert offer.notices == 1
    # And back: A's index now holds B's offer, so the buyer's /matches on A lists it.
    [(own, views)] = await matches_of_user(a.db, a.index, shop.telegram_id)
    assert own.id == need.listing.id and [v.other.id for v in views] == [offer.listing.id]


async def test_a_listing_closed_through_one_worker_is_no_longer_offered_by_the_other(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    g, shop = await grower(a.db), await buyer(a.db)
    offer = await publish_listing(a.db, a.index, cabbage(g.telegram_id))
    first = await publish_listing(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=None))
    assert [v.other.id for v in first.matches] == [offer.listing.id]
    await close_listing(a.db, a.index, offer.listing, g.telegram_id, "done")
    again = await publish_listing(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=None))
    assert again.matches == [] and offer.listing.id not in b.index


async def test_an_edit_through_one_worker_is_seen_by_the_other(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    g, shop = await grower(a.db), await buyer(a.db)
    offer = await publish_listing(a.db, a.index, cabbage(g.telegram_id, price=1.6))
    await publish_listing(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=None))
    # 2.0 yuan/kg is above the buyer's cap of 1.8: the offer no longer suits the need.
    await change_listing(a.db, a.index, offer.listing, g.telegram_id, price=(2.0, "kg", None))
    capped = await publish_listing(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=1.8))
    assert capped.matches == []


async def test_a_close_and_an_expiry_made_outside_the_bot_are_picked_up(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    g, shop = await grower(a.db), await buyer(a.db)
    closed = await publish_listing(a.db, a.index, cabbage(g.telegram_id))
    lapsing = await publish_listing(a.db, a.index, cabbage(g.telegram_id, expires_at=1e12))
    await b.index.sync(b.db)
    assert closed.listing.id in b.index and lapsing.listing.id in b.index
    # Another process (the CLI, an operator's script) writes through storage directly.
    async with await Database.open(a.db.path) as outside:
        await listings.close_listing(outside, closed.listing.id, None, reason="withdrawn")
        await listings.expire_due(outside, 2e12)
    # The periodic job on B catches up even before anything is posted there.
    await expire_listings(b.db, b.index)
    assert closed.listing.id not in b.index and lapsing.listing.id not in b.index
    need = await publish_listing(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=None))
    assert need.matches == []


async def test_a_sync_with_nothing_new_reads_nothing(workers: tuple[Worker, Worker]) -> None:
    a, b = workers
    g = await grower(a.db)
    await publish_listing(a.db, a.index, cabbage(g.telegram_id))
    assert await a.index.sync(a.db) == 0
    assert await b.index.sync(b.db) == 1
    assert await b.index.sync(b.db) == 0
    assert a.index.seq == b.index.seq == await listings.latest_change_seq(a.db)


async def test_load_then_sync_misses_nothing_written_in_between(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "city.db") as db:
        g = await grower(db)
        before = await publish_listing(db, ListingIndex(), cabbage(g.telegram_id))
        index = ListingIndex()
        assert await index.load(db) == 1
        after = await listings.add_listing(db, cabbage(g.telegram_id), created_at=time.time())
        assert await index.sync(db) == 1
        assert before.listing.id in index and after.id in index and len(index) == 2
