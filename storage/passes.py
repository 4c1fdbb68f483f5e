"""Transport passes: applications, decisions, revocations, and the serials of numbers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from storage.records import TransportPass
from storage.schema import listings, matches, pass_serials, passes
from storage.sql import insert_ignoring_duplicates

_PASS = select(*TransportPass.columns(passes))


class PassRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(
        self, *, applicant_id: int, applied_by: int | None, plate: str,
        crew: Sequence[dict[str, str]], category: str, origin: tuple[str | None, str | None],
        destination: tuple[str | None, str | None], valid_from: str, valid_until: str,
        now: float,
    ) -> TransportPass:
        """A new application (pending); ``origin`` and ``destination`` are (county, outside)."""
        result = await self._conn.execute(passes.insert().values(
            applicant_id=applicant_id, applied_by=applied_by, plate=plate,
            crew=json.dumps(list(crew), ensure_ascii=False), category=category,
            origin_county=origin[0], origin_outside=origin[1],
            destination_county=destination[0], destination_outside=destination[1],
            valid_from=valid_from, valid_until=valid_until, created_at=now, updated_at=now,
        ).returning(passes.c.id))
        found = await self.get(result.scalar_one())
        assert found is not None
        return found

    async def get(self, pass_id: int) -> TransportPass | None:
        row = (await self._conn.execute(_PASS.where(passes.c.id == pass_id))).first()
        return TransportPass.from_row(row) if row else None

    async def lock(self, pass_id: int) -> TransportPass | None:
        """The pass, held until the unit of work ends (PostgreSQL: FOR UPDATE), so that two
        officials deciding at once are applied one after the other."""
        query = _PASS.where(passes.c.id == pass_id)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return TransportPass.from_row(row) if row else None

    async def by_number(self, number: str) -> TransportPass | None:
        row = (await self._conn.execute(_PASS.where(passes.c.number == number))).first()
        return TransportPass.from_row(row) if row else None

    async def next_serial(self, code: str) -> int:
        """The next serial of issuing code ``code``: 1, 2, 3 … never the same twice, whatever
        the number of workers (the counter row is held until the unit of work ends)."""
        await self._conn.execute(insert_ignoring_duplicates(self._conn, pass_serials),
                                 {"code": code, "last": 0})
        result = await self._conn.execute(
            update(pass_serials).where(pass_serials.c.code == code)
            .values(last=pass_serials.c.last + 1).returning(pass_serials.c.last))
        return int(result.scalar_one())

    async def decide(self, pass_id: int, *, status: str, by: int | None, now: float,
                     number: str | None = None, issuer_county: str | None = None,
                     reason: str | None = None) -> bool:
        """Approve (``number`` and ``issuer_county``) or reject (``reason``) a pending pass;
        False when it is not pending any more."""
        values: dict[str, Any] = {"status": status, "decided_by": by, "decided_at": now,
                                  "updated_at": now, "reason": reason}
        if number is not None:
            values.update(number=number, issuer_county=issuer_county)
        result = await self._conn.execute(update(passes).where(
            passes.c.id == pass_id, passes.c.status == "pending").values(**values))
        return result.rowcount == 1

    async def revoke(self, pass_id: int, *, by: int | None, reason: str, now: float) -> bool:
        """Revoke an approved pass; False when it is not approved (pending, already revoked)."""
        result = await self._conn.execute(update(passes).where(
            passes.c.id == pass_id, passes.c.status == "approved",
        ).values(status="revoked", revoked_by=by, revoked_at=now, reason=reason, updated_at=now))
        return result.rowcount == 1

    async def in_area(self, area: Area, *, status: str | None = None) -> list[TransportPass]:
        """Passes whose origin or destination lies in ``area``, oldest first.

        Routes run between county-level units, so a township's area holds none."""
        query = _PASS.order_by(passes.c.id)
        if area.township is not None:
            return []
        if area.county is not None:
            query = query.where(or_(passes.c.origin_county == area.county,
                                    passes.c.destination_county == area.county))
        if status is not None:
            query = query.where(passes.c.status == status)
        return [TransportPass.from_row(r) for r in await self._conn.execute(query)]

    async def has_match(self, user_id: int) -> bool:
        """Whether any listing of ``user_id`` was matched (a buyer may then apply)."""
        own = select(listings.c.id).where(listings.c.user_id == user_id)
        query = select(exists().where(or_(matches.c.need_id.in_(own),
                                          matches.c.offer_id.in_(own))))
        return bool((await self._conn.execute(query)).scalar())

    async def of_applicant(self, user_id: int) -> list[TransportPass]:
        query = _PASS.where(and_(passes.c.applicant_id == user_id)).order_by(passes.c.id)
        return [TransportPass.from_row(r) for r in await self._conn.execute(query)]
