"""Plain domain types shared by the parser, the matching engine, storage and the bot.

No I/O here. Quantities and prices are normalised once, at parse time:
weights to kilograms (unit ``"kg"``) and weight prices to yuan per kilogram
(price unit ``"kg"``); count units (箱, 袋, 只, 枚 …) are kept as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any, Literal

Kind = Literal["offer", "need"]
ProductSource = Literal["dictionary", "pinyin", "fuzzy"]
# How a price was qualified: a buyer's cap (以内/不超过), a floor (以上),
# an approximate figure (左右), a plain figure, 面议/随行就市 (no figure), or a
# donation (免费/捐赠/无偿: a price of 0).
PriceBound = Literal["max", "min", "approx", "exact", "negotiable", "free"]
# Why a post is no listing (None: it is one, or nothing more is known).
NotListing = Literal["question", "greeting", "thanks", "sold_out"]
# Where a post's kind came from: its words or cues, the poster's role, or the rule that a
# post stating what it has (a quantity or a price) with no kind word is an offer.
KindSource = Literal["text", "role", "default"]
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

    A ``standing`` listing states no quantity (长期收购, 大量有货): ``quantity`` is None and
    it is still usable. ``not_listing`` says why a post is no listing at all (a question,
    a greeting, thanks, a sold-out notice).
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
    standing: bool = False
    not_listing: NotListing | None = None
    kind_source: KindSource | None = None

    @property
    def ok(self) -> bool:
        """A usable listing: a product and a quantity (or standing), and no hard error."""
        return (
            self.product is not None
            and (self.quantity is not None or self.standing)
            and not self.errors
            and self.not_listing is None
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: a draft waits in the poster's conversation between messages."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["pack"] = asdict(self.pack) if self.pack else None
        out["place"] = asdict(self.place)
        out["place_candidates"] = [asdict(p) for p in self.place_candidates]
        out["valid_until"] = self.valid_until.isoformat() if self.valid_until else None
        out["errors"] = list(self.errors)
        out["field_errors"] = dict(self.field_errors)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListingDraft:
        values = dict(data)
        values["pack"] = PackSize(**values["pack"]) if values.get("pack") else None
        values["place"] = Place(**values.get("place") or {})
        values["place_candidates"] = [Place(**p) for p in values.get("place_candidates", [])]
        until = values.get("valid_until")
        values["valid_until"] = date.fromisoformat(until) if until else None
        return cls(**values)


ListingStatus = Literal["open", "closed", "expired", "withdrawn"]


# Not frozen: a city's digest reads 100,000 of them, and frozen construction costs several
# times as much. Treat as read-only.
@dataclass(slots=True)
class Listing:
    """An offer or a need, as stored once its poster confirmed it and as the matching
    engine ranks it. Ids are the database's; ``farmdock match`` numbers its lines.

    Quantities and prices are normalised (see the module docstring); ``quantity_as_written``
    and ``unit_as_written`` keep what the poster typed, for display.
    """

    id: int
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
    user_id: int = 0
    category: str = ""
    variety: str | None = None
    quantity_as_written: float | None = None
    unit_as_written: str | None = None
    valid_until: date | None = None  # the last valid day
    status: ListingStatus = "open"
    closed_reason: str | None = None
    updated_at: float = 0.0
    raw_text: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """One eligible (need, offer) pair, ranked for the listing it was asked for."""

    need_id: int
    offer_id: int
    score: float  # in [0, 1]; agrees with the ranking order
    rank: int  # 1 = best
    tier: int  # 0 same township, 1 same county, 2 elsewhere in city, 3 outside
    basis: Basis  # how the two sides' units meet
