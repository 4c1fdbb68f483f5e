"""Listings: offers and needs, from confirmation to closing.

Every write stamps the rows it touches with a change number (one per unit of work),
so each worker's matching index can catch up with what others wrote: it asks for the
rows changed since the number it has seen, and is told the number to ask with next.

SQLite: the number is the next one of the counter row. Taking it holds the write lock
until commit, so numbers commit in order and a reader never sees a number before a
smaller one that is still to come: the next ask starts after the newest number read.

PostgreSQL: writers run side by side and commit in any order, so a counter (or a
sequence) would let a reader see number 11 while number 10 is still to commit. The
number is instead the writing transaction's id, PostgreSQL's own 64-bit counter
(``pg_current_xact_id``), and a reader is told to ask next from the oldest transaction
still running when it looked (``pg_snapshot_xmin``): every number below that is
settled, committed or undone, so nothing is ever skipped. Rows at or above it are read
again at the next ask, the overlap of the transactions that were still in flight.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from datetime import date
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import bindparam, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from bot.matching.model import Listing, ListingStatus, PackSize, Place
from storage.audit import write_audit
from storage.records import ListingChanges
from storage.schema import change_counters, listings
from storage.sql import chunks, ignoring_duplicates, in_area

# The columns a Listing is read from, in the order _listing takes them.
_COLUMNS = [listings.c[name] for name in (
    "id", "kind", "product", "quantity", "unit", "price", "price_unit", "city", "county",
    "township", "outside", "created_at", "expires_at", "pack_unit", "pack_amount",
    "pack_amount_unit", "price_bound", "user_id", "category", "variety", "quantity_as_written",
    "unit_as_written", "valid_until", "status", "closed_reason", "updated_at", "raw_text",
)]
SELECT_LISTINGS = select(*_COLUMNS)
# Statements of every publish, built once (see storage.sql on reusing statements).
_NEXT_CHANGE = (update(change_counters).where(change_counters.c.name == "listings")
                .values(value=change_counters.c.value + 1).returning(change_counters.c.value))
_CHANGED_SINCE = (select(*_COLUMNS, listings.c.change_seq)
                  .where(listings.c.change_seq > bindparam("after"))
                  .order_by(listings.c.change_seq, listings.c.id))
# PostgreSQL's change numbers (see the module docstring).
_TRANSACTION_ID = select(literal_column("pg_current_xact_id()::text::bigint"))
_SETTLED_BELOW = select(
    literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
_NUMBERS = ("quantity", "quantity_as_written", "price", "pack_amount")
# What an edit of an open listing may change.
EDITABLE = frozenset({"quantity", "quantity_as_written", "unit_as_written", "price",
                      "price_unit", "price_bound", "valid_until", "expires_at"})


@lru_cache(maxsize=4096)
def _place(city: str | None, county: str | None, township: str | None,
           outside: str | None) -> Place:
    # A city has a few hundred places and a digest reads 100,000 listings: share them.
    return Place(city, county, township, outside)


@lru_cache(maxsize=1024)
def _pack(unit: str | None, amount: float | None, amount_unit: str | None) -> PackSize | None:
    if unit and amount is not None and amount_unit:
        return PackSize(unit, amount, amount_unit)
    return None


@lru_cache(maxsize=1024)
def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def listing_from_row(r: Sequence[Any]) -> Listing:
    return Listing(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], _place(r[7], r[8], r[9], r[10]), r[11],
        r[12], _pack(r[13], r[14], r[15]), r[16], r[17], r[18], r[19], r[20], r[21],
        _day(r[22]), r[23], r[24], r[25], r[26],
    )


def _refuse_non_finite(**numbers: float | None) -> None:
    """NaN and the infinities never reach a row: SQLite would keep NaN as NULL, and the
    database's triggers refuse an infinity with a less helpful message."""
    wrong = {k: v for k, v in numbers.items() if v is not None and not math.isfinite(v)}
    if wrong:
        raise ValueError(f"a listing's numbers must be finite: {wrong}")


def _values(listing: Listing, seq: int, publish_key: str | None) -> dict[str, Any]:
    pack, place = listing.pack, listing.place
    _refuse_non_finite(quantity=listing.quantity, quantity_as_written=listing.quantity_as_written,
                       price=listing.price, pack_amount=pack.amount if pack else None)
    return {
        "user_id": listing.user_id, "kind": listing.kind, "raw_text": listing.raw_text,
        "product": listing.product, "category": listing.category, "variety": listing.variety,
        "quantity": listing.quantity, "unit": listing.unit,
        "quantity_as_written": listing.quantity_as_written,
        "unit_as_written": listing.unit_as_written,
        "pack_unit": pack.package_unit if pack else None,
        "pack_amount": pack.amount if pack else None,
        "pack_amount_unit": pack.amount_unit if pack else None,
        "price": listing.price, "price_unit": listing.price_unit,
        "price_bound": listing.price_bound, "city": place.city, "county": place.county,
        "township": place.township, "outside": place.outside,
        "valid_until": listing.valid_until.isoformat() if listing.valid_until else None,
        "expires_at": listing.expires_at, "status": "open", "created_at": listing.created_at,
        "updated_at": listing.created_at, "change_seq": seq, "publish_key": publish_key,
    }


@cache
def _add_returning(dialect_name: str) -> Any:
    # Stores a listing and reads it back; a publish key stored already adds nothing.
    return ignoring_duplicates(dialect_name, listings).returning(*_COLUMNS)


class ListingRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._seq: int | None = None

    async def _change_seq(self) -> int:
        """This unit of work's change number, taken on its first listing write."""
        if self._seq is None and self._conn.dialect.name == "postgresql":
            self._seq = int((await self._conn.execute(_TRANSACTION_ID)).scalar_one())
        elif self._seq is None:
            value = (await self._conn.execute(_NEXT_CHANGE)).scalar_one()
            self._seq = int(value)
        return self._seq

    async def add(self, listing: Listing, *, publish_key: str | None = None) -> Listing:
        """Store a confirmed listing (and its audit entry); ``listing.id`` is ignored.

        A listing whose ``publish_key`` is stored already is not added again: the one
        stored first is returned, so confirming the same draft twice publishes it once.
        """
        values = _values(listing, await self._change_seq(), publish_key)
        # One statement stores the row and reads it back; a publish key stored already
        # inserts nothing and returns no row.
        row = (await self._conn.execute(_add_returning(self._conn.dialect.name), values)).first()
        if row is None:
            return await self._published_already(listing, publish_key)
        stored = listing_from_row(row)
        await write_audit(self._conn, listing.user_id, "listing.create", f"listing:{stored.id}",
                          kind=listing.kind, product=listing.product)
        return stored

    async def _published_already(self, listing: Listing, publish_key: str | None) -> Listing:
        row = (await self._conn.execute(
            SELECT_LISTINGS.where(listings.c.publish_key == publish_key))).first()
        if row is None:
            raise RuntimeError("a listing insert was ignored without a stored publish key")
        stored = listing_from_row(row)
        if stored.user_id != listing.user_id:
            raise ValueError("the publish key belongs to another user's listing")
        return stored

    async def add_many(self, batch: Sequence[Listing]) -> list[int]:
        """Store many listings at once (imports, sample days, benchmarks); their ids."""
        if not batch:
            return []
        seq = await self._change_seq()
        # Multi-row INSERTs, not a round trip to the driver's thread per row (over ten
        # times slower). Their rows are numbered in the order given, and this unit of
        # work holds the write lock, so the ids sorted are the listings' in order; asking
        # SQLAlchemy to keep the order itself would send SQLite one row at a time again.
        result = await self._conn.execute(
            listings.insert().returning(listings.c.id),
            [_values(listing, seq, None) for listing in batch],
        )
        return sorted(int(listing_id) for listing_id in result.scalars())

    async def get(self, listing_id: int) -> Listing | None:
        row = (await self._conn.execute(SELECT_LISTINGS.where(listings.c.id == listing_id))).first()
        return listing_from_row(row) if row else None

    async def get_many(self, ids: Sequence[int]) -> dict[int, Listing]:
        """Listings by id (missing ids are left out)."""
        found: dict[int, Listing] = {}
        for chunk in chunks(list(ids)):
            for row in await self._conn.execute(SELECT_LISTINGS.where(listings.c.id.in_(chunk))):
                found[row[0]] = listing_from_row(row)
        return found

    async def latest_change_seq(self) -> int:
        """The number to ask :meth:`changed_since` with for what is written after what
        this unit of work sees (SQLite: the newest committed change number, 0 before any)."""
        if self._conn.dialect.name == "postgresql":
            return int((await self._conn.execute(_SETTLED_BELOW)).scalar_one())
        value = (await self._conn.execute(select(func.max(listings.c.change_seq)))).scalar()
        return int(value or 0)

    async def changed_since(self, seq: int) -> ListingChanges:
        """Every listing written since change number ``seq`` was handed out, each in its
        current state; ``seq`` of the answer is the number to ask with next.

        One range scan of the change_seq index; nothing changed means no rows read.
        """
        if self._conn.dialect.name == "postgresql":
            # The horizon first: rows read after it are at least as new.
            settled_below = int((await self._conn.execute(_SETTLED_BELOW)).scalar_one())
            rows = (await self._conn.execute(
                select(*_COLUMNS).where(listings.c.change_seq >= seq)
                .order_by(listings.c.change_seq, listings.c.id)
            )).all()
            return ListingChanges([listing_from_row(r) for r in rows], max(seq, settled_below))
        rows = (await self._conn.execute(_CHANGED_SINCE, {"after": seq})).all()
        last = int(rows[-1][-1]) if rows else seq
        return ListingChanges([listing_from_row(r) for r in rows], last)

    async def open(self) -> list[Listing]:
        """Every open listing, oldest first (to rebuild the matching index at start-up)."""
        query = SELECT_LISTINGS.where(listings.c.status == "open").order_by(listings.c.id)
        return [listing_from_row(r) for r in await self._conn.execute(query)]

    async def of_user(
        self, user_id: int, *, status: ListingStatus | None = "open"
    ) -> list[Listing]:
        """One user's listings, newest first."""
        query = SELECT_LISTINGS.where(listings.c.user_id == user_id)
        if status is not None:
            query = query.where(listings.c.status == status)
        rows = await self._conn.execute(query.order_by(listings.c.id.desc()))
        return [listing_from_row(r) for r in rows]

    async def update(self, listing_id: int, actor_id: int, **changes: Any) -> Listing | None:
        """Change quantity, price or validity of an open listing. None when it is not open."""
        if unknown := set(changes) - EDITABLE:
            raise ValueError(f"cannot change {sorted(unknown)}")
        _refuse_non_finite(**{k: v for k, v in changes.items() if k in _NUMBERS})
        if "valid_until" in changes and isinstance(changes["valid_until"], date):
            changes["valid_until"] = changes["valid_until"].isoformat()
        if not changes:
            return await self.get(listing_id)
        result = await self._conn.execute(
            update(listings).where(listings.c.id == listing_id, listings.c.status == "open")
            .values(**changes, updated_at=time.time(), change_seq=await self._change_seq())
        )
        if result.rowcount == 0:
            return None
        await write_audit(self._conn, actor_id, "listing.update", f"listing:{listing_id}",
                          **changes)
        return await self.get(listing_id)

    async def close(
        self, listing_id: int, actor_id: int | None, *, status: ListingStatus = "closed",
        reason: str | None = None,
    ) -> bool:
        """Close, withdraw or expire an open listing; False when it was not open."""
        result = await self._conn.execute(
            update(listings).where(listings.c.id == listing_id, listings.c.status == "open")
            .values(status=status, closed_reason=reason, updated_at=time.time(),
                    change_seq=await self._change_seq())
        )
        if result.rowcount == 0:
            return False
        await write_audit(self._conn, actor_id, f"listing.{status}", f"listing:{listing_id}",
                          reason=reason)
        return True

    async def expire_due(self, now: float) -> list[int]:
        """Mark open listings whose time is up as expired; return their ids."""
        ids = list((await self._conn.execute(
            select(listings.c.id).where(listings.c.status == "open",
                                        listings.c.expires_at.is_not(None),
                                        listings.c.expires_at <= now)
        )).scalars())
        if ids:
            seq = await self._change_seq()
            for chunk in chunks(ids):
                await self._conn.execute(
                    update(listings).where(listings.c.id.in_(chunk))
                    .values(status="expired", updated_at=now, change_seq=seq)
                )
        return ids

    async def in_period(self, start: float, end: float, area: Area) -> list[Listing]:
        """Listings created in [start, end) within ``area``, oldest first."""
        query = SELECT_LISTINGS.where(listings.c.created_at >= start, listings.c.created_at < end,
                              in_area(listings, area))
        return [listing_from_row(r) for r in await self._conn.execute(
            query.order_by(listings.c.created_at, listings.c.id))]
