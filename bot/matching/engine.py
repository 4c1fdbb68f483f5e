"""The matching policy: which (need, offer) pairs are eligible, and how they rank.

Pure functions over :class:`~bot.matching.model.Listing`; no clock (``now`` is passed
in, POSIX seconds) and no I/O except that the default distance function loads the
gazetteer once and unit comparisons load the catalogue's usual pack sizes once.

Eligible pair
    Same canonical product (the parser maps varieties and aliases to it; a related
    substitute is a different product), both unexpired at ``now``, and the offer's
    price not known to exceed the need's cap. Units decide the pair's *basis*, not
    whether it is proposed (see :mod:`bot.matching.pricing`):

    - ``same_unit``: both quantities (and, when both are priced, both prices) are in
      one unit; two weights are both kilograms.
    - ``pack``: a post's own pack size bridges them (每箱45斤 against 500斤).
    - ``catalogue_pack``: the product's usual pack (``data/packs.json``: 鸡蛋
      每箱约45斤) bridges them, for a side that states no pack of its own (a stated
      pack is never replaced). The estimate is used like a stated pack, for the cap
      too, and both sides are told it is one.
    - ``other_unit``: nothing bridges them (白条鸡 100只 against 500斤). The pair is
      still proposed so that the two sides can talk. A price that cannot be put in
      the other side's unit is not known to exceed the cap, so it does not exclude
      the pair; one that can be and does, excludes it as for any pair. Coverage is
      unknown (counted as none).

Ranking, as seen by the listing being matched (the *viewer*)
    0. Every pair whose units meet (``same_unit``, ``pack``, ``catalogue_pack``)
       before every ``other_unit`` pair, whatever their places: an ``other_unit``
       pair is only a lead. Within each of the two groups, steps 1–5.
    1. Tier: 0 same township, 1 same county-level unit, 2 elsewhere in the city,
       3 outside the city (either side outside). A missing township is never "same
       township"; a missing county puts the pair in tier 2 with an unknown distance,
       ranked after every known distance.
    2. In tier 2, the nearer county centre first.
    3. Price: a need prefers the cheaper offer, an offer the need paying more. A
       listing without a figure (面议), or one whose figure cannot be converted to
       the viewer's units, comes after the priced ones at the same distance.
    4. Coverage: a need prefers the offer covering more of it; an offer, the need
       taking more of it (both capped at 100 %). A standing listing (长期, 量大: no
       quantity stated) comes after every one that states a quantity.
    5. The newer listing, then the id, so the order is total and deterministic.

The score shown to users lies in [0, 1], in disjoint bands of width 1/8: the four
tiers of pairs whose units meet from the top, then the four tiers of ``other_unit``
pairs; it never rises with rank for the viewer's list (see :func:`to_matches`).

For the bot: :func:`bot.matching.index.match_all` is CPU-bound batch work; run it with
``asyncio.to_thread`` (or an executor). Single listings go through
:class:`bot.matching.index.MatchIndex`, whose operations take milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import cache

from bot.matching.model import Listing, Match, Place
from bot.matching.pricing import (
    OTHER_UNIT,
    Quote,
    basis,
    coverage,
    has_price,
    level_with_ask,
    pair_level,
    price_for,
    quote,
)

DistanceFn = Callable[[str, str], float]
# (other_unit, tier, distance, unpriced, price value, -coverage or STANDING, -created_at, id):
# smaller ranks first.
RankKey = tuple[bool, int, float, bool, float, float, float, int]

# The coverage entry of a standing target: after every stated quantity (-1 … 0).
STANDING = 0.5

TIER_SAME_TOWNSHIP = 0
TIER_SAME_COUNTY = 1
TIER_CITY = 2
TIER_OUTSIDE = 3

# Four tiers of pairs whose units meet, then the same four tiers of other_unit pairs.
_BANDS = 8
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


def _open_pair(need: Listing, offer: Listing, now: float) -> bool:
    return (
        need.kind == "need"
        and offer.kind == "offer"
        and need.product == offer.product
        and not is_expired(need, now)
        and not is_expired(offer, now)
    )


def is_eligible(need: Listing, offer: Listing, now: float) -> bool:
    """Whether ``offer`` may be proposed for ``need`` at ``now`` (see the module docstring)."""
    return _open_pair(need, offer, now) and pair_level(need, offer) is not None


def assess(viewer: Listing, target: Listing, now: float, distance: DistanceFn) -> RankKey | None:
    """The sort key of ``target`` in ``viewer``'s list, or None when the pair is not eligible."""
    return assess_quoted(viewer, target, now, distance, quote(target, viewer))


def assess_quoted(
    viewer: Listing, target: Listing, now: float, distance: DistanceFn, quoted: Quote | None
) -> RankKey | None:
    """:func:`assess` for a caller that has ``quote(target, viewer)`` already."""
    if viewer.kind == "need":
        if not _open_pair(viewer, target, now):
            return None
        # A need's quote of the offer is the asking price in its own terms.
        level = level_with_ask(viewer, target, quoted)
    else:
        if not _open_pair(target, viewer, now):
            return None
        level = pair_level(target, viewer)
    if level is None:
        return None
    return rank_key(viewer, target, distance, level == OTHER_UNIT, quoted)


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


def rank_key(
    viewer: Listing, target: Listing, distance: DistanceFn, other_unit: bool,
    quoted: Quote | None,
) -> RankKey:
    """The sort key of ``target`` in ``viewer``'s list; smaller is better.

    ``other_unit``: the pair's units do not meet (its basis is ``other_unit``);
    ``quoted``: ``quote(target, viewer)``.
    """
    tier, km = tier_of(viewer.place, target.place, distance)
    value = 0.0 if quoted is None else quoted[2]
    # A buyer wants the lowest asking price, a seller the highest cap.
    if viewer.kind == "offer":
        value = -value
    return (
        other_unit,
        tier,
        km,
        quoted is None,
        value,
        STANDING if target.quantity is None else -coverage(target, viewer),
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
    """A display score from the pair alone: basis and tier pick a band, the rest a place in it."""
    other_unit, tier, km, unpriced, _, neg_coverage, _, _ = key
    far = 0.0 if tier != TIER_CITY else 1.0 if math.isinf(km) else km / (km + _DISTANCE_SCALE_KM)
    ratio = _price_ratio(viewer, target)
    # Unknown ratios sit between a cheap known price and an unpriced listing.
    dear = 1.0 if unpriced else 0.75 if ratio is None else ratio
    penalty = 0.5 * far + 0.35 * dear + 0.15 * (1.0 + min(neg_coverage, 0.0))
    band = tier + (4 if other_unit else 0)
    return 1.0 - (band + 0.999 * penalty) / _BANDS


def pair_key(pair: tuple[RankKey, Listing]) -> RankKey:
    """Sort (key, listing) pairs by key alone: listings themselves do not order."""
    return pair[0]


def to_matches(viewer: Listing, ranked: Sequence[tuple[RankKey, Listing]]) -> list[Match]:
    """Turn targets already sorted by key into :class:`Match` rows with rank and score.

    Each score is the pair's raw score, lowered where needed so that scores never
    rise down the list; bands are disjoint, so a lowered score stays in its band.
    """
    matches: list[Match] = []
    ceiling = 1.0
    for rank, (key, target) in enumerate(ranked, start=1):
        ceiling = min(ceiling, raw_score(viewer, target, key))
        need, offer = (viewer, target) if viewer.kind == "need" else (target, viewer)
        matches.append(Match(need.id, offer.id, ceiling, rank, key[1], basis(need, offer)))
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
    keyed = []
    for target in candidates:
        key = assess(viewer, target, now, distance)
        if key is not None:
            keyed.append((key, target))
    keyed.sort(key=pair_key)
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
