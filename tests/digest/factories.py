"""Builders for digest tests: people and listings at given local times, matches between them,
and use cases run in a unit of work of their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bot.matching.model import CITY_NAME, Kind, Listing, Place
from storage.database import Database
from storage.records import Role, User
from storage.schema import matches
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 5, 9)
T = TypeVar("T")


def at(hour: int, minute: int = 0, day: date = DAY) -> float:
    """POSIX seconds of a local time in Pingdingshan."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).timestamp()


async def person(
    db: Database, telegram_id: int, role: Role = "grower", *, county: str | None = "宝丰县",
    township: str | None = "张八桥镇", organisation: str = "", phone: str | None = None,
) -> User:
    return await each(db).users.upsert(
        telegram_id, role=role, name=f"用户{telegram_id}", organisation=organisation,
        phone=phone, county=county, township=township,
    )


async def listing(
    db: Database, user: User, kind: Kind, product: str, kg: float | None, *,
    created_at: float, category: str = "蔬菜", county: str | None = None,
    township: str | None = None, price_per_kg: float | None = None, unit: str = "kg",
    raw_text: str = "", **extra: Any,
) -> Listing:
    """A stored listing of ``kg`` (or of ``unit``) where its poster is, unless ``county``
    (and ``township``) say otherwise; ``extra`` sets any other Listing field."""
    place = Place(
        city=CITY_NAME, county=county or user.county,
        township=township if county else (township or user.township),
    )
    fields: dict[str, Any] = {
        "price": price_per_kg, "price_unit": "kg" if price_per_kg is not None else None,
    }
    fields.update(extra)
    new = Listing(
        id=0, kind=kind, product=product, quantity=kg, unit=unit if kg is not None else None,
        place=place, created_at=created_at, user_id=user.telegram_id, category=category,
        raw_text=raw_text or f"{product}{kg}", **fields,
    )
    return await each(db).listings.add(new)


async def match(db: Database, need: Listing, offer: Listing, *, created_at: float) -> int:
    [record] = await each(db).matches.record(
        [(need.id, offer.id, 0.9, 1)], created_at=created_at
    )
    return record.id


async def consent(
    db: Database, match_id: int, *, need_at: float | None = None,
    offer_at: float | None = None, exchanged_at: float | None = None,
) -> None:
    """Backdate a match's 我有意向 presses and contact exchange (the bot stamps them now)."""
    async with db.write() as uow:
        await uow.connection.execute(
            update(matches).where(matches.c.id == match_id).values(
                need_interest_at=need_at, offer_interest_at=offer_at,
                contacts_exchanged_at=exchanged_at,
            )
        )
        await uow.commit()


async def read(
    db: Database, use_case: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any
) -> T:
    """``use_case(uow, *args, **kwargs)`` in a read-only snapshot of its own."""
    async with db.read() as uow:
        return await use_case(uow, *args, **kwargs)


async def write(
    db: Database, use_case: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any
) -> T:
    """``use_case(uow, *args, **kwargs)`` in a unit of work of its own, committed."""
    async with db.write() as uow:
        result = await use_case(uow, *args, **kwargs)
        await uow.commit()
    return result

