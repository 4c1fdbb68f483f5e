"""Officials acting on an escalated need (⚠️ 缺口提醒): the best candidates for it, and
已协调 — recorded, shown to the levels above, pausing the escalation one step (see
:func:`bot.services.broadcasts.enqueue_escalations`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.matching.area import LEVELS
from bot.services.digest_text import amount
from bot.services.match_index import ListingIndex
from bot.services.messages import Message, outgoing
from bot.texts import survey as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.records import Listing, User

CANDIDATES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Candidate:
    offer: Listing
    organisation: str
    score: float


async def need_for_official(uow: UnitOfWork, listing_id: int, official: User
                            ) -> Listing | str:
    """The open need when ``official`` covers its place; else why not: "gone" (no open
    need of that id) or "not_yours" (outside their area, or not an official)."""
    need = await uow.listings.get(listing_id)
    if need is None or need.kind != "need" or need.status != "open":
        return "gone"
    if official.role not in ("official", "admin") or official.status != "active" or \
            not official.area.contains(need.place):
        return "not_yours"
    return need


async def candidates(uow: UnitOfWork, index: ListingIndex, need: Listing, now: float
                     ) -> list[Candidate]:
    """The best open offers for the need now, best first (the matching engine's ranking)."""
    await index.sync(now, uow)
    found = index.matches_for(need, CANDIDATES_SHOWN, now)
    offers = await uow.listings.get_many([m.offer_id for m in found])
    owners = await uow.users.by_ids([o.user_id for o in offers.values()])
    # An offer of a user linked to a registry supplier shows the supplier's name.
    speaks_for = await uow.suppliers.names_for_users(owners)
    result = []
    for m in found:
        offer = offers.get(m.offer_id)
        owner = owners.get(offer.user_id) if offer is not None else None
        if offer is None or offer.status != "open" or owner is None or \
                owner.status == "blocked" or offer.user_id == need.user_id:
            continue
        result.append(Candidate(offer, speaks_for.get(owner.telegram_id)
                                or owner.organisation or owner.name, m.score))
    return result


def candidates_text(need: Listing, found: list[Candidate]) -> str:
    if not found:
        return texts.NO_CANDIDATES.format(product=esc(need.product))
    lines = [texts.CANDIDATES_HEAD.format(product=esc(need.product), id=need.id)]
    for n, c in enumerate(found, 1):
        lines.append(texts.CANDIDATE_LINE.format(
            n=n, organisation=esc(c.organisation), amount=amount(c.offer.quantity, c.offer.unit),
            place=esc(c.offer.place.label()), id=c.offer.id))
    return "\n".join(lines)


async def acknowledge(uow: UnitOfWork, need: Listing, official: User, now: float) -> bool:
    """已协调: recorded (once per official) and told to the officials of the levels above
    the presser's who cover the need; False when it was recorded before."""
    if not await uow.coordination.record(need.id, official.telegram_id, now):
        return False
    await uow.audit.write(official.telegram_id, "escalation.coordinated", f"listing:{need.id}")
    above = LEVELS[LEVELS.index(official.area.level) + 1:]  # lowest first
    officials = await uow.users.officials_covering(need.place.county, need.place.township)
    message = Message(texts.COORDINATED_ABOVE.format(
        who=esc(official.display_name), area=esc(official.area.label),
        product=esc(need.product), amount=amount(need.quantity, need.unit), id=need.id))
    await uow.outbox.enqueue([
        outgoing(f"coordinated:{need.id}:{official.telegram_id}:{o.telegram_id}",
                 o.telegram_id, "coordinated", message)
        for o in officials if o.area.level in above and o.telegram_id != official.telegram_id])
    return True
