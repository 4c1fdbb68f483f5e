"""我有意向: record one side's consent; when both agreed, send each the other's contact.

Phone numbers leave the database only here, only after both sides of a match
said yes, and only once (``claim_contact_exchange``). Messages go through the
outbox so that none is lost to a network error or a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot import keyboards
from bot.services.listings import Wake, html_message, listing_summary
from bot.texts import matches as texts
from storage import listings, matches, users
from storage.database import Database
from storage.matches import Side
from storage.outbox import OutgoingMessage, enqueue
from storage.records import StoredListing, User

Outcome = Literal["waiting", "exchanged", "already", "closed", "refused"]


@dataclass(frozen=True, slots=True)
class Interest:
    outcome: Outcome
    side: Side | None = None


async def express_interest(
    db: Database, match_id: int, user_id: int, *, wake: Wake | None = None
) -> Interest:
    """``user_id`` presses 我有意向 on a match. ``refused`` when it is not their match."""
    match = await matches.get_match(db, match_id)
    if match is None:
        return Interest("refused")
    pair = await listings.get_listings(db, [match.need_id, match.offer_id])
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
    counterpart = await users.get_user(db, other.user_id)
    # A blocked user is out of the platform: nobody's phone goes to them, nor theirs out.
    if (own.status != "open" or other.status != "open" or counterpart is None
            or counterpart.status == "blocked"):
        return Interest("closed", side)
    match = await matches.express_interest(db, match_id, side, user_id)
    other_side: Side = "offer" if side == "need" else "need"
    if not match.both_interested:
        await _nudge(db, match_id, other_side, own, other)
        outcome: Outcome = "waiting"
    else:
        # Both said yes. When both pressed at the same moment, the other press may have
        # claimed the exchange first; either way this user's contacts are on their way.
        if await matches.claim_contact_exchange(db, match_id):
            await _exchange_contacts(db, match_id, need, offer)
        outcome = "exchanged"
    if wake is not None:
        wake()
    return Interest(outcome, side)


async def _nudge(
    db: Database, match_id: int, side: Side, interested: StoredListing, listing: StoredListing
) -> None:
    """Tell the other side, once, that someone is interested in their listing."""
    text = texts.interest_nudge(
        listing.kind, listing.product, listing.id, listing_summary(interested),
        interested.place.label(),
    )
    await enqueue(db, [OutgoingMessage(
        key=f"interest:{match_id}:{side}", chat_id=listing.user_id, kind="interest",
        payload=html_message(text, keyboards.interest(match_id)),
    )])


async def _exchange_contacts(
    db: Database, match_id: int, need: StoredListing, offer: StoredListing
) -> None:
    need_owner = await users.get_user(db, need.user_id)
    offer_owner = await users.get_user(db, offer.user_id)
    assert need_owner is not None and offer_owner is not None
    await enqueue(db, [
        _contact(f"contact:{match_id}:need", need_owner, offer_owner, offer),
        _contact(f"contact:{match_id}:offer", offer_owner, need_owner, need),
    ])


def _contact(key: str, to: User, about: User, listing: StoredListing) -> OutgoingMessage:
    text = texts.contact_card(
        listing.product, about.name, about.organisation, about.place.label(), about.phone,
        about.telegram_id,
    )
    return OutgoingMessage(key=key, chat_id=to.telegram_id, kind="contact",
                           payload=html_message(text))
