"""Queries behind the officials' digest, escalations and reminders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.matching.model import WEIGHT_UNIT, Kind
from storage.database import Database
from storage.records import StoredListing, User


async def unmatched_at(
    db: Database, at: float, *, kind: Kind, county: str | None = None,
    township: str | None = None, created_before: float | None = None,
) -> list[StoredListing]:
    """Listings of ``kind`` open at time ``at`` with no match made before it, oldest first.

    Open at ``at`` means created before it, not yet expired then, and either still
    open or closed later (see ``_OPEN_AT``), so a past day reads the same tomorrow as
    it did that evening.
    """
    sql, params = _unmatched("*", at, kind, county, township, created_before)
    return [StoredListing.from_row(r) for r in await db.fetch_all(sql, params)]


async def unmatched_ids_at(
    db: Database, at: float, *, kind: Kind, county: str | None = None,
    township: str | None = None,
) -> list[int]:
    """The ids of ``unmatched_at``, oldest first: cheap when most rows are loaded already."""
    sql, params = _unmatched("id", at, kind, county, township, None)
    return [int(r[0]) for r in await db.fetch_all(sql, params)]


# Open at a moment ``at``: created before it, not yet expired then, and either still open
# or closed later (a closed listing was last updated when it was closed).
_OPEN_AT = """l.created_at < ? AND (l.status = 'open' OR l.updated_at >= ?)
          AND (l.expires_at IS NULL OR l.expires_at > ?)"""


def _unmatched(
    columns: str, at: float, kind: Kind, county: str | None, township: str | None,
    created_before: float | None,
) -> tuple[str, list[Any]]:
    partner = "need_id" if kind == "need" else "offer_id"
    sql = f"""
        SELECT {columns} FROM listings l
        WHERE l.kind = ? AND {_OPEN_AT}
          AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.{partner} = l.id AND m.created_at < ?)
    """
    params: list[Any] = [kind, at, at, at, at]
    if created_before is not None:
        sql += " AND l.created_at < ?"
        params.append(created_before)
    sql += _scope(params, county, township)
    return sql + " ORDER BY l.created_at, l.id", params


async def open_counts_at(
    db: Database, at: float, *, county: str | None = None, township: str | None = None,
) -> dict[Kind, int]:
    """How many needs and offers of a jurisdiction were open at ``at``, matched or not."""
    params: list[Any] = [at, at, at]
    sql = f"SELECT kind, COUNT(*) AS n FROM listings l WHERE {_OPEN_AT}"
    sql += _scope(params, county, township) + " GROUP BY kind"
    found: dict[Kind, int] = {"need": 0, "offer": 0}
    for r in await db.fetch_all(sql, params):
        found[r["kind"]] = int(r["n"])
    return found


async def expiring_between(db: Database, start: float, end: float) -> list[StoredListing]:
    """Open listings whose validity ends in [start, end), soonest first."""
    rows = await db.fetch_all(
        "SELECT * FROM listings WHERE status = 'open' AND expires_at >= ? AND expires_at < ?"
        " ORDER BY expires_at, id",
        (start, end),
    )
    return [StoredListing.from_row(r) for r in rows]


async def users_by_ids(db: Database, ids: Sequence[int]) -> dict[int, User]:
    """Users by Telegram id (unknown ids are left out)."""
    found: dict[int, User] = {}
    unique = sorted(set(ids))
    # SQLite caps the number of parameters of one statement; stay well below it.
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = await db.fetch_all(
            f"SELECT * FROM users WHERE telegram_id IN ({','.join('?' * len(chunk))})", chunk
        )
        found.update((int(r["telegram_id"]), User.from_row(r)) for r in rows)
    return found


async def active_officials(db: Database) -> list[User]:
    """Officials who receive the digest: active, with the role 'official'."""
    rows = await db.fetch_all(
        "SELECT * FROM users WHERE role = 'official' AND status = 'active' ORDER BY telegram_id"
    )
    return [User.from_row(r) for r in rows]


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


async def listing_totals(
    db: Database, start: float, end: float, *, county: str | None = None,
    township: str | None = None,
) -> ListingTotals:
    """Totals of the listings created in [start, end) in a jurisdiction, counted by SQLite."""
    sql = """
        SELECT kind, unit, COUNT(*) AS n, SUM(quantity) AS amount
        FROM listings WHERE created_at >= ? AND created_at < ?
    """
    params: list[Any] = [start, end]
    sql += _scope(params, county, township)
    counts = {"offer": 0, "need": 0}
    volumes: dict[str, dict[str, float]] = {"offer": {}, "need": {}}
    for r in await db.fetch_all(sql + " GROUP BY kind, unit", params):
        counts[r["kind"]] += int(r["n"])
        if r["unit"] is not None and r["amount"]:
            volumes[r["kind"]][r["unit"]] = float(r["amount"])
    return ListingTotals(
        offers=counts["offer"], needs=counts["need"],
        offer_kg=volumes["offer"].get(WEIGHT_UNIT, 0.0),
        need_kg=volumes["need"].get(WEIGHT_UNIT, 0.0),
        offer_volume=volumes["offer"], need_volume=volumes["need"],
    )


def _scope(params: list[Any], county: str | None, township: str | None) -> str:
    """The SQL condition limiting listings to a jurisdiction (None county = the city)."""
    if county is None:
        return ""
    params.append(county)
    if township is None:
        return " AND county = ?"
    params.append(township)
    return " AND county = ? AND township = ?"
