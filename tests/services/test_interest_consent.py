"""我有意向 at the edges: both sides at the same moment, a counterpart who was blocked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.services.interest import Interest, express_interest
from bot.services.match_index import ListingIndex
from storage.database import Database
from tests.services.factories import buyer, cabbage, grower, publish
from tests.stores import each


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def _matched(db: Database) -> tuple[int, int, int]:
    """A grower's offer matched to a buyer's need: (match id, grower id, buyer id)."""
    index = ListingIndex(db)
    g = await grower(db, phone="13800000001")
    b = await buyer(db)
    await publish(db, index, cabbage(b.telegram_id, kind="need", price=None))
    offer = await publish(db, index, cabbage(g.telegram_id))
    [view] = offer.matches
    assert view.record is not None
    return view.record.id, g.telegram_id, b.telegram_id


async def press(db: Database, match_id: int, user_id: int) -> Interest:
    """One press of 我有意向, as the bot handles it: a unit of work of its own."""
    async with db.write() as uow:
        result = await express_interest(uow, match_id, user_id)
        await uow.commit()
    return result


@pytest.mark.parametrize("workers", [1, 2], ids=["one worker", "two workers"])
async def test_both_press_at_once_each_hears_of_the_exchange_once(
    db: Database, tmp_path: Path, workers: int
) -> None:
    match_id, g, b = await _matched(db)
    # Two webhook workers are two Databases on one database; one worker takes both updates.
    other = db if workers == 1 else await Database.open(db.path)
    try:
        results = await asyncio.gather(press(db, match_id, g), press(other, match_id, b))
    finally:
        if other is not db:
            await other.close()
    # A write unit of work holds the write lock from its start: one press comes first
    # and waits for the other side, the second one exchanges. Nobody had pressed before.
    assert sorted(r.outcome for r in results) == ["exchanged", "waiting"]
    contacts = await each(db).outbox.rows(kind="contact")
    assert sorted(m.chat_id for m in contacts) == sorted([g, b])
    match = await each(db).matches.get(match_id)
    assert match is not None and match.contacts_exchanged_at is not None
    # Pressing again changes nothing and sends nothing more.
    assert [(await press(db, match_id, u)).outcome for u in (g, b)] == ["already", "already"]
    assert len(await each(db).outbox.rows(kind="contact")) == 2


async def test_a_blocked_counterpart_gets_no_phone(db: Database) -> None:
    match_id, g, b = await _matched(db)
    assert (await press(db, match_id, g)).outcome == "waiting"
    await each(db).users.set_status(g, "blocked")
    assert (await press(db, match_id, b)).outcome == "closed"
    assert await each(db).outbox.rows(kind="contact") == []
    assert [m.chat_id for m in await each(db).outbox.rows(kind="interest")] == [b]


async def test_a_blocked_users_listings_match_nobody(db: Database) -> None:
    index = ListingIndex(db)
    g = await grower(db)
    b = await each(db).users.upsert(2002, role="buyer", county="湛河区")
    await publish(db, index, cabbage(g.telegram_id))
    await each(db).users.set_status(g.telegram_id, "blocked")
    need = await publish(db, index, cabbage(b.telegram_id, kind="need", price=None))
    assert need.matches == [] and need.notices == 0
