"""A need made from a hotline ticket closes the loop: when a supplier matches it, the
ticket's filer is told (once per ticket, whichever listing made the match)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.messages import Message, outgoing
from bot.texts import tickets as texts
from storage.interfaces import UnitOfWork


async def tell_filers_of_matches(uow: UnitOfWork, need_ids: Sequence[int]) -> int:
    """Tell the filer of each ticket behind one of ``need_ids`` (needs just matched) that a
    supplier was found; rows added (the key makes it once per ticket)."""
    found = await uow.tickets.by_needs(need_ids)
    if not found:
        return 0
    needs = await uow.listings.get_many([t.need_id for t in found if t.need_id is not None])
    filers = await uow.users.by_ids([t.filer_id for t in found if t.filer_id is not None])
    rows = []
    for ticket in found:
        filer = filers.get(ticket.filer_id) if ticket.filer_id is not None else None
        need = needs.get(ticket.need_id) if ticket.need_id is not None else None
        if filer is None or filer.status != "active" or need is None:
            continue
        rows.append(outgoing(f"ticket:{ticket.id}:matched", filer.telegram_id, "ticket",
                             Message(texts.need_matched(ticket.number, need.product))))
    return await uow.outbox.enqueue(rows)
