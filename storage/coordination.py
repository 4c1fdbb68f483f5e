"""Officials acting on escalated needs (已协调), and users told that officials of their area
may see their phone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import need_coordinations, phone_notices
from storage.sql import chunks, insert_ignoring_duplicates


@dataclass(frozen=True, slots=True)
class Coordination:
    listing_id: int
    official_id: int
    at: float


class CoordinationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, listing_id: int, official_id: int, at: float) -> bool:
        """The official's 已协调 on the need; False when they had pressed it before."""
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, need_coordinations).values(
                listing_id=listing_id, official_id=official_id, at=at))
        return added.rowcount == 1

    async def of_listings(self, ids: Iterable[int]) -> dict[int, list[Coordination]]:
        """Each need's coordinations, earliest first."""
        found: dict[int, list[Coordination]] = {}
        for part in chunks(sorted(set(ids))):
            rows = await self._conn.execute(
                select(need_coordinations.c.listing_id, need_coordinations.c.official_id,
                       need_coordinations.c.at)
                .where(need_coordinations.c.listing_id.in_(part))
                .order_by(need_coordinations.c.at))
            for row in rows.all():
                found.setdefault(row[0], []).append(Coordination(*row))
        return found

    async def told(self, user_ids: Iterable[int]) -> dict[int, float]:
        """When each of the users was told officials may see their phone (if they were)."""
        found: dict[int, float] = {}
        for part in chunks(sorted(set(user_ids))):
            rows = await self._conn.execute(
                select(phone_notices.c.user_id, phone_notices.c.told_at)
                .where(phone_notices.c.user_id.in_(part)))
            found.update({u: t for u, t in rows.all()})
        return found

    async def mark_told(self, user_id: int, at: float) -> bool:
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, phone_notices).values(
                user_id=user_id, told_at=at))
        return added.rowcount == 1
