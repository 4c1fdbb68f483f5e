"""The emergency supplier registry's domain: what a supplier can supply, and which registered
suppliers are asked, in which order, when the market does not cover a need.

Pure: no clock, no I/O except the catalogue and the gazetteer, loaded once.

A capacity is written ``产品 数量单位/日`` or ``/周`` (``猪肉500斤/日``, ``鸡蛋 2吨/周``,
``面粉 每天30吨``); several are separated by ``；`` ``;`` ``、`` or a line break.

Registry ranking for a need (the listings' policy of :mod:`bot.matching.engine`, the
registry supplier standing as the target offer)
    Only suppliers of the need's canonical product with a capacity above zero.
    1. Tier: same township, same county-level unit, elsewhere in the city
       (:func:`bot.matching.engine.tier_of`).
    2. In the city tier, the nearer county centre first.
    3. Coverage: the supplier whose daily capacity (a weekly one counts a seventh)
       covers more of the need, capped at 100 %; a capacity in a unit that cannot be put
       in the need's unit counts as no coverage.
    4. The supplier id, so the order is total and deterministic.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.matching.catalogue import get_catalogue
from bot.matching.engine import DistanceFn, tier_of
from bot.matching.model import CITY_NAME, Place
from bot.matching.units import UNIT_PATTERN, normalize_amount

SUPPLIER_TYPES: tuple[str, ...] = (
    "养殖场", "蔬菜生产大户", "面粉加工企业", "批发商", "超市", "其他")
FLAGS: tuple[str, ...] = ("保供骨干企业",)
PERIODS = {"日": "日", "天": "日", "周": "周"}
DAYS_PER_PERIOD = {"日": 1.0, "周": 7.0}

_SEPARATORS = re.compile(r"[；;、\n]+")
_CAPACITY = re.compile(
    rf"^(?P<name>.+?)\s*(?P<number>[-+]?\d+(?:\.\d+)?)\s*(?P<unit>{UNIT_PATTERN})\s*"
    r"(?:/|每)\s*(?P<period>日|天|周)$"
    rf"|^(?P<name2>.+?)\s*每\s*(?P<period2>日|天|周)\s*(?P<number2>[-+]?\d+(?:\.\d+)?)\s*"
    rf"(?P<unit2>{UNIT_PATTERN})$"
)


@dataclass(frozen=True, slots=True)
class Capacity:
    """What a supplier can supply of one product: ``amount`` ``unit`` per ``period``."""

    product: str  # canonical
    amount: float
    unit: str  # as written: 斤, 吨, 头, 箱 …
    period: str  # 日, 周

    @property
    def per_day(self) -> float:
        return self.amount / DAYS_PER_PERIOD[self.period]

    def label(self) -> str:
        return f"{self.product} {_number(self.amount)}{self.unit}/{self.period}"


def _number(value: float) -> str:
    return f"{value:g}" if value < 1e15 else f"{value:.0f}"


@dataclass(frozen=True, slots=True)
class CapacityError:
    """A capacity text that does not read: an unknown product, or a bad amount."""

    reason: str  # "product" or "capacity"
    text: str


def parse_capacities(text: str) -> list[Capacity] | CapacityError:
    """The capacities a text lists (a product named twice keeps its last figure)."""
    found: dict[str, Capacity] = {}
    catalogue = get_catalogue()
    for part in _SEPARATORS.split(text):
        part = part.strip().replace("，", "").replace(",", "")
        if not part:
            continue
        m = _CAPACITY.match(part)
        if m is None:
            return CapacityError("capacity", part)
        name = m["name"] or m["name2"]
        number, unit = m["number"] or m["number2"], m["unit"] or m["unit2"]
        period = PERIODS[m["period"] or m["period2"]]
        product = catalogue.lookup(name.strip())
        if product is None:
            return CapacityError("product", name.strip())
        amount = float(number)
        if not math.isfinite(amount) or amount <= 0:
            return CapacityError("capacity", part)
        found[product.name] = Capacity(product.name, amount, unit, period)
    if not found:
        return CapacityError("capacity", text)
    return list(found.values())


# 统一社会信用代码 (GB 32100-2015): 18 characters of this alphabet, the last a check character.
_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_credit_code(text: str) -> str | None:
    """The code in upper case when it is a valid 统一社会信用代码, else None."""
    code = text.strip().upper()
    if len(code) != 18 or any(c not in _CODE_ALPHABET for c in code):
        return None
    return code if code[17] == credit_code_check(code[:17]) else None


def credit_code_check(first17: str) -> str:
    """The check character of a code's first 17 characters."""
    total = sum(_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CODE_WEIGHTS, strict=True))
    return _CODE_ALPHABET[(31 - total % 31) % 31]


def supplier_key(credit_code: str | None, name: str, county: str, township: str | None) -> str:
    """The stable key a re-import updates by: the code when known, else name + place."""
    if credit_code:
        return f"code:{credit_code}"
    return f"name:{name}@{county}{township or ''}"


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One supplier's capacity of one product, where the supplier is."""

    supplier_id: int
    place: Place
    capacity: Capacity


@dataclass(frozen=True, slots=True)
class Need:
    """What the registry is asked for: a product, a quantity (normalised: kg or a count
    unit; None for no stated quantity), and where."""

    product: str
    quantity: float | None
    unit: str | None
    place: Place


def coverage(entry: RegistryEntry, need: Need) -> float:
    """How much of the need one day of the supplier's capacity covers, in [0, 1]."""
    if need.quantity is None or need.unit is None or need.quantity <= 0:
        return 1.0
    amount, unit = normalize_amount(entry.capacity.per_day, entry.capacity.unit)
    if unit != need.unit:
        return 0.0
    return min(1.0, amount / need.quantity)


RegistryKey = tuple[int, float, float, int]


def registry_key(entry: RegistryEntry, need: Need, distance: DistanceFn) -> RegistryKey:
    """The entry's sort key for the need; smaller is better (see the module's policy)."""
    tier, km = tier_of(need.place, entry.place, distance)
    return (tier, km, -coverage(entry, need), entry.supplier_id)


def rank_registry(need: Need, entries: Iterable[RegistryEntry], distance: DistanceFn,
                  limit: int | None = None) -> list[RegistryEntry]:
    """The entries of the need's product with a capacity, best first (at most ``limit``)."""
    eligible = [e for e in entries
                if e.capacity.product == need.product and e.capacity.amount > 0]
    eligible.sort(key=lambda e: registry_key(e, need, distance))
    return eligible if limit is None else eligible[:limit]


CapacityRow = tuple[int, str, float, str, str, str | None, str | None]
# One capacity as the index keeps it: (supplier id, township, amount a day normalised, its
# unit, the stored row it came from).
_Item = tuple[int, str | None, float, str, CapacityRow]


class RegistryIndex:
    """The registry's entries by product and place, so that a need's best suppliers are
    found from its own township outwards without ranking every supplier of the product.

    :meth:`best` returns exactly ``rank_registry(need, entries, distance, limit)``: within
    one township, one county's other townships, one band of counties at the same
    distance, the tier and distance of the ranking are the same for every entry, so only
    coverage and id order them there.
    """

    def __init__(self, entries: Iterable[RegistryEntry], distance: DistanceFn) -> None:
        self._distance = distance
        self._build((e.supplier_id, e.capacity.product, e.capacity.amount, e.capacity.unit,
                     e.capacity.period, e.place.county, e.place.township)
                    for e in entries if not e.place.outside)

    @classmethod
    def from_rows(cls, rows: Iterable[CapacityRow], distance: DistanceFn) -> RegistryIndex:
        """The index of stored capacities: (supplier id, product, amount, unit, period,
        county, township) rows, all in the city."""
        index = cls((), distance)
        index._build(rows)
        return index

    def _build(self, rows: Iterable[CapacityRow]) -> None:
        # product -> county -> items; None county = no known county (ranked last).
        self._by_county: dict[str, dict[str | None, list[_Item]]] = defaultdict(
            lambda: defaultdict(list))
        for row in rows:
            supplier_id, product, amount, unit, period, county, township = row
            if not amount > 0:
                continue
            # What coverage() computes for the capacity, with the same rounding.
            per_day, normal_unit = normalize_amount(amount / DAYS_PER_PERIOD[period], unit)
            self._by_county[product][county].append(
                (supplier_id, township, per_day, normal_unit, row))

    def best(self, need: Need, limit: int) -> list[RegistryEntry]:
        """The need's ``limit`` best registry suppliers' entries, best first."""
        counties = self._by_county.get(need.product)
        if not counties or limit <= 0:
            return []
        own = None if need.place.outside else need.place.county
        groups: list[list[_Item]] = []
        if need.place.outside or own is None:
            # One tier and an unknown distance (or outside) for every supplier.
            groups.append([item for group in counties.values() for item in group])
        else:
            here = counties.get(own, [])
            township = need.place.township
            if township is not None:
                groups.append([item for item in here if item[1] == township])
                groups.append([item for item in here if item[1] != township])
            else:
                groups.append(here)
            bands: dict[float, list[_Item]] = defaultdict(list)
            for county, group in counties.items():
                if county is not None and county != own:
                    bands[self._distance(own, county)].extend(group)
            groups.extend(bands[d] for d in sorted(bands))
            groups.append(counties.get(None, []))
        found: list[RegistryEntry] = []
        key = _coverage_key(need)
        for group in groups:
            if group:
                found.extend(_entry(item[4]) for item in
                             heapq.nsmallest(limit - len(found), group, key=key))
            if len(found) >= limit:
                break
        return found


def _entry(row: CapacityRow) -> RegistryEntry:
    supplier_id, product, amount, unit, period, county, township = row
    return RegistryEntry(supplier_id, Place(city=CITY_NAME, county=county, township=township),
                         Capacity(product, amount, unit, period))


def _coverage_key(need: Need) -> Callable[[_Item], tuple[float, int]]:
    """The order within a group of one tier and distance: more coverage, then the id."""
    quantity, unit = need.quantity, need.unit
    if quantity is None or unit is None or quantity <= 0:
        return lambda item: (-1.0, item[0])
    return lambda item: (-min(1.0, item[2] / quantity) if item[3] == unit else -0.0, item[0])


# How many registry suppliers are asked for one uncovered need (the best ranked).
ASKED_PER_NEED = 3
