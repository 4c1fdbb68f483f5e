"""The daily store survey (日调查): which items a store reports, and reading its report.

A manager sends one line, ``大米 库存20吨 日销2吨；猪肉 库存3吨 今天卖了1.5吨；鸡蛋 500箱
日销120箱``. The report is read item by item:

- An item starts where a product is named (any catalogue name: 豆油 is 大豆油, 洋芋 is
  土豆) and runs to the next product named. Pieces split off by ``，`` or ``；`` that name
  no product but begin with a figure or a report word (``，日销2吨``) belong to the item
  before them; a piece that names no product but reports a figure (``火腿肠 库存100箱``)
  is *unknown*, as is a catalogue product that is no survey item (香蕉). Headers and
  chatter without a figure (``今日报：``, ``5月10日``) are passed over, and so are prices
  (``价格2.6元/斤``).
- Within an item, 库存/存货/现有/剩余 … introduce the stock, 日销/日均 … the average daily
  sales (``sales_basis`` ``daily_average``), 今天卖了/今日销售/卖了 … today's sales
  (``today``); the first figure with a unit and no word before it is the stock. 断货,
  卖完了 … say the stock is zero. A figure without a unit takes the unit of the item's
  other figure; a zero stock without any unit is counted in the product's usual unit.
- Weights are kilograms (20吨 → 20000 kg); count units stay as written (500箱). A range
  (2-3吨) is its middle; 约, 左右, 多 change nothing; 一吨半 is 1.5 吨. What a package
  holds (5kg装, 24瓶/箱, 每箱24盒) is no figure, nor are those the survey does not ask for
  (可销售10天, 进货1吨, 销售额…); 食用油（大豆油） is 大豆油.

An item whose stock is read is in the answer even when its sales part is wrong; the error
says what was wrong. ``ok`` is true when there is no error; a report from which no item
could be read always has one. Pure: the catalogue and the survey items are passed in or
loaded from data files; no I/O after the first load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from bot.matching import policy
from bot.matching.catalogue import Catalogue, Product, get_catalogue
from bot.matching.datafiles import load_data
from bot.matching.numerals import NUMBER, parse_number
from bot.matching.text import clean_text, normalize
from bot.matching.units import UNIT_PATTERN, normalize_amount

ITEMS_FILE = "survey_items.json"
SalesBasis = Literal["daily_average", "today"]

MESSAGES = {
    "nothing": "没有读到调查品种的库存（例如：大米 库存20吨 日销2吨）",
    "no_stock": "{product}：没有看到库存数（例如：库存20吨）",
    "no_figure": "{product}：「{word}」后面没有数",
    "no_unit": "{product}：数量没有写单位（吨、斤、箱、袋……）",
    "negative": "{product}：数量不能是负数",
    "extra": "{product}：「{figure}」不知道是库存还是销量，请在前面写「库存」或「日销」",
    "twice": "{product}：报了两次，请只报一次",
    "yesterday": "{product}：请报日均销量（日销）或今天卖了多少，不收昨天的销量",
    "ambiguous": "「{word}」是哪一种？请写明{choices}",
    "no_name": "「{piece}」：没有写是什么品种",
    "too_long": "报告太长了：一次请不要超过{limit}个字",
}
MAX_CHARS = 2000


@dataclass(frozen=True, slots=True)
class SurveyItem:
    """A product the survey asks about, its survey category, and its group if any."""

    product: str
    category: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class SurveyItems:
    """The survey's items in order, and the words that name a group of alternatives."""

    items: tuple[SurveyItem, ...]
    group_words: dict[str, tuple[str, ...]]  # 油 → (大豆油, 花生油)
    _by_product: dict[str, SurveyItem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_product", {i.product: i for i in self.items})

    def get(self, product: str) -> SurveyItem | None:
        return self._by_product.get(product)

    @property
    def products(self) -> tuple[str, ...]:
        return tuple(i.product for i in self.items)

    def expected_count(self) -> int:
        """How many items a store reports: one per group, one per item outside groups."""
        groups = {i.group for i in self.items if i.group}
        return len(groups) + sum(1 for i in self.items if not i.group)


@dataclass(frozen=True, slots=True)
class ReportedItem:
    """One item of a report: stock and sales as the contract has them (weights in kg)."""

    product: str
    stock: float
    stock_unit: str
    sales: float | None
    sales_unit: str | None
    sales_basis: SalesBasis | None

    def to_json(self) -> dict[str, Any]:
        return {"product": self.product, "stock": self.stock, "stock_unit": self.stock_unit,
                "sales": self.sales, "sales_unit": self.sales_unit,
                "sales_basis": self.sales_basis}


@dataclass(slots=True)
class SurveyReport:
    """What a report says: the items read, the names that are no survey item, the errors."""

    items: list[ReportedItem] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "items": [i.to_json() for i in self.items],
                "unknown": list(self.unknown), "errors": list(self.errors)}


# --- the survey items (a policy table) ---------------------------------------------------


def survey_items_from(data: Any, catalogue: Catalogue, categories: set[str] | None,
                      where: str = ITEMS_FILE) -> SurveyItems:
    """The survey items of a parsed ``survey_items.json``; PolicyError naming ``where`` and
    the first bad row (unknown product or category, a product twice, a bad group)."""
    rows = data.get("items") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise policy.PolicyError(f'policy file {where}: "items" must be a non-empty list')
    items: list[SurveyItem] = []
    for number, row in enumerate(rows, start=1):
        problem = None
        if not isinstance(row, dict):
            problem = "not an object"
        elif not isinstance(row.get("product"), str) or catalogue.get(row["product"]) is None:
            problem = f"unknown product {row.get('product')!r}"
        elif any(i.product == row["product"] for i in items):
            problem = f"{row['product']} twice"
        elif not isinstance(row.get("category"), str) or (
                categories is not None and row["category"] not in categories):
            problem = f"unknown category {row.get('category')!r}"
        elif row.get("group") is not None and not isinstance(row["group"], str):
            problem = "group must be a name"
        if problem is not None:
            raise policy.PolicyError(f"policy file {where} item {number}: {problem}")
        items.append(SurveyItem(row["product"], row["category"], row.get("group")))
    words: dict[str, tuple[str, ...]] = {}
    for group in data.get("groups", []):
        members = tuple(i.product for i in items if i.group == group.get("name"))
        if not members or not isinstance(group.get("words"), list):
            raise policy.PolicyError(f"policy file {where}: group {group.get('name')!r} "
                                     "has no items or no list of words")
        for word in group["words"]:
            words[str(word)] = members
    return SurveyItems(tuple(items), words)


def read_survey_items(folder: Path | None) -> SurveyItems:
    """The survey items in force with overrides from ``folder``; PolicyError if malformed."""
    from bot.matching.stock import read_targets

    categories = set(read_targets(folder))
    return survey_items_from(policy.load_policy(ITEMS_FILE, folder), get_catalogue(),
                             categories, policy.source_of(ITEMS_FILE, folder))


_cached_items = cache(read_survey_items)


def get_survey_items() -> SurveyItems:
    """The survey items in force (the override directory's file if it has one)."""
    return _cached_items(policy.directory())


# --- reading a report --------------------------------------------------------------------

_WORDS = load_data("survey_words.json")
_FOLD = str.maketrans(_WORDS["traditional"])


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# other_figure first: 可销售天数 must not read as 销售, 进货5吨 is no stock.
_ROLES = ("other_figure", "stock", "daily_average", "today", "yesterday", "sold_out")
_KEYWORD = "|".join(f"(?P<{role}>{_alternation(_WORDS[role])})" for role in _ROLES)
_FIGURE = (
    rf"(?P<minus>-\s*)?(?P<n>{NUMBER})(?:\s*(?:-|~|到|至)\s*(?P<n2>{NUMBER}))?"
    rf"\s*(?:多|余)?\s*(?P<unit>{UNIT_PATTERN})?(?P<half>半)?"
)
_TOKEN = re.compile(f"{_KEYWORD}|{_FIGURE}")
_PRICE = re.compile(
    rf"(?:零售价|价格|单价|售价|价)?\s*[:：]?\s*{NUMBER}\s*(?:元|块)(?:\s*(?:/|每)\s*"
    rf"(?:{UNIT_PATTERN}))?")
_HEDGES = re.compile(_alternation(_WORDS["hedges"]))
# What one package holds, written beside a figure (5kg装, 24瓶/箱, 每箱24瓶, 袋装25kg,
# 规格5kg): no figure.
_PACK_AFTER = re.compile(rf"\s*(?:装|/\s*(?:{UNIT_PATTERN}))")
_PACK_BEFORE = re.compile(rf"(?:每\s*(?:{UNIT_PATTERN})|[×x*]|装|规格)\s*[:：]?\s*$")
# Pieces of a report: an item each, or a part of one (``，日销2吨``).
_SEPARATORS = re.compile(r"[；;。\n、!！?？,，]")
_PUNCTUATION = " :：.-/()（）[]【】*#"


@dataclass(slots=True)
class _Names:
    """Where names of products are in a text: one regex over every catalogue name."""

    pattern: re.Pattern[str]
    catalogue: Catalogue


@cache
def _names(catalogue: Catalogue, group_words: tuple[str, ...]) -> _Names:
    names = [n for n, e in catalogue.names.items() if e.kind != "single"]
    names += list(catalogue.blockers) + list(group_words)
    return _Names(re.compile(_alternation(names)), catalogue)


def parse_report(text: str, items: SurveyItems | None = None,
                 catalogue: Catalogue | None = None) -> SurveyReport:
    """Read one store's report (see the module docstring)."""
    items = items if items is not None else get_survey_items()
    catalogue = catalogue if catalogue is not None else get_catalogue()
    names = _names(catalogue, tuple(sorted(items.group_words)))
    if len(text) > MAX_CHARS:
        return SurveyReport(errors=[MESSAGES["too_long"].format(limit=MAX_CHARS)])
    typed = _HEDGES.sub(" ", _PRICE.sub(" ", normalize(clean_text(text)).translate(_FOLD)))
    report = SurveyReport()
    seen: dict[str, int] = {}
    twice: set[str] = set()
    for piece in _pieces(typed, names):
        _read_piece(piece, items, catalogue, names, report, seen, twice)
    if twice:
        report.items = [i for i in report.items if i.product not in twice]
    if not report.items and not report.errors:
        report.errors.append(MESSAGES["nothing"])
    return report


def _pieces(typed: str, names: _Names) -> list[str]:
    """The report split at separators, with a piece that begins with a figure or a report
    word joined to the piece before it."""
    pieces: list[str] = []
    for part in _SEPARATORS.split(typed):
        stripped = part.strip(_PUNCTUATION)
        if not stripped:
            continue
        # Begins with a report word or a figure with its unit: the item before goes on
        # (whatever products the piece names further on).
        m = _TOKEN.match(stripped)
        if pieces and m is not None and (m.group("n") is None or m.group("unit")):
            pieces[-1] += " " + stripped
        else:
            pieces.append(stripped)
    return pieces


def _has_amount(text: str) -> bool:
    return any(m.group("unit") for m in _TOKEN.finditer(text) if m.group("n") is not None)


def _read_piece(piece: str, items: SurveyItems, catalogue: Catalogue, names: _Names,
                report: SurveyReport, seen: dict[str, int], twice: set[str]) -> None:
    mentions = list(names.pattern.finditer(piece))
    head = piece[: mentions[0].start()] if mentions else piece
    if _has_amount(head):
        first = _TOKEN.search(head)
        name = head[: first.start() if first else len(head)].strip(_PUNCTUATION)
        if name:
            report.unknown.append(name)
        else:
            report.errors.append(MESSAGES["no_name"].format(piece=head.strip(_PUNCTUATION)))
    segments: list[tuple[str, Product | None, str]] = []
    for index, mention in enumerate(mentions):
        end = mentions[index + 1].start() if index + 1 < len(mentions) else len(piece)
        word, body = mention.group(0), piece[mention.end(): end]
        product = catalogue.lookup(word)
        if (segments and product is not None and segments[-1][1] == product
                and _TOKEN.search(body) is None):
            # The product named again inside its own item, with no figure (大米 库存20吨
            # （东北大米）): the same item; named again with figures, it is reported twice.
            segments[-1] = (segments[-1][0], product, segments[-1][2] + " " + body)
        else:
            segments.append((word, product, body))
    for n, (word, product, body) in enumerate(segments):
        if word in items.group_words:
            following = segments[n + 1][1] if n + 1 < len(segments) else None
            if _TOKEN.search(body) is None and following is not None and \
                    following.name in items.group_words[word]:
                continue  # 食用油（大豆油）…: the item is named right after
            choices = "、".join(items.group_words[word])
            report.errors.append(MESSAGES["ambiguous"].format(word=word, choices=choices))
            continue
        if product is None or items.get(product.name) is None:
            report.unknown.append(word)
            continue
        if product.name in seen:
            if product.name not in twice:
                twice.add(product.name)
                report.errors.append(MESSAGES["twice"].format(product=product.name))
            continue
        seen[product.name] = 1
        item = _read_item(product, body, report.errors)
        if item is not None:
            report.items.append(item)


@dataclass(slots=True)
class _Figure:
    value: float
    unit: str | None
    written: str


def _figure(found: re.Match[str]) -> _Figure | None:
    """The value of a figure token; None when it is not a number."""
    value = parse_number(found.group("n"))
    if value is None:
        return None
    if found.group("n2") is not None:
        upper = parse_number(found.group("n2"))
        if upper is not None:
            value = (value + upper) / 2
    if found.group("half") and found.group("unit"):
        value += 0.5
    if found.group("minus"):
        value = -value
    return _Figure(value, found.group("unit"), found.group(0).strip())


def _read_item(product: Product, body: str, errors: list[str]) -> ReportedItem | None:
    """The stock and sales of one item from the text after its name; errors appended."""
    name = product.name
    slots: dict[str, _Figure | None] = {"stock": None, "sales": None}
    basis: SalesBasis | None = None
    sold_out = False
    sales_wrong = False
    role: str | None = None
    role_word = ""

    def missing_figure() -> None:
        nonlocal sales_wrong
        errors.append(MESSAGES["no_figure"].format(product=name, word=role_word))
        if role != "stock":
            sales_wrong = True

    for found in _TOKEN.finditer(body):
        keyword = next((r for r in _ROLES if found.group(r)), None)
        if keyword is not None:
            if role is not None and role != "other_figure":
                missing_figure()
            if keyword == "sold_out":
                sold_out, role = True, None
                continue
            role, role_word = keyword, found.group(0)
            continue
        figure = _figure(found)
        if figure is None or _PACK_AFTER.match(body, found.end()) or \
                _PACK_BEFORE.search(body, 0, found.start()):
            continue
        if role == "other_figure":
            role = None  # 可销售10天, 进货5吨: a figure the survey does not ask for
            continue
        if role is None:
            if figure.unit is None:
                continue  # a bare number with no word before it (5月10日, 一级): no figure
            if slots["stock"] is None and not sold_out:
                slots["stock"] = figure
            else:
                errors.append(MESSAGES["extra"].format(product=name, figure=figure.written))
            continue
        if figure.value < 0:
            errors.append(MESSAGES["negative"].format(product=name))
            sales_wrong = sales_wrong or role != "stock"
            if role == "stock":
                slots["stock"] = _Figure(float("nan"), None, figure.written)
        elif role == "yesterday":
            errors.append(MESSAGES["yesterday"].format(product=name))
            sales_wrong = True
        elif role == "stock":
            if slots["stock"] is None:
                slots["stock"] = figure
            else:
                errors.append(MESSAGES["extra"].format(product=name, figure=figure.written))
        elif slots["sales"] is None:
            slots["sales"], basis = figure, role  # type: ignore[assignment]
        else:
            errors.append(MESSAGES["extra"].format(product=name, figure=figure.written))
        role = None
    if role is not None and role != "other_figure":
        missing_figure()
    stock, sales = slots["stock"], slots["sales"]
    if sold_out and stock is None:
        stock = _Figure(0.0, None, "0")
    if stock is None:
        if not any(e.startswith(f"{name}：") for e in errors):
            errors.append(MESSAGES["no_stock"].format(product=name))
        return None
    if stock.value != stock.value:  # negative stock: reported above
        return None
    if sales_wrong:
        sales, basis = None, None
    stock_unit = stock.unit or (sales.unit if sales is not None else None)
    if stock_unit is None:
        if stock.value != 0:
            errors.append(MESSAGES["no_unit"].format(product=name))
            return None
        stock_unit = product.unit
    stock_value, stock_unit = normalize_amount(stock.value, stock_unit)
    sales_value: float | None = None
    sales_unit: str | None = None
    if sales is not None:
        sales_value, sales_unit = normalize_amount(sales.value, sales.unit or stock.unit
                                                   or stock_unit)
    return ReportedItem(name, stock_value, stock_unit, sales_value, sales_unit, basis)


_AMOUNT_ONLY = re.compile(rf"\s*{_FIGURE}\s*")


def read_amount(text: str) -> tuple[float, str] | None:
    """One positive amount with its unit (30吨, 500箱, 两千斤), normalised like a report's
    figures (kg for weights); None when the text is anything else."""
    found = _AMOUNT_ONLY.fullmatch(_HEDGES.sub(" ", normalize(clean_text(text))))
    if found is None or not found.group("unit"):
        return None
    figure = _figure(found)
    if figure is None or figure.unit is None or not figure.value > 0:
        return None
    return normalize_amount(figure.value, figure.unit)
