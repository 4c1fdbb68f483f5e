"""Sealed areas (封控区定向配送): the areas, their designated suppliers and receivers, and the
delivery tasks into them; the only place that speaks SQL about them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from bot.matching.model import Listing
from storage.listings import SELECT_LISTINGS, listing_from_row
from storage.records import _Record
from storage.schema import (
    deliveries,
    listings,
    sealed_area_receivers,
    sealed_area_suppliers,
    sealed_areas,
    supplier_users,
)
from storage.sql import chunks, in_area, insert_ignoring_duplicates


@dataclass(frozen=True, slots=True)
class SealedArea(_Record):
    id: int
    name: str
    county: str
    township: str
    compounds: str
    level: str  # 封控区, 管控区, 防范区
    start: str  # ISO day
    declared_by: int | None
    declared_at: float
    lifted_at: float | None
    lifted_by: int | None

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    @property
    def area(self) -> Area:
        return Area(self.county, self.township)

    @property
    def compound_list(self) -> list[str]:
        return [c for c in self.compounds.split("、") if c]


@dataclass(frozen=True, slots=True)
class Receiver(_Record):
    area_id: int
    user_id: int
    point: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Delivery(_Record):
    id: int
    area_id: int
    match_id: int
    supplier_user: int
    receiver_user: int
    product: str
    quantity: float | None
    unit: str | None
    point: str
    status: str  # assigned, dispatched, received
    plate: str | None
    received_quantity: float | None
    shortfall: float | None
    created_at: float
    dispatched_at: float | None
    received_at: float | None


_AREA = select(*SealedArea.columns(sealed_areas))
_RECEIVER = select(*Receiver.columns(sealed_area_receivers))
_DELIVERY = select(*Delivery.columns(deliveries))


class SealedAreaRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def declare(self, *, name: str, county: str, township: str, compounds: str,
                      level: str, start: str, by: int | None, now: float) -> SealedArea:
        done = await self._conn.execute(insert(sealed_areas).values(
            name=name, county=county, township=township, compounds=compounds, level=level,
            start=start, declared_by=by, declared_at=now).returning(sealed_areas.c.id))
        area = await self.get(done.scalar_one())
        assert area is not None
        return area

    async def get(self, area_id: int) -> SealedArea | None:
        row = (await self._conn.execute(_AREA.where(sealed_areas.c.id == area_id))).first()
        return SealedArea.from_row(row) if row else None

    async def listed(self, area: Area | None = None, *,
                     active_only: bool = False) -> list[SealedArea]:
        """The sealed areas (in ``area`` when given), by id."""
        query = _AREA
        if area is not None:
            query = query.where(in_area(sealed_areas, area))
        if active_only:
            query = query.where(sealed_areas.c.lifted_at.is_(None))
        return [SealedArea.from_row(r)
                for r in await self._conn.execute(query.order_by(sealed_areas.c.id))]

    async def lift(self, area_id: int, by: int | None, now: float) -> bool:
        """Lift an active area; False when it was lifted already."""
        done = await self._conn.execute(
            update(sealed_areas).where(sealed_areas.c.id == area_id,
                                       sealed_areas.c.lifted_at.is_(None))
            .values(lifted_at=now, lifted_by=by))
        return done.rowcount == 1

    async def designate(self, area_id: int, supplier_id: int, now: float) -> bool:
        """Designate a registry supplier for the area; False when it was already."""
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, sealed_area_suppliers).values(
                area_id=area_id, supplier_id=supplier_id, created_at=now))
        return added.rowcount == 1

    async def suppliers_of(self, area_id: int) -> list[int]:
        return list((await self._conn.execute(
            select(sealed_area_suppliers.c.supplier_id)
            .where(sealed_area_suppliers.c.area_id == area_id)
            .order_by(sealed_area_suppliers.c.supplier_id))).scalars())

    async def supplier_users_of(self, area_id: int) -> set[int]:
        """The users linked to the area's designated suppliers: who may supply into it."""
        return set((await self._conn.execute(
            select(supplier_users.c.user_id)
            .join(sealed_area_suppliers,
                  sealed_area_suppliers.c.supplier_id == supplier_users.c.supplier_id)
            .where(sealed_area_suppliers.c.area_id == area_id))).scalars())

    async def areas_served_by(self, user_id: int) -> set[int]:
        """The active areas one of whose designated suppliers the user speaks for."""
        return set((await self._conn.execute(
            select(sealed_area_suppliers.c.area_id).distinct()
            .join(supplier_users,
                  supplier_users.c.supplier_id == sealed_area_suppliers.c.supplier_id)
            .join(sealed_areas, sealed_areas.c.id == sealed_area_suppliers.c.area_id)
            .where(supplier_users.c.user_id == user_id,
                   sealed_areas.c.lifted_at.is_(None)))).scalars())

    async def open_listings_of_suppliers(self, area_id: int, kind: str) -> list[Listing]:
        """The open listings of ``kind`` of the users of the area's designated suppliers."""
        users = await self.supplier_users_of(area_id)
        return await self.open_listings_of_users(users, kind)

    async def open_needs_in(self, area_ids: Iterable[int]) -> list[Listing]:
        """The open needs posted by receivers of these areas (the area each receives for)."""
        wanted = set(area_ids)
        users: set[int] = set()
        for part in chunks(sorted(wanted)):
            users.update((await self._conn.execute(
                select(sealed_area_receivers.c.user_id)
                .where(sealed_area_receivers.c.area_id.in_(part)))).scalars())
        own = await self.active_of_receivers(users)
        return await self.open_listings_of_users(
            {u for u, (a, _) in own.items() if a.id in wanted}, "need")

    async def open_listings_of_users(self, user_ids: Iterable[int],
                                     kind: str) -> list[Listing]:
        """The open listings of ``kind`` of these users, by id."""
        found: list[Listing] = []
        for part in chunks(sorted(set(user_ids))):
            rows = await self._conn.execute(
                SELECT_LISTINGS.where(listings.c.user_id.in_(part),
                                      listings.c.status == "open", listings.c.kind == kind)
                .order_by(listings.c.id))
            found.extend(listing_from_row(r) for r in rows)
        return found

    async def set_receiver(self, area_id: int, user_id: int, point: str, now: float) -> None:
        """Make the user a receiver of the area at ``point`` (a new point replaces the old)."""
        changed = await self._conn.execute(
            update(sealed_area_receivers).where(sealed_area_receivers.c.area_id == area_id,
                                                sealed_area_receivers.c.user_id == user_id)
            .values(point=point))
        if changed.rowcount == 0:
            await self._conn.execute(insert(sealed_area_receivers).values(
                area_id=area_id, user_id=user_id, point=point, created_at=now))

    async def receivers_of(self, area_id: int) -> list[Receiver]:
        rows = await self._conn.execute(
            _RECEIVER.where(sealed_area_receivers.c.area_id == area_id)
            .order_by(sealed_area_receivers.c.user_id))
        return [Receiver.from_row(r) for r in rows]

    async def active_of_receivers(
            self, user_ids: Iterable[int]) -> dict[int, tuple[SealedArea, Receiver]]:
        """The active sealed area each of these users receives for (the first declared)."""
        found: dict[int, tuple[SealedArea, Receiver]] = {}
        width = len(sealed_area_receivers.c)
        for part in chunks(sorted(set(user_ids))):
            rows = await self._conn.execute(
                select(*Receiver.columns(sealed_area_receivers),
                       *SealedArea.columns(sealed_areas))
                .join(sealed_areas, sealed_areas.c.id == sealed_area_receivers.c.area_id)
                .where(sealed_area_receivers.c.user_id.in_(part),
                       sealed_areas.c.lifted_at.is_(None))
                .order_by(sealed_areas.c.id))
            for r in rows:
                receiver = Receiver.from_row(r[:width])
                found.setdefault(receiver.user_id,
                                 (SealedArea.from_row(r[width:]), receiver))
        return found

    # --- delivery tasks ---

    async def add_delivery(self, *, area_id: int, match_id: int, supplier_user: int,
                           receiver_user: int, product: str, quantity: float | None,
                           unit: str | None, point: str, now: float) -> Delivery | None:
        """The delivery task of a consented match; None when the match has one already."""
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, deliveries).values(
                area_id=area_id, match_id=match_id, supplier_user=supplier_user,
                receiver_user=receiver_user, product=product, quantity=quantity, unit=unit,
                point=point, created_at=now))
        if added.rowcount != 1:
            return None
        row = (await self._conn.execute(
            _DELIVERY.where(deliveries.c.match_id == match_id))).first()
        return Delivery.from_row(row) if row else None

    async def delivery(self, delivery_id: int) -> Delivery | None:
        row = (await self._conn.execute(
            _DELIVERY.where(deliveries.c.id == delivery_id))).first()
        return Delivery.from_row(row) if row else None

    async def dispatch(self, delivery_id: int, plate: str | None, now: float) -> bool:
        """assigned → dispatched; False when it was not assigned."""
        done = await self._conn.execute(
            update(deliveries).where(deliveries.c.id == delivery_id,
                                     deliveries.c.status == "assigned")
            .values(status="dispatched", plate=plate, dispatched_at=now))
        return done.rowcount == 1

    async def receive(self, delivery_id: int, quantity: float, shortfall: float | None,
                      now: float) -> bool:
        """assigned or dispatched → received; False when it was received already."""
        done = await self._conn.execute(
            update(deliveries).where(deliveries.c.id == delivery_id,
                                     deliveries.c.status != "received")
            .values(status="received", received_quantity=quantity, shortfall=shortfall,
                    received_at=now))
        return done.rowcount == 1

    async def deliveries_in(self, area_ids: Iterable[int], since: float,
                            until: float) -> list[Delivery]:
        """The deliveries of these areas created before ``until`` and either still open or
        received from ``since`` on, by id."""
        found: list[Delivery] = []
        for part in chunks(sorted(set(area_ids))):
            rows = await self._conn.execute(
                _DELIVERY.where(deliveries.c.area_id.in_(part),
                                deliveries.c.created_at < until,
                                (deliveries.c.status != "received")
                                | (deliveries.c.received_at >= since))
                .order_by(deliveries.c.id))
            found.extend(Delivery.from_row(r) for r in rows)
        return found

    async def open_count(self, area_id: int) -> int:
        return int((await self._conn.execute(
            select(func.count()).where(deliveries.c.area_id == area_id,
                                       deliveries.c.status != "received"))).scalar_one())

