"""Comparing quantities and prices of two listings across units and pack sizes.

Weights are already kilograms (``"kg"``) after parsing; count units (箱, 枚, 只 …)
are kept as written. Two amounts meet in a unit both can be expressed in, tried in
this order, the first that works deciding the pair's *basis*:

``same_unit``
    Both in the same unit (two weights are both kilograms).
``pack``
    Through a listing's own pack size (每箱45斤 → 箱 = 22.5 kg; 每箱360枚).
``catalogue_pack``
    Through the usual pack of the product (``data/packs.json``: 鸡蛋 箱 ≈ 45 斤) for a
    listing that states no pack of its own. A stated pack is never overridden.
``other_unit``
    No bridge: 只 against 斤 for 白条鸡, or a 箱 whose contents nobody knows.

The basis of a pair is the weakest of its quantity comparison and, when both sides
name a price, its price comparison. Listings are filed and compared through
:func:`quantity_table` and :func:`price_table`, which already include the
catalogue's packs; amounts that also meet without them are compared without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.matching.catalogue import usual_packs
from bot.matching.model import WEIGHT_UNIT, Basis, Listing, PackSize

# Indexed by level: the higher, the weaker the bridge.
BASES: tuple[Basis, ...] = ("same_unit", "pack", "catalogue_pack", "other_unit")
SAME_UNIT, PACK, CATALOGUE_PACK, OTHER_UNIT = range(4)

# Relative slack so that 2 元/斤 and 4 元/公斤 compare equal after float division.
PRICE_TOLERANCE = 1e-9

Table = dict[str, float]
_EMPTY: Table = {}


@lru_cache(maxsize=4096)
def conversions(unit: str | None, pack: PackSize | None) -> Table:
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


@lru_cache(maxsize=4096)
def estimated_conversions(product: str, unit: str | None) -> Table:
    """How many of each unit one ``unit`` of ``product`` usually holds (the catalogue's packs).

    For a listing that states no pack: ``estimated_conversions("鸡蛋", "箱") ==
    {"箱": 1.0, "kg": 22.5, "枚": 360.0}``. Cached: do not mutate.
    """
    if unit is None:
        return {}
    conv = {unit: 1.0}
    for pack in usual_packs(product):
        if pack.package_unit == unit:
            conv[pack.amount_unit] = pack.amount
    return conv


@lru_cache(maxsize=4096)
def _tables(product: str, unit: str | None, pack: PackSize | None) -> tuple[Table, Table]:
    """A listing's unit in its own terms, and with the catalogue's packs when it states none."""
    own = conversions(unit, pack)
    return (own, own) if pack is not None else (own, estimated_conversions(product, unit))


def common_unit(a: Table, b: Table) -> str | None:
    """The unit two conversion tables meet in: kilograms when both can, else a shared count unit.

    Symmetric in its arguments, so a need and an offer agree on it from either side.
    """
    if WEIGHT_UNIT in a and WEIGHT_UNIT in b:
        return WEIGHT_UNIT
    shared = a.keys() & b.keys()
    return min(shared) if shared else None


# How two amounts meet: the level of the bridge, the unit, and each side's factor into it.
Meeting = tuple[int, str, float, float]


def _meet(a: Listing, a_unit: str | None, b: Listing, b_unit: str | None) -> Meeting | None:
    """How an amount of ``a`` in ``a_unit`` and one of ``b`` in ``b_unit`` meet, if at all."""
    if a_unit is None or b_unit is None:
        return None
    # Most pairs: two weights, or one count unit and no packs (the tables say the same).
    if a_unit == b_unit and (a_unit == WEIGHT_UNIT or (a.pack is None and b.pack is None)):
        return SAME_UNIT, a_unit, 1.0, 1.0
    a_own, a_est = _tables(a.product, a_unit, a.pack)
    b_own, b_est = _tables(b.product, b_unit, b.pack)
    unit = common_unit(a_own, b_own)
    if unit is not None:
        return (SAME_UNIT if a_unit == b_unit else PACK), unit, a_own[unit], b_own[unit]
    unit = common_unit(a_est, b_est)
    if unit is None:
        return None
    return CATALOGUE_PACK, unit, a_est[unit], b_est[unit]


def has_price(listing: Listing) -> bool:
    """True when the listing names a figure (面议/随行就市 do not)."""
    return listing.price is not None and listing.price_bound != "negotiable"


def quantity_table(listing: Listing) -> Table:
    """Every unit the listing's quantity can be expressed in, estimates included."""
    return _tables(listing.product, listing.unit, listing.pack)[1]


def price_table(listing: Listing) -> Table:
    """Every unit the listing's price can be expressed in, estimates included; empty if none."""
    if not has_price(listing):
        return _EMPTY
    return _tables(listing.product, listing.price_unit, listing.pack)[1]


def reference_table(listing: Listing) -> Table:
    """Units a listing judges the other side's price in: its price unit, else its quantity unit."""
    return price_table(listing) or quantity_table(listing)


# A price put in the other side's terms: the level of the bridge, the unit, the value.
Quote = tuple[int, str, float]


def quote(target: Listing, viewer: Listing) -> Quote | None:
    """The target's price per one of the viewer's reference units (its price unit, else its
    quantity unit), with the bridge and unit it took; None when the target has no price or
    it cannot be put in the viewer's units, even by estimate."""
    if not has_price(target):
        return None
    viewer_unit = viewer.price_unit if has_price(viewer) else viewer.unit
    met = _meet(target, target.price_unit, viewer, viewer_unit)
    if met is None:
        return None
    level, unit, target_factor, viewer_factor = met
    assert target.price is not None  # has_price guaranteed a figure
    return level, unit, target.price / target_factor * viewer_factor


def price_for(target: Listing, viewer: Listing) -> tuple[str, float] | None:
    """The target's price per one of the viewer's reference units, and the unit it was compared in.

    For a need viewing an offer this is the asking price in the need's terms; for an
    offer viewing a need, the buyer's cap in the offer's terms. None when the target has
    no price or its price cannot be converted to the viewer's units, even by estimate.
    """
    quoted = quote(target, viewer)
    return None if quoted is None else (quoted[1], quoted[2])


def quantity_level(a: Listing, b: Listing) -> int:
    """How the two quantities meet (:data:`SAME_UNIT` … :data:`OTHER_UNIT`).

    A listing without a unit has no quantity to compare and never needs a bridge.
    """
    if a.unit is None or b.unit is None or a.unit == b.unit:
        return SAME_UNIT
    met = _meet(a, a.unit, b, b.unit)
    return OTHER_UNIT if met is None else met[0]


def coverage(supplier: Listing, demander: Listing) -> float:
    """The share of ``demander``'s quantity that ``supplier``'s quantity covers, in [0, 1].

    0 when either quantity is missing or not comparable (an unknown cover ranks last).
    """
    if supplier.quantity is None or demander.quantity is None or demander.quantity <= 0:
        return 0.0
    met = _meet(supplier, supplier.unit, demander, demander.unit)
    if met is None:
        return 0.0
    _, _, s_factor, d_factor = met
    return min(1.0, (supplier.quantity * s_factor) / (demander.quantity * d_factor))


def pair_level(need: Listing, offer: Listing) -> int | None:
    """The pair's basis level, or None when the offer's price is known to exceed the cap.

    A need's figure is its cap whatever the wording (以内, 左右, 以上 …); 面议 has none.
    Two figures that cannot be converted to one unit are not known to exceed it: the
    pair is then :data:`OTHER_UNIT`, for the two sides to talk.
    """
    return level_with_ask(need, offer, quote(offer, need) if has_price(need) else None)


def level_with_ask(need: Listing, offer: Listing, asked: Quote | None) -> int | None:
    """:func:`pair_level` for a caller that has ``quote(offer, need)`` already."""
    level = quantity_level(need, offer)
    if not (has_price(need) and has_price(offer)):
        return level
    if asked is None:
        return OTHER_UNIT
    assert need.price is not None
    if asked[2] > need.price * (1 + PRICE_TOLERANCE):
        return None
    return max(level, asked[0])


@dataclass(frozen=True, slots=True)
class UnitBridge:
    """How a need's and an offer's units meet, for telling the two sides.

    ``estimates`` are the catalogue's packs the comparison relied on (``catalogue_pack``);
    ``unmet`` the need's and the offer's units that do not meet (``other_unit``): their
    quantity units, or their price units when only the prices fail to meet.
    """

    basis: Basis
    estimates: tuple[PackSize, ...] = ()
    unmet: tuple[str | None, str | None] | None = None


def _estimates(
    met: Meeting | None, sides: tuple[tuple[Listing, str | None], ...]
) -> list[PackSize]:
    """The catalogue packs a :data:`CATALOGUE_PACK` meeting took each side's factor from."""
    if met is None or met[0] != CATALOGUE_PACK:
        return []
    unit = met[1]
    return [
        pack
        for listing, own_unit in sides
        if listing.pack is None and own_unit != unit
        for pack in usual_packs(listing.product)
        if pack.package_unit == own_unit and pack.amount_unit == unit
    ]


def unit_bridge(need: Listing, offer: Listing) -> UnitBridge:
    """The basis of the pair, with the estimates it rests on or the units that do not meet."""
    level = quantity_level(need, offer)
    quantity_met = None if level in (SAME_UNIT, OTHER_UNIT) else _meet(
        need, need.unit, offer, offer.unit
    )
    estimates = _estimates(quantity_met, ((need, need.unit), (offer, offer.unit)))
    unmet = (need.unit, offer.unit) if level == OTHER_UNIT else None
    if has_price(need) and has_price(offer):
        price_met = _meet(offer, offer.price_unit, need, need.price_unit)
        if price_met is None:
            if unmet is None:
                unmet = (need.price_unit, offer.price_unit)
            level = OTHER_UNIT
        else:
            level = max(level, price_met[0])
            estimates += _estimates(
                price_met, ((offer, offer.price_unit), (need, need.price_unit))
            )
    if level != CATALOGUE_PACK:
        estimates = []
    return UnitBridge(BASES[level], tuple(dict.fromkeys(estimates)), unmet)


def basis(need: Listing, offer: Listing) -> Basis:
    """How the pair's units meet, within the cap or not (see the module docstring)."""
    level = quantity_level(need, offer)
    if has_price(need) and has_price(offer):
        asked = quote(offer, need)
        level = max(level, OTHER_UNIT if asked is None else asked[0])
    return BASES[level]
