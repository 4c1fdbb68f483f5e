"""What the repositories return: plain dataclasses, one per stored thing.

A listing is the domain's own :class:`~bot.matching.model.Listing`; the others are
records of people, matches, messages and conversations. Each record's fields are
its table's columns in order, so a row becomes a record in one call.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Self

from sqlalchemy import Column, Table

from bot.matching.area import Area
from bot.matching.model import CITY_NAME, Listing, ListingStatus, Place

Role = Literal["grower", "buyer", "official", "admin", "citizen", "hotline"]
UserStatus = Literal["active", "blocked", "inactive"]
OutboxStatus = Literal["pending", "sent", "failed"]

ROLES: tuple[Role, ...] = ("grower", "buyer", "official", "admin", "citizen", "hotline")
STAFF_ROLES: tuple[Role, ...] = ("official", "admin")

__all__ = ["Listing", "ListingStatus"]


class _Record:
    """A record built from a row whose columns are the record's fields, in order."""

    @classmethod
    def columns(cls, table: Table) -> list[Column[Any]]:
        return [table.c[f.name] for f in fields(cls)]  # type: ignore[arg-type]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Self:
        return cls(*row)


@dataclass(frozen=True, slots=True)
class User(_Record):
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
        """Where the user is (growers, buyers)."""
        return Place(city=CITY_NAME, county=self.county, township=self.township)

    @property
    def area(self) -> Area:
        """What an official covers (the whole city for an admin's empty columns)."""
        return Area.of(self.county, self.township)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        """Organisation and name as shown to a counterpart: 张八桥合作社 王师傅."""
        return " ".join(p for p in (self.organisation, self.name) if p) or str(self.telegram_id)


@dataclass(frozen=True, slots=True)
class Invite(_Record):
    code: str
    role: Role
    name: str
    organisation: str
    county: str | None
    township: str | None
    created_at: float
    used_by: int | None
    used_at: float | None

    @property
    def area(self) -> Area:
        return Area.of(self.county, self.township)


@dataclass(frozen=True, slots=True)
class ListingChanges:
    """Listings written after a change number, oldest change first, and where that leaves off."""

    listings: list[Listing]
    # The newest change number among them; the number asked about when there are none.
    seq: int


@dataclass(frozen=True, slots=True)
class JobRun(_Record):
    """A scheduled job's run of one day: who holds it until when, and whether it ended."""

    job: str
    day: str
    claimed_by: str
    claimed_until: float
    started_at: float
    finished_at: float | None


@dataclass(frozen=True, slots=True)
class MatchRecord(_Record):
    id: int
    need_id: int
    offer_id: int
    score: float
    rank: int
    created_at: float
    need_interest_at: float | None
    offer_interest_at: float | None
    contacts_exchanged_at: float | None

    @property
    def both_interested(self) -> bool:
        return self.need_interest_at is not None and self.offer_interest_at is not None


@dataclass(frozen=True, slots=True)
class OutboxMessage(_Record):
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
class AuditEntry(_Record):
    id: int
    at: float
    actor_id: int | None
    action: str
    target: str | None
    detail: str


@dataclass(slots=True)
class Conversation:
    """A chat's conversation: the flow and step it is at and what the flow collected.

    The router reads it at the start of an update and writes it back with the update's
    effects; a handler moves it on with :meth:`enter`, :meth:`goto` and :meth:`end`.
    ``recent_posts`` (POSIX seconds) outlives flows: it is the chat's flood limit.
    """

    chat_id: int
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    recent_posts: list[float] = field(default_factory=list)
    version: int = 0

    def enter(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        """Begin ``flow`` at ``step``, forgetting any other flow the chat was in."""
        self.flow, self.step, self.data = flow, step, dict(data or {})

    def goto(self, step: str) -> None:
        self.step = step

    def end(self) -> None:
        self.flow, self.step, self.data = None, None, {}

    def in_flow(self, flow: str) -> bool:
        return self.flow == flow

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Conversation:
        chat_id, flow, step, data, recent, version = row
        return cls(chat_id, flow, step, json.loads(data), json.loads(recent), version)


@dataclass(frozen=True, slots=True)
class Ticket(_Record):
    """A hotline ticket (诉求): see :mod:`bot.matching.tickets` for its loop."""

    id: int
    number: str
    category: str
    ticket_class: str
    state: str
    what: str
    county: str | None
    township: str | None
    filer_id: int | None
    caller_name: str
    caller_phone: str | None
    owner_county: str | None
    owner_township: str | None
    owner_id: int | None
    answer: str | None
    close_reason: str | None
    rating: str | None
    deadline_at: float
    reminded_for: float | None
    escalations: int
    changes: int
    need_id: int | None
    created_at: float
    updated_at: float

    @property
    def place(self) -> Place:
        """Where the matter is."""
        return Place(city=CITY_NAME, county=self.county, township=self.township)

    @property
    def owner_area(self) -> Area:
        """The area whose officials own the ticket."""
        return Area.of(self.owner_county, self.owner_township)


@dataclass(frozen=True, slots=True)
class TransportPass(_Record):
    """A transport pass: an application until approved (then it has its number)."""

    id: int
    number: str | None
    status: Literal["pending", "approved", "rejected", "revoked"]
    applicant_id: int
    applied_by: int | None
    plate: str
    crew: str  # JSON [{"name", "phone"}], driver first
    category: str
    origin_county: str | None
    origin_outside: str | None
    destination_county: str | None
    destination_outside: str | None
    valid_from: str
    valid_until: str
    issuer_county: str | None
    decided_by: int | None
    decided_at: float | None
    reason: str | None
    revoked_by: int | None
    revoked_at: float | None
    created_at: float
    updated_at: float

    @property
    def people(self) -> list[dict[str, str]]:
        """Driver first, then crew: [{"name", "phone"}]."""
        return list(json.loads(self.crew))


@dataclass(frozen=True, slots=True)
class MonitoringPoint(_Record):
    """A supermarket, farmers' market or wholesale market whose prices are monitored."""

    id: int
    name: str
    type: str
    county: str
    township: str | None
    created_at: float
    removed_at: float | None

    @property
    def area(self) -> Area:
        return Area(self.county, self.township)


@dataclass(frozen=True, slots=True)
class PriceRecord(_Record):
    """A point's price of one basket item on one day (yuan per ``price_unit``)."""

    point_id: int
    day: str
    product: str
    price: float
    price_unit: str
    sales: float | None
    sales_unit: str | None
    reported_by: int | None
    reported_at: float
    source: str


@dataclass(frozen=True, slots=True)
class PointInvite(_Record):
    code: str
    point_id: int
    created_by: int | None
    created_at: float
    used_by: int | None
    used_at: float | None
