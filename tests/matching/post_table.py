"""The table of real-looking posts (posts.txt) and how the parser is scored on it.

Shared by the table test and ``benchmarks/parser_accuracy.py``. Expected quantities and
prices are written as a person reads them (5000斤, 0.8元/斤) and converted here with a
table of our own, so the parser's unit code is not its own judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("posts.txt")
REFERENCE_DAY = date(2022, 5, 2)
FIELDS = (
    "ok", "kind", "product", "quantity", "unit", "price", "price_unit",
    "city", "county", "township", "phone", "valid_until",
)  # fmt: skip
_KG = {"斤": 0.5, "两": 0.05, "公斤": 1.0, "千克": 1.0, "吨": 1000.0}
_AMOUNT = re.compile(r"^(?P<n>\d+(?:\.\d+)?)(?P<u>.+)$")
_PRICE = re.compile(r"^(?P<n>\d+(?:\.\d+)?)元/(?P<u>.+)$")


@dataclass(frozen=True, slots=True)
class Post:
    line: int
    text: str
    expected: dict[str, Any]
    known_miss: bool


def _none(value: str) -> str | None:
    return None if value == "-" else value


def _amount(written: str) -> tuple[float | None, str | None]:
    if written == "-":
        return None, None
    m = _AMOUNT.match(written)
    assert m, written
    n, unit = float(m["n"]), m["u"]
    return (n * _KG[unit], "kg") if unit in _KG else (n, unit)


def _price(written: str) -> tuple[float | None, str | None]:
    if written == "-":
        return None, None
    m = _PRICE.match(written)
    assert m, written
    n, unit = float(m["n"]), m["u"]
    return (n / _KG[unit], "kg") if unit in _KG else (n, unit)


def _place(written: str) -> tuple[str | None, str | None, str | None]:
    if written == "-":
        return None, None, None
    if written.startswith("@"):
        return written[1:] or None, None, None
    if written == "平顶山市":
        return "平顶山市", None, None
    county, _, township = written.partition("/")
    return "平顶山市", county, township or None


def load_posts() -> list[Post]:
    posts = []
    for number, raw in enumerate(TABLE.read_text("utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        known_miss = raw.rstrip().endswith("!miss")
        parts = [p.strip() for p in raw.removesuffix("!miss").split("||")]
        assert len(parts) == 8, f"line {number}: {raw}"
        text, kind, product, qty, price, place, phone, valid = parts
        quantity, unit = _amount(qty)
        price_value, price_unit = _price(price)
        city, county, township = _place(place)
        expected = {
            "ok": product != "-" and quantity is not None,
            "kind": _none(kind),
            "product": _none(product),
            "quantity": quantity,
            "unit": unit,
            "price": price_value,
            "price_unit": price_unit,
            "city": city,
            "county": county,
            "township": township,
            "phone": _none(phone),
            "valid_until": _none(valid),
        }
        posts.append(Post(number, text, expected, known_miss))
    return posts


def field_matches(expected: Any, got: Any) -> bool:
    if isinstance(expected, float) and isinstance(got, int | float) and not isinstance(got, bool):
        return abs(expected - got) <= 1e-6 * max(1.0, abs(expected))
    return expected == got


def wrong_fields(post: Post, result: dict[str, Any]) -> list[str]:
    return [f for f in FIELDS if not field_matches(post.expected[f], result[f])]
