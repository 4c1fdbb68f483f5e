"""Listings: offers and needs, from confirmation to closing."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import aiosqlite

from storage.audit import write_audit
from storage.database import Database
from storage.records import ListingChanges, ListingStatus, NewListing, StoredListing

_INSERT = """
INSERT INTO listings (
    user_id, kind, raw_text, product, category, variety, quantity, unit,
    quantity_as_written, unit_as_written, pack_unit, pack_amount, pack_amount_unit,
    price, price_unit, price_bound, city, county, township, outside,
    valid_until, expires_at, status, created_at, updated_at, change_seq, publish_key
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)
"""


async def _next_change_seq(conn: aiosqlite.Connection) -> int:
    """The change number for every listing row this write transaction touches.

    Updating the counter row holds it locked until commit, so numbers commit in order.
    """
    await conn.execute("UPDATE change_counters SET value = value + 1 WHERE name = 'listings'")
    async with conn.execute("SELECT value FROM change_counters WHERE name = 'listings'") as cur:
        row = await cur.fetchone()
    assert row is not None, "migration 0002 creates the counter"
    return int(row[0])


_NUMBERS = ("quantity", "quantity_as_written", "price", "pack_amount")


def _refuse_non_finite(**numbers: float | None) -> None:
    """NaN and the infinities never reach a row: SQLite would keep NaN as NULL, and the
    database's triggers refuse an infinity with a less helpful message."""
    wrong = {k: v for k, v in numbers.items() if v is not None and not math.isfinite(v)}
    if wrong:
        raise ValueError(f"a listing's numbers must be finite: {wrong}")


def _insert_params(new: NewListing, now: float, seq: int) -> tuple[Any, ...]:
    pack = new.pack
    place = new.place
    _refuse_non_finite(quantity=new.quantity, quantity_as_written=new.quantity_as_written,
                       price=new.price, pack_amount=pack.amount if pack else None)
    return (
        new.user_id, new.kind, new.raw_text, new.product, new.category, new.variety,
        new.quantity, new.unit, new.quantity_as_written, new.unit_as_written,
        pack.package_unit if pack else None, pack.amount if pack else None,
        pack.amount_unit if pack else None,
        new.price, new.price_unit, new.price_bound,
        place.city, place.county, place.township, place.outside,
        new.valid_until.isoformat() if new.valid_until else None, new.expires_at, now, now, seq,
        new.publish_key,
    )


async def add_listing(
    db: Database, new: NewListing, *, created_at: float | None = None
) -> StoredListing:
    """Commit a confirmed listing (and its audit entry) and return it as stored.

    A listing whose ``publish_key`` is stored already is not added again: the one
    stored first is returned, so confirming the same draft twice publishes it once.
    """
    now = created_at if created_at is not None else time.time()
    async with db.transaction() as conn:
        listing_id = await _published_with_key(conn, new)
        if listing_id is None:
            seq = await _next_change_seq(conn)
            cur = await conn.execute(_INSERT, _insert_params(new, now, seq))
            listing_id = cur.lastrowid
            await write_audit(conn, new.user_id, "listing.create", f"listing:{listing_id}",
                              kind=new.kind, product=new.product)
    listing = await get_listing(db, int(listing_id or 0))
    assert listing is not None
    return listing


async def _published_with_key(conn: aiosqlite.Connection, new: NewListing) -> int | None:
    """The id of the listing already published under ``new.publish_key``, if any."""
    if new.publish_key is None:
        return None
    async with conn.execute(
        "SELECT id, user_id FROM listings WHERE publish_key = ?", (new.publish_key,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    if int(row[1]) != new.user_id:
        raise ValueError("the publish key belongs to another user's listing")
    return int(row[0])


async def add_listings(db: Database, batch: Sequence[tuple[NewListing, float]]) -> list[int]:
    """Commit many listings in one transaction (imports, demo data); returns their ids."""
    ids: list[int] = []
    async with db.transaction() as conn:
        seq = await _next_change_seq(conn)
        for new, created_at in batch:
            cur = await conn.execute(_INSERT, _insert_params(new, created_at, seq))
            ids.append(int(cur.lastrowid or 0))
    return ids


async def get_listing(db: Database, listing_id: int) -> StoredListing | None:
    row = await db.fetch_one("SELECT * FROM listings WHERE id = ?", (listing_id,))
    return StoredListing.from_row(row) if row else None


async def get_listings(db: Database, ids: Sequence[int]) -> dict[int, StoredListing]:
    """Listings by id (missing ids are left out)."""
    found: dict[int, StoredListing] = {}
    # SQLite caps the parameters of one statement; a digest may ask for 100,000 ids.
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = await db.fetch_all(f"SELECT * FROM listings WHERE id IN ({marks})", chunk)
        found.update((int(r["id"]), StoredListing.from_row(r)) for r in rows)
    return found


async def latest_change_seq(db: Database) -> int:
    """The change number of the newest committed listing write (0 before any)."""
    row = await db.fetch_one("SELECT MAX(change_seq) FROM listings")
    return int(row[0] or 0) if row else 0


async def listings_changed_since(db: Database, seq: int) -> ListingChanges:
    """Every listing written after change number ``seq``, in its current state.

    One range scan of the change_seq index; nothing changed means no rows read.
    """
    rows = await db.fetch_all(
        "SELECT * FROM listings WHERE change_seq > ? ORDER BY change_seq", (seq,)
    )
    return ListingChanges(
        [StoredListing.from_row(r) for r in rows],
        int(rows[-1]["change_seq"]) if rows else seq,
    )


async def open_listings(db: Database) -> list[StoredListing]:
    """Every open listing, oldest first (to rebuild the matching index at start-up)."""
    rows = await db.fetch_all("SELECT * FROM listings WHERE status = 'open' ORDER BY id")
    return [StoredListing.from_row(r) for r in rows]


async def user_listings(
    db: Database, user_id: int, *, status: ListingStatus | None = "open"
) -> list[StoredListing]:
    """One user's listings, newest first."""
    sql = "SELECT * FROM listings WHERE user_id = ?"
    params: list[Any] = [user_id]
    if status is not None:
        sql += " AND status = ?"
        params.append(status)
    rows = await db.fetch_all(sql + " ORDER BY id DESC", params)
    return [StoredListing.from_row(r) for r in rows]


async def count_recent_listings(db: Database, user_id: int, since: float) -> int:
    row = await db.fetch_one(
        "SELECT COUNT(*) FROM listings WHERE user_id = ? AND created_at >= ?", (user_id, since)
    )
    return int(row[0]) if row else 0


async def update_listing(
    db: Database, listing_id: int, actor_id: int, **changes: Any
) -> StoredListing | None:
    """Change quantity, price or validity of an open listing. None when it is not open."""
    allowed = {"quantity", "quantity_as_written", "unit_as_written", "price", "price_unit",
               "price_bound", "valid_until", "expires_at"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    if not changes:
        return await get_listing(db, listing_id)
    _refuse_non_finite(**{k: v for k, v in changes.items() if k in _NUMBERS})
    assignments = ", ".join(f"{name} = ?" for name in changes)
    async with db.transaction() as conn:
        seq = await _next_change_seq(conn)
        cur = await conn.execute(
            f"UPDATE listings SET {assignments}, updated_at = ?, change_seq = ?"
            " WHERE id = ? AND status = 'open'",
            (*changes.values(), time.time(), seq, listing_id),
        )
        if cur.rowcount == 0:
            return None
        await write_audit(conn, actor_id, "listing.update", f"listing:{listing_id}",
                          **{k: v for k, v in changes.items()})
    return await get_listing(db, listing_id)


async def close_listing(
    db: Database, listing_id: int, actor_id: int | None, *,
    status: ListingStatus = "closed", reason: str | None = None,
) -> bool:
    """Close, withdraw or expire an open listing; False when it was not open."""
    async with db.transaction() as conn:
        seq = await _next_change_seq(conn)
        cur = await conn.execute(
            "UPDATE listings SET status = ?, closed_reason = ?, updated_at = ?, change_seq = ?"
            " WHERE id = ? AND status = 'open'",
            (status, reason, time.time(), seq, listing_id),
        )
        if cur.rowcount == 0:
            return False
        await write_audit(conn, actor_id, f"listing.{status}", f"listing:{listing_id}",
                          reason=reason)
    return True


async def expire_due(db: Database, now: float) -> list[int]:
    """Mark open listings whose time is up as expired; return their ids."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "SELECT id FROM listings WHERE status = 'open' AND expires_at IS NOT NULL"
            " AND expires_at <= ?",
            (now,),
        )
        ids = [int(r[0]) for r in await cur.fetchall()]
        if ids:
            seq = await _next_change_seq(conn)
            marks = ",".join("?" * len(ids))
            await conn.execute(
                f"UPDATE listings SET status = 'expired', updated_at = ?, change_seq = ?"
                f" WHERE id IN ({marks})",
                (now, seq, *ids),
            )
    return ids


async def listings_in_period(
    db: Database, start: float, end: float, *, county: str | None = None,
    township: str | None = None,
) -> list[StoredListing]:
    """Listings created in [start, end) within a jurisdiction (None county = the whole city)."""
    sql = "SELECT * FROM listings WHERE created_at >= ? AND created_at < ?"
    params: list[Any] = [start, end]
    sql, params = _scope(sql, params, county, township)
    rows = await db.fetch_all(sql + " ORDER BY created_at, id", params)
    return [StoredListing.from_row(r) for r in rows]


async def open_listings_in(
    db: Database, *, county: str | None = None, township: str | None = None,
    created_before: float | None = None,
) -> list[StoredListing]:
    """Open listings within a jurisdiction, oldest first."""
    sql = "SELECT * FROM listings WHERE status = 'open'"
    params: list[Any] = []
    if created_before is not None:
        sql += " AND created_at < ?"
        params.append(created_before)
    sql, params = _scope(sql, params, county, township)
    rows = await db.fetch_all(sql + " ORDER BY created_at, id", params)
    return [StoredListing.from_row(r) for r in rows]


def _scope(
    sql: str, params: list[Any], county: str | None, township: str | None
) -> tuple[str, list[Any]]:
    if county is not None:
        sql += " AND county = ?"
        params.append(county)
        if township is not None:
            sql += " AND township = ?"
            params.append(township)
    return sql, params
