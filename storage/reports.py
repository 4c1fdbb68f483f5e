"""Queries behind the officials' digest, escalations and reminders."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from bot.matching.model import WEIGHT_UNIT, Kind, Listing
from storage.listings import SELECT_LISTINGS, listing_from_row
from storage.schema import listings, matches
from storage.sql import in_area


def _open_at(at: float) -> ColumnElement[bool]:
    """Open at the moment ``at``: created before it, not yet expired then, and either still
    open or closed later (a closed listing was last updated when it was closed), so a past
    day reads the same tomorrow as it did that evening."""
    return and_(
        listings.c.created_at < at,
        or_(listings.c.status == "open", listings.c.updated_at >= at),
        or_(listings.c.expires_at.is_(None), listings.c.expires_at > at),
    )


def _unmatched(at: float, kind: Kind, area: Area) -> ColumnElement[bool]:
    side = matches.c.need_id if kind == "need" else matches.c.offer_id
    return and_(
        listings.c.kind == kind, _open_at(at), in_area(listings, area),
        ~exists().where(side == listings.c.id, matches.c.created_at < at),
    )


@dataclass(frozen=True, slots=True)
class ListingTotals:
    """How many offers and needs were posted in a period, their weight in kg, and their
    stated quantities by unit ("kg", "箱", "袋" …)."""

    offers: int
    needs: int
    offer_kg: float
    need_kg: float
    offer_volume: dict[str, float] = field(default_factory=dict)
    need_volume: dict[str, float] = field(default_factory=dict)


class ReportRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def unmatched(
        self, at: float, *, kind: Kind, area: Area, created_before: float | None = None,
    ) -> list[Listing]:
        """Listings of ``kind`` in ``area`` open at ``at`` with no match made before it,
        oldest first."""
        query = SELECT_LISTINGS.where(_unmatched(at, kind, area))
        if created_before is not None:
            query = query.where(listings.c.created_at < created_before)
        rows = await self._conn.execute(query.order_by(listings.c.created_at, listings.c.id))
        return [listing_from_row(r) for r in rows]

    async def unmatched_ids(self, at: float, *, kind: Kind, area: Area) -> list[int]:
        """The ids of :meth:`unmatched`, oldest first: cheap when most rows are loaded."""
        query = select(listings.c.id).where(_unmatched(at, kind, area))
        return list((await self._conn.execute(
            query.order_by(listings.c.created_at, listings.c.id))).scalars())

    async def open_counts_at(self, at: float, area: Area) -> dict[Kind, int]:
        """How many needs and offers of ``area`` were open at ``at``, matched or not."""
        found: dict[Kind, int] = {"need": 0, "offer": 0}
        query = (select(listings.c.kind, func.count())
                 .where(_open_at(at), in_area(listings, area)).group_by(listings.c.kind))
        for kind, count in await self._conn.execute(query):
            found[kind] = int(count)
        return found

    async def expiring_between(self, start: float, end: float) -> list[Listing]:
        """Open listings whose validity ends in [start, end), soonest first."""
        query = SELECT_LISTINGS.where(listings.c.status == "open", listings.c.expires_at >= start,
                              listings.c.expires_at < end)
        return [listing_from_row(r) for r in await self._conn.execute(
            query.order_by(listings.c.expires_at, listings.c.id))]

    async def totals(self, start: float, end: float, area: Area) -> ListingTotals:
        """Totals of the listings created in [start, end) in ``area``, counted by the database."""
        query = (
            select(listings.c.kind, listings.c.unit, func.count(), func.sum(listings.c.quantity))
            .where(listings.c.created_at >= start, listings.c.created_at < end,
                   in_area(listings, area))
            .group_by(listings.c.kind, listings.c.unit)
        )
        counts = {"offer": 0, "need": 0}
        volumes: dict[str, dict[str, float]] = {"offer": {}, "need": {}}
        for kind, unit, count, amount in await self._conn.execute(query):
            counts[kind] += int(count)
            if unit is not None and amount:
                volumes[kind][unit] = float(amount)
        return ListingTotals(
            offers=counts["offer"], needs=counts["need"],
            offer_kg=volumes["offer"].get(WEIGHT_UNIT, 0.0),
            need_kg=volumes["need"].get(WEIGHT_UNIT, 0.0),
            offer_volume=volumes["offer"], need_volume=volumes["need"],
        )
