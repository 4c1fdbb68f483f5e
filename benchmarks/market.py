"""A generated market: offers and needs as growers and buyers type them, with known answers.

Each listing is drawn as a fact first (product, quantity, price, place, validity) and
then written out as a Chinese post in one of many phrasings: 斤/公斤/吨/箱, Chinese
numerals, local names (洋芋, 番茄, 黄芽白), places across every county-level unit and
township, some outside the city. Look-alike products (小白菜 beside 大白菜, 鸭蛋
beside 鸡蛋 …) are mixed in and must never match.

The answers come from the drawn facts alone, with exact fractions: which pairs are
eligible, on what basis their units meet, and which offer is best for each need,
under the policy of :mod:`bot.matching.engine` (issue 4, with issue 10's units: a
listing's own pack first, then the catalogue's usual pack from ``packs.json`` for a
listing that states none, and pairs whose units never meet still eligible but ranked
after all the others). Nothing here calls the parser or the matching engine.

With ``style="group"`` the posts are written the way growers and buyers write in WeChat
and Telegram groups: several products in one post (one listing each, ``id``, ``id#2`` …,
sharing place and validity), standing offers and needs with no quantity (长期, 量大),
kind from context (谁要, 求带走, 自家地里的, a shop's name holding 收购), no kind word at
all (the row's ``kind`` is then the poster's role, or none for an offer), 1.5w斤, 块五,
sizes that are not the quantity (3两以上的, 条重3-4斤, 80果), dots as separators, typos
(洋芊, 黄爪, 土鸡旦), and questions, greetings, thanks and sold-out notices in between.

    .venv/bin/python -m benchmarks.market --offers 2000 --needs 2000 --out market.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

from bot.matching.catalogue import pack_rows
from bot.matching.clock import PLATFORM_TZ
from bot.matching.regions import get_gazetteer

JIN = Fraction(1, 2)
WEIGHTS_KG = {"斤": JIN, "公斤": Fraction(1), "千克": Fraction(1), "吨": Fraction(1000)}


@dataclass(frozen=True, slots=True)
class Product:
    """A product of the market: the names people type, a fair price, how it is traded."""

    key: str
    names: tuple[str, ...]
    yuan_per_kg: float
    # Count units it is also traded in, with what one holds when a pack is stated.
    count_units: tuple[tuple[str, Fraction | None, str | None], ...] = ()
    weight: int = 10  # how common it is


# Look-alikes sit next to each other; each is its own product.
PRODUCTS: tuple[Product, ...] = (
    Product("大白菜", ("大白菜", "白菜", "黄芽白"), 1.2, weight=30),
    Product("小白菜", ("小白菜", "青菜"), 2.4, weight=12),
    Product("土豆", ("土豆", "马铃薯", "洋芋", "地蛋"), 2.0, weight=28),
    Product("西红柿", ("西红柿", "番茄"), 4.0, weight=24),
    Product("圣女果", ("圣女果", "樱桃番茄"), 8.0, weight=8),
    Product("黄瓜", ("黄瓜",), 3.6, weight=18),
    Product("茄子", ("茄子", "长茄"), 3.0, weight=12),
    Product("青椒", ("青椒", "菜椒", "柿子椒"), 4.4, weight=14),
    Product("辣椒", ("辣椒", "尖椒"), 5.6, weight=10),
    Product("大葱", ("大葱",), 3.0, weight=14),
    Product("洋葱", ("洋葱", "圆葱"), 2.0, weight=10),
    Product("胡萝卜", ("胡萝卜", "红萝卜"), 2.4, weight=12),
    Product("白萝卜", ("白萝卜",), 1.4, weight=10),
    Product("芹菜", ("芹菜",), 3.2, weight=10),
    Product("大蒜", ("大蒜", "蒜头"), 7.0, weight=10),
    Product("蒜薹", ("蒜薹", "蒜苔"), 8.0, weight=6),
    Product("南瓜", ("南瓜", "番瓜"), 1.8, weight=8),
    Product("冬瓜", ("冬瓜",), 1.2, weight=8),
    Product("香菇", ("香菇", "鲜香菇"), 12.0, weight=8),
    Product("平菇", ("平菇",), 6.0, weight=8),
    Product("莲藕", ("莲藕", "莲菜"), 5.0, weight=6),
    Product("圆白菜", ("圆白菜", "包菜", "卷心菜"), 1.6, weight=12),
    Product("面粉", ("面粉", "小麦粉"), 3.6, (("袋", Fraction(25), "kg"),), weight=16),
    Product("小麦", ("小麦", "麦子"), 2.6, weight=14),
    Product("大米", ("大米",), 5.0, (("袋", Fraction(25), "kg"),), weight=12),
    Product("玉米", ("玉米",), 2.2, weight=12),
    Product("玉米面", ("玉米面", "棒子面"), 4.0, weight=5),
    Product("花生油", ("花生油",), 30.0, weight=6),
    Product("豆油", ("大豆油", "豆油"), 18.0, weight=6),
    Product("猪肉", ("猪肉", "鲜猪肉"), 26.0, weight=14),
    Product("牛肉", ("牛肉",), 70.0, weight=6),
    Product("羊肉", ("羊肉",), 68.0, weight=5),
    Product(
        "鸡蛋",
        ("鸡蛋", "鲜鸡蛋"),
        9.0,
        (("箱", Fraction(45) * JIN, "kg"), ("箱", Fraction(360), "枚"), ("箱", None, None)),
        weight=22,
    ),
    Product("鸭蛋", ("鸭蛋",), 12.0, (("箱", Fraction(45) * JIN, "kg"),), weight=6),
    Product("白条鸡", ("白条鸡", "光鸡"), 16.0, (("只", None, None),), weight=8),
    Product("苹果", ("苹果", "红富士"), 6.0, (("箱", Fraction(10), "kg"),), weight=12),
    Product("梨", ("梨", "酥梨"), 4.0, weight=8),
    Product("西瓜", ("西瓜",), 2.0, weight=10),
    Product("草鱼", ("草鱼",), 14.0, weight=8),
    Product("鲤鱼", ("鲤鱼",), 12.0, weight=8),
    Product("牛奶", ("纯牛奶", "牛奶"), 0.0, (("箱", None, None),), weight=6),
)
# Per unit prices of count-only trade: 牛奶 per 箱, 白条鸡 per 只, 鸡蛋 per 箱 of unknown size.
COUNT_PRICE = {("牛奶", "箱"): 48.0, ("白条鸡", "只"): 30.0, ("鸡蛋", "箱"): 200.0}

OFFER_WORDS = ("出售", "供应", "有货", "大量供应", "低价出售", "现货供应", "卖")
NEED_WORDS = ("求购", "收购", "急需", "需要", "采购", "长期收购")
SELLERS = ("", "", "种植户", "合作社", "老王", "李大姐")
BUYERS = ("", "", "超市", "农贸市场", "社区团购", "饭店")
OUTSIDE = ("汝阳县", "郑州", "许昌市", "漯河", "南阳市", "山东")


@dataclass(frozen=True, slots=True)
class Pack:
    """What one package holds: 每箱45斤 → ("箱", 22.5, "kg")."""

    unit: str
    amount: Fraction
    inner: str


@dataclass(frozen=True, slots=True)
class Fact:
    """One listing as drawn: the truth its text was written from. Prices per ``price_unit``."""

    id: str
    kind: str
    product: str
    quantity: Fraction | None  # None: a standing listing (长期, 量大)
    unit: str | None  # "kg" or a count unit; None for a standing listing
    price: Fraction | None
    price_unit: str | None
    pack: Pack | None
    county: str | None
    township: str | None
    outside: bool
    expired: bool
    line: int
    sub: int = 0  # its place among the products of one post


@dataclass(slots=True)
class Market:
    """The posts, in file order, and the facts behind them."""

    posts: list[dict[str, str]]
    facts: list[Fact]

    def write(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            for post in self.posts:
                out.write(json.dumps(post, ensure_ascii=False) + "\n")


# --- the answers ----------------------------------------------------------------------------

SAME_UNIT, PACK, CATALOGUE_PACK, OTHER_UNIT = range(4)
BASES = ("same_unit", "pack", "catalogue_pack", "other_unit")


def _usual_packs() -> dict[str, list[Pack]]:
    """The catalogue's usual packs (``packs.json``) per market product, in exact fractions."""
    names = {name: p.key for p in PRODUCTS for name in p.names}
    packs: dict[str, list[Pack]] = defaultdict(list)
    for row in pack_rows():
        key = names.get(row["product"])
        if key is None:
            continue
        amount, inner = Fraction(str(row["amount"])), row["amount_unit"]
        if inner in WEIGHTS_KG:
            amount, inner = amount * WEIGHTS_KG[inner], "kg"
        packs[key].append(Pack(row["unit"], amount, inner))
    return packs


USUAL_PACKS = _usual_packs()


def _factor(fact: Fact, unit_from: str, unit_to: str, estimate: bool) -> Fraction | None:
    """How many ``unit_to`` one ``unit_from`` is, through the listing's pack; with
    ``estimate``, through the usual pack of a listing that states none."""
    if unit_from == unit_to:
        return Fraction(1)
    pack = fact.pack
    if pack is not None and unit_from == pack.unit and unit_to == pack.inner:
        return pack.amount
    if pack is not None and unit_from == pack.inner and unit_to == pack.unit:
        return 1 / pack.amount
    if pack is None and estimate:
        for usual in USUAL_PACKS.get(fact.product, ()):
            if usual.unit == unit_from and usual.inner == unit_to:
                return usual.amount
    return None


def _meeting(a: Fact, a_unit: str, b: Fact, b_unit: str) -> tuple[int, str] | None:
    """How two amounts compare: the level of the bridge and the unit, kilograms if both
    reach it, else a shared unit; a listing's own pack first, the usual one after."""
    for estimate in (False, True):
        candidates = ["kg", a_unit, b_unit]
        for fact in (a, b):
            if fact.pack is not None:
                candidates += [fact.pack.unit, fact.pack.inner]
            elif estimate:
                candidates += [u.inner for u in USUAL_PACKS.get(fact.product, ())]
        reachable = [
            u
            for u in candidates
            if _factor(a, a_unit, u, estimate) is not None
            and _factor(b, b_unit, u, estimate) is not None
        ]
        if reachable:
            level = CATALOGUE_PACK if estimate else SAME_UNIT if a_unit == b_unit else PACK
            return level, "kg" if "kg" in reachable else min(reachable)
    return None


def _in(fact: Fact, amount_unit: str, meeting: tuple[int, str]) -> Fraction:
    factor = _factor(fact, amount_unit, meeting[1], meeting[0] == CATALOGUE_PACK)
    assert factor is not None
    return factor


def basis_level(need: Fact, offer: Fact) -> int | None:
    """The pair's basis (an index into :data:`BASES`), or None when it is not eligible:
    another product, expired, or an asking price known to exceed the cap."""
    if need.product != offer.product or need.expired or offer.expired:
        return None
    if need.unit is None or offer.unit is None:
        level = SAME_UNIT  # a standing listing has no quantity to bridge
    else:
        quantities = _meeting(need, need.unit, offer, offer.unit)
        level = OTHER_UNIT if quantities is None else quantities[0]
    if need.price is None or offer.price is None:
        return level
    assert need.price_unit is not None and offer.price_unit is not None
    prices = _meeting(need, need.price_unit, offer, offer.price_unit)
    if prices is None:
        return OTHER_UNIT  # not known to exceed the cap
    asked = offer.price / _in(offer, offer.price_unit, prices)
    if asked > need.price / _in(need, need.price_unit, prices):
        return None
    return max(level, prices[0])


def eligible(need: Fact, offer: Fact) -> bool:
    """The policy's eligibility, from the facts."""
    return basis_level(need, offer) is not None


def _rank_key(need: Fact, offer: Fact, distance: Callable[[str, str], float]) -> tuple:
    level = basis_level(need, offer)
    if need.outside or offer.outside:
        tier, km = 3, float("inf")
    elif need.county is not None and need.county == offer.county:
        same_township = need.township is not None and need.township == offer.township
        tier, km = (0 if same_township else 1), 0.0
    elif need.county is None or offer.county is None:
        tier, km = 2, float("inf")
    else:
        tier, km = 2, distance(need.county, offer.county)
    price: Fraction | None = None
    base = need.price_unit or need.unit
    if offer.price is not None and offer.price_unit is not None and base is not None:
        meeting = _meeting(need, base, offer, offer.price_unit)
        if meeting is not None:
            price = offer.price / _in(offer, offer.price_unit, meeting) * _in(need, base, meeting)
    cover = Fraction(0)  # unknown when the quantities do not meet
    if offer.quantity is None:
        cover = Fraction(-1, 2)  # a standing offer: after every one stating a quantity
    elif need.quantity is not None and need.unit is not None and offer.unit is not None:
        meeting = _meeting(need, need.unit, offer, offer.unit)
        if meeting is not None:
            want = need.quantity * _in(need, need.unit, meeting)
            have = offer.quantity * _in(offer, offer.unit, meeting)
            cover = min(Fraction(1), have / want)
    return (level == OTHER_UNIT, tier, km, price is None, price or 0, -cover, -offer.line,
            offer.sub)


@dataclass(slots=True)
class Answers:
    """For each need id: every eligible offer id, the offers in best-first order, and the
    basis of each eligible (need, offer) pair."""

    eligible: dict[str, set[str]]
    ranked: dict[str, list[str]]
    basis: dict[tuple[str, str], str]


def answers(facts: list[Fact]) -> Answers:
    """The known answers of a market. Quadratic per product: for markets of a few thousand."""
    distance = get_gazetteer().distance_km
    offers_by_product: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.kind == "offer":
            offers_by_product[fact.product].append(fact)
    result = Answers({}, {}, {})
    for need in facts:
        if need.kind != "need":
            continue
        good = []
        for o in offers_by_product[need.product]:
            level = basis_level(need, o)
            if level is not None:
                good.append(o)
                result.basis[(need.id, o.id)] = BASES[level]
        good.sort(key=lambda o: _rank_key(need, o, distance))
        result.eligible[need.id] = {o.id for o in good}
        result.ranked[need.id] = [o.id for o in good]
    return result


# --- writing posts --------------------------------------------------------------------------


def _amount(rng: random.Random, value: Fraction) -> str:
    """A number as people type it: 5000, 1.5, 五千, 3万."""
    as_float = float(value)
    if as_float == int(as_float):
        n = int(as_float)
        roll = rng.random()
        if n >= 10000 and n % 10000 == 0 and roll < 0.5:
            return f"{n // 10000}万"
        if roll < 0.2 and n <= 99999:
            return _chinese_integer(n)
        return str(n)
    return f"{as_float:g}"


_DIGITS = "零一二三四五六七八九"


def _chinese_integer(n: int) -> str:
    """五千, 一千五百, 两千 — as typed on a phone (两 for a leading 2 before a unit)."""
    if n == 0:
        return "零"
    parts: list[str] = []
    units = [(10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")]
    zero_pending = False
    for size, name in units:
        digit, n = divmod(n, size)
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        word = "两" if digit == 2 and name in ("千", "万") and not parts else _DIGITS[digit]
        if not (digit == 1 and name == "十" and not parts):
            parts.append(word)
        parts.append(name)
    return "".join(parts).rstrip("零")


def _money(value: Fraction) -> str:
    return f"{float(value):g}"


class _Writer:
    """Draws facts and writes their posts."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        gazetteer = get_gazetteer()
        self.townships = {c: gazetteer.townships(c) for c in gazetteer.county_names()}
        self.counties = list(self.townships)
        self.weights = [p.weight for p in PRODUCTS]

    def fact(self, kind: str, line: int) -> Fact:
        rng = self.rng
        product = rng.choices(PRODUCTS, self.weights)[0]
        county, township, outside = self._place()
        pack: Pack | None = None
        count_unit = rng.choice(product.count_units) if product.count_units else None
        if count_unit is not None and (product.yuan_per_kg == 0 or rng.random() < 0.45):
            unit, amount, inner = count_unit
            if amount is not None and inner is not None:
                pack = Pack(unit, amount, inner)
            quantity = Fraction(rng.choice((20, 50, 80, 100, 200, 300, 500)))
            price_unit = unit
            fair = COUNT_PRICE.get((product.key, unit))
            if fair is None:
                assert pack is not None
                per_inner = product.yuan_per_kg if pack.inner == "kg" else 0.55
                fair = float(pack.amount) * per_inner
            price = self._price(kind, fair, step=Fraction(1))
        else:
            unit, price_unit = "kg", "kg"
            quantity = Fraction(rng.choice((200, 500, 800, 1000, 2000, 2500, 5000, 10000, 20000)))
            price = self._price(kind, product.yuan_per_kg, step=Fraction(1, 10))
        if rng.random() < 0.1:
            price = None
        return Fact(
            id=f"{kind[0]}{line}",
            kind=kind,
            product=product.key,
            quantity=quantity,
            unit=unit,
            price=price,
            price_unit=price_unit if price is not None else None,
            pack=pack,
            county=county,
            township=township,
            outside=outside,
            expired=rng.random() < 0.04,
            line=line,
        )

    def _price(self, kind: str, fair: float, step: Fraction) -> Fraction:
        """A price on a grid of ``step``; caps spread wider so that some offers are too dear."""
        low, high = (0.8, 1.2) if kind == "offer" else (0.85, 1.3)
        value = Fraction(fair * self.rng.uniform(low, high)) / step
        return max(step, round(value) * step)

    def _place(self) -> tuple[str | None, str | None, bool]:
        roll = self.rng.random()
        if roll < 0.04:
            return None, None, True
        if roll < 0.06:
            return None, None, False  # no place given
        county = self.rng.choice(self.counties)
        if roll < 0.22:
            return county, None, False
        return county, self.rng.choice(self.townships[county]), False

    def post(self, fact: Fact) -> dict[str, str]:
        """The text a user would type for this fact, and a kind hint when the text has none."""
        rng = self.rng
        name = rng.choice(next(p.names for p in PRODUCTS if p.key == fact.product))
        quantity = self._quantity_text(fact)
        price = self._price_text(fact)
        place = self._place_text(fact)
        extras = []
        if fact.pack is not None:
            pack = fact.pack
            inner = "斤" if pack.inner == "kg" else pack.inner
            amount = pack.amount * 2 if pack.inner == "kg" else pack.amount
            extras.append(rng.choice((f"每{pack.unit}{_money(amount)}{inner}",)))
        extras.append(self._validity_text(fact))
        if rng.random() < 0.4:
            extras.append(f"电话1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}")
        extras = [e for e in extras if e]
        hint = rng.random() < 0.05
        if fact.kind == "offer":
            word = "" if hint else rng.choice(OFFER_WORDS)
            who = rng.choice(SELLERS)
            body = rng.choice(
                (
                    f"{word}{name}{quantity}，{price}，{place}",
                    f"{place}{who}{word}{name}{quantity}，{price}",
                    f"{word}：{name}，数量{quantity}，价格{price}，地址{place}",
                    f"{place}{name}{quantity}{word}，{price}",
                )
            )
        else:
            word = "" if hint else rng.choice(NEED_WORDS)
            who = rng.choice(BUYERS)
            body = rng.choice(
                (
                    f"{word}{name}{quantity}，{price}，{place}",
                    f"{place}{who}{word}{name}{quantity}，价格{price}",
                    f"{who}{word}{name}，数量{quantity}，{price}，送到{place}",
                    f"{word}{quantity}{name}，{place}，{price}",
                )
            )
        text = "，".join([body.replace("价格价格", "价格").strip("，"), *extras])
        post = {"id": fact.id, "text": text}
        if hint:
            post["kind"] = fact.kind
        return post

    def _quantity_text(self, fact: Fact) -> str:
        if fact.unit != "kg":
            return f"{_amount(self.rng, fact.quantity)}{fact.unit}"
        kg = fact.quantity
        # 斤 most, then 公斤 and 吨 (for a tonne or more); 千克 is rare in speech.
        choices = [(kg * 2, "斤", 10), (kg, "公斤", 6), (kg, "千克", 1)]
        if kg >= 1000:
            choices.append((kg / 1000, "吨", 4))
        value, unit, _ = self.rng.choices(choices, [c[2] for c in choices])[0]
        return f"{_amount(self.rng, value)}{unit}"

    def _price_text(self, fact: Fact) -> str:
        rng = self.rng
        if fact.price is None:
            return rng.choice(("价格面议", "面议", "价格电议"))
        if fact.price_unit == "kg":
            unit = rng.choice(("斤", "斤", "公斤", "吨"))
            value = fact.price * WEIGHTS_KG[unit]
        else:
            unit, value = fact.price_unit or "", fact.price
        figure = _money(value)
        if fact.kind == "offer":
            return rng.choice((f"{figure}元/{unit}", f"{figure}元一{unit}", f"每{unit}{figure}元"))
        return rng.choice(
            (
                f"{figure}元/{unit}以内",
                f"不超过{figure}元/{unit}",
                f"最高{figure}元/{unit}",
                f"{figure}元/{unit}左右",
                f"{figure}元/{unit}",
            )
        )

    def _place_text(self, fact: Fact) -> str:
        if fact.outside:
            return self.rng.choice(OUTSIDE)
        if fact.county is None:
            return ""
        if fact.township is None:
            return fact.county
        return f"{fact.county}{fact.township}"

    def _validity_text(self, fact: Fact) -> str:
        rng = self.rng
        if fact.expired:
            day = self.today - timedelta(days=rng.randint(1, 20))
        elif rng.random() < 0.3:
            day = self.today + timedelta(days=rng.randint(0, 30))
        else:
            return ""
        return f"有效期至{day.year}年{day.month}月{day.day}日"


# --- posts as written in groups -------------------------------------------------------------

GROUP_OFFER_WORDS = (*OFFER_WORDS, "谁要", "自家地里的", "寻找收购商", "现出售", "", "")
GROUP_NEED_WORDS = (*NEED_WORDS, "想买", "急收", "寻找供货商", "", "")
SHOPS = ("宏达粮油批发部", "惠民门市", "老王蔬菜商行", "城南农贸市场", "好邻居超市")
STATIONS = ("粮食收购站", "农产品收购点")
TYPOS = {"土豆": "洋芊", "黄瓜": "黄爪", "鸡蛋": "土鸡旦"}
SIZES = {"土豆": "3两以上的", "草鱼": "条重3-4斤", "鲤鱼": "条重2斤左右", "苹果": "80果"}
NOT_LISTINGS = (
    "{name}今天啥价？", "请问{name}现在多少钱一斤啊", "大家好", "各位老板早上好",
    "谢谢各位老板", "感谢群主", "{name}已经卖完了，谢谢大家", "{name}已售完 勿扰",
)
_CN_TENTHS = "零一二三四五六七八九"


class _GroupWriter(_Writer):
    """Draws the facts of a post of one or more products and writes it as groups do."""

    def facts(self, kind: str, line: int) -> list[Fact]:
        rng = self.rng
        count = rng.choices((1, 2, 3), (70, 20, 10))[0]
        first = self.fact(kind, line)
        facts = [first]
        while len(facts) < count:
            more = self.fact(kind, line)
            if all(more.product != f.product for f in facts):
                facts.append(replace(
                    more, id=f"{first.id}#{len(facts) + 1}", county=first.county,
                    township=first.township, outside=first.outside, expired=first.expired,
                    sub=len(facts),
                ))
            elif rng.random() < 0.3:
                break
        return [self._standing(f) if rng.random() < 0.12 else f for f in facts]

    def _standing(self, fact: Fact) -> Fact:
        """No quantity: 长期收购, 大量有货; priced per 斤 or per its count unit."""
        return replace(fact, quantity=None, unit=None, pack=None)

    def group_post(self, facts: list[Fact]) -> dict[str, str]:
        rng = self.rng
        first = facts[0]
        kind = first.kind
        items = [self._item(f, several=len(facts) > 1) for f in facts]
        place = self._place_text(first)
        sep = rng.choice(("，", "，", " ", "......"))
        listed = "、".join(items) if len(items) > 1 else items[0]
        hint = False
        if kind == "offer":
            word = rng.choice(GROUP_OFFER_WORDS)
            if word == "谁要":
                body = f"{listed}{sep}谁要联系我{sep}{place}"
            elif rng.random() < 0.06:
                body = f"{listed}{sep}滞销 求带走{sep}{place}"
            elif rng.random() < 0.05:
                body = f"{rng.choice(STATIONS)} 现出售{listed}{sep}{place}"
            else:
                body = f"{word}{listed}{sep}{place}"
        else:
            word = rng.choice(GROUP_NEED_WORDS)
            roll = rng.random()
            if roll < 0.06:
                body = f"谁家有卖的 要{listed}{sep}{place}"
            elif roll < 0.12:
                verb = rng.choice(("收购", "急收", "采购", "想买"))
                body = f"{rng.choice(SHOPS)} {verb}{listed}{sep}{place}"
            else:
                body = f"{word}{listed}{sep}{place}"
                hint = word == ""  # no kind word: the poster's role says need
        if word == "" and all(f.quantity is None and f.price is None for f in facts):
            hint = True  # states neither what nor how much: only the role tells the kind
        if any(f.quantity is None for f in facts):
            body = rng.choice(("长期", "大量", "常年")) + body if rng.random() < 0.5 else (
                f"{body}{sep}量大从优")
        extras = [self._validity_text(first)]
        if rng.random() < 0.4:
            extras.append(f"电话1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}")
        text = sep.join([body.strip("，. "), *[e for e in extras if e]])
        post = {"id": first.id, "text": text}
        if hint:
            post["kind"] = kind
        return post

    def _item(self, fact: Fact, several: bool) -> str:
        """One product of a post: its name (a typo now and then), a size it is graded by,
        its quantity and pack, and its price."""
        rng = self.rng
        names = next(p.names for p in PRODUCTS if p.key == fact.product)
        name = TYPOS[fact.product] if fact.product in TYPOS and rng.random() < 0.1 else (
            rng.choice(names))
        size = SIZES.get(fact.product, "") if rng.random() < 0.3 else ""
        quantity = "" if fact.quantity is None else self._group_quantity(fact)
        pack = ""
        if fact.pack is not None and fact.quantity is not None:
            inner = "斤" if fact.pack.inner == "kg" else fact.pack.inner
            amount = fact.pack.amount * 2 if fact.pack.inner == "kg" else fact.pack.amount
            pack = f"每{fact.pack.unit}{_money(amount)}{inner}"
        price = self._group_price(fact)
        gap = rng.choice(("", " "))
        return gap.join(x for x in (f"{name}{' ' + size if size else ''}", quantity, pack, price)
                        if x)

    def _group_quantity(self, fact: Fact) -> str:
        assert fact.quantity is not None
        if fact.unit == "kg" and fact.quantity * 2 >= 10000 and self.rng.random() < 0.3:
            jin = fact.quantity * 2
            if jin % 1000 == 0:
                return f"{float(jin / 10000):g}w斤"
        return self._quantity_text(fact)

    def _group_price(self, fact: Fact) -> str:
        rng = self.rng
        if fact.price is None:
            return "电议" if rng.random() < 0.5 else ""
        cap = "以内" if fact.kind == "need" and rng.random() < 0.5 else ""
        if fact.price_unit != "kg":
            return f"{_money(fact.price)}元一{fact.price_unit}{cap}"
        per_jin = fact.price / 2
        roll = rng.random()
        if per_jin == Fraction(3, 2) and roll < 0.5:
            return f"块五一斤{cap}"
        if per_jin < 1 and (per_jin * 10).denominator == 1 and roll < 0.5:
            return f"{_CN_TENTHS[int(per_jin * 10)]}毛{cap}"
        if roll < 0.8:
            return f"{_money(per_jin)}元一斤{cap}"
        return f"一公斤{'不超过' if cap else ''}{_money(fact.price)}元"

    def not_listing(self, line: int) -> dict[str, str]:
        name = self.rng.choice(self.rng.choices(PRODUCTS, self.weights)[0].names)
        return {"id": f"x{line}", "text": self.rng.choice(NOT_LISTINGS).format(name=name)}


def generate(
    offers: int, needs: int, seed: int = 1, today: date | None = None, style: str = "plain"
) -> Market:
    """A market of ``offers`` offers and ``needs`` needs, interleaved as they would arrive;
    ``style="group"`` writes them as groups do (several products to a post, and so on), so
    that the counts are of posts, not listings."""
    # The command judges validity by the date in China, so the market does too.
    day = today or datetime.now(PLATFORM_TZ).date()
    kinds = ["offer"] * offers + ["need"] * needs
    if style == "plain":
        writer = _Writer(random.Random(seed), day)
        writer.rng.shuffle(kinds)
        facts = [writer.fact(kind, line) for line, kind in enumerate(kinds)]
        return Market([writer.post(f) for f in facts], facts)
    group = _GroupWriter(random.Random(seed), day)
    group.rng.shuffle(kinds)
    posts: list[dict[str, str]] = []
    all_facts: list[Fact] = []
    for kind in kinds:
        if group.rng.random() < 0.05:
            posts.append(group.not_listing(len(posts)))
        facts = group.facts(kind, len(posts))
        posts.append(group.group_post(facts))
        all_facts += facts
    return Market(posts, all_facts)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a generated market as JSON lines.")
    parser.add_argument("--offers", type=int, default=2000)
    parser.add_argument("--needs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--style", choices=("plain", "group"), default="plain")
    args = parser.parse_args(argv)
    generate(args.offers, args.needs, args.seed, style=args.style).write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
