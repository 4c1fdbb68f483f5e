"""The product catalogue: canonical names, the other names people type, and look-alikes.

Loaded once from ``data/catalogue.json``, and the usual pack sizes of products from
the policy table ``packs.json`` (a city may override it, see :mod:`bot.matching.policy`).
Pure data access, no I/O after the first load.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from bot.matching import policy
from bot.matching.datafiles import load_data
from bot.matching.model import PackSize
from bot.matching.units import COUNT_UNITS, PACKAGE_UNITS, is_weight, normalize_amount

PACKS_FILE = "packs.json"
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
    items = load_data("catalogue.json")["items"]
    names_by_id = {item["id"]: item["name"] for item in items}
    return Catalogue([_product(item, names_by_id) for item in items])


def pack_rows(folder: Path | None = None) -> list[Any]:
    """The rows of the usual-pack table as written (product, unit, amount, amount_unit,
    source): ``packs.json`` from ``folder`` if it has one (default: the policy directory),
    else the shipped one. Raises PolicyError naming the file if it holds no list of rows."""
    data = policy.load_policy(PACKS_FILE, folder)
    rows = data.get("packs") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        where = policy.source_of(PACKS_FILE, folder)
        raise policy.PolicyError(f'policy file {where}: "packs" must be a list of rows')
    return list(rows)


def usual_packs_from(
    rows: list[Any], catalogue: Catalogue, where: str = PACKS_FILE
) -> dict[str, tuple[PackSize, ...]]:
    """Usual packs by product name, amounts normalised like a post's (45 斤 → 22.5 kg).

    Raises PolicyError naming ``where`` (the file) and the first bad row: a row that is not
    an object, an unknown product, a unit that is not a package, an amount that is not a
    positive number, or an amount unit that is neither a weight nor a count unit.
    """
    packs: dict[str, list[PackSize]] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise policy.PolicyError(f"policy file {where} row {number}: not an object")
        product, unit = row.get("product"), row.get("unit")
        amount, amount_unit = row.get("amount"), row.get("amount_unit")
        problem = None
        if not isinstance(product, str) or catalogue.get(product) is None:
            problem = f"unknown product {product!r}"
        elif unit not in PACKAGE_UNITS:
            problem = f"{unit!r} is not a package unit"
        elif isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
            problem = f"amount must be a positive number, not {amount!r}"
        elif not isinstance(amount_unit, str) or not (
            is_weight(amount_unit) or amount_unit in COUNT_UNITS
        ) or amount_unit == unit:
            problem = f"{amount_unit!r} is not a weight or another count unit"
        elif not isinstance(row.get("source"), str) or not row["source"].strip():
            problem = "no source"
        if problem is not None:
            raise policy.PolicyError(f"policy file {where} row {number}: {problem}")
        value, value_unit = normalize_amount(float(amount), amount_unit)
        known = packs.setdefault(product, [])
        if any(p.package_unit == unit and p.amount_unit == value_unit for p in known):
            raise policy.PolicyError(
                f"policy file {where} row {number}: a second {unit} of {product} in {value_unit}"
            )
        known.append(PackSize(unit, value, value_unit))
    return {product: tuple(found) for product, found in packs.items()}


def read_usual_packs(folder: Path | None) -> dict[str, tuple[PackSize, ...]]:
    """The usual packs with overrides from ``folder`` (its ``packs.json`` if it has one), read
    now; PolicyError naming the file if it is malformed."""
    where = policy.source_of(PACKS_FILE, folder)
    return usual_packs_from(pack_rows(folder), get_catalogue(), where)


_cached_packs = cache(read_usual_packs)


def get_usual_packs() -> dict[str, tuple[PackSize, ...]]:
    """The usual pack sizes in force by product (the override directory's ``packs.json`` if
    it has one), read once per directory."""
    return _cached_packs(policy.directory())


def usual_packs(product: str) -> tuple[PackSize, ...]:
    """What one package of ``product`` usually holds, per package unit and content unit."""
    return get_usual_packs().get(product, ())
