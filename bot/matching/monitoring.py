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
from statistics import fmean

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


def change_pct(today: dict[int, float], before: dict[int, float]) -> float | None:
    """The change of the mean price over the points in both, in percent (unrounded)."""
    common = today.keys() & before.keys()
    if not common:
        return None
    old = fmean(before[p] for p in common)
    if old <= 0:
        return None
    return (fmean(today[p] for p in common) - old) / old * 100


def _by_point(prices: Iterable[PointPrice]) -> dict[tuple[str, str], dict[int, float]]:
    found: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for p in prices:
        found[(p.day, p.product)][p.point_id] = p.price
    return found


def days_needed(day: date, policy: AlertPolicy) -> list[str]:
    """The days a table of ``day`` reads: the day, the day before, 7 days before and every
    rule's."""
    offsets = {0, 1, 7, *(r.days for r in policy.rules)}
    return [(day - timedelta(days=k)).isoformat() for k in sorted(offsets)]


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value + 0.0, places)


def daily_table(
    day: date, prices: Sequence[PointPrice], basket: Basket, policy: AlertPolicy,
    region: str = CITY_NAME,
) -> PriceTable:
    """The table of ``day`` from the prices of the days :func:`days_needed` names, all of
    them in the table's area already. ``region`` is the area's label; alerts per county
    are added when it is the whole city."""
    wanted: dict[str, BasketItem] = {i.product: i for i in basket.items}
    usable = [p for p in prices if p.product in wanted and p.price_unit == wanted[p.product].unit]
    everywhere = _by_point(usable)
    counties: dict[str, list[PointPrice]] = defaultdict(list)
    for p in usable:
        counties[p.county].append(p)
    per_county = {county: _by_point(rows) for county, rows in counties.items()}
    iso = day.isoformat()

    def before(k: int) -> str:
        return (day - timedelta(days=k)).isoformat()

    items: list[ItemFigures] = []
    alerts: list[Alert] = []
    for item in basket.items:
        today = everywhere.get((iso, item.product), {})
        values = list(today.values())
        county_of = {p.point_id: p.county for p in usable if p.day == iso
                     and p.product == item.product}
        by_county: dict[str, list[float]] = defaultdict(list)
        for point, price in today.items():
            by_county[county_of[point]].append(price)
        items.append(ItemFigures(
            product=item.product, category=item.category, unit=item.unit,
            avg=_round(fmean(values), 2) if values else None,
            min=_round(min(values), 2) if values else None,
            max=_round(max(values), 2) if values else None,
            points=len(values),
            change_1d_pct=_round(change_pct(today, everywhere.get((before(1), item.product),
                                                                   {})), 1),
            change_7d_pct=_round(change_pct(today, everywhere.get((before(7), item.product),
                                                                   {})), 1),
            by_county={c: round(fmean(v), 2) for c, v in sorted(by_county.items())},
        ))
        for rule in policy.rules_for(item.category):
            rise = change_pct(today, everywhere.get((before(rule.days), item.product), {}))
            if rise is not None and rise >= rule.threshold_pct - _EPSILON:
                alerts.append(Alert(item.product, region, rule.rule, round(rise, 1), None))
            if region != CITY_NAME:
                continue
            alerting: list[Alert] = []
            for county in sorted(per_county):
                rows = per_county[county]
                rise = change_pct(rows.get((iso, item.product), {}),
                                  rows.get((before(rule.days), item.product), {}))
                if rise is not None and rise >= rule.threshold_pct - _EPSILON:
                    alerting.append(Alert(item.product, county, rule.rule, round(rise, 1),
                                          county))
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
