"""Use cases of listings: publish, match and notify, change, renew, close, expire.

No Telegram here: the functions take the database, the matching index and a
``wake`` callable for the outbox sender, so the bot, the CLI and the demo all
publish the same way. The index is synced with the database before matching and
after each write, so it also holds what other workers and the CLI wrote. Notices
to counterparts go through the outbox (key ``match:{match_id}:{side}``), so each
is sent once even across restarts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Literal
from zoneinfo import ZoneInfo

from bot import keyboards
from bot.matching.catalogue import get_catalogue
from bot.matching.limits import get_limits
from bot.matching.pricing import UnitBridge, unit_bridge
from bot.matching.regions import get_gazetteer
from bot.services.match_index import ListingIndex
from bot.texts import matches as texts
from storage import listings, matches, users
from storage.database import Database
from storage.matches import Side
from storage.outbox import OutgoingMessage, enqueue
from storage.records import MatchRecord, NewListing, StoredListing, User

# How many matches the poster sees right after publishing, and in /matches.
TOP_MATCHES = 5
DEFAULT_VALID_DAYS = 7
CloseReason = Literal["done", "closed"]
# Where a match stands for the one looking at it.
MatchState = Literal["new", "other_interested", "waiting_other", "exchanged"]
Wake = Callable[[], None]


@dataclass(frozen=True, slots=True)
class MatchView:
    """One match as one side (the viewer) sees it."""

    match: MatchRecord
    side: Side  # the viewer's side
    own: StoredListing
    other: StoredListing
    other_owner: User
    tier: int | None
    distance_km: float | None
    # How the two listings' units meet (basis, estimate or the units that do not meet).
    bridge: UnitBridge

    def summary(self) -> str:
        """The counterpart listing in one line, for the viewer."""
        return listing_summary(self.other)

    def distance_text(self) -> str:
        return texts.distance(self.tier, self.distance_km)

    @property
    def state(self) -> MatchState:
        """Contacts exchanged; the viewer said 我有意向 and waits; the other side did; neither."""
        match = self.match
        if match.contacts_exchanged_at is not None:
            return "exchanged"
        own, other = ((match.need_interest_at, match.offer_interest_at) if self.side == "need"
                      else (match.offer_interest_at, match.need_interest_at))
        if own is not None:
            return "waiting_other"
        return "other_interested" if other is not None else "new"

    @property
    def awaits_viewer(self) -> bool:
        """Whether the viewer still has to say 我有意向 (the only case for the button)."""
        return self.state in ("new", "other_interested")

    def basis_note(self, *, for_counterpart: bool = False) -> str:
        """按每箱约45斤估算, 单位不同（箱/斤），请双方沟通, or nothing when the units meet.

        Units are named the reader's first: the viewer's, or with ``for_counterpart`` the
        other side's.
        """
        bridge = self.bridge
        if bridge.basis == "catalogue_pack":
            return texts.estimate(bridge.estimates)
        if bridge.basis != "other_unit" or bridge.unmet is None:
            return ""
        need, offer = (self.own, self.other) if self.side == "need" else (self.other, self.own)
        names = [
            texts.unit_name(unit, listing.unit_as_written if unit == listing.unit else None)
            for unit, listing in zip(bridge.unmet, (need, offer), strict=True)
        ]
        if (self.side == "need") == for_counterpart:
            names.reverse()
        return texts.other_units(*names)


@dataclass(frozen=True, slots=True)
class Published:
    listing: StoredListing
    matches: list[MatchView]
    notices: int  # counterparts told about the new listing


def listing_summary(listing: StoredListing) -> str:
    return texts.summary(
        listing.kind, listing.product, listing.quantity, listing.unit,
        listing.quantity_as_written, listing.unit_as_written, listing.price,
        listing.price_unit, listing.price_bound,
    )


def valid_days_for(product: str) -> int:
    """The default validity by category: leafy greens 3 days, most goods 7, grain and oil 30."""
    found = get_catalogue().get(product)
    return found.default_valid_days if found else DEFAULT_VALID_DAYS


def validity(days: int, today: date, tz: ZoneInfo) -> tuple[date, float]:
    """The last valid day and the moment the listing expires (the end of that day)."""
    last_day = today + timedelta(days=days)
    end = datetime.combine(last_day + timedelta(days=1), clock_time(0), tzinfo=tz)
    return last_day, end.timestamp()


async def publish_listing(
    db: Database, index: ListingIndex, new: NewListing, *, wake: Wake | None = None,
    now: float | None = None, top_k: int = TOP_MATCHES,
) -> Published:
    """Commit a confirmed listing, match it, and tell each counterpart once.

    The listing is in the database before anything else happens; a failure
    afterwards loses no listing (the index catches up from the database). A number
    outside its plausible range raises ValueError: every way in reads numbers through
    the parser, which refuses them, so this is a bug, never a user's mistake.
    """
    _check_plausible(new.quantity, new.unit, new.price, new.price_unit, new.price_bound,
                     new.pack.amount if new.pack else None)
    now = time.time() if now is None else now
    listing = await listings.add_listing(db, new, created_at=now)
    # Files this listing and whatever other workers wrote since the last sync.
    await index.sync(db, now)
    views = await current_matches(db, index, listing, now=now, top_k=top_k)
    poster = await users.get_user(db, listing.user_id)
    notices = await _notify_counterparts(db, views, poster) if poster else 0
    if notices and wake is not None:
        wake()
    return Published(listing, views, notices)


async def current_matches(
    db: Database, index: ListingIndex, listing: StoredListing, *, now: float | None = None,
    top_k: int = TOP_MATCHES,
) -> list[MatchView]:
    """The best open counterparts of ``listing`` now, recorded as matches, best first.

    A user's own listings never match each other, and a blocked user's match nobody.
    The caller syncs the index first.
    """
    now = time.time() if now is None else now
    found = index.matches_for(listing, top_k, now)
    other_ids = [int(m.offer_id if listing.kind == "need" else m.need_id) for m in found]
    others = await listings.get_listings(db, other_ids)
    owners: dict[int, User] = {}
    kept = []
    for m, other_id in zip(found, other_ids, strict=True):
        other = others.get(other_id)
        if other is None or other.status != "open" or other.user_id == listing.user_id:
            continue
        owner = owners.get(other.user_id) or await users.get_user(db, other.user_id)
        if owner is None or owner.status == "blocked":
            continue
        owners[owner.telegram_id] = owner
        kept.append((m, other, owner))
    records = await matches.record_matches(
        db, [(int(m.need_id), int(m.offer_id), m.score, m.rank) for m, _, _ in kept]
    )
    side: Side = listing.kind
    return [
        MatchView(
            record, side, listing, other, owner, m.tier, _distance(listing, other),
            _bridge(listing, other),
        )
        for record, (m, other, owner) in zip(records, kept, strict=True)
    ]


def _bridge(a: StoredListing, b: StoredListing) -> UnitBridge:
    """How two stored listings' units meet, recomputed from them (matches store no basis)."""
    need, offer = (a, b) if a.kind == "need" else (b, a)
    return unit_bridge(need.to_domain(), offer.to_domain())


async def matches_of_user(
    db: Database, index: ListingIndex, user_id: int, *, top_k: int = TOP_MATCHES
) -> list[tuple[StoredListing, list[MatchView]]]:
    """Each open listing of a user with its current matches, newest listing first."""
    now = time.time()
    await index.sync(db, now)
    return [
        (listing, await current_matches(db, index, listing, now=now, top_k=top_k))
        for listing in await listings.user_listings(db, user_id)
    ]


async def _notify_counterparts(db: Database, views: list[MatchView], poster: User) -> int:
    """One notice per counterpart user, about their best-ranked match; returns how many."""
    today = date.today()
    told: set[int] = set()
    outgoing: list[OutgoingMessage] = []
    for view in views:
        owner = view.other_owner
        if owner.telegram_id in told or owner.status != "active":
            continue
        told.add(owner.telegram_id)
        other_side: Side = "offer" if view.side == "need" else "need"
        text = texts.notice(
            view.other.kind, view.other.product, view.other.id, listing_summary(view.own),
            view.own.place.label(), view.distance_text(), view.own.valid_until_date, today,
            view.basis_note(for_counterpart=True),
        )
        outgoing.append(OutgoingMessage(
            key=f"match:{view.match.id}:{other_side}", chat_id=owner.telegram_id, kind="match",
            payload=html_message(text, keyboards.interest(view.match.id)),
        ))
    # The outbox row is the record that a side was told: its key makes it once only,
    # its sent_at says when Telegram took it.
    if outgoing:
        await enqueue(db, outgoing)
    return len(outgoing)


def _check_plausible(
    quantity: float | None, unit: str | None, price: float | None, price_unit: str | None,
    price_bound: str | None, pack_amount: float | None = None,
) -> None:
    wrong = get_limits().implausible(quantity, unit, price, price_unit, price_bound, pack_amount)
    if wrong is not None:
        raise ValueError(f"the listing's {wrong} is outside its plausible range")


def html_message(text: str, markup: keyboards.Markup | None = None) -> dict[str, object]:
    """An outbox payload for sendMessage in HTML."""
    payload: dict[str, object] = {"method": "sendMessage", "text": text, "parse_mode": "HTML"}
    if markup is not None:
        payload["reply_markup"] = markup.to_dict()
    return payload


def _distance(a: StoredListing, b: StoredListing) -> float | None:
    if a.county and b.county and a.place.in_city and b.place.in_city:
        return get_gazetteer().distance_km(a.county, b.county)
    return None


# -- my listings -----------------------------------------------------------------------


async def owned_open_listing(db: Database, listing_id: int, user_id: int) -> StoredListing | None:
    """The listing if ``user_id`` owns it and it is open; None otherwise."""
    listing = await listings.get_listing(db, listing_id)
    if listing is None or listing.user_id != user_id or listing.status != "open":
        return None
    return listing


async def change_listing(
    db: Database, index: ListingIndex, listing: StoredListing, actor_id: int, *,
    quantity: tuple[float, str, float, str] | None = None,
    price: tuple[float | None, str | None, str | None] | None = None,
) -> StoredListing | None:
    """New quantity (amount, unit, as written, unit as written) or price (value, unit, bound).

    None when the listing is no longer open.
    """
    changes: dict[str, object] = {}
    if quantity is not None:
        amount, _unit, written, written_unit = quantity
        _check_plausible(amount, listing.unit, None, None, None)
        changes.update(quantity=amount, quantity_as_written=written, unit_as_written=written_unit)
    if price is not None:
        _check_plausible(None, None, *price)
        changes.update(price=price[0], price_unit=price[1], price_bound=price[2])
    updated = await listings.update_listing(db, listing.id, actor_id, **changes)
    await index.sync(db)
    return updated


async def renew_listing(
    db: Database, index: ListingIndex, listing: StoredListing, actor_id: int, *, today: date,
    tz: ZoneInfo,
) -> StoredListing | None:
    """Extend validity by the product's default from today."""
    last_day, expires_at = validity(valid_days_for(listing.product), today, tz)
    updated = await listings.update_listing(
        db, listing.id, actor_id, valid_until=last_day.isoformat(), expires_at=expires_at
    )
    await index.sync(db)
    return updated


async def close_listing(
    db: Database, index: ListingIndex, listing: StoredListing, actor_id: int,
    reason: CloseReason,
) -> bool:
    """Mark 已成交 (done) or close; the listing stops matching at once."""
    closed = await listings.close_listing(db, listing.id, actor_id, status="closed", reason=reason)
    await index.sync(db)
    return closed


async def expire_listings(db: Database, index: ListingIndex, now: float | None = None) -> list[int]:
    """Expire listings whose time is up, in the database and in the index.

    Run periodically, this also brings the index up to date with other workers' writes.
    """
    now = time.time() if now is None else now
    expired = await listings.expire_due(db, now)
    await index.sync(db, now)
    index.expire(now)
    return expired
