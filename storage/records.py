"""What the repository returns: plain dataclasses, one per stored thing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from operator import itemgetter
from typing import Any, Literal, Self

from bot.matching.model import CITY_NAME, Kind, Listing, ListingDraft, PackSize, Place

Role = Literal["grower", "buyer", "official", "admin"]
UserStatus = Literal["active", "blocked", "inactive"]
ListingStatus = Literal["open", "closed", "expired", "withdrawn"]
OutboxStatus = Literal["pending", "sent", "failed"]

ROLES: tuple[Role, ...] = ("grower", "buyer", "official", "admin")


class _FromRow:
    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Self:
        # Called once per row (a digest of the city reads 100,000): pick the columns
        # in field order with one cached C-level getter instead of a dict per row.
        return cls(*_getter(cls, tuple(row.keys()))(row))


@cache
def _getter(cls: type, columns: tuple[str, ...]) -> Callable[[sqlite3.Row], tuple[Any, ...]]:
    position = {name: i for i, name in enumerate(columns)}
    return itemgetter(*(position[f.name] for f in fields(cls)))


@dataclass(frozen=True, slots=True)
class User(_FromRow):
    telegram_id: int
    role: Role
    name: str
    organisation: str
    phone: str | None
    county: str | None
    township: str | None
    status: UserStatus
    language: str
    created_at: float
    updated_at: float

    @property
    def place(self) -> Place:
        """Where the user is (growers, buyers) or what they cover (officials)."""
        return Place(city=CITY_NAME, county=self.county, township=self.township)

    @property
    def display_name(self) -> str:
        """Organisation and name as shown to a counterpart: 张八桥合作社 王师傅."""
        return " ".join(p for p in (self.organisation, self.name) if p) or str(self.telegram_id)


@dataclass(frozen=True, slots=True)
class Invite(_FromRow):
    code: str
    role: Role
    name: str
    organisation: str
    county: str | None
    township: str | None
    created_at: float
    used_by: int | None
    used_at: float | None


# Not frozen, unlike the other records: a frozen dataclass of 27 fields costs eight
# times as much to build, and a city digest reads 100,000 listings. Treat as read-only.
@dataclass(slots=True, eq=True)
class StoredListing(_FromRow):
    id: int
    user_id: int
    kind: Kind
    raw_text: str
    product: str
    category: str
    variety: str | None
    quantity: float | None
    unit: str | None
    quantity_as_written: float | None
    unit_as_written: str | None
    pack_unit: str | None
    pack_amount: float | None
    pack_amount_unit: str | None
    price: float | None
    price_unit: str | None
    price_bound: str | None
    city: str | None
    county: str | None
    township: str | None
    outside: str | None
    valid_until: str | None
    expires_at: float | None
    status: ListingStatus
    closed_reason: str | None
    created_at: float
    updated_at: float

    @property
    def place(self) -> Place:
        return Place(
            city=self.city, county=self.county, township=self.township, outside=self.outside
        )

    @property
    def pack(self) -> PackSize | None:
        if self.pack_unit and self.pack_amount is not None and self.pack_amount_unit:
            return PackSize(self.pack_unit, self.pack_amount, self.pack_amount_unit)
        return None

    @property
    def valid_until_date(self) -> date | None:
        return date.fromisoformat(self.valid_until) if self.valid_until else None

    def to_domain(self) -> Listing:
        """The listing as the matching engine sees it."""
        return Listing(
            id=str(self.id),
            kind=self.kind,
            product=self.product,
            quantity=self.quantity,
            unit=self.unit,
            price=self.price,
            price_unit=self.price_unit,
            place=self.place,
            created_at=self.created_at,
            expires_at=self.expires_at,
            pack=self.pack,
            price_bound=self.price_bound,  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class ListingChanges:
    """Listings written after a change number, oldest change first, and where that leaves off."""

    listings: list[StoredListing]
    # The newest change number among them; the number asked about when there are none.
    seq: int


@dataclass(frozen=True, slots=True)
class NewListing:
    """A confirmed listing about to be stored."""

    user_id: int
    kind: Kind
    raw_text: str
    product: str
    category: str
    place: Place
    variety: str | None = None
    quantity: float | None = None
    unit: str | None = None
    quantity_as_written: float | None = None
    unit_as_written: str | None = None
    pack: PackSize | None = None
    price: float | None = None
    price_unit: str | None = None
    price_bound: str | None = None
    valid_until: date | None = None
    expires_at: float | None = None
    # The draft's own key: the same draft confirmed twice is stored once.
    publish_key: str | None = None

    @classmethod
    def from_draft(
        cls, draft: ListingDraft, *, user_id: int, kind: Kind, place: Place,
        valid_until: date | None, expires_at: float | None,
    ) -> NewListing:
        """A confirmed draft; ``kind``, ``place`` and validity are what the user settled on."""
        if draft.product is None or draft.category is None:
            raise ValueError("a listing needs a product")
        return cls(
            user_id=user_id, kind=kind, raw_text=draft.raw_text, product=draft.product,
            category=draft.category, place=place, variety=draft.variety,
            quantity=draft.quantity, unit=draft.unit,
            quantity_as_written=draft.quantity_as_written, unit_as_written=draft.unit_as_written,
            pack=draft.pack, price=draft.price, price_unit=draft.price_unit,
            price_bound=draft.price_bound, valid_until=valid_until, expires_at=expires_at,
        )


@dataclass(frozen=True, slots=True)
class MatchRecord(_FromRow):
    id: int
    need_id: int
    offer_id: int
    score: float
    rank: int
    created_at: float
    need_notified_at: float | None
    offer_notified_at: float | None
    need_interest_at: float | None
    offer_interest_at: float | None
    contacts_exchanged_at: float | None

    @property
    def both_interested(self) -> bool:
        return self.need_interest_at is not None and self.offer_interest_at is not None


@dataclass(frozen=True, slots=True)
class OutboxMessage(_FromRow):
    id: int
    key: str
    chat_id: int
    kind: str
    payload: str
    status: OutboxStatus
    attempts: int
    not_before: float
    last_error: str | None
    created_at: float
    sent_at: float | None
    # The sender holding the row (or, once sent, its chat) until claimed_until.
    claimed_by: str | None
    claimed_until: float | None


@dataclass(frozen=True, slots=True)
class AuditEntry(_FromRow):
    id: int
    at: float
    actor_id: int | None
    action: str
    target: str | None
    detail: str
