"""关注: the products users follow, and how many follow notices each got each day."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from storage.audit import write_audit
from storage.records import _Record
from storage.schema import follow_quota, follows
from storage.sql import chunks, insert_ignoring_duplicates


@dataclass(frozen=True, slots=True)
class Follow(_Record):
    """A user follows ``product``, within ``county``/``township`` ('' where none is given)."""

    id: int
    user_id: int
    product: str
    county: str
    township: str
    created_at: float

    @property
    def area(self) -> Area:
        return Area.of(self.county or None, self.township or None)


_FOLLOW = select(*Follow.columns(follows))


def _upsert(dialect_name: str) -> Any:
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(follow_quota)


class FollowRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, user_id: int, product: str, area: Area) -> tuple[Follow, bool]:
        """Follow ``product`` in ``area``; the follow, and whether it is new."""
        county, township = area.county or "", area.township or ""
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, follows).values(
                user_id=user_id, product=product, county=county, township=township,
                created_at=time.time()))
        row = (await self._conn.execute(_FOLLOW.where(
            follows.c.user_id == user_id, follows.c.product == product,
            follows.c.county == county, follows.c.township == township))).one()
        follow = Follow.from_row(row)
        if added.rowcount == 1:
            await write_audit(self._conn, user_id, "follow.add", f"follow:{follow.id}",
                              product=product, area=area.label)
        return follow, added.rowcount == 1

    async def get(self, follow_id: int) -> Follow | None:
        row = (await self._conn.execute(_FOLLOW.where(follows.c.id == follow_id))).first()
        return Follow.from_row(row) if row else None

    async def of_user(self, user_id: int) -> list[Follow]:
        rows = await self._conn.execute(
            _FOLLOW.where(follows.c.user_id == user_id).order_by(follows.c.id))
        return [Follow.from_row(r) for r in rows]

    async def of_product(self, product: str) -> list[Follow]:
        """Every follow of ``product``, oldest first."""
        rows = await self._conn.execute(
            _FOLLOW.where(follows.c.product == product).order_by(follows.c.id))
        return [Follow.from_row(r) for r in rows]

    async def remove(self, follow_id: int, user_id: int) -> bool:
        """Unfollow; False when it is not ``user_id``'s follow (or gone already)."""
        result = await self._conn.execute(
            delete(follows).where(follows.c.id == follow_id, follows.c.user_id == user_id))
        if result.rowcount == 1:
            await write_audit(self._conn, user_id, "follow.remove", f"follow:{follow_id}")
        return result.rowcount == 1

    async def take_quotas(self, user_ids: Sequence[int], day: str, cap: int) -> set[int]:
        """Count one follow notice to each of ``user_ids`` on ``day``; return those whose
        count was below ``cap`` (and is now one more): the others get none.

        One statement per chunk: each follower's row for the day is added at 1 or raised
        by one where it is below the cap. Two workers raising one row at once take turns
        on it (SQLite's write lock, PostgreSQL's row lock), so the cap holds.
        """
        taken: set[int] = set()
        for chunk in chunks(sorted(set(user_ids))):
            statement = _upsert(self._conn.dialect.name)
            rows = await self._conn.execute(
                statement.values([{"user_id": u, "day": day, "sent": 1} for u in chunk])
                .on_conflict_do_update(
                    index_elements=[follow_quota.c.user_id, follow_quota.c.day],
                    set_={"sent": follow_quota.c.sent + 1},
                    where=follow_quota.c.sent < cap,
                ).returning(follow_quota.c.user_id))
            taken.update(int(u) for u in rows.scalars())
        return taken

    async def sent_on(self, user_id: int, day: str) -> int:
        value = (await self._conn.execute(select(follow_quota.c.sent).where(
            follow_quota.c.user_id == user_id, follow_quota.c.day == day))).scalar()
        return int(value or 0)
