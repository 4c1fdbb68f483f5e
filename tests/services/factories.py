"""Builders for the use-case tests: people, a cabbage listing, publishing in one unit of work."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

from bot.matching.model import CITY_NAME, Kind, Listing, Place
from bot.services.listings import Published, publish_listing
from bot.services.match_index import ListingIndex
from storage.database import Database
from storage.records import User
from tests.stores import each

TODAY = date(2026, 5, 9)


async def grower(db: Database, telegram_id: int = 1001, **fields: object) -> User:
    return await each(db).users.upsert(
        telegram_id, role="grower", name="王师傅", organisation="张八桥蔬菜合作社",
        county="宝丰县", township="张八桥镇", **fields,
    )


async def buyer(db: Database, telegram_id: int = 2002, **fields: object) -> User:
    return await each(db).users.upsert(
        telegram_id, role="buyer", name="李经理", organisation="丹尼斯超市",
        county="湛河区", township="姚孟街道", **{"phone": "13900000002", **fields},
    )


def cabbage(user_id: int, kind: Kind = "offer", **overrides: object) -> Listing:
    """5000 斤 of 大白菜 at 0.8 元/斤 in 宝丰县张八桥镇, posted now (id given by storage)."""
    listing = Listing(
        id=0, user_id=user_id, kind=kind, raw_text="出售大白菜5000斤，0.8元/斤",
        product="大白菜", category="蔬菜",
        place=Place(city=CITY_NAME, county="宝丰县", township="张八桥镇"),
        quantity=2500.0, unit="kg", quantity_as_written=5000.0, unit_as_written="斤",
        price=1.6, price_unit="kg", valid_until=date(2026, 5, 12), created_at=time.time(),
    )
    return replace(listing, **overrides)  # type: ignore[arg-type]


async def publish(
    db: Database, index: ListingIndex, listing: Listing, **options: object
) -> Published:
    """``publish_listing`` as the bot runs it: in a unit of work of its own, committed."""
    async with db.write() as uow:
        published = await publish_listing(uow, index, listing, today=TODAY, **options)  # type: ignore[arg-type]
        await uow.commit()
    return published
