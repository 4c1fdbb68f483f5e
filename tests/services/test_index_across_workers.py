"""Two workers on one database, each with its own matching index, see each other's listings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.handlers import jobs
from bot.services.listings import change_listing, close_listing, matches_of_user
from bot.services.match_index import ListingIndex
from bot.services.runtime import Services
from bot.settings import load_settings
from storage.database import Database
from tests.services.factories import buyer, cabbage, grower, publish
from tests.stores import each


@dataclass
class Worker:
    """What one bot process holds: its own connections and its own index."""

    db: Database
    index: ListingIndex


@pytest.fixture
async def workers(database_target: str) -> AsyncIterator[tuple[Worker, Worker]]:
    path = database_target
    a, b = await Database.open(path), await Database.open(path)
    index_a, index_b = ListingIndex(a), ListingIndex(b)
    await index_a.load()
    await index_b.load()
    yield Worker(a, index_a), Worker(b, index_b)
    await a.close()
    await b.close()


async def test_a_need_posted_through_one_worker_is_matched_by_an_offer_through_the_other(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    g, shop = await grower(a.db), await buyer(a.db)
    need = await publish(a.db, a.index, cabbage(shop.telegram_id, kind="need", price=None))
    offer = await publish(b.db, b.index, cabbage(g.telegram_id))
    assert [v.other.id for v in offer.matches] == [need.listing.id]
    assert offer.notices == 1
    # And back: A's index now holds B's offer, so the buyer's /matches on A lists it.
    async with a.db.read() as uow:
        [(own, views)] = await matches_of_user(uow, a.index, shop.telegram_id)
    assert own.id == need.listing.id and [v.other.id for v in views] == [offer.listing.id]


async def test_a_listing_closed_through_one_worker_is_no_longer_offered_by_the_other(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    g, shop = await grower(a.db), await buyer(a.db)
    offer = await publish(a.db, a.index, cabbage(g.telegram_id))
    first = await publish(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=None))
    assert [v.other.id for v in first.matches] == [offer.listing.id]
    async with a.db.write() as uow:
        assert await close_listing(uow, offer.listing, g.telegram_id, "done")
        await uow.commit()
    again = await publish(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=None))
    assert again.matches == [] and offer.listing.id not in b.index


async def test_an_edit_through_one_worker_is_seen_by_the_other(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    g, shop = await grower(a.db), await buyer(a.db)
    offer = await publish(a.db, a.index, cabbage(g.telegram_id, price=1.6))
    await publish(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=None))
    # 2.0 yuan/kg is above the buyer's cap of 1.8: the offer no longer suits the need.
    async with a.db.write() as uow:
        changed = await change_listing(uow, offer.listing, g.telegram_id,
                                       price=(2.0, "kg", None))
        await uow.commit()
    assert changed is not None and changed.price == 2.0
    capped = await publish(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=1.8))
    assert capped.matches == []


async def test_a_close_and_an_expiry_made_outside_the_bot_are_picked_up(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    g, shop = await grower(a.db), await buyer(a.db)
    closed = await publish(a.db, a.index, cabbage(g.telegram_id))
    lapsing = await publish(a.db, a.index, cabbage(g.telegram_id, expires_at=1e12))
    await b.index.sync()
    assert closed.listing.id in b.index and lapsing.listing.id in b.index
    # Another process (the CLI, an operator's script) writes through storage directly.
    async with await Database.open(a.db.path) as outside:
        assert await each(outside).listings.close(closed.listing.id, None, reason="withdrawn")
        assert await each(outside).listings.expire_due(2e12) == [lapsing.listing.id]
    # The periodic job on B catches up even before anything is posted there.
    settings = load_settings({}, env_file=None, require_token=False)
    await jobs.expire(Services(settings, b.db, b.index, wake_outbox=lambda: None))
    assert closed.listing.id not in b.index and lapsing.listing.id not in b.index
    need = await publish(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=None))
    assert need.matches == []


async def test_a_sync_with_nothing_new_reads_nothing(workers: tuple[Worker, Worker]) -> None:
    a, b = workers
    g = await grower(a.db)
    await publish(a.db, a.index, cabbage(g.telegram_id))
    # The index reads committed listings only: A's own listing comes in at its next sync.
    assert await a.index.sync() == 1
    assert await a.index.sync() == 0
    assert await b.index.sync() == 1
    assert await b.index.sync() == 0
    assert a.index.seq == b.index.seq == await each(a.db).listings.latest_change_seq()


async def test_load_then_sync_misses_nothing_written_in_between(database_target: str) -> None:
    async with await Database.open(database_target) as db:
        g = await grower(db)
        before = await publish(db, ListingIndex(db), cabbage(g.telegram_id))
        index = ListingIndex(db)
        assert await index.load() == 1
        after = await each(db).listings.add(cabbage(g.telegram_id))
        assert await index.sync() == 1
        assert before.listing.id in index and after.id in index and len(index) == 2


async def test_a_listing_rolled_back_never_reaches_any_index(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    g, shop = await grower(a.db), await buyer(a.db)
    async with a.db.write() as uow:
        lost = await uow.listings.add(cabbage(g.telegram_id))
        # No commit: the unit of work is undone as it ends.
    assert await a.index.sync() == 0 and await b.index.sync() == 0
    assert lost.id not in a.index and lost.id not in b.index
    need = await publish(b.db, b.index, cabbage(shop.telegram_id, kind="need", price=None))
    assert need.matches == []
