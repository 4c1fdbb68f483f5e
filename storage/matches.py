"""Matches between a need and an offer, and each side's consent to share contacts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Literal

from storage.audit import write_audit
from storage.database import Database
from storage.records import MatchRecord

Side = Literal["need", "offer"]


async def record_matches(
    db: Database, pairs: Sequence[tuple[int, int, float, int]], *, created_at: float | None = None
) -> list[MatchRecord]:
    """Store (need_id, offer_id, score, rank) pairs; a pair already known keeps its row.

    ``created_at`` backdates the rows (imports, sample days, tests); default now.
    """
    now = time.time() if created_at is None else created_at
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO matches (need_id, offer_id, score, rank, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (need_id, offer_id) DO NOTHING",
            [(need, offer, score, rank, now) for need, offer, score, rank in pairs],
        )
    if not pairs:
        return []
    found = []
    for need, offer, _score, _rank in pairs:
        match = await get_match_by_pair(db, need, offer)
        if match is not None:
            found.append(match)
    return found


async def get_match(db: Database, match_id: int) -> MatchRecord | None:
    row = await db.fetch_one("SELECT * FROM matches WHERE id = ?", (match_id,))
    return MatchRecord.from_row(row) if row else None


async def get_match_by_pair(db: Database, need_id: int, offer_id: int) -> MatchRecord | None:
    row = await db.fetch_one(
        "SELECT * FROM matches WHERE need_id = ? AND offer_id = ?", (need_id, offer_id)
    )
    return MatchRecord.from_row(row) if row else None


async def matches_of_listing(db: Database, listing_id: int) -> list[MatchRecord]:
    """Matches a listing takes part in (either side), best first."""
    rows = await db.fetch_all(
        "SELECT * FROM matches WHERE need_id = ? OR offer_id = ? ORDER BY score DESC, id",
        (listing_id, listing_id),
    )
    return [MatchRecord.from_row(r) for r in rows]


async def express_interest(db: Database, match_id: int, side: Side, actor_id: int) -> MatchRecord:
    """One side says 我有意向. Returns the match; ``both_interested`` tells if contacts may go."""
    column = "need_interest_at" if side == "need" else "offer_interest_at"
    now = time.time()
    async with db.transaction() as conn:
        await conn.execute(
            f"UPDATE matches SET {column} = COALESCE({column}, ?) WHERE id = ?", (now, match_id)
        )
        await write_audit(conn, actor_id, "match.interest", f"match:{match_id}", side=side)
    match = await get_match(db, match_id)
    assert match is not None
    return match


async def claim_contact_exchange(db: Database, match_id: int) -> bool:
    """Mark contacts as exchanged; True only for the one caller that should send them."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE matches SET contacts_exchanged_at = ? WHERE id = ?"
            " AND contacts_exchanged_at IS NULL AND need_interest_at IS NOT NULL"
            " AND offer_interest_at IS NOT NULL",
            (time.time(), match_id),
        )
        return cur.rowcount > 0


async def matches_in_period(
    db: Database, start: float, end: float, *, county: str | None = None,
    township: str | None = None,
) -> list[MatchRecord]:
    """Matches made in [start, end) where either side lies in the jurisdiction."""
    sql = """
        SELECT m.* FROM matches m
        JOIN listings n ON n.id = m.need_id
        JOIN listings o ON o.id = m.offer_id
        WHERE m.created_at >= ? AND m.created_at < ?
    """
    params: list[Any] = [start, end]
    if county is not None:
        if township is None:
            sql += " AND (n.county = ? OR o.county = ?)"
            params += [county, county]
        else:
            sql += (" AND ((n.county = ? AND n.township = ?)"
                    " OR (o.county = ? AND o.township = ?))")
            params += [county, township, county, township]
    rows = await db.fetch_all(sql + " ORDER BY m.created_at, m.id", params)
    return [MatchRecord.from_row(r) for r in rows]
