"""关注: the products users follow, and how many follow notices each got each day."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from storage.audit import write_audit
from storage.records import _Record
from storage.schema import follow_quota, follows
from storage.sql import insert_ignoring_duplicates


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

    async def take_quota(self, user_id: int, day: str, cap: int) -> bool:
        """Count one follow notice to ``user_id`` on ``day``; False when ``cap`` were sent.

        The count is one row per follower and day, raised by a guarded update: two
        workers raising it at once take turns on the row, so the cap holds.
        """
        await self._conn.execute(
            insert_ignoring_duplicates(self._conn, follow_quota).values(
                user_id=user_id, day=day, sent=0))
        taken = await self._conn.execute(
            update(follow_quota).where(
                follow_quota.c.user_id == user_id, follow_quota.c.day == day,
                follow_quota.c.sent < cap,
            ).values(sent=follow_quota.c.sent + 1))
        return taken.rowcount == 1

    async def sent_on(self, user_id: int, day: str) -> int:
        value = (await self._conn.execute(select(follow_quota.c.sent).where(
            follow_quota.c.user_id == user_id, follow_quota.c.day == day))).scalar()
        return int(value or 0)
