"""Comparing quantities and prices of two listings across units and pack sizes.

Weights are already kilograms (``"kg"``) after parsing; count units (箱, 枚, 只 …)
are kept as written. A listing's pack size (每箱45斤 → 箱 = 22.5 kg) is the only
bridge between a count unit and a weight or another count unit; without it,
箱 compares only with 箱.
"""

from __future__ import annotations

from functools import lru_cache

from bot.matching.model import WEIGHT_UNIT, Listing, PackSize

# Relative slack so that 2 元/斤 and 4 元/公斤 compare equal after float division.
PRICE_TOLERANCE = 1e-9


@lru_cache(maxsize=4096)
def conversions(unit: str | None, pack: PackSize | None) -> dict[str, float]:
    """How many of each unit one ``unit`` amounts to, through the listing's own pack.

    ``conversions("箱", PackSize("箱", 22.5, "kg")) == {"箱": 1.0, "kg": 22.5}``.
    Cached, as matching asks for the same few tables millions of times: do not mutate.
    """
    if unit is None:
        return {}
    conv = {unit: 1.0}
    if pack is not None and pack.amount > 0:
        if unit == pack.package_unit:
            conv[pack.amount_unit] = pack.amount
        elif unit == pack.amount_unit:
            conv[pack.package_unit] = 1.0 / pack.amount
    return conv


def common_unit(a: dict[str, float], b: dict[str, float]) -> str | None:
    """The unit two conversion tables meet in: kilograms when both can, else a shared count unit.

    Symmetric in its arguments, so a need and an offer agree on it from either side.
    """
    if WEIGHT_UNIT in a and WEIGHT_UNIT in b:
        return WEIGHT_UNIT
    shared = a.keys() & b.keys()
    return min(shared) if shared else None


def has_price(listing: Listing) -> bool:
    """True when the listing names a figure (面议/随行就市 do not)."""
    return listing.price is not None and listing.price_bound != "negotiable"


def price_conversions(listing: Listing) -> dict[str, float]:
    """Units the listing's price can be expressed in; empty when it has no price."""
    return conversions(listing.price_unit, listing.pack) if has_price(listing) else {}


def quantity_conversions(listing: Listing) -> dict[str, float]:
    """Units the listing's quantity can be expressed in."""
    return conversions(listing.unit, listing.pack)


def reference_conversions(listing: Listing) -> dict[str, float]:
    """Units a listing judges the other side's price in: its price unit, else its quantity unit."""
    return price_conversions(listing) or quantity_conversions(listing)


def price_for(target: Listing, viewer: Listing) -> tuple[str, float] | None:
    """The target's price per one of the viewer's reference units, and the unit it was compared in.

    For a need viewing an offer this is the asking price in the need's terms; for an
    offer viewing a need, the buyer's cap in the offer's terms. None when the target has
    no price or its price cannot be converted to the viewer's units.
    """
    target_conv = price_conversions(target)
    viewer_conv = reference_conversions(viewer)
    unit = common_unit(target_conv, viewer_conv)
    if unit is None:
        return None
    assert target.price is not None  # has_price guaranteed a figure
    return unit, target.price / target_conv[unit] * viewer_conv[unit]


def quantities_comparable(a: Listing, b: Listing) -> bool:
    """Weights with weights, a count unit with the same unit, or through a pack size.

    A listing without a unit has no quantity to compare and never blocks a pair.
    """
    if a.unit is None or b.unit is None:
        return True
    return common_unit(quantity_conversions(a), quantity_conversions(b)) is not None


def coverage(supplier: Listing, demander: Listing) -> float:
    """The share of ``demander``'s quantity that ``supplier``'s quantity covers, in [0, 1].

    0 when either quantity is missing or not comparable (an unknown cover ranks last).
    """
    if supplier.quantity is None or demander.quantity is None or demander.quantity <= 0:
        return 0.0
    s_conv = quantity_conversions(supplier)
    d_conv = quantity_conversions(demander)
    unit = common_unit(s_conv, d_conv)
    if unit is None:
        return 0.0
    return min(1.0, (supplier.quantity * s_conv[unit]) / (demander.quantity * d_conv[unit]))


def within_cap(need: Listing, offer: Listing) -> bool:
    """The offer's asking price does not exceed the need's cap, where both name a figure.

    A need's figure is its cap whatever the wording (以内, 左右, 以上 …); 面议 has none.
    Two figures that cannot be converted to one unit are not comparable, so not within.
    """
    if not (has_price(need) and has_price(offer)):
        return True
    asked = price_for(offer, need)
    if asked is None:
        return False
    assert need.price is not None
    return asked[1] <= need.price * (1 + PRICE_TOLERANCE)
