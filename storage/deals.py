"""成交了吗: which side of which match was asked whether it became a deal, and the answers.

A side is asked at most twice: the first time once its contacts went out a while ago,
the second a day after it said 还在谈. Asking claims the ask in the table (an insert for
the first, a guarded update for the second), in the transaction that enqueues the
question, so of several workers only one asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import Exists

from bot.matching.area import Area
from storage.records import MatchRecord, _Record
from storage.schema import deal_answers, listings, matches
from storage.sql import in_area, insert_ignoring_duplicates

Side = Literal["need", "offer"]
Answer = Literal["done", "talking", "no"]
SIDES: tuple[Side, Side] = ("need", "offer")
# The most times one side is asked about one match.
MOST_ASKS = 2
_MATCH = select(*MatchRecord.columns(matches))


@dataclass(frozen=True, slots=True)
class DealAnswer(_Record):
    """One side's row: asked ``asks`` times, last at ``asked_at``; its answer, if any, with
    what it dealt (quantity in its own listing's unit)."""

    match_id: int
    side: Side
    asks: int
    asked_at: float
    answer: Answer | None
    quantity: float | None
    unit: str | None
    price: float | None
    price_unit: str | None
    answered_at: float | None


@dataclass(frozen=True, slots=True)
class DueAsk:
    """A side to ask now, and which ask it is (1 or 2)."""

    match: MatchRecord
    side: Side
    ask: int


_ANSWER = select(*DealAnswer.columns(deal_answers))


def _row_of(side: Side) -> Exists:
    return exists().where(deal_answers.c.match_id == matches.c.id, deal_answers.c.side == side)


class DealRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def due(self, exchanged_before: float, talking_before: float, *, limit: int = 500
                  ) -> list[DueAsk]:
        """Sides to ask now: never asked, of matches whose contacts went out before
        ``exchanged_before``; and those who said 还在谈 once, before ``talking_before``."""
        first = (await self._conn.execute(
            _MATCH.add_columns(_row_of("need"), _row_of("offer"))
            .where(matches.c.contacts_exchanged_at.is_not(None),
                   matches.c.contacts_exchanged_at <= exchanged_before,
                   or_(~_row_of("need"), ~_row_of("offer")))
            .order_by(matches.c.contacts_exchanged_at, matches.c.id).limit(limit)
        )).all()
        found = []
        for row in first:
            match = MatchRecord.from_row(row[:-2])
            asked = {"need": bool(row[-2]), "offer": bool(row[-1])}
            found += [DueAsk(match, side, 1) for side in SIDES if not asked[side]]
        again = (await self._conn.execute(
            _MATCH.add_columns(deal_answers.c.side)
            .join(deal_answers, deal_answers.c.match_id == matches.c.id)
            .where(deal_answers.c.answer == "talking", deal_answers.c.asks < MOST_ASKS,
                   deal_answers.c.answered_at <= talking_before)
            .order_by(deal_answers.c.answered_at).limit(limit)
        )).all()
        found += [DueAsk(MatchRecord.from_row(row[:-1]), row[-1], 2) for row in again]
        return found

    async def claim_ask(self, match_id: int, side: Side, ask: int, now: float) -> bool:
        """Record that ``side`` is asked (its ``ask``-th time) now; True only for the one
        caller that should ask."""
        if ask == 1:
            added = await self._conn.execute(
                insert_ignoring_duplicates(self._conn, deal_answers).values(
                    match_id=match_id, side=side, asks=1, asked_at=now))
            return added.rowcount == 1
        taken = await self._conn.execute(
            update(deal_answers).where(
                deal_answers.c.match_id == match_id, deal_answers.c.side == side,
                deal_answers.c.answer == "talking", deal_answers.c.asks == ask - 1,
            ).values(asks=ask, asked_at=now, answer=None, answered_at=None)
        )
        return taken.rowcount == 1

    async def get(self, match_id: int, side: Side) -> DealAnswer | None:
        row = (await self._conn.execute(_ANSWER.where(
            deal_answers.c.match_id == match_id, deal_answers.c.side == side))).first()
        return DealAnswer.from_row(row) if row else None

    async def of_match(self, match_id: int) -> dict[Side, DealAnswer]:
        rows = await self._conn.execute(_ANSWER.where(deal_answers.c.match_id == match_id))
        return {a.side: a for a in map(DealAnswer.from_row, rows)}

    async def answer(
        self, match_id: int, side: Side, answer: Answer, now: float, *,
        quantity: float | None = None, unit: str | None = None, price: float | None = None,
        price_unit: str | None = None,
    ) -> bool:
        """Record a side's answer; False when it was not asked, or answered 成交了 or 没成交
        already (those are final; 还在谈 waits for the next ask)."""
        result = await self._conn.execute(
            update(deal_answers).where(
                deal_answers.c.match_id == match_id, deal_answers.c.side == side,
                deal_answers.c.asks >= 1,
                or_(deal_answers.c.answer.is_(None), deal_answers.c.answer == "talking"),
            ).values(answer=answer, answered_at=now, quantity=quantity, unit=unit, price=price,
                     price_unit=price_unit)
        )
        return result.rowcount == 1

    async def done_before(self, end: float, area: Area
                          ) -> list[tuple[MatchRecord, list[DealAnswer]]]:
        """Matches either side of which said 成交了 before ``end``, where either listing lies
        in ``area``, with their 成交了 answers given before ``end``, oldest deal first."""
        need = listings.alias("need")
        offer = listings.alias("offer")
        done = and_(deal_answers.c.answer == "done", deal_answers.c.answered_at < end)
        rows = (await self._conn.execute(
            _MATCH.add_columns(*DealAnswer.columns(deal_answers))
            .join(deal_answers, deal_answers.c.match_id == matches.c.id)
            .join(need, need.c.id == matches.c.need_id)
            .join(offer, offer.c.id == matches.c.offer_id)
            .where(done, or_(in_area(need, area), in_area(offer, area)))
            .order_by(matches.c.id, deal_answers.c.side)
        )).all()
        width = len(MatchRecord.columns(matches))
        found: dict[int, tuple[MatchRecord, list[DealAnswer]]] = {}
        for row in rows:
            match = MatchRecord.from_row(row[:width])
            found.setdefault(match.id, (match, []))[1].append(DealAnswer.from_row(row[width:]))
        return sorted(found.values(), key=lambda pair: min(
            a.answered_at or 0.0 for a in pair[1]))

    async def exchanges_before(self, end: float, area: Area) -> int:
        """How many matches touching ``area`` had exchanged contacts before ``end``."""
        need = listings.alias("need")
        offer = listings.alias("offer")
        query = (
            select(func.count()).select_from(matches)
            .join(need, need.c.id == matches.c.need_id)
            .join(offer, offer.c.id == matches.c.offer_id)
            .where(matches.c.contacts_exchanged_at.is_not(None),
                   matches.c.contacts_exchanged_at < end,
                   or_(in_area(need, area), in_area(offer, area)))
        )
        return int((await self._conn.execute(query)).scalar_one())
