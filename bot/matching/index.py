"""An in-memory index of open listings, so a new listing is matched without a scan.

Listings are filed by product and kind, then by county (and again by township),
then per price unit in a list sorted by price (offers cheapest first, needs
highest cap first), units the catalogue's usual packs reach included. Matching one
listing walks the places nearest first, takes from each sorted list only the
eligible prefix it needs, and stops as soon as the next places can only rank lower.
Only when the pairs whose units meet are too few does it walk the places again for
``other_unit`` pairs, which rank after all of them; those it finds through each
shelf's listings grouped by their units, so it looks only at listings whose units
cannot meet the viewer's. The policy itself is :mod:`bot.matching.engine`; this
module only decides which listings to look at, and its results equal
:func:`bot.matching.engine.rank_candidates` over all open listings.

Every operation is synchronous and takes milliseconds; the bot calls it from
handlers directly and rebuilds the index from storage at start-up.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator

from bot.matching.engine import (
    DistanceFn,
    RankKey,
    assess,
    assess_quoted,
    cached_distance,
    city_distance,
    is_expired,
    pair_key,
    to_matches,
)
from bot.matching.model import Kind, Listing, Match, PackSize, Place
from bot.matching.pricing import (
    PRICE_TOLERANCE,
    basis,
    has_price,
    price_table,
    quantity_table,
    quote,
    reference_table,
)

# Shelf keys for listings outside the city, and an axis for listings with no unit at all.
_OUTSIDE = "\x00outside"
_ANY_UNIT = "\x00any"

# What decides how a listing's units meet another's: its quantity unit, its pack, and
# the unit of its price when it names one (the product is the book's).
_Units = tuple[str | None, PackSize | None, str | None]


def _units_of(listing: Listing) -> _Units:
    return listing.unit, listing.pack, listing.price_unit if has_price(listing) else None


class _Row:
    """Listings of one shelf priced in one unit, sorted by their value in that unit."""

    __slots__ = ("listings", "values")

    def __init__(self) -> None:
        self.values: list[float] = []
        self.listings: list[Listing] = []


class _Shelf:
    """The open listings of one product and kind at one (county, township)."""

    __slots__ = ("by_units", "priced", "unpriced")

    def __init__(self) -> None:
        self.priced: dict[str, _Row] = defaultdict(_Row)
        # Listings without a figure in a unit, filed under each unit of their quantity.
        self.unpriced: dict[str, dict[int, Listing]] = defaultdict(dict)
        # Every listing again, grouped by its units (for other_unit pairs).
        self.by_units: dict[_Units, dict[int, Listing]] = defaultdict(dict)


class _County:
    """One county's shelves: all its listings, and those of each named township again."""

    __slots__ = ("everything", "townships")

    def __init__(self) -> None:
        self.everything = _Shelf()
        self.townships: dict[str, _Shelf] = defaultdict(_Shelf)

    def shelves_of(self, listing: Listing) -> list[_Shelf]:
        township = listing.place.township
        if township is None:
            return [self.everything]
        return [self.everything, self.townships[township]]


# A shelf to walk, and a township whose listings were already taken from another shelf.
_Walk = tuple[_Shelf, str | None]


def _sort_sign(kind: Kind) -> float:
    """Offers sort by rising price, needs by falling cap: best deal first."""
    return 1.0 if kind == "offer" else -1.0


def _filing(listing: Listing) -> tuple[dict[str, float], set[str]]:
    """Where a listing is filed: its sort value per price unit, and the units it is unpriced in."""
    sign = _sort_sign(listing.kind)
    priced = {
        unit: sign * listing.price / factor
        for unit, factor in price_table(listing).items()
        if listing.price is not None
    }
    unpriced = set(quantity_table(listing)) - priced.keys()
    if not priced and not unpriced:
        unpriced = {_ANY_UNIT}
    return priced, unpriced


def _county_key(place: Place) -> str | None:
    return _OUTSIDE if place.outside else place.county


class MatchIndex:
    """Open listings by product, for incremental matching in both directions."""

    def __init__(self, distance: DistanceFn | None = None) -> None:
        self._distance = cached_distance(distance) if distance else None
        # (product, kind) → county (None: in the city, county unknown) → shelves
        self._books: dict[tuple[str, Kind], dict[str | None, _County]] = {}
        self._listings: dict[int, Listing] = {}
        self._expiry: list[tuple[float, int]] = []

    @property
    def distance(self) -> DistanceFn:
        if self._distance is None:
            self._distance = city_distance()
        return self._distance

    def __len__(self) -> int:
        return len(self._listings)

    def __contains__(self, listing_id: object) -> bool:
        return listing_id in self._listings

    def get(self, listing_id: int) -> Listing | None:
        return self._listings.get(listing_id)

    def rebuild(self, listings: Iterable[Listing]) -> None:
        """Replace the whole content, sorting each list once (start-up, batch matching)."""
        self._books.clear()
        self._listings.clear()
        self._expiry.clear()
        # The last of several listings with one id wins, as with repeated add().
        for listing in {listing.id: listing for listing in listings}.values():
            self._file(listing, keep_sorted=False)
        for book in self._books.values():
            for county in book.values():
                for shelf in [county.everything, *county.townships.values()]:
                    for row in shelf.priced.values():
                        order = sorted(range(len(row.values)), key=row.values.__getitem__)
                        row.values = [row.values[i] for i in order]
                        row.listings = [row.listings[i] for i in order]
        heapq.heapify(self._expiry)

    def add(self, listing: Listing) -> None:
        """File a new or edited listing, replacing any listing with the same id."""
        self.remove(listing.id)
        self._file(listing, keep_sorted=True)
        if listing.expires_at is not None:
            heapq.heappush(self._expiry, (listing.expires_at, listing.id))

    def update(self, listing: Listing) -> None:
        """Re-file an edited listing (the same as :meth:`add`)."""
        self.add(listing)

    def remove(self, listing_id: int) -> Listing | None:
        """Take a listing out (closed, withdrawn); returns it, or None if it was not there."""
        listing = self._listings.pop(listing_id, None)
        if listing is None:
            return None
        county = self._books[(listing.product, listing.kind)][_county_key(listing.place)]
        priced, unpriced = _filing(listing)
        for shelf in county.shelves_of(listing):
            for unit, value in priced.items():
                row = shelf.priced[unit]
                # Equal values may sit in any order; look for the listing itself among them.
                i = bisect_right(row.values, value) - 1
                while row.listings[i] is not listing:
                    i -= 1
                del row.values[i]
                del row.listings[i]
            for unit in unpriced:
                del shelf.unpriced[unit][listing_id]
            group = shelf.by_units[_units_of(listing)]
            del group[listing_id]
            if not group:
                del shelf.by_units[_units_of(listing)]
        return listing

    def expire(self, now: float) -> list[Listing]:
        """Remove every listing whose validity has passed at ``now``; returns them."""
        expired: list[Listing] = []
        while self._expiry and self._expiry[0][0] <= now:
            expires_at, listing_id = heapq.heappop(self._expiry)
            listing = self._listings.get(listing_id)
            # A stale heap entry: the listing was removed or edited since.
            if listing is not None and listing.expires_at == expires_at:
                self.remove(listing_id)
                expired.append(listing)
        return expired

    def _file(self, listing: Listing, keep_sorted: bool) -> None:
        self._listings[listing.id] = listing
        book = self._books.setdefault((listing.product, listing.kind), {})
        county = book.setdefault(_county_key(listing.place), _County())
        priced, unpriced = _filing(listing)
        for shelf in county.shelves_of(listing):
            for unit, value in priced.items():
                row = shelf.priced[unit]
                i = bisect_right(row.values, value) if keep_sorted else len(row.values)
                row.values.insert(i, value)
                row.listings.insert(i, listing)
            for unit in unpriced:
                shelf.unpriced[unit][listing.id] = listing
            shelf.by_units[_units_of(listing)][listing.id] = listing
        if not keep_sorted and listing.expires_at is not None:
            self._expiry.append((listing.expires_at, listing.id))

    def matches_for(self, listing: Listing, top_k: int | None, now: float) -> list[Match]:
        """The best ``top_k`` eligible listings of the other kind for ``listing``, rank 1 first.

        ``listing`` need not be in the index. Expired listings still in the index are
        skipped (call :meth:`expire` to drop them).
        """
        other: Kind = "offer" if listing.kind == "need" else "need"
        book = self._books.get((listing.product, other))
        if not book or is_expired(listing, now):
            return []
        wanted = math.inf if top_k is None else top_k
        scan = _Scan(listing, now, self.distance)
        found: list[tuple[RankKey, Listing]] = []
        for walks in self._places_nearest_first(book, listing.place):
            found.extend(scan.best(walks, wanted - len(found)))
            if len(found) >= wanted:
                break
        else:
            # Every pair whose units meet is in; other_unit pairs rank after all of them.
            for walks in self._places_nearest_first(book, listing.place):
                found.extend(scan.other_units(walks))
                if len(found) >= wanted:
                    break
        found.sort(key=pair_key)
        return to_matches(listing, found[:top_k])

    def _places_nearest_first(
        self, book: dict[str | None, _County], place: Place
    ) -> Iterator[list[_Walk]]:
        """Groups of shelves in rank order; within a group, the rank key decides.

        Mirrors :func:`bot.matching.engine.tier_of`: each group holds the listings
        sharing one (tier, distance).
        """
        if place.outside:
            yield [(county.everything, None) for county in book.values()]
            return
        home = place.county
        if home is not None and home in book:
            county = book[home]
            township = place.township
            if township is not None and township in county.townships:
                yield [(county.townships[township], None)]
            yield [(county.everything, township)]
        by_distance: dict[float, list[_Walk]] = defaultdict(list)
        for name, county in book.items():
            if (home is not None and name == home) or name == _OUTSIDE:
                continue
            km = math.inf if home is None or name is None else self.distance(home, name)
            by_distance[km].append((county.everything, None))
        for km in sorted(by_distance):
            yield by_distance[km]
        if _OUTSIDE in book:
            yield [(book[_OUTSIDE].everything, None)]


class _Scan:
    """One listing looking for its best counterparts among shelves of the other kind."""

    __slots__ = (
        "bounds", "distance", "now", "other", "priced_units", "unpriced_units", "viewer",
    )  # fmt: skip

    def __init__(self, viewer: Listing, now: float, distance: DistanceFn) -> None:
        self.viewer = viewer
        self.now = now
        self.distance = distance
        # Whether listings with these units pair with the viewer as other_unit.
        self.other: dict[_Units, bool] = {}
        reference = reference_table(viewer)
        quantity = quantity_table(viewer)
        # The highest sort value still within price, per unit: the cap for a need
        # (offers sort by price), minus the asking price for an offer (needs sort by -cap).
        self.bounds: dict[str, float] = {}
        for unit, factor in reference.items():
            if has_price(viewer) and viewer.price is not None:
                bound = -_sort_sign(viewer.kind) * viewer.price / factor
                self.bounds[unit] = bound + abs(bound) * PRICE_TOLERANCE
            else:
                self.bounds[unit] = math.inf
        # A listing with neither unit nor price is comparable with everything.
        self.unpriced_units: set[str] | None = (
            {*reference, *quantity, _ANY_UNIT} if reference or quantity else None
        )
        self.priced_units = reference

    def best(self, walks: list[_Walk], wanted: float) -> list[tuple[RankKey, Listing]]:
        """Eligible listings of these shelves, enough to hold the ``wanted`` best of them."""
        found: dict[int, tuple[RankKey, Listing]] = {}
        for shelf, skip in walks:
            for unit in self.priced_units:
                row = shelf.priced.get(unit)
                if row is not None:
                    self._take_row(row, unit, skip, wanted, found)
        if len(found) < wanted:
            for shelf, skip in walks:
                for target in self._unpriced(shelf):
                    if target.id in found or (skip is not None and target.place.township == skip):
                        continue
                    key = self._accepts(target, None)
                    if key is not None:
                        found[target.id] = (key, target)
        return list(found.values())

    def other_units(self, walks: list[_Walk]) -> list[tuple[RankKey, Listing]]:
        """Eligible listings of these shelves whose units do not meet the viewer's."""
        found: list[tuple[RankKey, Listing]] = []
        for shelf, skip in walks:
            for units, group in shelf.by_units.items():
                if not self._other(units, group):
                    continue
                for target in group.values():
                    if skip is not None and target.place.township == skip:
                        continue
                    key = assess(self.viewer, target, self.now, self.distance)
                    if key is not None:
                        found.append((key, target))
        return found

    def _other(self, units: _Units, group: dict[int, Listing]) -> bool:
        other = self.other.get(units)
        if other is None:
            target = next(iter(group.values()))
            viewer = self.viewer
            need, offer = (viewer, target) if viewer.kind == "need" else (target, viewer)
            other = self.other[units] = basis(need, offer) == "other_unit"
        return other

    def _take_row(
        self,
        row: _Row,
        unit: str,
        skip: str | None,
        wanted: float,
        found: dict[int, tuple[RankKey, Listing]],
    ) -> None:
        """Walk a row's eligible prefix until ``wanted`` listings and their price ties are in."""
        end = bisect_right(row.values, self.bounds[unit])
        taken = 0
        last_value = math.inf
        for i in range(end):
            value = row.values[i]
            if taken >= wanted and value > last_value:
                break
            target = row.listings[i]
            if skip is not None and target.place.township == skip:
                continue
            # A listing priced in several units is taken in the one it is compared in.
            key = self._accepts(target, unit)
            if key is not None:
                found[target.id] = (key, target)
                taken += 1
                last_value = value

    def _unpriced(self, shelf: _Shelf) -> Iterator[Listing]:
        if self.unpriced_units is None:
            for row in shelf.priced.values():
                yield from row.listings
            for listings in shelf.unpriced.values():
                yield from listings.values()
            return
        for unit in self.unpriced_units:
            listings = shelf.unpriced.get(unit)
            if listings:
                yield from listings.values()

    def _accepts(self, target: Listing, unit: str | None) -> RankKey | None:
        """The key of an eligible target whose units meet the viewer's, compared on price in
        ``unit`` (None: not comparable on price); None for any other target."""
        quoted = quote(target, self.viewer)
        compared_in = None if quoted is None else quoted[1]
        if compared_in != unit:
            return None
        key = assess_quoted(self.viewer, target, self.now, self.distance, quoted)
        return None if key is None or key[0] else key


def match_all(
    needs: Iterable[Listing],
    offers: Iterable[Listing],
    top_k: int,
    now: float,
    distance: DistanceFn | None = None,
) -> list[Match]:
    """For each need in order, its best ``top_k`` eligible offers, rank 1 first.

    Offers are bucketed by product once, so the work grows with the listings, not
    their pairs. CPU-bound: from the event loop call it through ``asyncio.to_thread``.
    """
    index = MatchIndex(distance)
    index.rebuild(offer for offer in offers if not is_expired(offer, now))
    matches: list[Match] = []
    for need in needs:
        matches.extend(index.matches_for(need, top_k, now))
    return matches
