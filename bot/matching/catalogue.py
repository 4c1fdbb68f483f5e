"""The product catalogue: canonical names, the other names people type, and look-alikes.

Loaded once from ``data/catalogue.json``. Pure data access, no I/O after the first load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

CATEGORIES: tuple[str, ...] = ("粮油", "肉类", "禽蛋", "蔬菜", "水果", "水产品", "奶制品", "其他")

# How a typed name relates to its product; the parser turns this into a confidence.
NameKind = Literal["canonical", "alias", "regional", "variety", "single"]


@dataclass(frozen=True, slots=True)
class Product:
    """One tradeable product. ``not_same`` are names that must never be merged with it."""

    id: str
    name: str
    category: str
    aliases: tuple[str, ...]
    regional: tuple[str, ...]
    varieties: tuple[str, ...]
    # Single characters (米, 蛋, 蒜) that mean this product only when nothing longer matched.
    single_char_aliases: tuple[str, ...]
    not_same: tuple[str, ...]
    related: tuple[str, ...]  # canonical names of acceptable substitutes
    unit: str  # the usual trade unit as written (斤, 箱 …)
    units: tuple[str, ...]
    # Default validity of a listing: leafy greens 3 days, most goods 7, grain and oil 30.
    default_valid_days: int


@dataclass(frozen=True, slots=True)
class NameEntry:
    """A name as typed, the product it means, and how (variety names also say which variety)."""

    product: Product
    kind: NameKind
    variety: str | None = None


class Catalogue:
    """Products and a name index. Canonical names win over aliases, aliases over varieties."""

    def __init__(self, products: list[Product]) -> None:
        self.products: tuple[Product, ...] = tuple(products)
        self._by_name = {p.name: p for p in products}
        self.names: dict[str, NameEntry] = {}
        # Lower rank wins when two products claim the same name.
        order: list[tuple[int, str, NameEntry]] = []
        for p in products:
            order.append((0, p.name, NameEntry(p, "canonical")))
            order.extend((1, a, NameEntry(p, "alias")) for a in p.aliases)
            order.extend((2, r, NameEntry(p, "regional")) for r in p.regional)
            order.extend((3, v, NameEntry(p, "variety", v)) for v in p.varieties)
            order.extend((4, s, NameEntry(p, "single")) for s in p.single_char_aliases)
        for _rank, name, entry in sorted(order, key=lambda t: t[0]):
            self.names.setdefault(name, entry)
        # Look-alikes that are not products of their own still block a shorter name inside
        # them (杨桃 must not read as 桃); they map to no product.
        self.blockers: frozenset[str] = frozenset(
            n for p in products for n in p.not_same if n not in self.names
        )

    def __len__(self) -> int:
        return len(self.products)

    def get(self, name: str) -> Product | None:
        """The product with this canonical name."""
        return self._by_name.get(name)

    def lookup(self, name: str) -> Product | None:
        """The product any known name (canonical, alias, regional, variety) stands for."""
        entry = self.names.get(name.strip())
        return entry.product if entry else None

    def canonical_names(self) -> list[str]:
        return [p.name for p in self.products]


def _product(raw: dict, names_by_id: dict[str, str]) -> Product:
    return Product(
        id=raw["id"],
        name=raw["name"],
        category=raw["category"],
        aliases=tuple(raw["aliases"]),
        regional=tuple(raw["regional"]),
        varieties=tuple(raw["varieties"]),
        single_char_aliases=tuple(raw["single_char_aliases"]),
        not_same=tuple(raw["not_same"]),
        # The data file refers to substitutes by id; callers want names.
        related=tuple(names_by_id[r] for r in raw["related"] if r in names_by_id),
        unit=raw["unit"],
        units=tuple(raw["units"]),
        default_valid_days=int(raw["default_valid_days"]),
    )


@cache
def get_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once."""
    text = resources.files("bot.matching").joinpath("data/catalogue.json").read_text("utf-8")
    items = json.loads(text)["items"]
    names_by_id = {item["id"]: item["name"] for item in items}
    return Catalogue([_product(item, names_by_id) for item in items])
