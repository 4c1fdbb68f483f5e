"""How a listing reads: quantity in the user's unit and in kg, price per 斤 and per kg."""

from __future__ import annotations

from datetime import date

from bot.matching.units import price_per_jin
from bot.texts.figures import figure
from bot.texts.html import esc

KIND_LABELS = {"offer": "供应", "need": "求购"}
_KG_NAMES = frozenset({"kg", "公斤", "千克"})
_BOUND_SUFFIX = {"max": "以内", "min": "以上", "approx": "左右"}
NEGOTIABLE = "面议"
FREE = "免费（捐赠）"
WHOLE_CITY = "平顶山市"


def number(value: float) -> str:
    """2500, 0.8, 1.25: at most two decimals, no trailing zeros."""
    return figure(value)


STANDING = "长期/量大（未写数量）"


def quantity(
    amount: float | None, unit: str | None, written: float | None, written_unit: str | None
) -> str:
    """5000 斤（2500 公斤）; 300 箱; 2 吨（2000 公斤）."""
    if amount is None or unit is None:
        return STANDING  # a listing stating no quantity stands: 长期收购, 大量有货
    if unit != "kg":
        return f"{number(amount)} {esc(unit)}"
    if written is not None and written_unit and written_unit not in _KG_NAMES:
        return f"{number(written)} {esc(written_unit)}（{number(amount)} 公斤）"
    return f"{number(amount)} 公斤"


def price(value: float | None, unit: str | None, bound: str | None) -> str:
    """0.8 元/斤（1.6 元/公斤）以内; 120 元/箱; 面议; 免费（捐赠）."""
    if value is None or bound == "negotiable":
        return NEGOTIABLE
    if bound == "free":
        return FREE
    suffix = _BOUND_SUFFIX.get(bound or "", "")
    if unit == "kg":
        # Prices are most often quoted per 斤 (half a kilogram).
        return f"{number(price_per_jin(value))} 元/斤（{number(value)} 元/公斤）{suffix}"
    return f"{number(value)} 元/{esc(unit or '件')}{suffix}"


def valid_until(day: date | None, today: date) -> str:
    if day is None:
        return "长期"
    return f"{day.month}月{day.day}日（{(day - today).days}天）"


def place(label: str) -> str:
    return esc(label) if label else WHOLE_CITY
