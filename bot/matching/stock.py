"""Days of stock (可销售天数) of one store's item, its status, and what a shortage needs.

Days of stock on day D = the stock reported for D ÷ the average daily sales over the last
7 reported days up to and including D, leaving out the days on which the store was sold
out of the item (the OpenLMIS way: a stock-out must not make demand look low). A
``daily_average`` figure counts as that day's sales, a ``today`` figure is that day's
sales. With fewer than 3 reported days, the latest sales figure is the average. Days
without a sales figure count for nothing.

Stock and sales in different units are converted by the product's pack size (a 箱 of
鸡蛋 is 22.5 kg) when one is known; a day whose sales cannot be converted counts for
nothing, and when no day is left the status is 无法换算 with the reason.

Status, from the category's target and emergency level in days (``survey_targets.json``):
断货 when the stock is zero; 无销量 when no sales figure is known (no division); 告急 at or
below the emergency level; 偏紧 below the target; 充足 at or above it (also when the
average sales are zero). The quantity a shortage needs is what brings the stock back to
the target: target days × average daily sales − stock. Pure: no clock, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

from bot.matching import policy
from bot.matching.model import WEIGHT_UNIT, PackSize

TARGETS_FILE = "survey_targets.json"
WINDOW_DAYS = 7
SHORT_HISTORY = 3
Status = Literal["充足", "偏紧", "告急", "断货", "无销量", "无法换算"]
STATUSES: tuple[Status, ...] = ("断货", "告急", "偏紧", "充足", "无销量", "无法换算")
_DAY = attrgetter("day")
# Worse first: what "偏紧 or worse" means.
SHORT_STATUSES: tuple[Status, ...] = ("偏紧", "告急", "断货")
URGENT_STATUSES: tuple[Status, ...] = ("告急", "断货")


@dataclass(frozen=True, slots=True)
class Target:
    """Days of stock a category should hold, and the emergency level at or below which it
    is 告急."""

    target_days: float
    emergency_days: float


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One day's report of one item (weights in kg, count units as written)."""

    day: date
    stock: float
    stock_unit: str
    sales: float | None
    sales_unit: str | None


@dataclass(frozen=True, slots=True)
class StockDays:
    """Day D's days of stock of one item: the figures it rests on, and its status."""

    product: str
    day: date
    stock: float
    stock_unit: str
    avg_daily_sales: float | None  # in the stock's unit
    days_of_stock: float | None
    status: Status
    reason: str | None = None  # why 无法换算

    def to_json(self) -> dict[str, Any]:
        return {"product": self.product, "stock": self.stock, "stock_unit": self.stock_unit,
                "avg_daily_sales": _tidy(self.avg_daily_sales),
                "days_of_stock": _tidy(self.days_of_stock), "status": self.status}


def _tidy(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def targets_from(data: Any, where: str = TARGETS_FILE) -> dict[str, Target]:
    """Targets by survey category of a parsed ``survey_targets.json``; PolicyError naming
    ``where`` and the category when a value is not a positive number or the emergency
    level is not below the target."""
    categories = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(categories, dict) or not categories:
        raise policy.PolicyError(f'policy file {where}: "categories" must be an object')
    found: dict[str, Target] = {}
    for name, row in categories.items():
        values = [row.get(k) if isinstance(row, dict) else None
                  for k in ("target_days", "emergency_days")]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0
                   for v in values):
            raise policy.PolicyError(f"policy file {where} category {name}: target_days and "
                                     "emergency_days must be positive numbers")
        target, emergency = (float(v) for v in values)  # type: ignore[arg-type]
        if emergency >= target:
            raise policy.PolicyError(f"policy file {where} category {name}: emergency_days "
                                     "must be below target_days")
        found[str(name)] = Target(target, emergency)
    return found


def read_targets(folder: Path | None) -> dict[str, Target]:
    """The targets in force with overrides from ``folder``; PolicyError if malformed."""
    return targets_from(policy.load_policy(TARGETS_FILE, folder),
                        policy.source_of(TARGETS_FILE, folder))


_cached_targets = cache(read_targets)


def get_targets() -> dict[str, Target]:
    """The targets in force by survey category (the override directory's file if any)."""
    return _cached_targets(policy.directory())


def convert(amount: float, unit: str, to_unit: str,
            packs: Sequence[PackSize]) -> float | None:
    """``amount`` of ``unit`` in ``to_unit`` by one of the product's packs; None when none
    relates the two units."""
    if unit == to_unit:
        return amount
    for pack in packs:
        if pack.package_unit == unit and pack.amount_unit == to_unit:
            return amount * pack.amount
        if pack.package_unit == to_unit and pack.amount_unit == unit:
            return amount / pack.amount
    return None


def _unit_name(unit: str) -> str:
    return "公斤" if unit == WEIGHT_UNIT else unit


# The sales figures of the days an average is taken over, by unit: unit → (sum, days).
SalesSums = Mapping[str, tuple[float, int]]


def considered_sales(history: Sequence[DayFigures], day: date
                     ) -> tuple[DayFigures, dict[str, tuple[float, int]]] | None:
    """Day ``day``'s report and the sales the average is taken over (see the module
    docstring), summed by unit; None when the item was not reported that day."""
    reported = sorted((h for h in history if h.day <= day), key=_DAY)
    if not reported or reported[-1].day != day:
        return None
    today = reported[-1]
    window = reported[-WINDOW_DAYS:]
    if len(reported) >= SHORT_HISTORY:
        considered = [h for h in window if h.stock > 0] or window
    else:
        considered = [next((h for h in reversed(reported) if h.sales is not None), today)]
    sums: dict[str, tuple[float, int]] = {}
    for figures in considered:
        if figures.sales is not None and figures.sales_unit is not None:
            total, count = sums.get(figures.sales_unit, (0.0, 0))
            sums[figures.sales_unit] = (total + figures.sales, count + 1)
    return today, sums


def days_of_stock(product: str, history: Sequence[DayFigures], day: date, target: Target,
                  packs: Sequence[PackSize] = ()) -> StockDays | None:
    """Day ``day``'s days of stock and status from the item's reported days (any order);
    None when the item was not reported that day."""
    found = considered_sales(history, day)
    if found is None:
        return None
    today, sums = found
    return stock_status(product, day, today.stock, today.stock_unit, sums, target, packs)


def stock_status(product: str, day: date, stock: float, stock_unit: str, sums: SalesSums,
                 target: Target, packs: Sequence[PackSize] = ()) -> StockDays:
    """The status of ``stock`` against the average of the sales ``sums`` (by unit),
    converted to the stock's unit by the packs; the days whose unit cannot be converted
    count for nothing."""
    total, days_counted = 0.0, 0
    reason: str | None = None
    for unit in sorted(sums):
        amount, count = sums[unit]
        value = convert(amount, unit, stock_unit, packs)
        if value is None:
            reason = reason or (
                f"库存按{_unit_name(stock_unit)}、销量按{_unit_name(unit)}，"
                f"不知道每{_unit_name(_package(stock_unit, unit))}"
                f"有多少{_unit_name(_content(stock_unit, unit))}")
            continue
        total += value
        days_counted += count
    average = total / days_counted if days_counted else None
    status: Status
    days: float | None = None
    if stock <= 0:
        status, days = "断货", (0.0 if average else None)
    elif average is None:
        status = "无法换算" if reason else "无销量"
    elif average <= 0:
        status = "充足"
    else:
        days = stock / average
        status = status_of(days, target)
    return StockDays(product, day, stock, stock_unit, average, days, status,
                     reason if status == "无法换算" else None)


def _package(a: str, b: str) -> str:
    """Of two units, the one that holds the other (a package before a weight or a count)."""
    from bot.matching.units import PACKAGE_UNITS

    return a if a in PACKAGE_UNITS else b


def _content(a: str, b: str) -> str:
    return b if _package(a, b) == a else a


def status_of(days: float, target: Target) -> Status:
    """The status of ``days`` of stock (stock above zero) against ``target``."""
    days = round(days, 6)  # 7.0000000001 of a unit conversion is 7 days
    if days <= target.emergency_days:
        return "告急"
    if days < target.target_days:
        return "偏紧"
    return "充足"


def shortfall(result: StockDays, target: Target) -> float | None:
    """What brings the stock back to the target, in the stock's unit (whole units up);
    None when nothing is short or the sales are not known."""
    if result.avg_daily_sales is None or result.avg_daily_sales <= 0:
        return None
    missing = target.target_days * result.avg_daily_sales - result.stock
    if round(missing, 6) <= 0:
        return None
    return float(math.ceil(round(missing, 6)))
