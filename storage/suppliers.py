"""The emergency supplier registry: suppliers, what each can supply, and the users linked to
them; the only place that speaks SQL about them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from bot.matching.model import CITY_NAME, Place
from bot.matching.suppliers import Capacity, CapacityRow, RegistryEntry
from storage.records import _Record
from storage.schema import (
    supplier_products,
    supplier_requests,
    supplier_users,
    suppliers,
    survey_needs,
    users,
)
from storage.sql import CHUNK, chunks, in_area, insert_ignoring_duplicates


@dataclass(frozen=True, slots=True)
class Supplier(_Record):
    id: int
    key: str
    name: str
    type: str
    credit_code: str | None
    county: str
    township: str | None
    contact: str
    phone: str | None
    flags: str
    created_at: float
    updated_at: float

    @property
    def area(self) -> Area:
        return Area.of(self.county, self.township)

    @property
    def place(self) -> Place:
        return Place(city=CITY_NAME, county=self.county, township=self.township)

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split("、") if f]


@dataclass(frozen=True, slots=True)
class SupplierData:
    """A supplier as an import row, ``suppliers add`` or an official's form gives it."""

    key: str
    name: str
    type: str
    credit_code: str | None
    county: str
    township: str | None
    contact: str
    phone: str | None
    flags: str
    capacities: tuple[Capacity, ...]

    def columns(self) -> dict[str, object]:
        return {"key": self.key, "name": self.name, "type": self.type,
                "credit_code": self.credit_code, "county": self.county,
                "township": self.township, "contact": self.contact, "phone": self.phone,
                "flags": self.flags}


@dataclass(frozen=True, slots=True)
class SupplierRequest(_Record):
    id: int
    need_id: int
    supplier_id: int
    channel: str  # bot, call
    status: str  # asked, yes, no, partial
    quantity: float | None
    unit: str | None
    asked_at: float
    answered_at: float | None
    answered_by: int | None
    offer_id: int | None


_REQUEST = select(*SupplierRequest.columns(supplier_requests))
_SUPPLIER = select(*Supplier.columns(suppliers))
_PRODUCT_COLUMNS = (supplier_products.c.supplier_id, supplier_products.c.product,
                    supplier_products.c.capacity, supplier_products.c.unit,
                    supplier_products.c.period)


class SupplierRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def keys(self) -> set[str]:
        """Every supplier's stable key (an import checks thousands of rows against them)."""
        return set((await self._conn.execute(select(suppliers.c.key))).scalars())

    async def save(self, data: Sequence[SupplierData], now: float) -> dict[str, int]:
        """Add the suppliers, or update the ones of the same key (their products replaced
        by the given ones), in a few statements whatever their number; their ids by key."""
        if not data:
            return {}
        ids = await self._ids([d.key for d in data])
        new = [d for d in data if d.key not in ids]
        old = [d for d in data if d.key in ids]
        if new:
            await self._conn.execute(insert(suppliers), [
                {**d.columns(), "created_at": now, "updated_at": now} for d in new])
            ids.update(await self._ids([d.key for d in new]))
        if old:
            await self._conn.execute(
                # The SET columns come from each parameter set's own column keys.
                update(suppliers).where(suppliers.c.id == bindparam("_id")),
                [{**d.columns(), "_id": ids[d.key], "updated_at": now} for d in old])
            for part in chunks(sorted(ids[d.key] for d in old)):
                await self._conn.execute(delete(supplier_products)
                                         .where(supplier_products.c.supplier_id.in_(part)))
        rows = [{"supplier_id": ids[d.key], "product": c.product, "capacity": c.amount,
                 "unit": c.unit, "period": c.period} for d in data for c in d.capacities]
        if rows:
            await self._conn.execute(insert(supplier_products), rows)
        return ids

    async def _ids(self, keys: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for part in chunks(sorted(set(keys))):
            for key, supplier_id in await self._conn.execute(
                    select(suppliers.c.key, suppliers.c.id).where(suppliers.c.key.in_(part))):
                found[key] = supplier_id
        return found

    async def get(self, supplier_id: int) -> Supplier | None:
        row = (await self._conn.execute(_SUPPLIER.where(suppliers.c.id == supplier_id))).first()
        return Supplier.from_row(row) if row else None

    async def by_ids(self, ids: Iterable[int]) -> dict[int, Supplier]:
        found: dict[int, Supplier] = {}
        for part in chunks(sorted(set(ids))):
            for row in await self._conn.execute(_SUPPLIER.where(suppliers.c.id.in_(part))):
                found[row[0]] = Supplier.from_row(row)
        return found

    async def by_key(self, key: str) -> Supplier | None:
        row = (await self._conn.execute(_SUPPLIER.where(suppliers.c.key == key))).first()
        return Supplier.from_row(row) if row else None

    async def replace(self, supplier_id: int, data: SupplierData, now: float) -> None:
        """Change a supplier to ``data`` (its key too), its products replaced."""
        await self._conn.execute(update(suppliers).where(suppliers.c.id == supplier_id)
                                 .values(**data.columns(), updated_at=now))
        await self._conn.execute(delete(supplier_products)
                                 .where(supplier_products.c.supplier_id == supplier_id))
        if data.capacities:
            await self._conn.execute(insert(supplier_products), [
                {"supplier_id": supplier_id, "product": c.product, "capacity": c.amount,
                 "unit": c.unit, "period": c.period} for c in data.capacities])

    async def named(self, name: str) -> list[Supplier]:
        rows = await self._conn.execute(_SUPPLIER.where(suppliers.c.name == name)
                                        .order_by(suppliers.c.id))
        return [Supplier.from_row(r) for r in rows]

    async def search(self, area: Area, product: str | None = None) -> list[Supplier]:
        """The suppliers in ``area`` (of ``product`` only, when given), by id."""
        query = _SUPPLIER.where(in_area(suppliers, area))
        if product is not None:
            query = query.where(suppliers.c.id.in_(
                select(supplier_products.c.supplier_id)
                .where(supplier_products.c.product == product)))
        rows = await self._conn.execute(query.order_by(suppliers.c.id))
        return [Supplier.from_row(r) for r in rows]

    async def capacities(self, ids: Iterable[int]) -> dict[int, list[Capacity]]:
        found: dict[int, list[Capacity]] = defaultdict(list)
        for part in chunks(sorted(set(ids))):
            for supplier_id, product, amount, unit, period in await self._conn.execute(
                    select(*_PRODUCT_COLUMNS).where(supplier_products.c.supplier_id.in_(part))
                    .order_by(supplier_products.c.supplier_id, supplier_products.c.product)):
                found[supplier_id].append(Capacity(product, amount, unit, period))
        return found

    async def version(self) -> tuple[int, float]:
        """How many suppliers there are and when one last changed: any import or edit
        (which also replaces products) changes it."""
        count, last = (await self._conn.execute(
            select(func.count(), func.max(suppliers.c.updated_at)))).one()
        return int(count), float(last or 0.0)

    async def capacity_rows(self, products: Iterable[str] | None) -> list[CapacityRow]:
        """Every registered capacity above zero of these products (None: of all), with its
        supplier's place: (supplier id, product, amount, unit, period, county, township)
        rows, as :meth:`bot.matching.suppliers.RegistryIndex.from_rows` takes them."""
        # Two narrow reads joined here: the places are read once per supplier, not once
        # per product (a registry of 20,000 suppliers holds 100,000 capacities).
        query = select(*_PRODUCT_COLUMNS).where(supplier_products.c.capacity > 0)
        parts = [None] if products is None else list(chunks(sorted(set(products))))
        found: list[CapacityRow] = []
        for part in parts:
            rows = (await self._conn.execute(
                query if part is None else
                query.where(supplier_products.c.product.in_(part)))).all()
            place = await self._places({r[0] for r in rows})
            found.extend((*r, *place[r[0]]) for r in rows)  # type: ignore[misc]
        return found

    async def _places(self, ids: set[int]) -> dict[int, tuple[str, str | None]]:
        query = select(suppliers.c.id, suppliers.c.county, suppliers.c.township)
        if len(ids) > CHUNK:  # most of the registry: one read of all its places
            rows = await self._conn.execute(query)
            return {i: (c, t) for i, c, t in rows}
        found: dict[int, tuple[str, str | None]] = {}
        for part in chunks(sorted(ids)):
            for i, c, t in await self._conn.execute(query.where(suppliers.c.id.in_(part))):
                found[i] = (c, t)
        return found

    async def entries(self, products: Iterable[str]) -> list[RegistryEntry]:
        """:meth:`capacity_rows` as the domain's entries."""
        return [RegistryEntry(i, Place(city=CITY_NAME, county=county, township=township),
                              Capacity(product, amount, unit, period))
                for i, product, amount, unit, period, county, township
                in await self.capacity_rows(products)]

    async def link_user(self, supplier_id: int, user_id: int, now: float) -> bool:
        """Link ``user_id`` to the supplier; False when already linked."""
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, supplier_users).values(
                supplier_id=supplier_id, user_id=user_id, created_at=now))
        return added.rowcount == 1

    async def link_users_by_phone(self, ids: Iterable[int], now: float) -> int:
        """Link every user signed up with the phone of one of these suppliers; how many
        links were new."""
        by_phone: dict[str, list[int]] = defaultdict(list)
        for supplier_id, phone in await self._phones(ids):
            by_phone[phone].append(supplier_id)
        linked = 0
        for part in chunks(sorted(by_phone)):
            for user_id, phone in await self._conn.execute(
                    select(users.c.telegram_id, users.c.phone).where(users.c.phone.in_(part))):
                for supplier_id in by_phone[phone]:
                    linked += await self.link_user(supplier_id, user_id, now)
        return linked

    async def _phones(self, ids: Iterable[int]) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        for part in chunks(sorted(set(ids))):
            found.extend((i, p) for i, p in await self._conn.execute(
                select(suppliers.c.id, suppliers.c.phone)
                .where(suppliers.c.id.in_(part), suppliers.c.phone.is_not(None))))
        return found

    async def users_of(self, ids: Iterable[int]) -> dict[int, list[int]]:
        """The users linked to each supplier."""
        found: dict[int, list[int]] = defaultdict(list)
        for part in chunks(sorted(set(ids))):
            for supplier_id, user_id in await self._conn.execute(
                    select(supplier_users.c.supplier_id, supplier_users.c.user_id)
                    .where(supplier_users.c.supplier_id.in_(part))
                    .order_by(supplier_users.c.user_id)):
                found[supplier_id].append(user_id)
        return found

    async def names_for_users(self, user_ids: Iterable[int]) -> dict[int, str]:
        """The registered supplier each user speaks for (the first linked, by id)."""
        found: dict[int, str] = {}
        for part in chunks(sorted(set(user_ids))):
            for user_id, name in await self._conn.execute(
                    select(supplier_users.c.user_id, suppliers.c.name)
                    .join(suppliers, suppliers.c.id == supplier_users.c.supplier_id)
                    .where(supplier_users.c.user_id.in_(part))
                    .order_by(supplier_users.c.user_id, suppliers.c.id)):
                found.setdefault(user_id, name)
        return found

    # --- requests made of registry suppliers for needs the market did not cover ---

    async def needs_asked(self, need_ids: Iterable[int]) -> set[int]:
        """Which of these needs the registry was asked for already."""
        found: set[int] = set()
        for part in chunks(sorted(set(need_ids))):
            found.update((await self._conn.execute(
                select(supplier_requests.c.need_id).distinct()
                .where(supplier_requests.c.need_id.in_(part)))).scalars())
        return found

    async def ask(self, need_id: int, supplier_id: int, channel: str,
                  now: float) -> SupplierRequest | None:
        """Record that the supplier is asked for the need; None when it was already."""
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, supplier_requests).values(
                need_id=need_id, supplier_id=supplier_id, channel=channel, asked_at=now))
        if added.rowcount != 1:
            return None
        row = (await self._conn.execute(_REQUEST.where(
            supplier_requests.c.need_id == need_id,
            supplier_requests.c.supplier_id == supplier_id))).first()
        return SupplierRequest.from_row(row) if row else None

    async def request(self, request_id: int) -> SupplierRequest | None:
        row = (await self._conn.execute(
            _REQUEST.where(supplier_requests.c.id == request_id))).first()
        return SupplierRequest.from_row(row) if row else None

    async def answer(self, request_id: int, *, status: str, quantity: float | None,
                     unit: str | None, by: int, now: float) -> bool:
        """Record the answer of a request still unanswered; False when it was answered."""
        done = await self._conn.execute(
            update(supplier_requests).where(supplier_requests.c.id == request_id,
                                            supplier_requests.c.status == "asked")
            .values(status=status, quantity=quantity, unit=unit, answered_by=by,
                    answered_at=now))
        return done.rowcount == 1

    async def set_offer(self, request_id: int, offer_id: int) -> None:
        await self._conn.execute(update(supplier_requests)
                                 .where(supplier_requests.c.id == request_id)
                                 .values(offer_id=offer_id))

    async def requests_of(self, need_ids: Iterable[int]) -> dict[int, list[SupplierRequest]]:
        """The registry requests of each need, in the order they were made."""
        found: dict[int, list[SupplierRequest]] = defaultdict(list)
        for part in chunks(sorted(set(need_ids))):
            for row in await self._conn.execute(
                    _REQUEST.where(supplier_requests.c.need_id.in_(part))
                    .order_by(supplier_requests.c.id)):
                found[row[1]].append(SupplierRequest.from_row(row))
        return found

    async def calls_in(self, area: Area) -> list[tuple[SupplierRequest, Supplier]]:
        """Unanswered call-list requests of suppliers in ``area``, oldest first."""
        rows = await self._conn.execute(
            select(*SupplierRequest.columns(supplier_requests), *Supplier.columns(suppliers))
            .join(suppliers, suppliers.c.id == supplier_requests.c.supplier_id)
            .where(supplier_requests.c.channel == "call",
                   supplier_requests.c.status == "asked", in_area(suppliers, area))
            .order_by(supplier_requests.c.id))
        width = len(supplier_requests.c)
        return [(SupplierRequest.from_row(r[:width]), Supplier.from_row(r[width:]))
                for r in rows]

    async def urgent_needs(self, need_ids: Iterable[int], statuses: Sequence[str]) -> set[int]:
        """Which of these needs the store survey published for an item in ``statuses``."""
        found: set[int] = set()
        for part in chunks(sorted(set(need_ids))):
            found.update((await self._conn.execute(
                select(survey_needs.c.listing_id).where(
                    survey_needs.c.listing_id.in_(part),
                    survey_needs.c.urgency.in_(list(statuses))))).scalars())
        return found
