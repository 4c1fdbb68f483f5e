"""Plain domain types shared by the parser, the matching engine, storage and the bot.

No I/O here. Quantities and prices are normalised once, at parse time:
weights to kilograms (unit ``"kg"``) and weight prices to yuan per kilogram
(price unit ``"kg"``); count units (箱, 袋, 只, 枚 …) are kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Kind = Literal["offer", "need"]
ProductSource = Literal["dictionary", "pinyin", "fuzzy"]
# How a price was qualified: a buyer's cap (以内/不超过), a floor (以上),
# an approximate figure (左右), a plain figure, 面议/随行就市 (no figure), or a
# donation (免费/捐赠/无偿: a price of 0).
PriceBound = Literal["max", "min", "approx", "exact", "negotiable", "free"]
# How a need's and an offer's units meet (see bot.matching.pricing).
Basis = Literal["same_unit", "pack", "catalogue_pack", "other_unit"]

WEIGHT_UNIT = "kg"
CITY_NAME = "平顶山市"


@dataclass(frozen=True, slots=True)
class PackSize:
    """A package and what one holds: 每箱360枚 → ("箱", 360, "枚"); 每袋50斤 → ("袋", 25, "kg")."""

    package_unit: str
    amount: float
    amount_unit: str


@dataclass(frozen=True, slots=True)
class Place:
    """Where a listing or user is. ``county`` is a county-level unit of the platform.

    ``outside`` names a place recognised as outside the city (e.g. 汝阳县);
    then ``city``, ``county`` and ``township`` are None (or the other city's name in ``city``).
    """

    city: str | None = None
    county: str | None = None
    township: str | None = None
    outside: str | None = None

    @property
    def in_city(self) -> bool:
        return self.city == CITY_NAME

    def label(self) -> str:
        """A short human label: 宝丰县张八桥镇, 新华区, 汝阳县 (市外)."""
        if self.outside:
            return f"{self.outside}（市外）"
        return "".join(p for p in (self.county, self.township) if p) or (self.city or "")


@dataclass(slots=True)
class ListingDraft:
    """What the parser understood of one post. ``errors`` are Chinese messages for the user.

    ``field_errors`` holds those of them that refuse one field, by field: ``"text"`` (the
    whole post: too long, empty), ``"quantity"`` and ``"price"`` (outside the plausible
    range); a refused field is left empty.
    """

    raw_text: str
    kind: Kind | None = None
    product: str | None = None
    category: str | None = None
    variety: str | None = None
    product_source: ProductSource | None = None
    product_confidence: float = 0.0
    # Normalised amount: kilograms when ``unit == "kg"``, else a count of ``unit``.
    quantity: float | None = None
    unit: str | None = None
    # What the user wrote, for display: 5000 斤.
    quantity_as_written: float | None = None
    unit_as_written: str | None = None
    pack: PackSize | None = None
    # Yuan per kilogram when ``price_unit == "kg"``, else yuan per ``price_unit``.
    price: float | None = None
    price_unit: str | None = None
    price_bound: PriceBound | None = None
    place: Place = field(default_factory=Place)
    # Other places the text could mean (e.g. 马庄); non-empty means ambiguous.
    place_candidates: list[Place] = field(default_factory=list)
    phone: str | None = None
    valid_until: date | None = None
    errors: list[str] = field(default_factory=list)
    field_errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """A usable listing: at least a product and a quantity, and no hard error."""
        return self.product is not None and self.quantity is not None and not self.errors


@dataclass(frozen=True, slots=True)
class Listing:
    """An open listing as the matching engine sees it (no storage or Telegram details)."""

    id: str
    kind: Kind
    product: str
    quantity: float | None
    unit: str | None
    price: float | None
    price_unit: str | None
    place: Place
    created_at: float  # POSIX seconds; newer wins ties
    expires_at: float | None = None  # POSIX seconds; None = no expiry
    pack: PackSize | None = None
    price_bound: PriceBound | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """One eligible (need, offer) pair, ranked for the listing it was asked for."""

    need_id: str
    offer_id: str
    score: float  # in [0, 1]; agrees with the ranking order
    rank: int  # 1 = best
    tier: int  # 0 same township, 1 same county, 2 elsewhere in city, 3 outside
    basis: Basis  # how the two sides' units meet
