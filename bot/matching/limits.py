"""Plausible ranges of a listing's numbers, from the policy table ``limits.json``.

A quantity is more than 0 and at most ``max_weight_tonnes`` for a weight (kept in
kilograms after parsing) or ``max_count`` of a count unit (箱, 只 …). A price is more
than 0 and at most ``max_yuan_per_kg`` per kilogram or ``max_yuan_per_count_unit`` per
count unit; the one price of 0 is a donation (免费, bound ``"free"``). NaN and the
infinities are never plausible. The parser, the guided steps, ``/mine`` edits and the
CLI all read numbers through the parser, which checks them here; publishing checks
again, and the database refuses non-finite numbers as the last line of defence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.matching import policy
from bot.matching.model import WEIGHT_UNIT

POLICY_FILE = "limits.json"
KG_PER_TONNE = 1000.0


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds (every lower bound is 0, excluded)."""

    max_kg: float
    max_count: float
    max_price_per_kg: float
    max_price_per_count: float

    def max_quantity(self, unit: str | None) -> float:
        return self.max_kg if unit == WEIGHT_UNIT else self.max_count

    def max_price(self, unit: str | None) -> float:
        return self.max_price_per_kg if unit == WEIGHT_UNIT else self.max_price_per_count

    def quantity_ok(self, amount: float, unit: str | None) -> bool:
        """A normalised amount (kg for weights) within its range."""
        return math.isfinite(amount) and 0 < amount <= self.max_quantity(unit)

    def price_ok(self, price: float, unit: str | None, bound: str | None = None) -> bool:
        """A normalised price (per kg for weights) within its range; 0 only as a donation."""
        if bound == "free":
            return price == 0
        return math.isfinite(price) and 0 < price <= self.max_price(unit)

    def implausible(
        self, quantity: float | None, unit: str | None, price: float | None,
        price_unit: str | None, price_bound: str | None, pack_amount: float | None = None,
    ) -> str | None:
        """The first field of a listing outside its range (``"quantity"``, ``"price"``,
        ``"pack"``), or None when every number given is plausible."""
        if quantity is not None and not self.quantity_ok(quantity, unit):
            return "quantity"
        if price is not None and not self.price_ok(price, price_unit, price_bound):
            return "price"
        if pack_amount is not None and not (math.isfinite(pack_amount) and pack_amount > 0):
            return "pack"
        return None


def limits_from(data: Any, where: str) -> Limits:
    """The limits a parsed ``limits.json`` states; PolicyError naming ``where`` if malformed."""
    keys = (("quantity", "max_weight_tonnes"), ("quantity", "max_count"),
            ("price", "max_yuan_per_kg"), ("price", "max_yuan_per_count_unit"))
    values = []
    for section, key in keys:
        try:
            value = float(data[section][key])
        except (KeyError, TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise policy.PolicyError(
                f"policy file {where}: {section}.{key} must be a positive number"
            )
        values.append(value)
    max_t, max_count, per_kg, per_count = values
    return Limits(max_t * KG_PER_TONNE, max_count, per_kg, per_count)


def read_limits(folder: Path | None) -> Limits:
    """The limits with overrides from ``folder`` (its ``limits.json`` if it has one), read now."""
    data = policy.load_policy(POLICY_FILE, folder)
    return limits_from(data, policy.source_of(POLICY_FILE, folder))


_cached_limits = cache(read_limits)


def get_limits() -> Limits:
    """The limits in force (the override directory's ``limits.json`` if it has one)."""
    return _cached_limits(policy.directory())
