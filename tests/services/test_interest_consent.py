"""我有意向 at the edges: both sides at the same moment, a counterpart who was blocked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.services.interest import express_interest
from bot.services.listings import publish_listing
from bot.services.match_index import ListingIndex
from storage import matches, outbox, users
from storage.database import Database
from storage.records import MatchRecord
from tests.storage.factories import cabbage, grower


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "farmdock.db")
    yield database
    await database.close()


async def _matched(db: Database) -> tuple[int, int, int]:
    """A grower's offer matched to a buyer's need: (match id, grower id, buyer id)."""
    index = ListingIndex()
    g = await grower(db, phone="13800000001")
    b = await users.upsert_user(db, 2002, role="buyer", name="李经理", county="湛河区",
                                phone="13900000002")
    await publish_listing(db, index, cabbage(b.telegram_id, kind="need", price=None))
    offer = await publish_listing(db, index, cabbage(g.telegram_id))
    [view] = offer.matches
    return view.match.id, g.telegram_id, b.telegram_id


async def test_both_press_at_once_each_hears_of_the_exchange_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    match_id, g, b = await _matched(db)
    # Both presses record their interest before either looks at the match again.
    both_recorded = asyncio.Barrier(2)
    record = matches.express_interest

    async def record_then_wait(*args: Any, **kwargs: Any) -> MatchRecord:
        recorded = await record(*args, **kwargs)
        await both_recorded.wait()
        return await matches.get_match(db, match_id) or recorded

    monkeypatch.setattr(matches, "express_interest", record_then_wait)
    results = await asyncio.gather(express_interest(db, match_id, g),
                                   express_interest(db, match_id, b))
    assert "exchanged" in [r.outcome for r in results]
    assert "already" not in [r.outcome for r in results]  # nobody had pressed before
    contacts = await outbox.messages(db, kind="contact")
    assert sorted(m.chat_id for m in contacts) == sorted([g, b])


async def test_a_blocked_counterpart_gets_no_phone(db: Database) -> None:
    match_id, g, b = await _matched(db)
    assert (await express_interest(db, match_id, g)).outcome == "waiting"
    await users.set_status(db, g, "blocked")
    assert (await express_interest(db, match_id, b)).outcome == "closed"
    assert await outbox.messages(db, kind="contact") == []
    assert [m.chat_id for m in await outbox.messages(db, kind="interest")] == [b]


async def test_a_blocked_users_listings_match_nobody(db: Database) -> None:
    index = ListingIndex()
    g = await grower(db)
    b = await users.upsert_user(db, 2002, role="buyer", county="湛河区")
    await publish_listing(db, index, cabbage(g.telegram_id))
    await users.set_status(db, g.telegram_id, "blocked")
    need = await publish_listing(db, index, cabbage(b.telegram_id, kind="need", price=None))
    assert need.matches == [] and need.notices == 0
