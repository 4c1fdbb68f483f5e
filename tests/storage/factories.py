"""Small builders of stored things for storage tests."""

from __future__ import annotations

from datetime import date

from bot.matching.model import CITY_NAME, Kind, Place
from storage.database import Database
from storage.listings import add_listing
from storage.records import NewListing, StoredListing, User
from storage.users import upsert_user


async def grower(db: Database, telegram_id: int = 1001, **fields: object) -> User:
    return await upsert_user(
        db, telegram_id, role="grower", name="王师傅", organisation="张八桥蔬菜合作社",
        county="宝丰县", township="张八桥镇", **fields,  # type: ignore[arg-type]
    )


def cabbage(user_id: int, kind: Kind = "offer", **overrides: object) -> NewListing:
    values: dict[str, object] = dict(
        user_id=user_id, kind=kind, raw_text="出售大白菜5000斤，0.8元/斤", product="大白菜",
        category="蔬菜", place=Place(city=CITY_NAME, county="宝丰县", township="张八桥镇"),
        quantity=2500.0, unit="kg", quantity_as_written=5000.0, unit_as_written="斤",
        price=1.6, price_unit="kg", valid_until=date(2026, 5, 12),
    )
    values.update(overrides)
    return NewListing(**values)  # type: ignore[arg-type]


async def listed(db: Database, user_id: int, **overrides: object) -> StoredListing:
    return await add_listing(db, cabbage(user_id, **overrides))
