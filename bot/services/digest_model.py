"""The daily digest of a jurisdiction, computed from plain records: no I/O, no Telegram.

``build_digest`` takes what storage returned for one area and one day and
returns a :class:`Digest`; rendering (text, Excel, chart) reads only the Digest.
One pass over the listings keeps the city's day of 100,000 listings well under
a second.

Definitions the officials can rely on:

- a listing belongs to an area by its own place (county, township);
- the day runs from 00:00 to 24:00 in the platform's time zone; the digest is
  taken "as of" the end of the day, or now for today;
- a shortage (缺口) is a need open at that moment with no match made for it;
  a surplus (滞销) is an offer open at that moment with no match;
- whatever the day, every digest also holds the shortages of right now (``open_now``,
  at ``now``, the moment it is built): at 08:00 yesterday's digest says what is
  short this morning, needs posted after midnight included;
- a match is ``waiting`` until one side says 我有意向, then ``one_side``, and
  ``exchanged`` once both have and contacts went out (each as of ``as_of``);
- a deal (成交) is a match either side of which answered 成交了 before ``as_of``, done
  on the day of the first such answer, counted where either listing lies; its
  quantity is the lesser of the two answers, else the one (``bot.matching.deals``);
  ``deal_rate_pct`` is deals to date per contact exchange to date, in per cent, and
  ``price_vs_listed_pct`` the average price dealt as a percentage of the listed one
  (100: at the listed price), each None when there is nothing to divide by.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Literal

from bot.matching.area import Area
from bot.matching.clock import DayWindow
from bot.matching.deals import Amount, Price, deal_amount, listed_price, price_ratio
from bot.matching.model import WEIGHT_UNIT, Kind, Listing, Place
from bot.matching.units import price_per_jin
from storage.deals import DealAnswer
from storage.records import MatchRecord, User

if TYPE_CHECKING:
    from bot.services.survey import SurveySection

# How many products the price table shows: the most listed ones of the day.
MAIN_PRODUCTS = 10
MatchState = Literal["waiting", "one_side", "exchanged"]


Volumes = dict[str, float]  # unit ("kg", "箱", "只" …) -> total amount


@dataclass(frozen=True, slots=True)
class Totals:
    """A day's counts; ``*_kg`` is the weight, ``*_volume`` every stated quantity by unit."""

    offers: int = 0
    needs: int = 0
    offer_kg: float = 0.0
    need_kg: float = 0.0
    matches: int = 0
    contacts: int = 0
    offer_volume: Volumes = field(default_factory=dict)
    need_volume: Volumes = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CategoryLine:
    category: str
    offers: int
    needs: int
    offer_volume: Volumes
    need_volume: Volumes


# Not frozen: a city's digest builds one per open listing (100,000 on a bad day),
# and frozen construction costs several times as much. Treat as read-only.
@dataclass(slots=True)
class OpenItem:
    """An open listing nobody has been matched with (a shortage or a surplus)."""

    listing_id: int
    kind: Kind
    product: str
    quantity: float | None
    unit: str | None
    place: str
    organisation: str
    created_at: float
    waited_hours: float
    # Whom the emergency supplier registry asked for it and what they answered (HTML
    # lines, each after a line break), filled in for the needs a digest shows.
    registry: str = ""


@dataclass(frozen=True, slots=True)
class MatchLine:
    match_id: int
    product: str
    need_id: int
    offer_id: int
    need_organisation: str
    need_place: str
    offer_organisation: str
    offer_place: str
    quantity: float | None
    unit: str | None
    score: float
    contacts_exchanged: bool
    created_at: float
    state: MatchState


@dataclass(frozen=True, slots=True)
class OpenCounts:
    """How many needs and offers were open at a moment, matched or not."""

    needs: int = 0
    offers: int = 0


@dataclass(frozen=True, slots=True)
class PriceRange:
    """Lowest and highest price of a product in the day's listings of one kind.

    ``unit`` is what the price is per: 斤 for weights (stored per kg, shown per 斤
    as people quote it), else the count unit (箱, 只 …).
    """

    product: str
    kind: Kind
    unit: str
    low: float
    high: float
    listings: int


@dataclass(frozen=True, slots=True)
class DealPeriod:
    """Deals done in a period: how many, and their quantities by product and category."""

    count: int = 0
    by_product: dict[str, Volumes] = field(default_factory=dict)
    by_category: dict[str, Volumes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DealFigures:
    """What became of the matches: deals of the day and to date (see the module doc)."""

    today: DealPeriod = field(default_factory=DealPeriod)
    to_date: DealPeriod = field(default_factory=DealPeriod)
    exchanges: int = 0
    deal_rate_pct: float | None = None
    price_vs_listed_pct: float | None = None


@dataclass(frozen=True, slots=True)
class Digest:
    area: Area
    day: date
    as_of: float
    totals: Totals
    previous: Totals
    categories: list[CategoryLine]
    shortages: list[OpenItem]
    surplus: list[OpenItem]
    matches: list[MatchLine]
    prices: list[PriceRange]
    # The day's listings with their poster's organisation, for the workbook.
    listings: list[Listing] = field(repr=False)
    organisations: Mapping[int, str] = field(repr=False)
    # Open listings at as_of, matched or not: what "all matched" or "none" is said of.
    open_then: OpenCounts
    now: float
    # Shortages at ``now``, oldest first, and how many needs were open then in all.
    open_now: list[OpenItem]
    open_needs_now: int
    deals: DealFigures = field(default_factory=DealFigures)
    # The store survey's part (stores reported, items by status …), when the area has stores.
    survey: SurveySection | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.totals.offers or self.totals.needs or self.shortages or self.matches)


def build_digest(
    *,
    area: Area,
    window: DayWindow,
    as_of: float,
    listings: Sequence[Listing],
    previous: Totals,
    matches: Sequence[MatchRecord],
    match_listings: Mapping[int, Listing],
    unmatched_needs: Sequence[Listing],
    unmatched_offers: Sequence[Listing],
    open_then: OpenCounts,
    now: float,
    unmatched_needs_now: Sequence[Listing],
    open_needs_now: int,
    users: Mapping[int, User],
    deals: DealFigures | None = None,
) -> Digest:
    """The digest of ``area`` for ``window``'s day.

    ``listings`` are those created in the area that day, ``previous`` the totals of
    the day before; ``matches`` those made that day touching the area, ``match_listings`` both sides
    of each; ``unmatched_*`` the open, unmatched listings of the area at ``as_of`` and
    ``open_then`` how many were open then in all; ``unmatched_needs_now`` and
    ``open_needs_now`` the same for needs at ``now``.
    """
    organisations = {uid: organisation_of(u) for uid, u in users.items()}
    day_listings = list(listings)
    categories = _categories(day_listings)
    contacts = sum(1 for m in matches if exchanged_by(m, as_of))
    shortages = [open_item(x, as_of, organisations) for x in unmatched_needs]
    return Digest(
        area=area,
        day=window.day,
        as_of=as_of,
        totals=_totals(categories, len(matches), contacts),
        previous=previous,
        categories=categories,
        shortages=shortages,
        surplus=[open_item(x, as_of, organisations) for x in unmatched_offers],
        matches=_match_lines(matches, match_listings, organisations, as_of),
        prices=_prices(day_listings),
        listings=day_listings,
        organisations=organisations,
        open_then=open_then,
        now=now,
        open_now=shortages if now == as_of else [
            open_item(x, now, organisations) for x in unmatched_needs_now],
        open_needs_now=open_needs_now,
        deals=deals or DealFigures(),
    )


def deal_figures(
    done: Sequence[tuple[MatchRecord, Sequence[DealAnswer]]], listings: Mapping[int, Listing],
    exchanges: int, day_start: float,
) -> DealFigures:
    """The deal figures from the matches answered 成交了 (with their 成交了 answers), both
    listings of each, the contact exchanges to date, and when the day began."""
    today: list[tuple[Listing, Amount | None]] = []
    to_date: list[tuple[Listing, Amount | None]] = []
    ratios: list[float] = []
    for match, answers in done:
        need, offer = listings.get(match.need_id), listings.get(match.offer_id)
        if need is None or offer is None or not answers:
            continue
        amounts = {a.side: Amount(a.quantity, a.unit) for a in answers
                   if a.quantity is not None and a.unit}
        dealt = deal_amount(amounts.get("need"), amounts.get("offer"))
        to_date.append((need, dealt))
        if min(a.answered_at or 0.0 for a in answers) >= day_start:
            today.append((need, dealt))
        ratio = price_ratio([Price(a.price, a.price_unit) for a in answers
                             if a.price is not None and a.price_unit],
                            listed_price(need, offer))
        if ratio is not None:
            ratios.append(ratio)
    return DealFigures(
        today=_deal_period(today), to_date=_deal_period(to_date), exchanges=exchanges,
        deal_rate_pct=round(100 * len(to_date) / exchanges, 1) if exchanges else None,
        price_vs_listed_pct=round(100 * sum(ratios) / len(ratios), 1) if ratios else None,
    )


def _deal_period(deals: Sequence[tuple[Listing, Amount | None]]) -> DealPeriod:
    by_product: dict[str, Volumes] = defaultdict(lambda: defaultdict(float))
    by_category: dict[str, Volumes] = defaultdict(lambda: defaultdict(float))
    for listing, dealt in deals:
        product, category = by_product[listing.product], by_category[listing.category]
        if dealt is not None:
            product[dealt.unit] += dealt.quantity
            category[dealt.unit] += dealt.quantity
    return DealPeriod(
        count=len(deals),
        by_product={p: dict(v) for p, v in sorted(by_product.items())},
        by_category={c: dict(v) for c, v in sorted(by_category.items())},
    )


def organisation_of(user: User) -> str:
    """Who a user is to an official: their organisation, else their name (never a phone)."""
    return user.organisation or user.name or f"用户{user.telegram_id}"


def exchanged_by(match: MatchRecord, as_of: float) -> bool:
    """Whether both sides had shared contacts before ``as_of``."""
    return match.contacts_exchanged_at is not None and match.contacts_exchanged_at < as_of


def match_state(match: MatchRecord, as_of: float) -> MatchState:
    """Where a match stood at ``as_of``: contacts exchanged, one side interested, or neither."""
    if exchanged_by(match, as_of):
        return "exchanged"
    pressed = (match.need_interest_at, match.offer_interest_at)
    return "one_side" if any(t is not None and t < as_of for t in pressed) else "waiting"


def _totals(categories: Iterable[CategoryLine], matches: int, contacts: int) -> Totals:
    """The day's totals, summed from its categories (a few lines, not 100,000 listings)."""
    offers = needs = 0
    offer_volume: Volumes = defaultdict(float)
    need_volume: Volumes = defaultdict(float)
    for c in categories:
        offers += c.offers
        needs += c.needs
        for unit, amount in c.offer_volume.items():
            offer_volume[unit] += amount
        for unit, amount in c.need_volume.items():
            need_volume[unit] += amount
    return Totals(
        offers=offers, needs=needs,
        offer_kg=offer_volume.get(WEIGHT_UNIT, 0.0), need_kg=need_volume.get(WEIGHT_UNIT, 0.0),
        matches=matches, contacts=contacts,
        offer_volume=dict(offer_volume), need_volume=dict(need_volume),
    )


def _categories(listings: Iterable[Listing]) -> list[CategoryLine]:
    counts: dict[tuple[str, Kind], int] = Counter()
    volumes: dict[tuple[str, Kind], Volumes] = defaultdict(lambda: defaultdict(float))
    for x in listings:
        key = (x.category, x.kind)
        counts[key] += 1
        if x.quantity and x.unit:
            volumes[key][x.unit] += x.quantity
    # Busiest first; a tie by name, so that the same listings give the same digest in every
    # process (set order changes with the interpreter's hash seed).
    names = sorted({c for c, _ in counts},
                   key=lambda c: (-(counts[c, "offer"] + counts[c, "need"]), c))
    return [
        CategoryLine(
            category=c,
            offers=counts[c, "offer"],
            needs=counts[c, "need"],
            offer_volume=dict(volumes.get((c, "offer"), {})),
            need_volume=dict(volumes.get((c, "need"), {})),
        )
        for c in names
    ]




# A city has a few hundred places and 100,000 open listings: each label is made once.
_label = cache(Place.label)


def open_item(x: Listing, as_of: float, organisations: Mapping[int, str]) -> OpenItem:
    """An open listing as the digest lists it, with how long it has waited at ``as_of``."""
    return OpenItem(
        listing_id=x.id,
        kind=x.kind,
        product=x.product,
        quantity=x.quantity,
        unit=x.unit,
        place=_label(x.place),
        organisation=organisations.get(x.user_id, ""),
        created_at=x.created_at,
        waited_hours=max(0.0, (as_of - x.created_at) / 3600),
    )


def _match_lines(
    matches: Sequence[MatchRecord], listings: Mapping[int, Listing],
    organisations: Mapping[int, str], as_of: float,
) -> list[MatchLine]:
    lines = []
    for m in matches:
        need, offer = listings.get(m.need_id), listings.get(m.offer_id)
        if need is None or offer is None:
            continue
        lines.append(MatchLine(
            match_id=m.id,
            product=need.product,
            need_id=need.id,
            offer_id=offer.id,
            need_organisation=organisations.get(need.user_id, ""),
            need_place=need.place.label(),
            offer_organisation=organisations.get(offer.user_id, ""),
            offer_place=offer.place.label(),
            quantity=need.quantity,
            unit=need.unit,
            score=m.score,
            contacts_exchanged=exchanged_by(m, as_of),
            created_at=m.created_at,
            state=match_state(m, as_of),
        ))
    # Deals that went as far as exchanging contacts first, then the best matches.
    lines.sort(key=lambda line: (not line.contacts_exchanged, -line.score, line.match_id))
    return lines


def _prices(listings: Iterable[Listing]) -> list[PriceRange]:
    ranges: dict[tuple[str, Kind, str], list[float]] = {}
    popularity: Counter[str] = Counter()
    for x in listings:
        popularity[x.product] += 1
        # 面议 names no figure, and a donation's 0 is no market price.
        if x.price is None or x.price_unit is None or x.price_bound in ("negotiable", "free"):
            continue
        unit, price = ("斤", price_per_jin(x.price)) if x.price_unit == WEIGHT_UNIT else (
            x.price_unit, x.price)
        found = ranges.get((x.product, x.kind, unit))
        if found is None:
            ranges[x.product, x.kind, unit] = [price, price, 1]
        else:
            found[0] = min(found[0], price)
            found[1] = max(found[1], price)
            found[2] += 1
    priced = {product for product, _kind, _unit in ranges}
    main = [p for p, _ in popularity.most_common() if p in priced][:MAIN_PRODUCTS]
    order = {p: i for i, p in enumerate(main)}
    return [
        PriceRange(product, kind, unit, low, high, int(n))
        for (product, kind, unit), (low, high, n) in sorted(
            ((k, v) for k, v in ranges.items() if k[0] in order),
            key=lambda kv: (order[kv[0][0]], kv[0][1] != "offer", kv[0][2]),
        )
    ]
