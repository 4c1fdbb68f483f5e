"""Every use case that writes happens whole or not at all.

Each use case below is run again and again, failing (raising) after its first
storage statement, then after its second, and so on, until it runs to its end.
After every failure the database is exactly as before (none of its effects), and
the last, unbroken run does everything: the user can simply do it again.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, text

from bot.matching.area import CITY
from bot.matching.clock import end_of_day
from bot.matching.drafts import valid_days_for
from bot.matching.model import CITY_NAME, Listing, Place
from bot.services import interest, listings
from bot.services.digest import enqueue_daily_digests
from bot.services.match_index import ListingIndex
from storage.database import Database
from storage.interfaces import UnitOfWork
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 5, 9)
GROWER, BUYER, OFFICIAL = 501, 502, 503
TABLES = ("users", "invites", "listings", "matches", "outbox", "audit_log", "change_counters",
          "conversations", "processed_updates")


class Crash(Exception):
    """The process dying in the middle of a use case."""


class Breaker:
    """Raises after the ``n``-th statement a write unit of work of ``db`` runs, while armed
    (a read that fails writes nothing, and the digest reports a failed read as such)."""

    def __init__(self, db: Database) -> None:
        self.armed = False
        self.after: int | None = None
        self.count = 0
        event.listen(db._engine.sync_engine, "after_cursor_execute", self._executed)

    def _executed(self, connection: Any, *args: Any) -> None:
        if not self.armed or not connection.get_execution_options().get("farmdock_write"):
            return
        self.count += 1
        if self.after is not None and self.count >= self.after:
            self.armed = False
            raise Crash(f"after statement {self.count}")


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare before and after."""
    found = {}
    async with db.read() as uow:
        for table in TABLES:
            rows = await uow.connection.execute(text(f"SELECT * FROM {table}"))
            found[table] = sorted(tuple(r) for r in rows)
    return found


UseCase = Callable[[UnitOfWork], Awaitable[object]]


async def crash_everywhere(db: Database, use_case: UseCase) -> int:
    """Run ``use_case`` in a unit of work failing after each statement in turn; check
    each failure left nothing; return how many statements the whole run took."""

    async def in_one_unit() -> None:
        async with db.write() as uow:
            await use_case(uow)
            await uow.commit()

    return await crash_each_statement(db, in_one_unit)


async def crash_each_statement(db: Database, run: Callable[[], Awaitable[object]]) -> int:
    """Run ``run`` failing after each of its statements in turn; check each failure left
    nothing; return how many statements the whole run took."""
    breaker = Breaker(db)
    before = await snapshot(db)
    after = 1
    while True:
        breaker.count, breaker.after, breaker.armed = 0, after, True
        try:
            await run()
        except Crash:
            assert await snapshot(db) == before, f"crash after statement {after} left a trace"
            after += 1
            continue
        finally:
            breaker.armed = False
        break
    assert await snapshot(db) != before, "the unbroken run changed nothing"
    return after - 1


def _listing(kind: str, user_id: int, **fields: Any) -> Listing:
    now = time.time()
    values: dict[str, Any] = dict(
        id=0, kind=kind, product="大白菜", quantity=2500.0, unit="kg", price=1.6,
        price_unit="kg", place=Place(CITY_NAME, "宝丰县", "张八桥镇"), created_at=now,
        expires_at=end_of_day(TODAY.replace(year=2099), TZ), user_id=user_id,
        category="蔬菜", quantity_as_written=5000.0, unit_as_written="斤",
        valid_until=TODAY.replace(year=2099), raw_text="出售大白菜5000斤",
    )
    values.update(fields)
    return Listing(**values)


@pytest.fixture
async def db(database_target: str) -> Any:
    database = await Database.open(database_target)
    store = each(database)
    await store.users.upsert(GROWER, role="grower", name="王", phone="13800000001",
                             county="宝丰县", township="张八桥镇")
    await store.users.upsert(BUYER, role="buyer", name="李", phone="13900000002",
                             county="宝丰县", township="张八桥镇")
    await store.users.upsert(OFFICIAL, role="official", name="张科长", county="宝丰县")
    yield database
    await database.close()


async def _published_pair(db: Database) -> tuple[Listing, Listing, int]:
    """A need, then an offer that matches it: (need, offer, match id)."""
    index = ListingIndex(db)
    need = await each(db).listings.add(_listing("need", BUYER, price=2.0))
    async with db.write() as uow:
        published = await listings.publish_listing(uow, index, _listing("offer", GROWER),
                                                   today=TODAY)
        await uow.commit()
    assert published.matches and published.matches[0].record is not None
    return need, published.listing, published.matches[0].record.id


async def test_publishing_stores_the_listing_matches_and_notices_together(db: Database) -> None:
    await each(db).listings.add(_listing("need", BUYER, price=2.0))
    index = ListingIndex(db)

    async def publish(uow: UnitOfWork) -> None:
        published = await listings.publish_listing(
            uow, index, _listing("offer", GROWER), today=TODAY, publish_key="key-1"
        )
        assert published.notices == 1

    statements = await crash_everywhere(db, publish)
    assert statements >= 4  # the listing, its audit, the match, the notice at least
    assert len(await each(db).matches.in_period(0, 2e9, CITY)) == 1
    assert [m.kind for m in await each(db).outbox.rows()] == ["match"]


async def test_editing_renewing_and_closing_are_whole(db: Database) -> None:
    listing = await each(db).listings.add(_listing("offer", GROWER))

    async def edit(uow: UnitOfWork) -> None:
        assert await listings.change_listing(uow, listing, GROWER,
                                             quantity=(1000.0, 2000.0, "斤")) is not None

    async def renew(uow: UnitOfWork) -> None:
        assert await listings.renew_listing(uow, listing, GROWER, today=TODAY,
                                            tz=TZ) is not None

    async def close(uow: UnitOfWork) -> None:
        assert await listings.close_listing(uow, listing, GROWER, "done")

    for use_case in (edit, renew, close):
        await crash_everywhere(db, use_case)
    stored = await each(db).listings.get(listing.id)
    assert stored is not None and stored.status == "closed" and stored.quantity == 1000
    assert stored.valid_until == TODAY + timedelta(days=valid_days_for("大白菜"))


async def test_interest_and_the_contact_exchange_are_whole(db: Database) -> None:
    _need, _offer, match_id = await _published_pair(db)

    async def buyer_says_yes(uow: UnitOfWork) -> None:
        assert (await interest.express_interest(uow, match_id, BUYER)).outcome == "waiting"

    async def grower_says_yes(uow: UnitOfWork) -> None:
        assert (await interest.express_interest(uow, match_id, GROWER)).outcome == "exchanged"

    await crash_everywhere(db, buyer_says_yes)
    await crash_everywhere(db, grower_says_yes)
    match = await each(db).matches.get(match_id)
    assert match is not None and match.contacts_exchanged_at is not None
    cards = await each(db).outbox.rows(kind="contact")
    assert sorted(c.chat_id for c in cards) == [GROWER, BUYER]


async def test_the_digest_of_an_area_is_enqueued_whole(db: Database) -> None:
    await _published_pair(db)
    finished: list[int] = []

    async def enqueue() -> None:
        finished.append(await enqueue_daily_digests(db, TODAY, TZ))

    await crash_each_statement(db, enqueue)
    [added] = finished
    assert added == len(await each(db).outbox.rows(chat_id=OFFICIAL)) > 0
