"""我有意向: record one side's consent; when both agreed, send each the other's contact.

Phone numbers leave the database only here, only after both sides of a match said
yes, and only once (``claim_contact_exchange``). The claim and the two contact
cards are written in the caller's one unit of work, so an exchange is never marked
done without its cards in the outbox. Messages go through the outbox so that none
is lost to a network error or a restart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from bot.services import buttons, deliveries
from bot.services.listings import listing_summary, pair_match
from bot.services.messages import Message, outgoing
from bot.texts import matches as texts
from storage.interfaces import UnitOfWork
from storage.matches import Side
from storage.outbox import OutgoingMessage
from storage.records import Listing, MatchRecord, User

Outcome = Literal["waiting", "exchanged", "already", "closed", "refused"]


@dataclass(frozen=True, slots=True)
class Interest:
    outcome: Outcome
    side: Side | None = None


async def express_interest(uow: UnitOfWork, match_id: int, user_id: int) -> Interest:
    """``user_id`` presses 我有意向 on a recorded match. ``refused`` when it is not theirs."""
    match = await uow.matches.get(match_id)
    if match is None:
        return Interest("refused")
    return await _interest(uow, match, user_id)


async def express_interest_in_pair(
    uow: UnitOfWork, need_id: int, offer_id: int, user_id: int, *, now: float | None = None,
) -> Interest:
    """我有意向 on a pair ``/matches`` showed before it was recorded: recorded now, only if
    one of the two listings is the presser's and they may be a match at all (``closed``
    when not: nothing is recorded)."""
    pair = await uow.listings.get_many([need_id, offer_id])
    need, offer = pair.get(need_id), pair.get(offer_id)
    if need is None or offer is None or need.kind != "need" or offer.kind != "offer":
        return Interest("refused")
    if user_id not in (need.user_id, offer.user_id):
        return Interest("refused")
    side: Side = "need" if need.user_id == user_id else "offer"
    own, other = (need, offer) if side == "need" else (offer, need)
    counterpart = await uow.users.get(other.user_id)
    ranked = pair_match(need, offer, time.time() if now is None else now)
    # A sealed area's need takes only its designated suppliers' offers, pressed or not.
    if (ranked is None or not _still_open(own, other, counterpart)
            or not await deliveries.may_pair(uow, need, offer)):
        return Interest("closed", side)
    [match] = await uow.matches.record([(need_id, offer_id, ranked.score, ranked.rank)])
    return await _interest(uow, match, user_id)


async def _interest(uow: UnitOfWork, match: MatchRecord, user_id: int) -> Interest:
    pair = await uow.listings.get_many([match.need_id, match.offer_id])
    need, offer = pair.get(match.need_id), pair.get(match.offer_id)
    if need is None or offer is None:
        return Interest("refused")
    side: Side
    if need.user_id == user_id:
        side, own, other = "need", need, offer
    elif offer.user_id == user_id:
        side, own, other = "offer", offer, need
    else:
        return Interest("refused")
    if match.contacts_exchanged_at is not None:
        return Interest("already", side)
    people = await uow.users.by_ids([need.user_id, offer.user_id])
    if not _still_open(own, other, people.get(other.user_id)):
        return Interest("closed", side)
    match = await uow.matches.express_interest(match.id, side, user_id)
    other_side: Side = "offer" if side == "need" else "need"
    if not match.both_interested:
        await uow.outbox.enqueue([_nudge(match.id, other_side, own, other)])
        return Interest("waiting", side)
    # Both said yes. When both pressed at the same moment, the other press may have
    # claimed the exchange first; either way this user's contacts are on their way.
    if await uow.matches.claim_contact_exchange(match.id):
        need_owner, offer_owner = people[need.user_id], people[offer.user_id]
        # A user linked to a registry supplier speaks for it: the card names the supplier.
        speaks_for = await uow.suppliers.names_for_users([need.user_id, offer.user_id])
        await uow.outbox.enqueue([
            _contact(f"contact:{match.id}:need", need_owner, offer_owner, offer,
                     speaks_for.get(offer_owner.telegram_id)),
            _contact(f"contact:{match.id}:offer", offer_owner, need_owner, need,
                     speaks_for.get(need_owner.telegram_id)),
        ])
        # Into a sealed area: the consented match becomes a delivery task.
        await deliveries.assign(uow, match, need, offer, time.time())
    return Interest("exchanged", side)


def _still_open(own: Listing, other: Listing, counterpart: User | None) -> bool:
    """Whether a pair may still lead to an exchange: both listings open and the other side
    on the platform (a blocked user is out: nobody's phone goes to them, nor theirs out)."""
    return (own.status == "open" and other.status == "open" and counterpart is not None
            and counterpart.status != "blocked")


def _nudge(match_id: int, side: Side, interested: Listing, listing: Listing) -> OutgoingMessage:
    """Tell the other side, once, that someone is interested in their listing."""
    text = texts.interest_nudge(
        listing.kind, listing.product, listing.id, listing_summary(interested),
        interested.place.label(),
    )
    return outgoing(f"interest:{match_id}:{side}", listing.user_id, "interest",
                    Message(text, buttons.interest(match_id)))


def _contact(key: str, to: User, about: User, listing: Listing,
             supplier: str | None = None) -> OutgoingMessage:
    text = texts.contact_card(
        listing.product, about.name, supplier or about.organisation, about.place.label(),
        about.phone, about.telegram_id,
    )
    return outgoing(key, to.telegram_id, "contact", Message(text))
