"""The table of real-looking posts (posts.txt) and how the parser is scored on it.

Shared by the table test and ``benchmarks/parser_accuracy.py``. Expected quantities and
prices are written as a person reads them (5000斤, 0.8元/斤) and converted here with a
table of our own, so the parser's unit code is not its own judge.

A post may hold several listings (product, quantity and price split by ``;``), a standing
listing (quantity ``长期``), and a ninth column of flags: ``not=question`` (not a listing)
and ``role=buyer`` (the poster's role). A post is scored listing by listing against the
``listings`` of ``farmdock parse``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.matching.parser import parse_listings, post_to_json

TABLE = Path(__file__).with_name("posts.txt")
REFERENCE_DAY = date(2022, 5, 2)
FIELDS = (
    "ok", "kind", "product", "quantity", "unit", "price", "price_unit",
    "city", "county", "township", "phone", "valid_until", "standing",
)  # fmt: skip
# What is checked of a post that is not a listing (a question, a greeting …).
NOT_LISTING_FIELDS = ("ok", "not_listing")
STANDING = "长期"
_KG = {"斤": 0.5, "两": 0.05, "公斤": 1.0, "千克": 1.0, "吨": 1000.0}
_AMOUNT = re.compile(r"^(?P<n>\d+(?:\.\d+)?)(?P<u>.+)$")
_PRICE = re.compile(r"^(?P<n>\d+(?:\.\d+)?)元/(?P<u>.+)$")


@dataclass(frozen=True, slots=True)
class Post:
    line: int
    text: str
    # One expected listing per product; a post that is no listing has one, with not_listing.
    listings: tuple[dict[str, Any], ...]
    not_listing: str | None
    role: str | None
    known_miss: bool

    @property
    def expected(self) -> dict[str, Any]:
        """The first listing: what the top-level fields of ``farmdock parse`` hold."""
        return self.listings[0]


def _none(value: str) -> str | None:
    return None if value == "-" else value


def _amount(written: str) -> tuple[float | None, str | None]:
    if written in ("-", STANDING):
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


def _split(column: str, count: int, number: int) -> list[str]:
    values = [v.strip() for v in column.split(";")]
    if len(values) == 1:
        return values * count
    assert len(values) == count, f"line {number}: {count} products but {column!r}"
    return values


def _flags(column: str | None, number: int) -> dict[str, str]:
    flags = dict(f.split("=", 1) for f in (column or "").split())
    assert set(flags) <= {"not", "role"}, f"line {number}: flags {column!r}"
    return flags


def load_posts() -> list[Post]:
    posts = []
    for number, raw in enumerate(TABLE.read_text("utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        known_miss = raw.rstrip().endswith("!miss")
        parts = [p.strip() for p in raw.rstrip().removesuffix("!miss").split("||")]
        assert len(parts) in (8, 9), f"line {number}: {raw}"
        text, kind, products, qtys, prices, place, phone, valid = parts[:8]
        flags = _flags(parts[8] if len(parts) == 9 else None, number)
        names = [p.strip() for p in products.split(";")]
        city, county, township = _place(place)
        listings = []
        for product, qty, price in zip(
            names, _split(qtys, len(names), number), _split(prices, len(names), number),
            strict=True,
        ):
            quantity, unit = _amount(qty)
            price_value, price_unit = _price(price)
            standing = qty == STANDING
            listings.append({
                "ok": product != "-" and (quantity is not None or standing)
                and "not" not in flags,
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
                "standing": standing,
            })
        posts.append(Post(
            number, text, tuple(listings), flags.get("not"), flags.get("role"), known_miss
        ))
    return posts


def result_for(post: Post) -> dict[str, Any]:
    """What ``farmdock parse`` prints for the post (with the poster's role, if any)."""
    return post_to_json(parse_listings(post.text, REFERENCE_DAY, post.role))


def _listings(result: dict[str, Any]) -> list[dict[str, Any]]:
    return result.get("listings") or [result]


def field_matches(expected: Any, got: Any) -> bool:
    if isinstance(expected, float) and isinstance(got, int | float) and not isinstance(got, bool):
        return abs(expected - got) <= 1e-6 * max(1.0, abs(expected))
    return expected == got


def checked_fields(post: Post) -> int:
    """How many fields of the post are scored."""
    if post.not_listing is not None:
        return len(NOT_LISTING_FIELDS) + (post.expected["product"] is not None)
    return len(post.listings) * len(FIELDS)


def wrong_fields(post: Post, result: dict[str, Any]) -> list[str]:
    """The scored fields the parser got wrong, as ``field`` (first listing) or ``2.field``;
    a listing the post does not hold counts as one wrong product."""
    if post.not_listing is not None:
        got = {"ok": result["ok"], "not_listing": result.get("not_listing")}
        expected = {"ok": False, "not_listing": post.not_listing}
        wrong = [f for f in NOT_LISTING_FIELDS if not field_matches(expected[f], got[f])]
        if post.expected["product"] is not None and result["product"] != post.expected["product"]:
            wrong.append("product")
        return wrong
    got_listings = _listings(result)
    wrong = []
    for i, expected in enumerate(post.listings):
        got = got_listings[i] if i < len(got_listings) else {}
        prefix = f"{i + 1}." if i else ""
        wrong += [
            prefix + f for f in FIELDS
            if not field_matches(expected[f], got.get(f, False if f == "standing" else None))
        ]
    wrong += [f"{i + 1}.product" for i in range(len(post.listings), len(got_listings))]
    if "ok" not in wrong and result["ok"] != all(e["ok"] for e in post.listings):
        wrong.append("ok")
    return wrong


def all_products_found(post: Post, result: dict[str, Any]) -> bool:
    """Whether the parser found every product of the post, and no other."""
    return [g.get("product") for g in _listings(result)] == [e["product"] for e in post.listings]


def kinds_right(post: Post, result: dict[str, Any]) -> tuple[int, int]:
    """(right, scored) kinds of the post's listings."""
    got = _listings(result)
    right = sum(
        1 for i, e in enumerate(post.listings) if i < len(got) and got[i].get("kind") == e["kind"]
    )
    return right, len(post.listings)
