"""Trade units: weights convert to kilograms, count and package units stay as written.

斤 = 0.5 kg, 两 = 50 g, 公斤 = 千克 = kg, 吨 = 1000 kg, 克 = 1 g, 担 = 50 kg.
"""

from __future__ import annotations

from bot.matching.model import WEIGHT_UNIT

KG_PER_UNIT: dict[str, float] = {
    "斤": 0.5, "市斤": 0.5, "公斤": 1.0, "千克": 1.0, "kg": 1.0,
    "吨": 1000.0, "t": 1000.0, "克": 0.001, "g": 0.001, "两": 0.05, "担": 50.0,
}  # fmt: skip

# Packages hold an amount of something else (每箱360枚, 每袋50斤).
PACKAGE_UNITS: tuple[str, ...] = (
    "箱", "袋", "件", "桶", "盒", "筐", "框", "篓", "车", "包", "提", "板", "捆", "把", "瓶", "罐",
)  # fmt: skip
# Counted things: head of livestock, eggs, fish, pieces, litres, fields.
ITEM_UNITS: tuple[str, ...] = (
    "只", "头", "个", "枚", "条", "颗", "棵", "根", "穗", "羽", "对", "升", "亩",
)  # fmt: skip
COUNT_UNITS: tuple[str, ...] = PACKAGE_UNITS + ITEM_UNITS
# Spellings folded onto one count unit.
_COUNT_ALIASES = {"框": "筐"}


def _alternation(units: tuple[str, ...] | list[str]) -> str:
    # Longest first, so 公斤 is never read as 公 + 斤 and kg never as k + g.
    return "|".join(sorted(units, key=len, reverse=True))


WEIGHT_PATTERN = _alternation(list(KG_PER_UNIT))
PACKAGE_PATTERN = _alternation(PACKAGE_UNITS)
UNIT_PATTERN = _alternation([*KG_PER_UNIT, *COUNT_UNITS])


def is_weight(unit: str) -> bool:
    return unit in KG_PER_UNIT


def normalize_amount(amount: float, unit: str) -> tuple[float, str]:
    """An amount in kilograms for a weight unit, else the amount in its count unit."""
    if unit in KG_PER_UNIT:
        return round(amount * KG_PER_UNIT[unit], 6), WEIGHT_UNIT
    return amount, _COUNT_ALIASES.get(unit, unit)


def normalize_unit_price(price: float, unit: str) -> tuple[float, str]:
    """Yuan per kilogram for a weight unit (0.8 元/斤 → 1.6 元/kg), else yuan per count unit."""
    if unit in KG_PER_UNIT:
        return round(price / KG_PER_UNIT[unit], 4), WEIGHT_UNIT
    return price, _COUNT_ALIASES.get(unit, unit)


def in_jin(kilograms: float) -> float:
    """A weight in 斤, as people say it (25 kg → 50 斤)."""
    return kilograms / KG_PER_UNIT["斤"]


def price_per_jin(price_per_kg: float) -> float:
    """A price per kg as people quote it, per 斤 (1.6 元/kg → 0.8 元/斤)."""
    return price_per_kg * KG_PER_UNIT["斤"]
