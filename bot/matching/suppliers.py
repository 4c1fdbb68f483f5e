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

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.matching.catalogue import get_catalogue
from bot.matching.engine import DistanceFn, tier_of
from bot.matching.model import Place
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


class RegistryIndex:
    """The registry's entries by product and place, so that a need's best suppliers are
    found from its own township outwards without ranking every supplier of the product.

    :meth:`best` returns exactly ``rank_registry(need, entries, distance, limit)``.
    """

    def __init__(self, entries: Iterable[RegistryEntry], distance: DistanceFn) -> None:
        self._distance = distance
        # product -> county -> entries; None county = no known county (ranked last).
        self._by_county: dict[str, dict[str | None, list[RegistryEntry]]] = defaultdict(
            lambda: defaultdict(list))
        for e in entries:
            if e.capacity.amount > 0 and not e.place.outside:
                self._by_county[e.capacity.product][e.place.county].append(e)

    def best(self, need: Need, limit: int) -> list[RegistryEntry]:
        """The need's ``limit`` best registry suppliers' entries, best first."""
        counties = self._by_county.get(need.product)
        if not counties or limit <= 0:
            return []
        if need.place.outside:  # every supplier in the one outside tier
            return rank_registry(need, [e for group in counties.values() for e in group],
                                 self._distance, limit)
        found: list[RegistryEntry] = []
        own = need.place.county
        groups: list[Sequence[RegistryEntry]] = []
        if own is not None and own in counties:
            groups.append(counties[own])  # tiers 0 and 1
        others = [c for c in counties if c is not None and c != own]
        if own is not None:
            # Counties at the same distance are one rank group.
            bands: dict[float, list[RegistryEntry]] = defaultdict(list)
            for c in others:
                bands[self._distance(own, c)].extend(counties[c])
            groups.extend(bands[d] for d in sorted(bands))
            if None in counties:
                groups.append(counties[None])  # no known county: after every distance
        else:  # a need of no known county: every supplier is at an unknown distance
            groups.append([e for group in counties.values() for e in group])
        for group in groups:
            found.extend(sorted(group, key=lambda e: registry_key(e, need, self._distance))
                         [: limit - len(found)])
            if len(found) >= limit:
                break
        return found

# How many registry suppliers are asked for one uncovered need (the best ranked).
ASKED_PER_NEED = 3
