"""Builders for digest tests: people and listings at given local times, matches between them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.matching.model import CITY_NAME, Kind, Place
from storage import listings, matches, users
from storage.database import Database
from storage.records import NewListing, Role, StoredListing, User

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 5, 9)


def at(hour: int, minute: int = 0, day: date = DAY) -> float:
    """POSIX seconds of a local time in Pingdingshan."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).timestamp()


async def person(
    db: Database, telegram_id: int, role: Role = "grower", *, county: str | None = "宝丰县",
    township: str | None = "张八桥镇", organisation: str = "", phone: str | None = None,
) -> User:
    return await users.upsert_user(
        db, telegram_id, role=role, name=f"用户{telegram_id}", organisation=organisation,
        phone=phone, county=county, township=township,
    )


async def listing(
    db: Database, user: User, kind: Kind, product: str, kg: float | None, *,
    created_at: float, category: str = "蔬菜", county: str | None = None,
    township: str | None = None, price_per_kg: float | None = None, unit: str = "kg",
    raw_text: str = "", **extra: Any,
) -> StoredListing:
    """A listing of ``kg`` (or of ``unit``); ``extra`` sets any other NewListing field."""
    place = Place(
        city=CITY_NAME, county=county or user.county,
        township=township if county else (township or user.township),
    )
    fields: dict[str, Any] = {
        "price": price_per_kg, "price_unit": "kg" if price_per_kg is not None else None,
    }
    fields.update(extra)
    new = NewListing(
        user_id=user.telegram_id, kind=kind, raw_text=raw_text or f"{product}{kg}", product=product,
        category=category, place=place, quantity=kg, unit=unit if kg is not None else None,
        **fields,
    )
    return await listings.add_listing(db, new, created_at=created_at)


async def match(
    db: Database, need: StoredListing, offer: StoredListing, *, created_at: float
) -> int:
    [record] = await matches.record_matches(
        db, [(need.id, offer.id, 0.9, 1)], created_at=created_at
    )
    return record.id


async def consent(
    db: Database, match_id: int, *, need_at: float | None = None,
    offer_at: float | None = None, exchanged_at: float | None = None,
) -> None:
    """Backdate a match's 我有意向 presses and contact exchange (the bot stamps them now)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE matches SET need_interest_at = ?, offer_interest_at = ?,"
            " contacts_exchanged_at = ? WHERE id = ?",
            (need_at, offer_at, exchanged_at, match_id),
        )
