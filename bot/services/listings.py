"""Use cases of listings: publish, match and notify, change, renew, close, expire.

Each takes the caller's unit of work and never commits: the listing, its matches
and the notices to counterparts are committed together by whoever opened the unit
(the update router, a job, a CLI command), or not at all. The matching index is
synced before matching, so it also holds what other workers and the CLI wrote.
Notices go through the outbox (key ``match:{match_id}:{side}``), so each is sent
once even across restarts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from bot.matching.clock import end_of_day
from bot.matching.drafts import last_valid_day
from bot.matching.engine import rank_needs_for_offer, rank_offers_for_need
from bot.matching.limits import get_limits
from bot.matching.model import Listing, Match
from bot.matching.pricing import UnitBridge, unit_bridge
from bot.matching.regions import get_gazetteer
from bot.matching.sealed import may_supply
from bot.services import actions, buttons, follows
from bot.services.match_index import ListingIndex
from bot.services.messages import Message, outgoing
from bot.services.ticket_needs import tell_filers_of_matches
from bot.texts import matches as texts
from storage.interfaces import UnitOfWork
from storage.matches import Side
from storage.records import MatchRecord, User

# How many matches the poster sees right after publishing, and in /matches.
TOP_MATCHES = 5
# FARMDOCK_FOLLOW_NOTICES_PER_DAY's default, for callers without settings (imports, tests).
FOLLOW_NOTICES_PER_DAY = 20
CloseReason = Literal["done", "closed"]
# Where a match stands for the one looking at it.
MatchState = Literal["new", "other_interested", "waiting_other", "exchanged"]


@dataclass(frozen=True, slots=True)
class MatchView:
    """One match as one side (the viewer) sees it. ``record`` is None for a pair shown
    but not recorded (``/matches`` reads; pressing 我有意向 records it)."""

    record: MatchRecord | None
    side: Side  # the viewer's side
    own: Listing
    other: Listing
    other_owner: User
    tier: int | None
    distance_km: float | None
    # How the two listings' units meet (basis, estimate or the units that do not meet).
    bridge: UnitBridge

    @property
    def need(self) -> Listing:
        return self.own if self.side == "need" else self.other

    @property
    def offer(self) -> Listing:
        return self.other if self.side == "need" else self.own

    def summary(self) -> str:
        """The counterpart listing in one line, for the viewer."""
        return listing_summary(self.other)

    def distance_text(self) -> str:
        return texts.distance(self.tier, self.distance_km)

    @property
    def state(self) -> MatchState:
        """Contacts exchanged; the viewer said 我有意向 and waits; the other side did; neither."""
        match = self.record
        if match is None:
            return "new"
        if match.contacts_exchanged_at is not None:
            return "exchanged"
        own, other = ((match.need_interest_at, match.offer_interest_at) if self.side == "need"
                      else (match.offer_interest_at, match.need_interest_at))
        if own is not None:
            return "waiting_other"
        return "other_interested" if other is not None else "new"

    @property
    def interest_action(self) -> str | None:
        """What the viewer's 我有意向 button asks for; None where the viewer has answered."""
        if self.state not in ("new", "other_interested"):
            return None
        if self.record is None:
            return actions.pair(self.need.id, self.offer.id)
        return actions.interest(self.record.id)

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
        names = [
            texts.unit_name(unit, listing.unit_as_written if unit == listing.unit else None)
            for unit, listing in zip(bridge.unmet, (self.need, self.offer), strict=True)
        ]
        if (self.side == "need") == for_counterpart:
            names.reverse()
        return texts.other_units(*names)


@dataclass(frozen=True, slots=True)
class Published:
    listing: Listing
    matches: list[MatchView]
    notices: int  # counterparts told about the new listing


def listing_summary(listing: Listing) -> str:
    return texts.summary(
        listing.kind, listing.product, listing.quantity, listing.unit,
        listing.quantity_as_written, listing.unit_as_written, listing.price,
        listing.price_unit, listing.price_bound,
    )


async def publish_listing(
    uow: UnitOfWork, index: ListingIndex, listing: Listing, *, today: date,
    publish_key: str | None = None, now: float | None = None, top_k: int = TOP_MATCHES,
    follow_cap: int = FOLLOW_NOTICES_PER_DAY,
) -> Published:
    """Store a confirmed listing, match it, record the matches and tell each counterpart
    once, all in ``uow``.

    ``listing.created_at`` is when it counts as posted; a draft's ``publish_key`` makes
    confirming it twice publish it once. Followers of the product hear of it too, at
    most ``follow_cap`` notices each a day (see :mod:`bot.services.follows`). A number
    outside its plausible range raises ValueError: every way in reads numbers through
    the parser, which refuses them, so this is a bug, never a user's mistake.
    """
    _check_plausible(listing.quantity, listing.unit, listing.price, listing.price_unit,
                     listing.price_bound, listing.pack.amount if listing.pack else None)
    now = time.time() if now is None else now
    # Whatever other workers committed since the last look, read before this listing is
    # written (a write unit of work sees every commit: it holds the write lock).
    await index.sync(now, uow)
    stored = await uow.listings.add(listing, publish_key=publish_key)
    views = await _recorded(uow, await _candidates(uow, index, stored, now, top_k))
    poster = await uow.users.get(stored.user_id)
    notices = await _notify_counterparts(uow, views, today) if poster else 0
    await follows.notify_followers(uow, stored, today, follow_cap,
                                   told={v.other_owner.telegram_id for v in views})
    # A need made from a hotline ticket: its filer hears that a supplier matched.
    await tell_filers_of_matches(uow, [v.need.id for v in views if v.record is not None])
    return Published(stored, views, notices)


# A pair the engine proposed, with its score and rank, before it is recorded.
Candidate = tuple[MatchView, float, int]


async def _candidates(
    uow: UnitOfWork, index: ListingIndex, listing: Listing, now: float, top_k: int
) -> list[Candidate]:
    """The best open counterparts of ``listing`` now, best first, not recorded.

    A user's own listings never match each other, and a blocked user's match nobody.
    Needs inside a sealed area meet only its designated suppliers' offers, and those rank
    first for a designated supplier (:mod:`bot.matching.sealed`). The caller syncs the
    index first.
    """
    found = await _found(uow, index, listing, now, top_k)
    other_ids = [m.offer_id if listing.kind == "need" else m.need_id for m in found]
    others = await uow.listings.get_many(other_ids)
    owners = await uow.users.by_ids([o.user_id for o in others.values()])
    if listing.kind == "offer":  # needs inside sealed areas the offer's owner does not serve
        sealed = await uow.sealed_areas.active_of_receivers(o.user_id for o in others.values())
        served = await uow.sealed_areas.areas_served_by(listing.user_id)
        others = {i: o for i, o in others.items()
                  if may_supply(sealed[o.user_id][0].id if o.user_id in sealed else None,
                                served)}
    views = []
    for m, other_id in zip(found, other_ids, strict=True):
        other = others.get(other_id)
        if other is None or other.status != "open" or other.user_id == listing.user_id:
            continue
        owner = owners.get(other.user_id)
        if owner is None or owner.status == "blocked":
            continue
        view = MatchView(None, listing.kind, listing, other, owner, m.tier,
                         _distance(listing, other), _bridge(listing, other))
        views.append((view, m.score, m.rank))
    return views[:top_k]


async def _found(
    uow: UnitOfWork, index: ListingIndex, listing: Listing, now: float, top_k: int
) -> list[Match]:
    """The engine's best counterparts of ``listing``, the sealed areas' rule applied first:
    a sealed area's need is ranked among its designated suppliers' offers only (however
    far they are), a designated supplier's offer ranks the needs of its areas first."""
    if listing.kind == "need":
        sealed = (await uow.sealed_areas.active_of_receivers([listing.user_id])).get(
            listing.user_id)
        if sealed is None:
            return index.matches_for(listing, top_k, now)
        offers = await uow.sealed_areas.open_listings_of_suppliers(sealed[0].id, "offer")
        return rank_offers_for_need(listing, offers, now, top_k)
    served = await uow.sealed_areas.areas_served_by(listing.user_id)
    directed = (rank_needs_for_offer(
        listing, await uow.sealed_areas.open_needs_in(served), now, top_k) if served else [])
    # The open market's needs, with room for the sealed ones that will be left out.
    wider = index.matches_for(listing, top_k * 2 + len(directed), now)
    taken = {m.need_id for m in directed}
    merged = directed + [m for m in wider if m.need_id not in taken]
    return [replace(m, rank=rank) for rank, m in enumerate(merged, start=1)]


async def rematch_listing(
    uow: UnitOfWork, index: ListingIndex, listing: Listing, *, today: date, now: float,
    top_k: int = TOP_MATCHES,
) -> list[MatchView]:
    """Match an open listing again as if just posted (a sealed area was lifted): the new
    pairs are recorded and their counterparts told once."""
    await index.sync(now, uow)
    views = await _recorded(uow, await _candidates(uow, index, listing, now, top_k))
    await _notify_counterparts(uow, views, today)
    return views


async def _recorded(uow: UnitOfWork, candidates: list[Candidate]) -> list[MatchView]:
    """The candidates with their match records (new pairs are recorded now)."""
    records = await uow.matches.record(
        [(v.need.id, v.offer.id, score, rank) for v, score, rank in candidates]
    )
    by_pair = {(r.need_id, r.offer_id): r for r in records}
    return [_with_record(v, by_pair[v.need.id, v.offer.id]) for v, _, _ in candidates]


def _with_record(view: MatchView, record: MatchRecord | None) -> MatchView:
    return MatchView(record, view.side, view.own, view.other, view.other_owner, view.tier,
                     view.distance_km, view.bridge)


def _bridge(a: Listing, b: Listing) -> UnitBridge:
    """How two listings' units meet, recomputed from them (matches store no basis)."""
    need, offer = (a, b) if a.kind == "need" else (b, a)
    return unit_bridge(need, offer)


async def matches_of_user(
    uow: UnitOfWork, index: ListingIndex, user_id: int, *, top_k: int = TOP_MATCHES,
    now: float | None = None,
) -> list[tuple[Listing, list[MatchView]]]:
    """Each open listing of a user with its current best matches, newest listing first.

    A read: pairs already recorded show where they stand; the others are shown as new,
    and recorded when someone presses 我有意向.
    """
    now = time.time() if now is None else now
    await index.sync(now, uow)
    found = []
    for listing in await uow.listings.of_user(user_id):
        views = [view for view, _, _ in await _candidates(uow, index, listing, now, top_k)]
        pairs = await uow.matches.of_pairs([(v.need.id, v.offer.id) for v in views])
        found.append((listing, [_with_record(v, pairs.get((v.need.id, v.offer.id)))
                                for v in views]))
    return found


async def _notify_counterparts(uow: UnitOfWork, views: list[MatchView], today: date) -> int:
    """One notice per counterpart user, about their best-ranked match; returns how many."""
    told: set[int] = set()
    notices = []
    for view in views:
        owner = view.other_owner
        if owner.telegram_id in told or owner.status != "active" or view.record is None:
            continue
        told.add(owner.telegram_id)
        other_side: Side = "offer" if view.side == "need" else "need"
        text = texts.notice(
            view.other.kind, view.other.product, view.other.id, listing_summary(view.own),
            view.own.place.label(), view.distance_text(), view.own.valid_until, today,
            view.basis_note(for_counterpart=True),
        )
        # The outbox row is the record that a side was told: its key makes it once only,
        # its sent_at says when Telegram took it.
        notices.append(outgoing(
            f"match:{view.record.id}:{other_side}", owner.telegram_id, "match",
            Message(text, buttons.interest(view.record.id)),
        ))
    return await uow.outbox.enqueue(notices)


def _check_plausible(
    quantity: float | None, unit: str | None, price: float | None, price_unit: str | None,
    price_bound: str | None, pack_amount: float | None = None,
) -> None:
    wrong = get_limits().implausible(quantity, unit, price, price_unit, price_bound, pack_amount)
    if wrong is not None:
        raise ValueError(f"the listing's {wrong} is outside its plausible range")


def _distance(a: Listing, b: Listing) -> float | None:
    if a.place.county and b.place.county and a.place.in_city and b.place.in_city:
        return get_gazetteer().distance_km(a.place.county, b.place.county)
    return None


def pair_match(need: Listing, offer: Listing, now: float) -> Match | None:
    """The two listings ranked as the need sees them, or None when they may not be a
    match at all (a pressed pair is never trusted)."""
    if need.user_id == offer.user_id:
        return None
    ranked = rank_offers_for_need(need, [offer], now, top_k=1)
    return ranked[0] if ranked else None


# -- my listings -----------------------------------------------------------------------


async def open_listings_of(uow: UnitOfWork, user_id: int) -> list[Listing]:
    """A user's open listings, newest first."""
    return await uow.listings.of_user(user_id)


Ownership = Literal["open", "gone", "not_yours"]


async def listing_of_owner(
    uow: UnitOfWork, listing_id: int, user_id: int
) -> tuple[Ownership, Listing | None]:
    """The listing ``user_id`` acts on: ``open`` (theirs and open), ``gone`` (theirs, no
    longer open) or ``not_yours`` (another's, or no such listing: never acted on)."""
    listing = await uow.listings.get(listing_id)
    if listing is None or listing.user_id != user_id:
        return "not_yours", None
    return ("open" if listing.status == "open" else "gone"), listing


async def change_listing(
    uow: UnitOfWork, listing: Listing, actor_id: int, *,
    quantity: tuple[float, float, str] | None = None,
    price: tuple[float | None, str | None, str | None] | None = None,
) -> Listing | None:
    """New quantity (amount, as written, unit as written) or price (value, unit, bound).

    None when the listing is no longer open.
    """
    changes: dict[str, object] = {}
    if quantity is not None:
        amount, written, written_unit = quantity
        _check_plausible(amount, listing.unit, None, None, None)
        changes.update(quantity=amount, quantity_as_written=written, unit_as_written=written_unit)
    if price is not None:
        _check_plausible(None, None, *price)
        changes.update(price=price[0], price_unit=price[1], price_bound=price[2])
    return await uow.listings.update(listing.id, actor_id, **changes)


async def renew_listing(
    uow: UnitOfWork, listing: Listing, actor_id: int, *, today: date, tz: ZoneInfo,
) -> Listing | None:
    """Extend validity by the product's default from today."""
    last_day = last_valid_day(None, listing.product, today)
    return await uow.listings.update(listing.id, actor_id, valid_until=last_day,
                                     expires_at=end_of_day(last_day, tz))


async def close_listing(
    uow: UnitOfWork, listing: Listing, actor_id: int, reason: CloseReason,
) -> bool:
    """Mark 已成交 (done) or close; the listing stops matching at once."""
    return await uow.listings.close(listing.id, actor_id, status="closed", reason=reason)


async def expire_listings(uow: UnitOfWork, now: float | None = None) -> list[int]:
    """Expire listings whose time is up (the indexes drop them at their next sync)."""
    return await uow.listings.expire_due(time.time() if now is None else now)
