"""The basket of necessities monitored every day (监测品种) and the price alert rules.

Both are policy tables a city may override (``basket.json``, ``price_alerts.json`` in
``FARMDOCK_POLICY_DIR``). A basket item is a catalogue product with its specification
and the unit its price is quoted in: ``500g``, ``kg``, ``5L``, ``L``, ``250ml`` or a count
unit (``袋``, ``个`` …), as the Ministry of Commerce's reports quote them (元/500克, 元/5升).
Pure data access: read once per override directory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.matching import policy
from bot.matching.catalogue import CATEGORIES, get_catalogue
from bot.matching.units import COUNT_UNITS

BASKET_FILE = "basket.json"
ALERTS_FILE = "price_alerts.json"

# A measured unit: its dimension and how many grams or millilitres it holds.
MEASURED_UNITS: dict[str, tuple[str, float]] = {
    "500g": ("weight", 500.0), "kg": ("weight", 1000.0),
    "5L": ("volume", 5000.0), "L": ("volume", 1000.0), "250ml": ("volume", 250.0),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class BasketItem:
    """One monitored item: ``plausible`` is the price range per ``unit`` (yuan, ends in)."""

    product: str
    category: str
    spec: str
    unit: str
    low: float
    high: float

    @property
    def dimension(self) -> str:
        """``weight``, ``volume`` or ``count``."""
        return MEASURED_UNITS[self.unit][0] if self.unit in MEASURED_UNITS else "count"

    @property
    def amount(self) -> float:
        """Grams or millilitres in one ``unit`` (1 for a count unit)."""
        return MEASURED_UNITS[self.unit][1] if self.unit in MEASURED_UNITS else 1.0

    def plausible(self, price: float) -> bool:
        return math.isfinite(price) and self.low <= price <= self.high


@dataclass(frozen=True, slots=True)
class Basket:
    items: tuple[BasketItem, ...]

    def get(self, product: str) -> BasketItem | None:
        return next((i for i in self.items if i.product == product), None)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(c for c in CATEGORIES if any(i.category == c for i in self.items))


@dataclass(frozen=True, slots=True)
class AlertRule:
    """A rise of ``threshold_pct`` or more over ``days`` days, for items of ``categories``."""

    rule: str
    days: int
    threshold_pct: float
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    rules: tuple[AlertRule, ...]
    escalate_counties: int

    def rules_for(self, category: str) -> tuple[AlertRule, ...]:
        return tuple(r for r in self.rules if category in r.categories)


def _fail(where: str, problem: str) -> policy.PolicyError:
    return policy.PolicyError(f"policy file {where}: {problem}")


def basket_from(data: Any, where: str = BASKET_FILE) -> Basket:
    """The basket in ``data`` (the parsed file); PolicyError naming ``where`` and the row."""
    rows = data.get("items") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise _fail(where, '"items" must be a non-empty list')
    catalogue = get_catalogue()
    items: list[BasketItem] = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise _fail(where, f"item {number}: not an object")
        product, unit, plausible = row.get("product"), row.get("unit"), row.get("plausible")
        problem = None
        if not isinstance(product, str) or catalogue.get(product) is None:
            problem = f"unknown product {product!r}"
        elif any(i.product == product for i in items):
            problem = f"{product} twice"
        elif row.get("category") not in CATEGORIES:
            problem = f"category {row.get('category')!r} is not one of {', '.join(CATEGORIES)}"
        elif unit not in MEASURED_UNITS and unit not in COUNT_UNITS:
            problem = f"unit {unit!r} is not 500g, kg, 5L, L, 250ml or a count unit"
        elif not (
            isinstance(plausible, list) and len(plausible) == 2
            and all(isinstance(x, int | float) and not isinstance(x, bool) for x in plausible)
            and 0 < plausible[0] < plausible[1]
        ):
            problem = "plausible must be [low, high] with 0 < low < high"
        if problem is not None:
            raise _fail(where, f"item {number}: {problem}")
        items.append(BasketItem(product, row["category"], str(row.get("spec", "")), unit,
                                float(plausible[0]), float(plausible[1])))
    return Basket(tuple(items))


def alert_policy_from(data: Any, where: str = ALERTS_FILE) -> AlertPolicy:
    """The alert rules in ``data``; PolicyError naming ``where`` and the bad rule."""
    rows = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise _fail(where, '"rules" must be a list')
    rules: list[AlertRule] = []
    for number, row in enumerate(rows, start=1):
        ok = (
            isinstance(row, dict) and isinstance(row.get("rule"), str) and row["rule"]
            and isinstance(row.get("days"), int) and not isinstance(row["days"], bool)
            and 1 <= row["days"] <= 30
            and isinstance(row.get("threshold_pct"), int | float)
            and not isinstance(row["threshold_pct"], bool) and row["threshold_pct"] > 0
            and isinstance(row.get("categories"), list)
            and all(c in CATEGORIES for c in row["categories"])
        )
        if not ok:
            raise _fail(where, f"rule {number}: needs rule, days (1-30), threshold_pct > 0 "
                               "and categories from the catalogue's")
        rules.append(AlertRule(row["rule"], row["days"], float(row["threshold_pct"]),
                               tuple(row["categories"])))
    escalate = data.get("escalate_counties", 2)
    if isinstance(escalate, bool) or not isinstance(escalate, int) or escalate < 1:
        raise _fail(where, "escalate_counties must be a whole number of at least 1")
    return AlertPolicy(tuple(rules), escalate)


def read_basket(folder: Path | None) -> Basket:
    return basket_from(policy.load_policy(BASKET_FILE, folder),
                       policy.source_of(BASKET_FILE, folder))


def read_alert_policy(folder: Path | None) -> AlertPolicy:
    return alert_policy_from(policy.load_policy(ALERTS_FILE, folder),
                             policy.source_of(ALERTS_FILE, folder))


_basket = cache(read_basket)
_alerts = cache(read_alert_policy)


def get_basket() -> Basket:
    """The basket in force (the override directory's ``basket.json`` if it has one)."""
    return _basket(policy.directory())


def get_alert_policy() -> AlertPolicy:
    """The alert rules in force (the override directory's ``price_alerts.json`` if any)."""
    return _alerts(policy.directory())
