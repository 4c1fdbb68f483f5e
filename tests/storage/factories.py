"""Small builders of stored things for storage tests, and raw SQL for looking underneath."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import RowMapping

from bot.matching.model import CITY_NAME, Kind, Listing, Place
from storage.database import Database
from storage.migrations.runner import number, revisions
from storage.records import User
from tests.stores import each

# The newest shipped schema version.
HEAD = max(number(r.revision) for r in revisions().walk_revisions())


async def grower(db: Database, telegram_id: int = 1001, **fields: object) -> User:
    result: User = await each(db).users.upsert(
        telegram_id, role="grower", name="王师傅", organisation="张八桥蔬菜合作社",
        county="宝丰县", township="张八桥镇", **fields,
    )
    return result


def cabbage(user_id: int, kind: Kind = "offer", **overrides: object) -> Listing:
    """5000 斤 of 大白菜 at 0.8 元/斤 from 张八桥镇, not yet stored (``id`` 0)."""
    listing = Listing(
        id=0, user_id=user_id, kind=kind, raw_text="出售大白菜5000斤，0.8元/斤", product="大白菜",
        category="蔬菜", place=Place(city=CITY_NAME, county="宝丰县", township="张八桥镇"),
        quantity=2500.0, unit="kg", quantity_as_written=5000.0, unit_as_written="斤",
        price=1.6, price_unit="kg", valid_until=date(2026, 5, 12), created_at=time.time(),
    )
    return dataclasses.replace(listing, **overrides)  # type: ignore[arg-type]


async def listed(
    db: Database, user_id: int, *, publish_key: str | None = None, **overrides: object
) -> Listing:
    """A cabbage listing stored in a unit of work of its own."""
    stored: Listing = await each(db).listings.add(cabbage(user_id, **overrides),
                                                   publish_key=publish_key)
    return stored


def _driver_sql(db: Database, statement: str) -> str:
    """``statement`` with its ``?`` marks as the driver takes them (asyncpg: $1, $2 …)."""
    if db.dialect != "postgresql":
        return statement
    parts = statement.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))


async def execute(db: Database, statement: str, *params: Sequence[Any] | dict[str, Any]) -> None:
    """Run a raw SQL statement (once per parameter set, ``?`` marking each value) in one
    committed unit of work."""
    async with db.write() as uow:
        for values in params or [()]:
            await uow.connection.exec_driver_sql(_driver_sql(db, statement), values)
        await uow.commit()


async def fetch(
    db: Database, query: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[RowMapping]:
    """The rows of a raw SQL query (``?`` marking each value), by column name."""
    async with db.read() as uow:
        result = await uow.connection.exec_driver_sql(_driver_sql(db, query), params)
        return list(result.mappings())


def revision_folder(folder: Path, number: int, *statements: str) -> Path:
    """A folder holding one more revision, ``number``, after the newest shipped one,
    running ``statements``: a later farmdock's, or a broken one."""
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n".join(f"    op.execute({s!r})" for s in statements) or "    pass"
    (folder / f"{number:04d}_extra.py").write_text(
        f"from alembic import op\n\nrevision = {f'{number:04d}'!r}\n"
        f"down_revision = {f'{HEAD:04d}'!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade() -> None:\n{body}\n", "utf-8")
    return folder
