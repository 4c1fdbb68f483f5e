"""The hotline's tickets and the per-day counter their numbers come from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from storage.records import Ticket
from storage.schema import ticket_counters, tickets
from storage.sql import in_area

_TICKET = select(*Ticket.columns(tickets))
# What a use case may change (every change also counts one more in ``changes``).
CHANGEABLE = frozenset({
    "state", "owner_id", "owner_county", "owner_township", "answer", "close_reason", "rating",
    "deadline_at", "reminded_for", "escalations", "need_id",
})


class TicketRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def next_serial(self, day: str) -> int:
        """The next serial of ``day`` (1, 2, …): one counter row per day, incremented in
        the caller's transaction, so two workers never hand out the same number."""
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(ticket_counters).values(day=day, value=1)
        statement = insert.on_conflict_do_update(
            index_elements=[ticket_counters.c.day],
            set_={"value": ticket_counters.c.value + 1},
        ).returning(ticket_counters.c.value)
        return int((await self._conn.execute(statement)).scalar_one())

    async def add(self, **values: Any) -> Ticket:
        """Store a new ticket (every column but ``id``)."""
        new_id = (await self._conn.execute(
            tickets.insert().values(**values).returning(tickets.c.id))).scalar_one()
        found = await self.get(int(new_id))
        assert found is not None
        return found

    async def get(self, ticket_id: int) -> Ticket | None:
        row = (await self._conn.execute(_TICKET.where(tickets.c.id == ticket_id))).first()
        return Ticket.from_row(row) if row else None

    async def by_number(self, number: str) -> Ticket | None:
        row = (await self._conn.execute(_TICKET.where(tickets.c.number == number))).first()
        return Ticket.from_row(row) if row else None

    async def by_need(self, need_id: int) -> Ticket | None:
        """The ticket a need on the market was made from."""
        row = (await self._conn.execute(_TICKET.where(tickets.c.need_id == need_id))).first()
        return Ticket.from_row(row) if row else None

    async def by_needs(self, need_ids: Sequence[int]) -> list[Ticket]:
        if not need_ids:
            return []
        query = _TICKET.where(tickets.c.need_id.in_(sorted(set(need_ids))))
        return [Ticket.from_row(r) for r in await self._conn.execute(query)]

    async def change(self, ticket: Ticket, now: float, **changes: Any) -> Ticket | None:
        """Apply ``changes`` to the ticket as it was read (same state, same number of
        changes); None when someone changed it meanwhile, so a change is never applied
        on top of one its maker did not see."""
        unknown = set(changes) - CHANGEABLE
        if unknown:
            raise ValueError(f"not a changeable ticket field: {sorted(unknown)}")
        result = await self._conn.execute(
            update(tickets).where(tickets.c.id == ticket.id,
                                  tickets.c.changes == ticket.changes)
            .values(**changes, changes=ticket.changes + 1, updated_at=now)
        )
        return await self.get(ticket.id) if result.rowcount == 1 else None

    async def mark_reminded(self, ticket_id: int, deadline: float) -> bool:
        """Record that the owner was reminded of ``deadline``; False when they were already
        (another worker did it), so each deadline is reminded of once."""
        result = await self._conn.execute(
            update(tickets).where(
                tickets.c.id == ticket_id, tickets.c.deadline_at == deadline,
                or_(tickets.c.reminded_for.is_(None), tickets.c.reminded_for != deadline),
            ).values(reminded_for=deadline)
        )
        return result.rowcount == 1

    async def search(
        self, *, states: Sequence[str] = (), area: Area | None = None,
        category: str | None = None, overdue_at: float | None = None,
        filer_id: int | None = None, places: Sequence[tuple[str, str | None]] = (),
    ) -> list[Ticket]:
        """Tickets, oldest first: of ``states``, whose place is in ``area``, of a category,
        past their deadline at ``overdue_at``, filed by ``filer_id``, or at one of ``places``
        ((county, township); a township None is the whole county)."""
        query = _TICKET.order_by(tickets.c.created_at, tickets.c.id)
        if states:
            query = query.where(tickets.c.state.in_(list(states)))
        if area is not None:
            query = query.where(in_area(tickets, area))
        if category is not None:
            query = query.where(tickets.c.category == category)
        if overdue_at is not None:
            query = query.where(tickets.c.deadline_at <= overdue_at)
        if filer_id is not None:
            query = query.where(tickets.c.filer_id == filer_id)
        if places:
            query = query.where(or_(*(
                tickets.c.county == county if township is None
                else and_(tickets.c.county == county, tickets.c.township == township)
                for county, township in places
            )))
        return [Ticket.from_row(r) for r in await self._conn.execute(query)]

    async def owned_by_area(self, area: Area, states: Sequence[str]) -> list[Ticket]:
        """Tickets whose owner area is exactly ``area``, in ``states``, oldest first."""
        county = (tickets.c.owner_county.is_(None) if area.county is None
                  else tickets.c.owner_county == area.county)
        township = (tickets.c.owner_township.is_(None) if area.township is None
                    else tickets.c.owner_township == area.township)
        query = _TICKET.where(county, township, tickets.c.state.in_(list(states))).order_by(
            tickets.c.created_at, tickets.c.id)
        return [Ticket.from_row(r) for r in await self._conn.execute(query)]
