"""Queries behind the officials' digest, escalations and reminders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.matching.model import Kind
from storage.database import Database
from storage.records import StoredListing, User


async def unmatched_at(
    db: Database, at: float, *, kind: Kind, county: str | None = None,
    township: str | None = None, created_before: float | None = None,
) -> list[StoredListing]:
    """Listings of ``kind`` open at time ``at`` with no match made before it, oldest first.

    Open at ``at`` means created before it, not yet expired then, and either still
    open or closed later (a closed listing was last updated when it was closed), so a
    past day reads the same tomorrow as it did that evening.
    """
    partner = "need_id" if kind == "need" else "offer_id"
    sql = f"""
        SELECT * FROM listings l
        WHERE l.kind = ? AND l.created_at < ? AND (l.status = 'open' OR l.updated_at >= ?)
          AND (l.expires_at IS NULL OR l.expires_at > ?)
          AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.{partner} = l.id AND m.created_at < ?)
    """
    params: list[Any] = [kind, at, at, at, at]
    if created_before is not None:
        sql += " AND l.created_at < ?"
        params.append(created_before)
    if county is not None:
        sql += " AND l.county = ?"
        params.append(county)
        if township is not None:
            sql += " AND l.township = ?"
            params.append(township)
    rows = await db.fetch_all(sql + " ORDER BY l.created_at, l.id", params)
    return [StoredListing.from_row(r) for r in rows]


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
