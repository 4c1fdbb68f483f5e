"""Matches between a need and an offer, and each side's consent to share contacts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from storage.audit import write_audit
from storage.records import MatchRecord
from storage.schema import listings, matches
from storage.sql import chunks, in_area, insert_ignoring_duplicates

Side = Literal["need", "offer"]
_MATCH = select(*MatchRecord.columns(matches))


class MatchRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(
        self, pairs: Sequence[tuple[int, int, float, int]], *, created_at: float | None = None
    ) -> list[MatchRecord]:
        """Store (need_id, offer_id, score, rank) pairs, a pair already known keeping its
        row; return each pair's record, in the order given.

        ``created_at`` backdates the rows (imports, sample days, tests); default now.
        """
        if not pairs:
            return []
        now = time.time() if created_at is None else created_at
        await self._conn.execute(insert_ignoring_duplicates(self._conn, matches), [
            {"need_id": need, "offer_id": offer, "score": score, "rank": rank,
             "created_at": now}
            for need, offer, score, rank in pairs
        ])
        found: dict[tuple[int, int], MatchRecord] = {}
        for chunk in chunks([(need, offer) for need, offer, _, _ in pairs]):
            query = _MATCH.where(tuple_(matches.c.need_id, matches.c.offer_id).in_(chunk))
            for row in await self._conn.execute(query):
                record = MatchRecord.from_row(row)
                found[record.need_id, record.offer_id] = record
        return [found[need, offer] for need, offer, _, _ in pairs if (need, offer) in found]

    async def get(self, match_id: int) -> MatchRecord | None:
        row = (await self._conn.execute(_MATCH.where(matches.c.id == match_id))).first()
        return MatchRecord.from_row(row) if row else None

    async def of_listing(self, listing_id: int) -> list[MatchRecord]:
        """Matches a listing takes part in (either side), best first."""
        query = _MATCH.where(or_(matches.c.need_id == listing_id,
                                 matches.c.offer_id == listing_id))
        return [MatchRecord.from_row(r) for r in
                await self._conn.execute(query.order_by(matches.c.score.desc(), matches.c.id))]

    async def of_pairs(
        self, pairs: Sequence[tuple[int, int]]
    ) -> dict[tuple[int, int], MatchRecord]:
        """The records of those (need_id, offer_id) pairs that were matched."""
        found: dict[tuple[int, int], MatchRecord] = {}
        for chunk in chunks(list(pairs)):
            query = _MATCH.where(tuple_(matches.c.need_id, matches.c.offer_id).in_(chunk))
            for row in await self._conn.execute(query):
                record = MatchRecord.from_row(row)
                found[record.need_id, record.offer_id] = record
        return found

    async def express_interest(self, match_id: int, side: Side, actor_id: int) -> MatchRecord:
        """One side says 我有意向 (the first time counts). ``both_interested`` on the
        returned record tells whether contacts may go."""
        column = matches.c.need_interest_at if side == "need" else matches.c.offer_interest_at
        await self._conn.execute(
            update(matches).where(matches.c.id == match_id)
            .values({column: func.coalesce(column, time.time())})
        )
        await write_audit(self._conn, actor_id, "match.interest", f"match:{match_id}", side=side)
        match = await self.get(match_id)
        assert match is not None
        return match

    async def claim_contact_exchange(self, match_id: int) -> bool:
        """Mark contacts as exchanged; True only for the one caller that should send them."""
        result = await self._conn.execute(
            update(matches).where(
                matches.c.id == match_id, matches.c.contacts_exchanged_at.is_(None),
                matches.c.need_interest_at.is_not(None), matches.c.offer_interest_at.is_not(None),
            ).values(contacts_exchanged_at=time.time())
        )
        return result.rowcount > 0

    async def in_period(self, start: float, end: float, area: Area) -> list[MatchRecord]:
        """Matches made in [start, end) where either side lies in ``area``."""
        need = listings.alias("need")
        offer = listings.alias("offer")
        query = (
            _MATCH.join_from(matches, need, need.c.id == matches.c.need_id)
            .join(offer, offer.c.id == matches.c.offer_id)
            .where(matches.c.created_at >= start, matches.c.created_at < end,
                   or_(in_area(need, area), in_area(offer, area)))
            .order_by(matches.c.created_at, matches.c.id)
        )
        return [MatchRecord.from_row(r) for r in await self._conn.execute(query)]
