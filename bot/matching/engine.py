"""The matching policy: which (need, offer) pairs are eligible, and how they rank.

Pure functions over :class:`~bot.matching.model.Listing`; no clock (``now`` is passed
in, POSIX seconds) and no I/O except that the default distance function loads the
gazetteer once.

Eligible pair
    Same canonical product (the parser maps varieties and aliases to it; a related
    substitute is a different product), both unexpired at ``now``, quantities in
    comparable units (see :mod:`bot.matching.pricing`), and the offer's price within
    the need's cap when both name a figure.

Ranking, as seen by the listing being matched (the *viewer*)
    1. Tier: 0 same township, 1 same county-level unit, 2 elsewhere in the city,
       3 outside the city (either side outside). A missing township is never "same
       township"; a missing county puts the pair in tier 2 with an unknown distance,
       ranked after every known distance.
    2. In tier 2, the nearer county centre first.
    3. Price: a need prefers the cheaper offer, an offer the need paying more. A
       listing without a figure (面议), or one whose figure cannot be converted to
       the viewer's units, comes after the priced ones at the same distance.
    4. Coverage: a need prefers the offer covering more of it; an offer, the need
       taking more of it (both capped at 100 %).
    5. The newer listing, then the id, so the order is total and deterministic.

The score shown to users lies in [0, 1], in disjoint bands per tier, and never rises
with rank for the viewer's list (see :func:`to_matches`).

For the bot: :func:`match_all` is CPU-bound batch work; run it with
``asyncio.to_thread`` (or an executor). Single listings go through
:class:`bot.matching.index.MatchIndex`, whose operations take milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import cache

from bot.matching.model import Listing, Match, Place
from bot.matching.pricing import (
    coverage,
    has_price,
    price_for,
    quantities_comparable,
    within_cap,
)

DistanceFn = Callable[[str, str], float]
# (tier, distance, unpriced, price value, -coverage, -created_at, id): smaller ranks first.
RankKey = tuple[int, float, bool, float, float, float, str]

TIER_SAME_TOWNSHIP = 0
TIER_SAME_COUNTY = 1
TIER_CITY = 2
TIER_OUTSIDE = 3

_TIER_BAND = 0.25
# Distance at which the in-tier distance penalty reaches one half.
_DISTANCE_SCALE_KM = 50.0


def city_distance() -> DistanceFn:
    """County-centre distances from the city gazetteer, cached; unknown names are infinitely far."""
    from bot.matching.regions import get_gazetteer

    return cached_distance(get_gazetteer().distance_km)


def cached_distance(distance: DistanceFn) -> DistanceFn:
    """Wrap a county distance function: memoised, and ``inf`` for a pair it does not know."""

    @cache
    def lookup(county_a: str, county_b: str) -> float:
        try:
            return float(distance(county_a, county_b))
        except (KeyError, ValueError):
            return math.inf

    return lookup


def is_expired(listing: Listing, now: float) -> bool:
    """True once the listing's validity has passed."""
    return listing.expires_at is not None and listing.expires_at <= now


def is_eligible(need: Listing, offer: Listing, now: float) -> bool:
    """Whether ``offer`` may be proposed for ``need`` at ``now`` (see the module docstring)."""
    return (
        need.kind == "need"
        and offer.kind == "offer"
        and need.product == offer.product
        and not is_expired(need, now)
        and not is_expired(offer, now)
        and quantities_comparable(need, offer)
        and within_cap(need, offer)
    )


def eligible_for(viewer: Listing, target: Listing, now: float) -> bool:
    """:func:`is_eligible` with the two listings in either order."""
    if viewer.kind == "need":
        return is_eligible(viewer, target, now)
    return is_eligible(target, viewer, now)


def tier_of(a: Place, b: Place, distance: DistanceFn) -> tuple[int, float]:
    """The proximity tier of two places and, in the city tier, the county-centre distance."""
    if a.outside or b.outside:
        return TIER_OUTSIDE, math.inf
    if a.county is not None and a.county == b.county:
        if a.township is not None and a.township == b.township:
            return TIER_SAME_TOWNSHIP, 0.0
        return TIER_SAME_COUNTY, 0.0
    if a.county is None or b.county is None:
        return TIER_CITY, math.inf
    return TIER_CITY, distance(a.county, b.county)


def rank_key(viewer: Listing, target: Listing, distance: DistanceFn) -> RankKey:
    """The sort key of ``target`` in ``viewer``'s list; smaller is better."""
    tier, km = tier_of(viewer.place, target.place, distance)
    quoted = price_for(target, viewer)
    value = 0.0 if quoted is None else quoted[1]
    # A buyer wants the lowest asking price, a seller the highest cap.
    if viewer.kind == "offer":
        value = -value
    return (
        tier,
        km,
        quoted is None,
        value,
        -coverage(target, viewer),
        -target.created_at,
        target.id,
    )


def _price_ratio(viewer: Listing, target: Listing) -> float | None:
    """The offer's price over the need's cap in [0, 1], when both are known."""
    if not has_price(viewer):
        return None
    quoted = price_for(target, viewer)
    if quoted is None or quoted[1] <= 0 or viewer.price is None:
        return None
    ratio = quoted[1] / viewer.price if viewer.kind == "need" else viewer.price / quoted[1]
    return min(1.0, max(0.0, ratio))


def raw_score(viewer: Listing, target: Listing, key: RankKey) -> float:
    """A display score from the pair alone: the tier picks a band, the rest a place in it."""
    tier, km, unpriced, _, neg_coverage, _, _ = key
    far = 0.0 if tier != TIER_CITY else 1.0 if math.isinf(km) else km / (km + _DISTANCE_SCALE_KM)
    ratio = _price_ratio(viewer, target)
    # Unknown ratios sit between a cheap known price and an unpriced listing.
    dear = 1.0 if unpriced else 0.75 if ratio is None else ratio
    penalty = 0.5 * far + 0.35 * dear + 0.15 * (1.0 + neg_coverage)
    return 1.0 - _TIER_BAND * (tier + 0.999 * penalty)


def pair_key(pair: tuple[RankKey, Listing]) -> RankKey:
    """Sort (key, listing) pairs by key alone: listings themselves do not order."""
    return pair[0]


def to_matches(viewer: Listing, ranked: Sequence[tuple[RankKey, Listing]]) -> list[Match]:
    """Turn targets already sorted by key into :class:`Match` rows with rank and score.

    Each score is the pair's raw score, lowered where needed so that scores never
    rise down the list; tier bands are disjoint, so a lowered score stays in its band.
    """
    matches: list[Match] = []
    ceiling = 1.0
    for rank, (key, target) in enumerate(ranked, start=1):
        ceiling = min(ceiling, raw_score(viewer, target, key))
        need, offer = (viewer, target) if viewer.kind == "need" else (target, viewer)
        matches.append(Match(need.id, offer.id, ceiling, rank, key[0]))
    return matches


def rank_candidates(
    viewer: Listing,
    candidates: Iterable[Listing],
    now: float,
    top_k: int | None = None,
    distance: DistanceFn | None = None,
) -> list[Match]:
    """The eligible candidates for ``viewer`` (a need or an offer), best first, at most ``top_k``.

    Looks at every candidate: right for short lists and as the reference the index is
    tested against; the index avoids the scan.
    """
    distance = distance or city_distance()
    keyed = sorted(
        (
            (rank_key(viewer, target, distance), target)
            for target in candidates
            if eligible_for(viewer, target, now)
        ),
        key=pair_key,
    )
    return to_matches(viewer, keyed[:top_k])


def rank_offers_for_need(
    need: Listing,
    offers: Iterable[Listing],
    now: float,
    top_k: int | None = None,
    distance: DistanceFn | None = None,
) -> list[Match]:
    """The eligible offers for a need, best first."""
    return rank_candidates(need, offers, now, top_k, distance)


def rank_needs_for_offer(
    offer: Listing,
    needs: Iterable[Listing],
    now: float,
    top_k: int | None = None,
    distance: DistanceFn | None = None,
) -> list[Match]:
    """The eligible needs for an offer, best first (the same policy, mirrored)."""
    return rank_candidates(offer, needs, now, top_k, distance)


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
    from bot.matching.index import MatchIndex

    index = MatchIndex(distance)
    index.rebuild(offer for offer in offers if not is_expired(offer, now))
    matches: list[Match] = []
    for need in needs:
        matches.extend(index.matches_for(need, top_k, now))
    return matches
