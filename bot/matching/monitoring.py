"""The daily price table (日监测), its alerts, and the checks a report's prices get.

Policy, written once:

- An item's **average** on a day is the mean of the points' prices in the basket's unit
  (a price per count unit, 0.6 元/个, is kept but never averaged with weights); ``min``,
  ``max`` and ``points`` are over the same prices; ``by_county`` is the average of each
  county-level unit's points.
- A **change** over ``k`` days compares only the points that reported the item on both
  days: the mean of their prices today against the mean of their prices ``k`` days
  before, so a cheap market that skips a day does not look like a rise. No common point
  means no change (null).
- An **alert** fires for an item when a rule of its category (``price_alerts.json``:
  rise of ``threshold_pct`` or more over ``days``) holds: for the table's area, and
  for a city table in each county-level unit too. When ``escalate_counties`` or more
  county-level units alert on one item under one rule, the city is alerted
  (rule name ``<rule>:counties``) whatever the city-wide average did.
- A report's price is **suspect** when it is within ±3% of exactly twice or half the
  point's own previous price of the item (the 斤/公斤 mix-up), or outside the item's
  plausible range.

Pure: prices in, figures out; the day is passed in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.matching.basket import AlertPolicy, Basket, BasketItem
from bot.matching.model import CITY_NAME

MIXUP_TOLERANCE = 0.03  # ±3% around exactly 2× or 0.5×
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class PointPrice:
    """One point's current price of one item on one day (ISO date)."""

    day: str
    point_id: int
    county: str
    product: str
    price: float
    price_unit: str


@dataclass(frozen=True, slots=True)
class ItemFigures:
    product: str
    category: str
    unit: str
    avg: float | None
    min: float | None
    max: float | None
    points: int
    change_1d_pct: float | None
    change_7d_pct: float | None
    by_county: dict[str, float]


@dataclass(frozen=True, slots=True)
class Alert:
    product: str
    region: str
    rule: str
    change_pct: float
    county: str | None  # None: the whole city (or the table's own area when not the city)


@dataclass(frozen=True, slots=True)
class PriceTable:
    day: date
    region: str
    items: tuple[ItemFigures, ...]
    alerts: tuple[Alert, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class DayStat:
    """The day's prices of one product in one county (in the basket's unit)."""

    county: str
    product: str
    points: int
    total: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class PairStat:
    """The points of one county that reported one product both on the day and ``days``
    earlier: how many, and the sums of their prices on each day."""

    county: str
    product: str
    days: int
    points: int
    total_now: float
    total_then: float


def offsets_needed(policy: AlertPolicy) -> list[int]:
    """How many days back the changes reach: 1 and 7 for the table, and every rule's."""
    return sorted({1, 7, *(r.days for r in policy.rules)})


def days_needed(day: date, policy: AlertPolicy) -> list[str]:
    """The days a table of ``day`` reads: the day and every offset's."""
    return [(day - timedelta(days=k)).isoformat() for k in [0, *offsets_needed(policy)]]


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value + 0.0, places)


def _change(pairs: Iterable[PairStat]) -> float | None:
    """The change of the mean price over the points in both days, in percent (unrounded)."""
    now = then = 0.0
    any_pair = False
    for p in pairs:
        now, then, any_pair = now + p.total_now, then + p.total_then, True
    if not any_pair or then <= 0:
        return None
    return (now - then) / then * 100


def aggregate(day: date, prices: Sequence[PointPrice], basket: Basket,
              offsets: Sequence[int]) -> tuple[list[DayStat], list[PairStat]]:
    """The figures a table is made of, from single prices (in the basket's unit only)."""
    wanted = {i.product: i.unit for i in basket.items}
    by_day: dict[str, dict[tuple[int, str], float]] = defaultdict(dict)
    county_of: dict[int, str] = {}
    for p in prices:
        if wanted.get(p.product) == p.price_unit:
            by_day[p.day][(p.point_id, p.product)] = p.price
            county_of[p.point_id] = p.county
    today = by_day.get(day.isoformat(), {})
    stats: dict[tuple[str, str], list[float]] = defaultdict(list)
    for (point, product), price in today.items():
        stats[(county_of[point], product)].append(price)
    day_stats = [DayStat(c, product, len(v), sum(v), min(v), max(v))
                 for (c, product), v in stats.items()]
    pair_stats = []
    for k in offsets:
        then = by_day.get((day - timedelta(days=k)).isoformat(), {})
        sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        for key, price in today.items():
            if key in then:
                entry = sums[(county_of[key[0]], key[1])]
                entry[0] += 1
                entry[1] += price
                entry[2] += then[key]
        pair_stats.extend(PairStat(c, product, k, int(n), now, old)
                          for (c, product), (n, now, old) in sums.items())
    return day_stats, pair_stats


def daily_table(
    day: date, prices: Sequence[PointPrice], basket: Basket, policy: AlertPolicy,
    region: str = CITY_NAME,
) -> PriceTable:
    """The table of ``day`` from single prices of the days :func:`days_needed` names, all
    of them in the table's area already (see :func:`table_of`)."""
    day_stats, pair_stats = aggregate(day, prices, basket, offsets_needed(policy))
    return table_of(day, day_stats, pair_stats, basket, policy, region)


def table_of(
    day: date, day_stats: Sequence[DayStat], pair_stats: Sequence[PairStat], basket: Basket,
    policy: AlertPolicy, region: str = CITY_NAME,
) -> PriceTable:
    """The table of ``day`` from the per-county figures of its area. ``region`` is the
    area's label; alerts per county are added when it is the whole city."""
    stats: dict[str, list[DayStat]] = defaultdict(list)
    for st in day_stats:
        stats[st.product].append(st)
    pairs: dict[tuple[str, int], list[PairStat]] = defaultdict(list)
    for pair in pair_stats:
        pairs[(pair.product, pair.days)].append(pair)
    items: list[ItemFigures] = []
    alerts: list[Alert] = []
    for item in basket.items:
        mine = stats.get(item.product, [])
        points = sum(st.points for st in mine)
        avg = sum(st.total for st in mine) / points if points else None
        items.append(ItemFigures(
            product=item.product, category=item.category, unit=item.unit,
            avg=_round(avg, 2),
            min=_round(min(st.low for st in mine), 2) if mine else None,
            max=_round(max(st.high for st in mine), 2) if mine else None,
            points=points,
            change_1d_pct=_round(_change(pairs.get((item.product, 1), [])), 1),
            change_7d_pct=_round(_change(pairs.get((item.product, 7), [])), 1),
            by_county={st.county: round(st.total / st.points, 2)
                       for st in sorted(mine, key=lambda st: st.county)},
        ))
        for rule in policy.rules_for(item.category):
            found = pairs.get((item.product, rule.days), [])
            rise = _change(found)
            if rise is not None and rise >= rule.threshold_pct - _EPSILON:
                alerts.append(Alert(item.product, region, rule.rule, round(rise, 1), None))
            if region != CITY_NAME:
                continue
            alerting: list[Alert] = []
            for pair in sorted(found, key=lambda p: p.county):
                rise = _change([pair])
                if rise is not None and rise >= rule.threshold_pct - _EPSILON:
                    alerting.append(Alert(item.product, pair.county, rule.rule,
                                          round(rise, 1), pair.county))
            alerts.extend(alerting)
            if len(alerting) >= policy.escalate_counties:
                alerts.append(Alert(item.product, region, f"{rule.rule}:counties",
                                    max(a.change_pct for a in alerting), None))
    return PriceTable(day, region, tuple(items), tuple(alerts))


def table_json(table: PriceTable) -> dict[str, object]:
    """The documented JSON of ``farmdock prices table``."""
    return {
        "date": table.day.isoformat(),
        "region": table.region,
        "items": [
            {"product": i.product, "category": i.category, "unit": i.unit, "avg": i.avg,
             "min": i.min, "max": i.max, "points": i.points, "change_1d_pct": i.change_1d_pct,
             "change_7d_pct": i.change_7d_pct, "by_county": dict(i.by_county)}
            for i in table.items
        ],
        "alerts": [{"product": a.product, "region": a.region, "rule": a.rule,
                    "change_pct": a.change_pct} for a in table.alerts],
    }


@dataclass(frozen=True, slots=True)
class Suspect:
    """A price to ask about: ``reason`` is ``mixup`` (2× or 0.5× the last) or ``range``."""

    product: str
    price: float
    unit: str
    reason: str
    previous: float | None = None


def is_mixup(price: float, previous: float) -> bool:
    """Within ±3% of exactly twice or half ``previous``: 斤 read as 公斤, or the reverse."""
    return any(abs(price - previous * k) <= previous * k * MIXUP_TOLERANCE + _EPSILON
               for k in (2.0, 0.5))


def suspects(
    items: Iterable[tuple[str, float, str]], previous: dict[str, tuple[float, str]],
    basket: Basket,
) -> list[Suspect]:
    """The prices of a report to ask about before storing it. ``items`` are (product,
    price, unit); ``previous`` the point's last (price, unit) of each product."""
    found: list[Suspect] = []
    for product, price, unit in items:
        item = basket.get(product)
        last = previous.get(product)
        if last is not None and last[1] == unit and last[0] > 0 and is_mixup(price, last[0]):
            found.append(Suspect(product, price, unit, "mixup", last[0]))
        elif item is not None and unit == item.unit and not item.plausible(price):
            found.append(Suspect(product, price, unit, "range"))
    return found


def per_kg(item: BasketItem, price: float) -> float | None:
    """A monitored price of a weighed item per kilogram (listings' prices are per kg)."""
    if item.dimension != "weight":
        return None
    return price * 1000.0 / item.amount


def listing_price_check(price_per_kg: float, monitored_per_kg: float,
                        ratio: float) -> str | None:
    """How an offer's price per kg stands against the day's monitored average: ``mixup``
    (within ±3% of twice or half: 斤 or 公斤?), ``high`` (``ratio`` times or more), else
    None. The mix-up is asked first: it is the likelier slip."""
    if monitored_per_kg <= 0 or price_per_kg <= 0:
        return None
    if is_mixup(price_per_kg, monitored_per_kg):
        return "mixup"
    if price_per_kg >= monitored_per_kg * ratio - _EPSILON:
        return "high"
    return None
