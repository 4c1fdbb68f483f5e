"""Whether a match became a deal (成交了吗): the rules, as pure functions.

- Each side answers for its own listing: its 成交了 quantity lowers only its own
  listing's remaining quantity (never below nothing).
- A deal's quantity in figures is the lesser of the two sides' answers when both said
  成交了 in the same unit, else the one answer (when the units differ, the offer's, who
  handed the goods over).
- A deal is done when its first side says 成交了.
- The price dealt is compared with the listed one: the offer's asking price, else the
  need's, when it is a figure (not 面议, not a donation) per the same unit. The digest
  gives the average of dealt ÷ listed as a percentage (100 = at the listed price).
- What 成交了 is prefilled with: the lesser of the two listings' quantities (the own
  listing's alone when the units differ or the other states none), and the listed price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.matching.model import Listing


@dataclass(frozen=True, slots=True)
class Amount:
    """A quantity in a listing's unit (kg for weights, else a count unit)."""

    quantity: float
    unit: str


@dataclass(frozen=True, slots=True)
class Price:
    """Yuan per ``unit`` (kg for weights)."""

    value: float
    unit: str


def deal_amount(need: Amount | None, offer: Amount | None) -> Amount | None:
    """The quantity a deal counts for, from each side's 成交了 answer (None: not given)."""
    if need is None or offer is None:
        return need or offer
    if need.unit == offer.unit:
        return need if need.quantity <= offer.quantity else offer
    return offer


def remaining(listing: Listing, dealt: Amount) -> float | None:
    """What is left of ``listing`` after its owner dealt ``dealt``; None when the listing
    states no quantity (长期, 量大) or counts in another unit: nothing is lowered then."""
    if listing.quantity is None or listing.unit != dealt.unit:
        return None
    return max(0.0, listing.quantity - dealt.quantity)


def listed_price(need: Listing, offer: Listing) -> Price | None:
    """The price a deal is compared with: the offer's asking price, else the need's."""
    for listing in (offer, need):
        if (listing.price is not None and listing.price > 0 and listing.price_unit
                and listing.price_bound not in ("negotiable", "free")):
            return Price(listing.price, listing.price_unit)
    return None


def price_ratio(dealt: Sequence[Price], listed: Price | None) -> float | None:
    """Dealt ÷ listed for one deal (the sides' prices averaged), per the same unit."""
    same = [p.value for p in dealt if listed is not None and p.unit == listed.unit]
    if not same or listed is None:
        return None
    return sum(same) / len(same) / listed.value


@dataclass(frozen=True, slots=True)
class Prefill:
    """What 成交了 proposes to one side: a quantity in its own unit and a price."""

    amount: Amount | None
    price: Price | None


def prefill(own: Listing, other: Listing) -> Prefill:
    """The lesser of the two listings' quantities in the own listing's unit (the own one
    alone when the other states none or counts otherwise), and the listed price."""
    amount = None
    if own.quantity is not None and own.unit:
        quantity = own.quantity
        if other.quantity is not None and other.unit == own.unit:
            quantity = min(quantity, other.quantity)
        amount = Amount(quantity, own.unit)
    elif other.quantity is not None and other.unit:
        amount = Amount(other.quantity, other.unit)
    need, offer = (own, other) if own.kind == "need" else (other, own)
    return Prefill(amount, listed_price(need, offer))
