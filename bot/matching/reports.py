"""Reading a monitoring point's one-line price report: ``白菜1.2 西红柿3.5 猪肉13.8``.

A price is in yuan per the basket item's unit unless the line names another: a weight
(``牛肉 38元/斤``, ``76元/公斤``, ``1.38元/两``, ``52元/10斤``) or a volume (``15元/升``) is
converted to the item's unit when that unit measures the same way (元/斤 → 元/500g;
元/升 → 元/5L); a count unit (``0.6元/个``, ``150元/箱``) stays as written. A package whose
content is given (``4L 120元``, ``120元/桶 (4L)``, ``50斤/袋 130元``, ``10斤装 28元``) is
priced by its content; a ``桶`` of edible oil holds 5 L unless the line says otherwise.
Sales (``卖了800斤``, ``销量500公斤``, a bare ``800斤`` after the price) are kept in kg for
weights, litres for volumes, else in their count unit; a figure without a unit is in the
item's unit.

Every word that looks like a product but is not in the basket is ``unknown`` (a
catalogue product outside the basket too); every part of the line that cannot be used
is named in ``errors``. The report is ``ok`` when at least one item was read. Pure.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from bot.matching.basket import Basket, BasketItem, get_basket
from bot.matching.catalogue import Catalogue, get_catalogue
from bot.matching.datafiles import load_data
from bot.matching.numerals import NUMBER, parse_number
from bot.matching.text import normalize
from bot.matching.units import COUNT_UNITS
from bot.texts.prices import REPORT_ERRORS

_WORDS = load_data("report_words.json")
_FILLER = sorted(_WORDS["filler"], key=len, reverse=True)
_PACK_WORDS = frozenset(_WORDS["pack"])

# Grams or millilitres in one unit as written.
_WEIGHTS = {"斤": 500.0, "公斤": 1000.0, "千克": 1000.0, "kg": 1000.0, "克": 1.0, "g": 1.0,
            "两": 50.0, "吨": 1_000_000.0}
_VOLUMES = {"升": 1000.0, "l": 1000.0, "毫升": 1.0, "ml": 1.0}
_COUNTS = tuple(u for u in COUNT_UNITS if u != "升")
_OIL_BARREL_ML = 5000.0


def _alternation(words: Any) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_UNIT = f"(?:{_alternation([*_WEIGHTS, *_VOLUMES, *_COUNTS])})"
_ARABIC = r"\d+(?:\.\d+)?"
_CN_NUMBER = "[零〇一二两三四五六七八九十百千]+(?:点[零〇一二两三四五六七八九]+)?"
_DIGIT = "[0-9零〇一二两三四五六七八九]"
_UNIT_AHEAD = rf"(?!\s*{_UNIT})"  # 58元一桶: the 一 is 一桶, not 1 角
_TAIL = (f"(?:(?P<yuan>元|块)钱?(?:(?P<jiao>{_DIGIT}){_UNIT_AHEAD}(?:毛|角)?)?"
         f"|(?P<mao>毛|角)(?:(?P<fen>{_DIGIT}){_UNIT_AHEAD})?)钱?")
_PER = rf"\s*(?:/|每|一)\s*(?P<per_n>{_ARABIC})?\s*(?P<per_u>{_UNIT})"

_TOKENS = [
    # A date heading the report (5月9日, 2026-05-09): the day is the report's, not a price.
    ("sep", re.compile(r"(?:\d{4}[-/.年])?\d{1,2}月\d{1,2}[日号]?|\d{4}-\d{1,2}-\d{1,2}")),
    ("sales", re.compile(
        rf"(?:{_alternation(_WORDS['sales'])})\s*:?\s*(?P<num>{NUMBER})\s*(?P<unit>{_UNIT})?")),
    ("qty", re.compile(
        rf"(?P<num>{_ARABIC})\s*(?P<unit>{_UNIT})(?:\s*装|\s*/\s*(?P<pack>{_alternation(_COUNTS)}))?")),
    ("price", re.compile(
        rf"[¥￥]?(?P<num>{_ARABIC})(?:\s*-\s*(?P<hi>{_ARABIC}))?(?:\s*{_TAIL})?")),
    ("price", re.compile(rf"(?P<num>{_CN_NUMBER})(?:{_TAIL}|(?={_PER}))")),
    ("per", re.compile(_PER)),
    ("sep", re.compile(r"[\s,、;:=!?。~|]+|\.(?!\d)")),
]
# A remark in brackets with no figure in it (后腿, 散装) is not part of the report.
_REMARK = re.compile(r"[（(【\[]([^（()）【】\[\]\d零一二两三四五六七八九十]*)[)）】\]]")
_CJK = re.compile("[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One basket item as reported: yuan per ``price_unit``; sales in kg, L or a count unit."""

    product: str
    price: float
    price_unit: str
    sales: float | None = None
    sales_unit: str | None = None


@dataclass(slots=True)
class Report:
    items: list[ReportItem] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.items)

    def to_json(self) -> dict[str, Any]:
        """The documented shape of ``farmdock prices parse``."""
        return {
            "ok": self.ok,
            "items": [{"product": i.product, "price": i.price, "price_unit": i.price_unit,
                       "sales": i.sales, "sales_unit": i.sales_unit} for i in self.items],
            "unknown": list(self.unknown),
            "errors": list(self.errors),
        }


@dataclass(slots=True)
class _Token:
    kind: str
    text: str
    match: re.Match[str] | None = None


@dataclass(slots=True)
class _Entry:
    word: str
    price: _Token | None = None
    per: _Token | None = None
    pack: _Token | None = None  # a quantity before the price: what the price is for
    content: _Token | None = None  # what the package of the per unit holds
    sales: _Token | None = None
    packed: bool = False  # 桶装 and the like


def _token_at(text: str, position: int) -> tuple[str, re.Match[str]] | None:
    for kind, pattern in _TOKENS:
        found = pattern.match(text, position)
        if found and found.end() > position:
            return kind, found
    return None


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, word_start = 0, 0
    while position < len(text):
        hit = _token_at(text, position)
        if hit is None:
            position += 1
            continue
        kind, found = hit
        if word_start < position:
            tokens.append(_Token("word", text[word_start:position]))
        if kind != "sep":
            tokens.append(_Token(kind, found.group(0), found))
        else:
            tokens.append(_Token("sep", found.group(0)))
        position = word_start = found.end()
    if word_start < len(text):
        tokens.append(_Token("word", text[word_start:]))
    return tokens


def _strip_filler(word: str) -> str:
    changed = True
    while changed and word:
        changed = False
        for filler in _FILLER:
            if word.startswith(filler) and len(word) > len(filler):
                word, changed = word[len(filler):], True
            elif word.endswith(filler) and len(word) > len(filler):
                word, changed = word[: -len(filler)], True
            elif word == filler:
                return ""
    return word


def _product(word: str, catalogue: Catalogue) -> str | None:
    """The catalogue product a word names: whole, without filler, or the longest name in it."""
    for candidate in (word, _strip_filler(word)):
        entry = catalogue.names.get(candidate)
        if entry is not None:
            return entry.product.name
    best: str | None = None
    for name, entry in catalogue.names.items():
        if len(name) >= 2 and name in word and (best is None or len(name) > len(best)):
            best = name
            product = entry.product.name
    return product if best is not None else None


def _price_value(found: re.Match[str]) -> float | None:
    value = parse_number(found.group("num"))
    if value is None:
        return None
    if found.group("mao"):
        fen = parse_number(found.group("fen")) if found.group("fen") else 0.0
        return round(value / 10 + (fen or 0.0) / 100, 4)
    if found.group("jiao"):
        jiao = parse_number(found.group("jiao")) or 0.0
        return round(value + jiao / 10, 4)
    return value


def _measure(number: str | None, unit: str) -> tuple[str, float] | None:
    """(dimension, grams or millilitres) of ``number`` ``unit``, None for a count unit."""
    amount = parse_number(number) if number else 1.0
    if amount is None:
        return None
    if unit in _WEIGHTS:
        return "weight", amount * _WEIGHTS[unit]
    if unit in _VOLUMES:
        return "volume", amount * _VOLUMES[unit]
    return None


def _per_of(token: _Token) -> tuple[str | None, str]:
    """(how many, which unit) a price is for: from /斤, 每公斤, /10斤, or 3斤 after 10元."""
    assert token.match is not None
    if token.kind == "per":
        return token.match.group("per_n"), token.match.group("per_u")
    return token.match.group("num"), token.match.group("unit")


def _is_oil(item: BasketItem) -> bool:
    return item.dimension == "volume" or item.product.endswith("油")


_DEFAULT_UNIT = {"weight": ("500g", 500.0), "volume": ("L", 1000.0)}


def _priced(entry: _Entry, item: BasketItem, value: float) -> tuple[float, str]:
    """The price in yuan per the item's unit where the measures meet, else as written."""
    measure: tuple[str, float] | None = None
    count_unit: str | None = None
    if entry.per is not None:
        per_n, per_u = _per_of(entry.per)
        measure = _measure(per_n, per_u)
        if measure is None:
            content = entry.content or entry.pack
            if content is not None and content.match is not None:
                measure = _measure(content.match.group("num"), content.match.group("unit"))
            if measure is None and per_u == "桶" and _is_oil(item):
                measure = ("volume", _OIL_BARREL_ML)
            if measure is None:
                count_unit = per_u
    elif entry.pack is not None and entry.pack.match is not None:
        measure = _measure(entry.pack.match.group("num"), entry.pack.match.group("unit"))
        if measure is None:
            count_unit = entry.pack.match.group("unit")
    if count_unit is not None:
        return value, count_unit
    if measure is None:
        return value, item.unit
    dimension, amount = measure
    if dimension == item.dimension:
        unit, unit_amount = item.unit, item.amount
    else:
        unit, unit_amount = _DEFAULT_UNIT[dimension]
    return round(value * unit_amount / amount, 4), unit


def _sales(token: _Token, item: BasketItem) -> tuple[float, str] | None:
    assert token.match is not None
    amount = parse_number(token.match.group("num"))
    if amount is None:
        return None
    unit = token.match.group("unit")
    if unit is None:
        if item.dimension == "count":
            return amount, item.unit
        return round(amount * item.amount / 1000, 3), "kg" if item.dimension == "weight" else "L"
    measure = _measure(token.match.group("num"), unit)
    if measure is None:
        return amount, unit
    dimension, grams = measure
    return round(grams / 1000, 3), "kg" if dimension == "weight" else "L"


def _entries(tokens: list[_Token], report: Report) -> list[_Entry]:
    entries: list[_Entry] = []
    current: _Entry | None = None
    previous: _Token | None = None
    for token in tokens:
        adjacent, previous = previous, token
        if token.kind == "sep":
            continue
        if token.kind == "word":
            if token.text in _PACK_WORDS and current is not None and current.price is None:
                current.packed = True
                continue
            current = _Entry(token.text)
            entries.append(current)
        elif current is None:
            report.errors.append(REPORT_ERRORS["number_alone"].format(word=token.text.strip()))
        elif token.kind == "price":
            if current.price is None:
                current.price = token
            else:
                report.errors.append(REPORT_ERRORS["number_alone"].format(
                    word=token.text.strip()))
        elif token.kind == "per":
            if current.per is None:
                current.per = token
            else:
                report.errors.append(REPORT_ERRORS["unreadable"].format(word=token.text.strip()))
        elif token.kind == "qty":
            if current.price is None and current.pack is None:
                current.pack = token
            elif (current.per is None and adjacent is current.price and adjacent is not None
                  and adjacent.match is not None and adjacent.match.groupdict().get("yuan")):
                current.per = token  # 10元3斤: the price of 3 斤
            elif current.price is not None and current.per is not None and current.content is None \
                    and _measure(None, _per_of(current.per)[1]) is None:
                current.content = token
            elif current.price is not None and current.sales is None:
                current.sales = token
            else:
                report.errors.append(REPORT_ERRORS["unreadable"].format(word=token.text.strip()))
        elif token.kind == "sales":
            if current.sales is None:
                current.sales = token
            else:
                report.errors.append(REPORT_ERRORS["unreadable"].format(word=token.text.strip()))
    return entries


def parse_report(
    text: str, basket: Basket | None = None, catalogue: Catalogue | None = None
) -> Report:
    """What a one-line price report says, item by item (see the module docstring)."""
    basket = basket or get_basket()
    catalogue = catalogue or get_catalogue()
    report = Report()
    line = normalize(_REMARK.sub(" ", text))
    if not line:
        report.errors.append(REPORT_ERRORS["empty"])
        return report
    seen: set[str] = set()
    for entry in _entries(_tokens(line), report):
        word = entry.word.strip()
        product = _product(word, catalogue)
        item = basket.get(product) if product else None
        if item is None:
            looks_like_product = product is not None or (
                entry.price is not None and _CJK.search(word) is not None
                and bool(_strip_filler(word)))
            if looks_like_product:
                named = _strip_filler(word) or word  # 今日榴莲 → 榴莲
                report.unknown.append(named)
                report.errors.append(REPORT_ERRORS["not_in_basket"].format(word=named))
            elif _strip_filler(word) or entry.price is not None:
                report.errors.append(REPORT_ERRORS["unreadable"].format(word=word))
            continue
        if entry.price is None or entry.price.match is None:
            key = "sales_alone" if entry.sales is not None else "no_price"
            report.errors.append(REPORT_ERRORS[key].format(word=word))
            continue
        found = entry.price.match
        if "hi" in found.groupdict() and found.group("hi"):
            report.errors.append(REPORT_ERRORS["range"].format(
                word=word, text=entry.price.text.strip()))
            continue
        value = _price_value(found)
        if value is not None and not math.isfinite(value):
            report.errors.append(REPORT_ERRORS["unreadable"].format(word=entry.price.text))
            continue
        if value is None or value <= 0:
            report.errors.append(REPORT_ERRORS["zero"].format(word=word))
            continue
        if item.product in seen:
            report.errors.append(REPORT_ERRORS["twice"].format(word=word))
            continue
        seen.add(item.product)
        price, price_unit = _priced(entry, item, value)
        sales = _sales(entry.sales, item) if entry.sales is not None else None
        if sales is not None and not math.isfinite(sales[0]):
            report.errors.append(REPORT_ERRORS["unreadable"].format(word=entry.sales.text))
            sales = None
        report.items.append(ReportItem(
            item.product, price, price_unit,
            sales[0] if sales else None, sales[1] if sales else None))
    if not report.items and not report.errors:
        report.errors.append(REPORT_ERRORS["nothing"])
    return report
