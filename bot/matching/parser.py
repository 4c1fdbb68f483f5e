"""From a grower's or buyer's one-line post to a typed :class:`ListingDraft`.

Order matters, because the pieces of a post share characters:
phone numbers and dates go first (they are digits), then places (李庄乡, 枣林镇 and
米庙镇 hold product characters), then the product by the longest dictionary name
(五花肉 and 张八桥 hold numerals), then pack size, price and quantity. Toneless
pinyin and then ``fuzz.ratio`` name the product only when the dictionary found none.

A post naming several products is read part by part (from each product's name to the
next one's), after the phone, date and place it shares; a post stating no quantity and no
price may be no listing at all (a question, thanks, a sold-out notice).

The words the parser reads meaning by (offer and need words, price bounds, labels …) are
in ``data/parser_words.json``; the patterns that hold them are built here, once, at import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

import ahocorasick

from bot.matching.catalogue import Catalogue, NameEntry, get_catalogue
from bot.matching.clock import PLATFORM_TZ, local_today
from bot.matching.datafiles import load_data
from bot.matching.limits import Limits, get_limits
from bot.matching.model import (
    WEIGHT_UNIT,
    Kind,
    KindSource,
    ListingDraft,
    NotListing,
    PackSize,
    Place,
    PriceBound,
)
from bot.matching.numerals import (
    DIGIT_CHARS,
    NUMBER,
    digit_value,
    expand_exponents,
    parse_number,
)
from bot.matching.phones import find_phone
from bot.matching.regions import Gazetteer, get_gazetteer
from bot.matching.text import normalize
from bot.matching.units import (
    PACKAGE_PATTERN,
    PACKAGE_UNITS,
    UNIT_PATTERN,
    is_weight,
    normalize_amount,
    normalize_unit_price,
)

# Every sentence the parser shows a user, in one place.
MESSAGES = {
    "empty": "内容是空的，请写上产品、数量、价格和地点",
    "too_long": "信息太长了：一条信息请不要超过{limit}个字",
    "no_product": "没有看出是什么产品",
    "no_quantity": "没有看出数量（例如：5000斤、2吨、30箱）",
    "no_unit": "数量没有写单位（斤、公斤、吨、箱……）",
    "quantity_range": "数量超出范围：要大于0，最多{max}",
    "price_range": "价格超出范围：要大于0，最多{max}；免费赠送请写「免费」",
    "internal": "这条信息暂时无法识别，请换个写法再试",
    "question": "这像是在打听行情，不是供求信息；要发布请写上产品、数量和价格",
    "greeting": "这是问候，不是供求信息；要发布请写上产品、数量和价格",
    "thanks": "这是致谢，不是供求信息；要发布请写上产品、数量和价格",
    "sold_out": "这是售完的通知，不是新的供求信息；之前发布的可以在「我的发布」里关闭",
    "another": "第{n}个产品（{product}）：{error}",
}

MAX_CHARS = 1000

# Confidence of a product by how it was named.
_CONFIDENCE = {
    "canonical": 1.0,
    "alias": 0.95,
    "regional": 0.9,
    "variety": 0.9,
    "single": 0.6,
    "pinyin": 0.8,
}
# fuzz.ratio threshold for the last-resort product match, chosen with the typo and
# look-alike cases in tests/matching/test_product.py: two characters of three must agree.
FUZZY_THRESHOLD = 66.0
# How much of a post the pinyin and fuzzy searches read.
_SOUND_OR_SHAPE_CHARS = 200

_WORDS: Mapping[str, Any] = load_data("parser_words.json")


def _alternation(words: Iterable[str]) -> str:
    """A regex alternative of literal words, longest first (需要的 before 需要)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _needed_chars(words: Iterable[str]) -> str:
    """Characters at least one of which a text holding any of ``words`` holds: those every
    word shares (价 of 价格, 单价 …), else the first of each word."""
    words = list(words)
    shared = set.intersection(*(set(w) for w in words))
    return "".join(sorted(shared or {w[0] for w in words}))


_UNIT = f"(?:{UNIT_PATTERN})"
_NUM = NUMBER
_SEP = r"\s*"
# Where a figure starts, never inside another: 2345元 is never read out of 12345元, and a
# pattern that fails on a long run of digits tries it once, not at every digit.
_START = f"(?<![{DIGIT_CHARS}十百千万点.])"

# --- dates (taken out first with phone numbers: they are digits) -------------------
_DAYS_AHEAD: dict[str, int] = dict(_WORDS["validity_days_ahead"])
_END_OF_WEEK: tuple[str, ...] = tuple(_WORDS["validity_end_of_week"])
_END_OF_YEAR: tuple[str, ...] = tuple(_WORDS["validity_end_of_year"])
_NAMED_DAYS = (*_DAYS_AHEAD, *_END_OF_WEEK, *_WORDS["validity_end_of_month"], *_END_OF_YEAR)
_SMALL = f"[{DIGIT_CHARS}十]{{1,3}}"
_VALIDITY = re.compile(
    rf"(?:(?P<y>\d{{4}})年)?(?P<mo>{_SMALL})月(?P<d>{_SMALL})[日号]?"
    r"|(?<![\d.])(?P<mo2>\d{1,2})[./-](?P<d2>\d{1,2})[日号]?(?=之前|以前|前|截止)"
    rf"|(?<![\d./-])(?<![\d十]月)(?P<d3>{_SMALL}|\d{{1,2}})[日号](?=之前|以前|前|截止)"
    rf"|{_START}(?P<days>{_NUM}){_SEP}(?:天|日)(?:之内|以内|内|有效)"
    rf"|有效期?{_SEP}:?{_SEP}(?P<days2>{_NUM}){_SEP}(?:天|日)"
    rf"|{_START}(?P<weeks>{_NUM}){_SEP}(?:周|个?星期|个?礼拜)(?:之内|以内|内)?"
    rf"|{_START}(?P<months>{_NUM}){_SEP}个月(?:之内|以内|内)?"
    r"|(?P<wk>本|这|下)(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])"
    r"|(?:周|星期|礼拜)(?P<wd2>[一二三四五六日天])(?=之前|以前|前|截止)"
    rf"|(?P<word>{_alternation(_NAMED_DAYS)})"
)
# After a named day, these say when something was done (今天早上刚割的), not a validity.
_WHEN_DONE = re.compile(r"\s*(?:早上|上午|中午|下午|晚上|刚|才|新)")
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# Every validity expression holds one of these characters (5.15前 only 前 or 止): the
# patterns' own, and the last of each named day (月底).
_VALIDITY_HINT = re.compile(
    "[" + "".join(sorted(set("月天日周期拜前止").union(w[-1] for w in _NAMED_DAYS))) + "]"
)

# --- kind ---------------------------------------------------------------------------
class KindWords:
    """The words that say whether a post is an offer or a need, and the kind they read."""

    def __init__(self, words: Mapping[str, Any]) -> None:
        """From the ``offer``, ``need``, ``neutral``, ``lead_kind`` and ``weak_kind`` lists
        of ``parser_words.json`` (or a mapping shaped like it)."""
        # Neutral words hold a kind character and say nothing about the kind (丰收 is not 收购).
        self.kind_of: dict[str, str | None] = (
            {w: "offer" for w in words["offer"]}
            | {w: "need" for w in words["need"]}
            | dict.fromkeys(words["neutral"])
        )
        self.lead: dict[str, str] = dict(words["lead_kind"])
        # Weaker hints, read only when no word above is found: 出 (低价出 …), 有 (俺家有 …).
        self.weak: dict[str, str] = dict(words["weak_kind"])
        # A word wins over a leading character it starts with (有没有卖… is a need).
        self._words = re.compile(
            f"{_alternation(self.kind_of)}|^(?P<lead>{_alternation(self.lead)})"
        )
        # A kind word inside an organisation's name (粮食收购站, 粮油批发部) says nothing.
        self._organisation = re.compile(
            rf"[\u4e00-\u9fff]{{0,2}}?(?:{_alternation(words['organisation'])})"
        )
        self._weak = re.compile(_alternation(self.weak))
        # How far a neutral word holding a character may reach on either side of it.
        self._reach = max(len(w) for w, kind in self.kind_of.items() if kind is None) - 1

    def kind(self, t: str) -> Kind | None:
        """The kind of a post: its leading character, else its first offer or need word,
        else its first weak hint outside a neutral word."""
        for m in self._words.finditer(t):
            if m.group("lead"):
                return self.lead[m.group("lead")]  # type: ignore[return-value]
            kind = self.kind_of[m.group(0)]
            if kind is not None and not self._organisation.match(t, m.end()):
                return kind  # type: ignore[return-value]
        for m in self._weak.finditer(t):
            if not self._inside_neutral(t, m.start()):
                return self.weak[m.group(0)]  # type: ignore[return-value]
        return None

    def one_character_words(self) -> list[str]:
        """The offer and need words, leading characters and weak hints of one character."""
        words = [w for w, kind in self.kind_of.items() if kind is not None]
        return sorted({w for w in (*words, *self.lead, *self.weak) if len(w) == 1})

    def _inside_neutral(self, t: str, i: int) -> bool:
        """Whether the character at ``i`` belongs to a neutral word (不要, 要求 …)."""
        for m in self._words.finditer(t, max(i - self._reach, 0), i + self._reach + 1):
            if m.start() <= i < m.end() and self.kind_of.get(m.group(0), "x") is None:
                return True
        return False


_KIND_WORDS = KindWords(_WORDS)
_OFFER_CUES = re.compile(_alternation(_WORDS["offer_cues"]))
_BLANKS = re.compile(r"\s+(?=的)")
_ROLE_KIND: dict[str, Kind] = {"grower": "offer", "buyer": "need"}
ROLES = tuple(_ROLE_KIND)

# --- what people type, spelled one way before anything is read ---------------------
# A dot not between two digits is a separator (5000斤......八毛, 土豆…2万斤), never a
# decimal point; so is a run of commas.
_SEPARATOR_DOT = re.compile(r"(?<![0-9])\.|\.(?![0-9])|[,、]{2,}")
# 1.5w斤 is 1.5万斤.
_TEN_THOUSAND = re.compile(r"(?<=[0-9])[wW](?![a-zA-Z])")
# 块五 with no figure before it is 一块五 (1.5 yuan).
_BARE_KUAI = re.compile(
    r"(?<![0-9零〇一二两三四五六七八九十百千万半.])块(?=[一二三四五六七八九半])"
)
_TYPOS: dict[str, str] = dict(_WORDS["typos"])
_TYPO = re.compile(_alternation(_TYPOS))

# --- not listings and standing listings ----------------------------------------------
_NOT_LISTING = tuple(
    (cls, re.compile(_alternation(_WORDS["not_listing"][cls])))
    for cls in ("sold_out", "question", "thanks", "greeting")
)
_STANDING = re.compile(_alternation(_WORDS["standing"]))
_EACH = tuple(_WORDS["each"])
_SHARED_PRICE = re.compile(_alternation(_WORDS["shared_price"]) + r"|[,;，；]")

# --- pack size, price, quantity -----------------------------------------------------
_PKG = f"(?:{PACKAGE_PATTERN})"
_PACK = re.compile(
    rf"每{_SEP}(?P<pk1>{_PKG}){_SEP}(?:约|大约)?(?P<n1>{_NUM}){_SEP}(?P<u1>{_UNIT})"
    rf"|一{_SEP}(?P<pk2>{_PKG}){_SEP}(?P<n2>{_NUM}){_SEP}(?P<u2>{_UNIT})"
    rf"|{_START}(?P<n3>{_NUM})(?P<u3>{_UNIT})(?:/|一)(?P<pk3>{_PKG})"
    rf"|{_START}(?P<n4>{_NUM}){_SEP}(?P<u4>{_UNIT}){_SEP}装"
)
_PACK_HINT = re.compile(f"{_PKG}|装")
# A sub-unit digit must not start the next quantity: 0.8元1斤 is 0.8, not 0.81.
_BOUND_WORD = f"(?:{_alternation(_WORDS['bounds_after_basis'])})"
_SUB = rf"[0-9零一二两三四五六七八九半](?![0-9.]|{_SEP}{_UNIT})"
# 1块45 is 1.45: a jiao digit may have a fen digit right after it.
_SUB_JIAO = rf"[0-9零一二两三四五六七八九半](?![.]|[0-9][0-9.]|[0-9]?{_SEP}{_UNIT})"
_MONEY = (
    rf"{_START}(?P<y>{_NUM}){_SEP}(?:元|块钱|块|圆)"
    rf"(?:{_SEP}(?P<j>{_SUB_JIAO})(?:毛|角)?(?:(?P<f>{_SUB})分?)?)?"
    rf"|{_START}(?P<m>{_NUM}){_SEP}(?:毛|角)(?:钱)?(?:(?P<mf>{_SUB})分?)?"
)
# A figure with no currency word: 1.5, or 四十五 / 一百二 (single Chinese digits are too loose).
_CN_FIGURE = (
    "[一二两三四五六七八九]?十[一二三四五六七八九]?"
    "|[一二两三四五六七八九][百千][零一二两三四五六七八九十百]*"
)
_BARE_FIGURE = (
    rf"(?P<b>\d+(?:\.\d+)?(?!{_SEP}{_UNIT}|[\d.])"
    rf"|(?:{_CN_FIGURE})(?!{_SEP}{_UNIT}|[{DIGIT_CHARS}十百千万点.]))"
)
# The basis of a price: /斤, 每斤, 一斤, and 二斤 in 一块钱二斤 (1 yuan for 2 斤).
_PER = rf"{_SEP}(?:/|每)?{_SEP}(?P<pn>{_NUM})?{_SEP}(?P<pu>{_UNIT})"
_MAX_PRICE_BASIS = 10  # 0.8元5000斤 is a price and then a quantity, not 0.8 yuan per 5000 斤
_PRICE_PATTERNS = (
    # 每斤1.5元, 每斤1.5 (not 一斤: 一吨 六块 is a quantity and then a price)
    re.compile(
        rf"每{_SEP}(?P<pu>{_UNIT}){_SEP}(?:{_alternation(_WORDS['price_labels_after_basis'])})?"
        rf"{_SEP}:?{_SEP}{_BOUND_WORD}?{_SEP}(?:{_MONEY}|{_BARE_FIGURE})"
    ),
    # 一斤一块五, 一公斤八块, 一吨1600: the basis first, the figure right after it (not
    # 一吨0.85元一斤: a quantity, then a figure with its own basis)
    re.compile(
        rf"一(?<![{DIGIT_CHARS}十百千万.]一)(?P<pu>{_UNIT})(?:{_SEP}{_BOUND_WORD}{_SEP})?"
        rf"(?:{_MONEY}|{_BARE_FIGURE})(?!{_SEP}(?:元|块|圆)|{_SEP}(?:/|每|一){_SEP}{_UNIT})"
    ),
    # 0.8元/斤, 一块二一斤, 八毛一斤, 1000元/吨
    re.compile(rf"(?:{_MONEY}){_PER}"),
    # 1.5/斤, 4.5一斤 (no currency word, so the separator is required)
    re.compile(rf"(?<![\d.])(?P<b>\d+(?:\.\d+)?){_SEP}(?:/|每|一){_SEP}(?P<pu>{_UNIT})"),
    # 3块5, 价格1元以内
    re.compile(_MONEY),
    # 价格1.2以内
    re.compile(rf"(?:{_alternation(_WORDS['price_labels'])}){_SEP}:?{_SEP}(?P<b>\d+(?:\.\d+)?)"),
)
# Characters each price pattern cannot match without.
_PRICE_NEEDS = (
    "每", "一", "元块圆毛角", "/每一", "元块圆毛角", _needed_chars(_WORDS["price_labels"]),
)  # fmt: skip
# A bare decimal left after the quantity is taken (大葱 20吨 1.1) is a price.
_BARE_PRICE = re.compile(rf"(?<![\d.])(?P<b>\d+\.\d+)(?![\d.]|{_SEP}{_UNIT})")
_NEGOTIABLE = re.compile(_alternation(_WORDS["negotiable"]))
# A donation (common in a lockdown) is a price of 0; 免费送货 is only free delivery.
_FREE = re.compile(
    f"{_alternation(_WORDS['donation'])}"
    f"|(?:{_alternation(_WORDS['free'])})(?!{_alternation(_WORDS['free_not_donation'])})"
)
# A minus sign: at the start or after a space or punctuation, right before a figure.
# Between a word and a figure (大白菜-5000斤-0.8元/斤) a dash is only a separator.
_MINUS = re.compile(rf"(?:^|(?<=[\s,;:!?、。]))[-负](?=[{DIGIT_CHARS}十半])")
# Bound words, tried in this order of bounds: the first found wins.
_BOUND_ORDER: tuple[PriceBound, ...] = ("max", "min", "approx")


def _bound_words(section: str) -> tuple[tuple[str, PriceBound], ...]:
    return tuple((w, bound) for bound in _BOUND_ORDER for w in _WORDS[section][bound])


_BOUNDS_AFTER = _bound_words("bounds_after")
_BOUNDS_BEFORE = _bound_words("bounds_before")
# Not inside another number (5,000 is one number), nor the basis of a price (2元/5斤).
_QUANTITY = re.compile(
    rf"{_START}(?<!每)(?<![元块钱]/)(?:{_NUM}{_SEP}(?:-|~|到|至){_SEP})?(?P<n>{_NUM}){_SEP}"
    rf"(?:多|余|来)?{_SEP}"
    rf"(?P<u>{_UNIT})(?P<half>半)?"
)
# A price asked (一斤多少钱): its basis is no quantity.
_PRICE_QUESTION = re.compile(
    "|".join(p.replace("{unit}", f"{_SEP}{_UNIT}{_SEP}") for p in _WORDS["price_question"])
)
# A size a product is graded by (3两以上的, 条重3-4斤, 每头250斤左右), not the amount: a
# figure after one of these words, or one bounded (以上, 左右) that another amount follows.
_SPEC_BEFORE = re.compile(
    r"(?:条重|单果|单个|个重|果重|头重|只重|体重|每条|每头|每只|每颗|每个|单颗|平均)\s*$"
)
_SPEC_BOUND = "(?:以上|以下|左右|上下|之间)"
_SPEC_AFTER = re.compile(rf"\s*{_SPEC_BOUND}")
# 3两左右一条: the 一条 the size is of.
_SPEC_EACH = re.compile(rf"{_SPEC_BOUND}\s*$")
_LABELLED_COUNT = re.compile(
    rf"(?:{_alternation(_WORDS['quantity_labels'])}){_SEP}:?{_SEP}(?P<n>\d+(?:\.\d+)?)(?![\d.])"
)
_RULED_OUT_BEFORE = re.compile(f"(?:{_alternation(_WORDS['ruled_out_before'])})\\s*$")
_RULED_OUT_AFTER = re.compile(f"\\s*(?:{_alternation(_WORDS['ruled_out_after'])})")
_UNNAMED_PACKAGE = "件"
_LOAD = "车"
# Heads of animals a catalogue prices by weight (生猪, 活鸡): a bare price is per 斤.
_HEAD_UNITS = frozenset(("头", "只"))
# A product name followed by one of these names a business (面粉厂, 蔬菜合作社), not the goods.
_BUSINESS = re.compile(_alternation(_WORDS["business"]))
_NUMERAL_CHARS = frozenset("0123456789零〇一二两三四五六七八九十百千万半")
_UNIT_AT = re.compile(_UNIT)
_FIGURE_AT = re.compile(rf"{_SEP}[{DIGIT_CHARS}十半]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
# Trade words left in a post that are never products, and the one-character kind words
# (出鸡 is 活鸡 on sale, not 雏鸡); kept out of the pinyin and fuzzy search.
_FILLER = re.compile(
    _alternation(_WORDS["filler"])
    + "|["
    + "".join(re.escape(w) for w in _KIND_WORDS.one_character_words())
    + "]"
)
# Words holding a product character that are not products (面议 is not 面粉).
_NOT_PRODUCTS: tuple[str, ...] = tuple(_WORDS["not_products"])


@dataclass(frozen=True, slots=True)
class _ProductHit:
    entry: NameEntry
    source: str  # "dictionary" | "pinyin" | "fuzzy"
    confidence: float


class PostParser:
    """Parses posts against one catalogue and gazetteer; build once, call many times."""

    def __init__(self, catalogue: Catalogue, gazetteer: Gazetteer) -> None:
        self.catalogue = catalogue
        self.gazetteer = gazetteer
        self._automaton = ahocorasick.Automaton()
        for name, entry in catalogue.names.items():
            self._automaton.add_word(name, (len(name), entry))
        for name in (*catalogue.blockers, *_NOT_PRODUCTS):
            if name not in catalogue.names:
                self._automaton.add_word(name, (len(name), None))
        self._automaton.make_automaton()
        self._pinyin_index: dict[tuple[str, ...], set[str]] | None = None
        self._fuzzy_names = [n for n in catalogue.names if len(n) >= 3]

    @property
    def _pinyin(self) -> dict[tuple[str, ...], set[str]]:
        """Toneless pinyin of every name of two characters or more → the products it spells.

        Built on first use: most posts name their product in the dictionary's words.
        """
        if self._pinyin_index is None:
            index: dict[tuple[str, ...], set[str]] = {}
            for name, entry in self.catalogue.names.items():
                if len(name) >= 2 and _HAN_RUN.fullmatch(name):
                    key = tuple(_char_pinyin(ch) for ch in name)
                    index.setdefault(key, set()).add(entry.product.name)
            self._pinyin_index = index
        return self._pinyin_index

    def parse(self, text: str, today: date | None = None, role: str | None = None) -> ListingDraft:
        """Understand one post: its first listing (see :meth:`parse_listings`)."""
        return self.parse_listings(text, today, role)[0]

    def parse_listings(
        self, text: str, today: date | None = None, role: str | None = None
    ) -> list[ListingDraft]:
        """Understand one post: one draft per product it names, in the order named, sharing
        the post's kind, place, phone and validity, each with its own quantity and price.
        Never empty, never raises for any string.

        ``role`` (``grower`` or ``buyer``) decides offer or need when neither the post's
        words nor its cues do; without it a post stating a quantity or a price is an offer.
        """
        base = ListingDraft(raw_text=text)
        if len(text) > MAX_CHARS:
            _refuse(base, "text", MESSAGES["too_long"].format(limit=MAX_CHARS))
            return [base]
        t = _respell(expand_exponents(normalize(text)))
        if not t:
            _refuse(base, "text", MESSAGES["empty"])
            return [base]
        today = today or local_today(PLATFORM_TZ)
        limits = get_limits()
        # Where a figure with a minus sign starts (positions hold: taking only blanks).
        signed = {m.end() for m in _MINUS.finditer(t)} if "-" in t or "负" in t else set()
        free = _FREE.search(t) is not None

        if _NEGOTIABLE.search(t):
            base.price_bound = "negotiable"  # a figure found later overrides it
        t = self._take_phone(t, base)
        t = self._take_validity(t, base, today)
        t = self._take_place(t, base)
        asked = _PRICE_QUESTION.search(t) is not None
        if asked:
            t = _PRICE_QUESTION.sub(lambda m: " " * len(m.group(0)), t)
        t, products, single = self._take_products(t)
        kind, source = self._kind(t, role)
        base.kind, base.kind_source = kind, source
        pieces = [
            self._read_piece(_only(t, start, end), base, hit, signed, limits)
            for start, end, hit in _pieces(t, products)
        ]
        _share(pieces)
        drafts = []
        for piece in pieces:
            draft = piece.draft
            hit = piece.hit
            if hit is None and len(pieces) == 1:
                hit = self._product_by_sound_or_shape(piece.text)
                if hit is None and single is not None:
                    hit = _ProductHit(single, "dictionary", _CONFIDENCE["single"])
            if hit is not None:
                product = hit.entry.product
                draft.product, draft.category = product.name, product.category
                draft.variety = hit.entry.variety
                draft.product_source = hit.source  # type: ignore[assignment]
                draft.product_confidence = hit.confidence
                if draft.quantity is None and piece.bare is not None:
                    # 数量5000 with no unit: the product's usual trade unit.
                    _set_quantity(draft, piece.bare, product.unit, limits)
            self._finish_price(draft, free, limits)
            drafts.append(draft)
        stated = any(d.quantity is not None or d.price is not None for d in drafts)
        if not stated:
            not_listing = _not_listing(t, asked)
            if not_listing is not None:
                first = drafts[0]
                first.not_listing = not_listing  # type: ignore[assignment]
                first.errors.append(MESSAGES[not_listing])
                return [first]
        if base.kind is None and stated and any(d.product for d in drafts):
            # Sellers advertise; buyers mark their posts (求, 收, 要): what states what it
            # has is an offer.
            for draft in drafts:
                draft.kind, draft.kind_source = "offer", "default"
        standing_word = _STANDING.search(t) is not None
        for draft, piece in zip(drafts, pieces, strict=True):
            refused = draft.field_errors
            bare = piece.bare is not None or _UNITLESS_AMOUNT.search(piece.text) is not None
            if draft.quantity is None and not bare and "quantity" not in refused:
                draft.standing = draft.product is not None and (
                    standing_word or draft.price is not None
                    or draft.price_bound in ("negotiable", "free")
                )
            if draft.product is None:
                draft.errors.append(MESSAGES["no_product"])
            if draft.quantity is None and not draft.standing and "quantity" not in refused:
                draft.errors.append(MESSAGES["no_unit" if bare else "no_quantity"])
        return drafts

    def _kind(self, t: str, role: str | None) -> tuple[Kind | None, KindSource | None]:
        """The post's kind and where it came from: its words, else a cue that the goods
        are the poster's own (自家地里的), else the poster's role."""
        # Read without the blank a product name left before 的: 需要(西红柿)的联系我 is
        # 需要的联系, an offer.
        t = _BLANKS.sub("", t)
        kind = _KIND_WORDS.kind(t)
        if kind is None and _OFFER_CUES.search(t):
            kind = "offer"
        if kind is not None:
            return kind, "text"
        if role in _ROLE_KIND:
            return _ROLE_KIND[role], "role"
        return None, None

    def _read_piece(
        self, t: str, base: ListingDraft, hit: _ProductHit | None, signed: set[int],
        limits: Limits,
    ) -> _Piece:
        """Pack, price and quantity of one product's part of a post."""
        draft = replace(base, errors=[], field_errors={}, place_candidates=list(
            base.place_candidates))
        t, load = self._take_pack(t, draft, signed, limits)
        t, price_at = self._take_price(t, draft, signed)
        t, bare, found = self._take_quantity(t, draft, load, signed, limits)
        if draft.price is None:
            price_at = self._take_bare_price(t, draft, signed)
        return _Piece(draft, t, hit, bare, found, price_at)

    # -- the steps, each taking what it understood out of the text ---------------------

    def _take_phone(self, t: str, draft: ListingDraft) -> str:
        found = find_phone(t)
        if found is None:
            return t
        draft.phone = found.number
        return _blank(t, found.start, found.end)

    def _take_validity(self, t: str, draft: ListingDraft, today: date) -> str:
        hint = _VALIDITY_HINT.search(t)
        if hint is None:  # most posts name no date; skip the long pattern
            return t
        # No expression starts far before its first hint character (2022年5月10日前).
        m = _VALIDITY.search(t, max(hint.start() - 20, 0))
        if m is None or (m.group("word") and _WHEN_DONE.match(t, m.end())):
            return t  # 今天早上刚割的 says when the goods were cut, not until when
        draft.valid_until = _validity_date(m, today)
        return _blank(t, m.start(), m.end())

    def _take_place(self, t: str, draft: ListingDraft) -> str:
        mentions = self.gazetteer.find(t)
        if not mentions:
            return t
        draft.place, draft.place_candidates = self.gazetteer.locate(mentions)
        for m in mentions:
            t = _blank(t, m.start, m.end)
        return t

    def _take_products(
        self, t: str
    ) -> tuple[str, list[tuple[int, int, _ProductHit]], NameEntry | None]:
        """Every product named, by the longest dictionary names, in order; a single-character
        name (蛋, 米) is only kept aside, unless a figure follows it in a post naming another
        product (大葱1吨 蒜500斤)."""
        found = [
            (end - length + 1, end + 1, entry) for end, (length, entry) in self._automaton.iter(t)
        ]
        if not found:
            return t, [], None
        found.sort(key=lambda f: (f[0], f[0] - f[1]))
        products: list[tuple[int, int, _ProductHit]] = []
        singles: list[tuple[int, int, _ProductHit]] = []
        single: NameEntry | None = None
        taken = 0
        for start, end, entry in found:
            if start < taken:
                continue
            if start and t[start - 1] in _NUMERAL_CHARS and _UNIT_AT.match(t, start):
                continue  # 100袋面粉: 袋 is the quantity's unit, not the start of 袋面
            if _BUSINESS.match(t, end):
                entry = None  # 面粉厂收购小麦: the name of the buyer, not what it buys
            elif _RULED_OUT_BEFORE.search(t, 0, start) or _RULED_OUT_AFTER.match(t, end):
                entry = None  # 不要小白菜, 大白菜不卖: a look-alike ruled out, not the goods
            taken = end
            if entry is not None and entry.kind == "single":
                # Left in the text: it may be part of a typo the pinyin search can read.
                single = single or entry
                if _FIGURE_AT.match(t, end):
                    singles.append((start, end, _ProductHit(entry, "dictionary", 0.6)))
                continue
            t = _blank(t, start, end)
            if entry is not None:
                products.append((start, end, _ProductHit(entry, "dictionary",
                                                          _CONFIDENCE[entry.kind])))
        if products and singles:
            for start, end, _ in singles:
                t = _blank(t, start, end)
            products = sorted([*products, *singles], key=lambda p: p[0])
        return t, products, single

    def _take_pack(
        self, t: str, draft: ListingDraft, signed: set[int], limits: Limits
    ) -> tuple[str, bool]:
        """每箱360枚 → PackSize; says whether it read like a load (5000斤一车)."""
        if _PACK_HINT.search(t) is None:  # most posts name no package or 装
            return t, False
        for m in _PACK.finditer(t):
            form = next(i for i in "1234" if m.group(f"n{i}") is not None)
            amount = parse_number(m.group(f"n{form}"))
            unit = m.group(f"u{form}")
            # 45斤装 names no package; the quantity's unit (100箱) will.
            package = m.group(f"pk{form}") if form != "4" else _UNNAMED_PACKAGE
            if amount is None or m.start(f"n{form}") in signed or unit == package:
                continue
            value, value_unit = normalize_amount(amount, unit)
            if not limits.quantity_ok(value, value_unit):
                continue  # no package holds that; the amount may still be the quantity
            draft.pack = PackSize(package, value, value_unit)
            # 5000斤一车 is a load (the amount on offer when no other is named); 25公斤一袋
            # is only what a bag holds.
            load = form == "3" and value_unit == "kg" and package == _LOAD
            return _blank(t, m.start(), m.end()), load
        return t, False

    def _take_price(
        self, t: str, draft: ListingDraft, signed: set[int]
    ) -> tuple[str, int | None]:
        """The price, and where its figure starts."""
        for pattern, needs in zip(_PRICE_PATTERNS, _PRICE_NEEDS, strict=True):
            if needs and not any(ch in t for ch in needs):
                continue  # a cheap test before the pattern: it cannot match without one of these
            m = pattern.search(t)
            if m is None:
                continue
            value = _money(m)
            basis = parse_number(m.group("pn")) if m.groupdict().get("pn") else 1.0
            if value is None or not basis or basis > _MAX_PRICE_BASIS:
                continue
            # Read with its sign, so that the range check refuses it.
            draft.price = round(value / basis, 4) * (-1 if _figure_start(m) in signed else 1)
            unit = m.groupdict().get("pu")
            draft.price_unit = unit  # normalised once the quantity is known
            draft.price_bound = _bound(t, m.start(), m.end())
            return _blank(t, m.start(), m.end()), _figure_start(m)
        return t, None

    def _take_bare_price(self, t: str, draft: ListingDraft, signed: set[int]) -> int | None:
        m = _BARE_PRICE.search(t)
        if m is None:
            return None
        value = _money(m)
        draft.price = None if value is None else value * (-1 if m.start() in signed else 1)
        draft.price_bound = _bound(t, m.start(), m.end())
        return m.start()

    def _take_quantity(
        self, t: str, draft: ListingDraft, load: bool, signed: set[int], limits: Limits
    ) -> tuple[str, float | None, tuple[int, int] | None]:
        """The amount on offer or wanted and where it stands; else a bare labelled number
        (数量5000) if any. A size the goods are graded by (3两以上的) is no amount."""
        for m in _QUANTITY.finditer(t):
            amount = parse_number(m.group("n"))
            if amount is None or _is_size(t, m):
                continue
            if m.group("half"):
                amount += 0.5
            if m.start() in signed or m.start("n") in signed:
                amount = -amount  # read with its sign, so that the range check refuses it
            unit = m.group("u")
            _set_quantity(draft, amount, unit, limits)
            pack = draft.pack
            if pack and pack.package_unit == _UNNAMED_PACKAGE and unit in PACKAGE_UNITS:
                draft.pack = PackSize(unit, pack.amount, pack.amount_unit)
            return _blank(t, m.start(), m.end()), None, (m.start(), m.end())
        if load and draft.pack is not None:
            # 5000斤一车 and no other amount: the load is the quantity (checked with the pack).
            draft.quantity, draft.unit = draft.pack.amount, WEIGHT_UNIT
            return t, None, None
        m = _LABELLED_COUNT.search(t)
        if m is None:
            return t, None, None
        amount = parse_number(m.group("n"))
        bare = None if amount is None else -amount if m.start("n") in signed else amount
        return t, bare, None

    def _finish_price(self, draft: ListingDraft, free: bool, limits: Limits) -> None:
        if free and not draft.price:
            # 免费 with no figure, or with 0元: a donation.
            draft.price, draft.price_bound = 0.0, "free"
        if draft.price is None:
            return
        unit = draft.price_unit
        if unit is None:
            written = draft.unit_as_written
            product = self.catalogue.get(draft.product) if draft.product else None
            by_weight = product is not None and is_weight(product.unit)
            if written is not None and not is_weight(written) and not (
                by_weight and written in _HEAD_UNITS
            ):
                # 鸡蛋 30箱 160: per box; but 生猪 50头 7块5 is per 斤, as animals are sold.
                unit = written
            else:
                # Prices are quoted per 斤 unless the figure only makes sense per 吨.
                unit = "吨" if draft.price >= 200 and written in (None, "吨", "t") else "斤"
        draft.price, draft.price_unit = normalize_unit_price(draft.price, unit)
        if not limits.price_ok(draft.price, draft.price_unit, draft.price_bound):
            _refuse(draft, "price", MESSAGES["price_range"].format(
                max=_price_limit(limits, draft.price_unit)))
            draft.price = draft.price_unit = draft.price_bound = None

    def _product_by_sound_or_shape(self, t: str) -> _ProductHit | None:
        # A post names its goods early; a long run of characters that names none would
        # cost every window of it (a 1,000-character line, a third of a second).
        runs = _HAN_RUN.findall(_FILLER.sub(" ", t[:_SOUND_OR_SHAPE_CHARS]))
        if not runs:
            return None
        # The longest windows that spell a product decide (西洪柿 over its tail 洪柿).
        products: set[str] = set()
        longest = 0
        for run in runs:
            sounds = [_char_pinyin(ch) for ch in run]
            for size in range(min(len(run), 6), max(longest, 2) - 1, -1):
                for i in range(len(run) - size + 1):
                    spelled = self._pinyin.get(tuple(sounds[i : i + size]))
                    if spelled and size >= longest:
                        if size > longest:
                            products, longest = set(), size
                        products |= spelled
        if len(products) == 1:
            product = self.catalogue.get(products.pop())
            if product is not None:
                return _ProductHit(NameEntry(product, "canonical"), "pinyin", _CONFIDENCE["pinyin"])
        if products:
            return None  # sounds like several products: ask rather than guess
        return self._product_by_shape(runs)

    def _product_by_shape(self, runs: list[str]) -> _ProductHit | None:
        from rapidfuzz import fuzz, process  # only for the rare post no name or sound matched

        best: tuple[float, NameEntry] | None = None
        rivals: set[str] = set()
        for run in runs:
            for size in (3, 4, 5):
                for i in range(max(len(run) - size + 1, 0)):
                    window = run[i : i + size]
                    for name, score, _ in process.extract(
                        window, self._fuzzy_names, scorer=fuzz.ratio,
                        score_cutoff=FUZZY_THRESHOLD, limit=3,
                    ):  # fmt: skip
                        entry = self.catalogue.names[name]
                        if best is None or score > best[0]:
                            if best is not None and best[1].product is not entry.product:
                                rivals.add(best[1].product.name)
                            best = (score, entry)
                        elif entry.product is not best[1].product and score == best[0]:
                            rivals.add(entry.product.name)
        if best is None or (rivals - {best[1].product.name}):
            return None
        score, entry = best
        return _ProductHit(entry, "fuzzy", round(score / 100 * 0.8, 3))


@dataclass(slots=True)
class _Piece:
    """One product's part of a post, as read."""

    draft: ListingDraft
    text: str  # the part, the rest of the post blanked
    hit: _ProductHit | None
    bare: float | None  # a labelled number with no unit (数量5000)
    quantity_at: tuple[int, int] | None
    price_at: int | None


# A figure of ten or more left with no unit (出售红薯一万二): an amount not understood;
# not a grade (80果, 75#以上, 5cm).
_UNITLESS_AMOUNT = re.compile(
    rf"{_START}(?:[1-9][0-9]|[一二两三四五六七八九]?[十百千万])[{DIGIT_CHARS}十百千万]*"
    rf"(?![{DIGIT_CHARS}十百千万]|{_SEP}(?:[果#号级a-zA-Z]|以上|以下|左右|公分|厘米|毫米|米))"
)


def _respell(t: str) -> str:
    """The post with what people type spelled one way: 块五 → 一块五, 1.5w → 1.5万, a run of
    dots a space, a misspelt product its right name."""
    if "块" in t:
        t = _BARE_KUAI.sub("一块", t)
    if "." in t or "," in t or "、" in t:
        t = _SEPARATOR_DOT.sub(lambda m: " " * len(m.group(0)), t)
    t = _TEN_THOUSAND.sub("万", t)
    return _TYPO.sub(lambda m: _TYPOS[m.group(0)], t)


def _only(t: str, start: int, end: int) -> str:
    """The text with everything outside a span blanked (positions hold)."""
    return " " * start + t[start:end] + " " * (len(t) - end)


def _pieces(
    t: str, products: list[tuple[int, int, _ProductHit]]
) -> list[tuple[int, int, _ProductHit | None]]:
    """The post's parts, one per product named (a name repeated at once is one product):
    each from its name to the next one's, the first from the start."""
    named: list[tuple[int, int, _ProductHit]] = []
    for found in products:
        if not named or named[-1][2].entry.product is not found[2].entry.product:
            named.append(found)
    if len(named) <= 1:
        return [(0, len(t), named[0][2] if named else None)]
    starts = [0, *(start for start, _, _ in named[1:]), len(t)]
    return [(starts[i], starts[i + 1], hit) for i, (_, _, hit) in enumerate(named)]


def _share(pieces: list[_Piece]) -> None:
    """A quantity after 各 goes to every product before it that has none (菠菜、芹菜各500斤);
    the only price, after the last product's quantity and set apart from it (，1块钱一斤;
    都是一块五), goes to every product that has none."""
    if len(pieces) < 2:
        return
    for i, piece in enumerate(pieces):
        if piece.quantity_at is None:
            continue
        before = piece.text[: piece.quantity_at[0]].rstrip()
        if not before.endswith(_EACH):
            continue
        source = piece.draft
        for earlier in pieces[:i]:
            d = earlier.draft
            if d.quantity is None and earlier.bare is None and "quantity" not in d.field_errors:
                d.quantity, d.unit = source.quantity, source.unit
                d.quantity_as_written = source.quantity_as_written
                d.unit_as_written = source.unit_as_written
                earlier.quantity_at = piece.quantity_at
    last = pieces[-1]
    priced = [p for p in pieces if p.draft.price is not None]
    if priced != [last] or last.price_at is None or last.quantity_at is None:
        return
    end = last.quantity_at[1]
    if end > last.price_at or not _SHARED_PRICE.search(last.text, end, last.price_at):
        return
    for piece in pieces[:-1]:
        d, source = piece.draft, last.draft
        d.price, d.price_unit, d.price_bound = source.price, source.price_unit, source.price_bound


def _is_size(t: str, m: re.Match[str]) -> bool:
    """Whether a quantity match is a size the goods are graded by: after 条重, 单果 …, or
    bounded (3两以上, 2斤左右) with another amount after it."""
    if _SPEC_BEFORE.search(t, 0, m.start()):
        return True
    if m.group("n") == "一" and _SPEC_EACH.search(t, 0, m.start()):
        return True
    if not _SPEC_AFTER.match(t, m.end()):
        return False
    return any(True for _ in _QUANTITY.finditer(t, m.end()))


def _not_listing(t: str, asked: bool) -> NotListing | None:
    """What a post stating no quantity and no price is, if no listing."""
    for cls, pattern in _NOT_LISTING:
        if (cls == "question" and asked) or pattern.search(t):
            return cls  # type: ignore[return-value]
    return None


def _refuse(draft: ListingDraft, field: str, message: str) -> None:
    """A field the user must give again: the message is shown, the field stays empty."""
    draft.field_errors.setdefault(field, message)
    draft.errors.append(message)


def _set_quantity(draft: ListingDraft, amount: float, unit: str, limits: Limits) -> None:
    """The quantity as written and normalised, or a refusal stating the range."""
    quantity, normal_unit = normalize_amount(amount, unit)
    if not limits.quantity_ok(quantity, normal_unit):
        _refuse(draft, "quantity", MESSAGES["quantity_range"].format(
            max=_quantity_limit(limits, normal_unit)))
        return
    draft.quantity_as_written, draft.unit_as_written = amount, unit
    draft.quantity, draft.unit = quantity, normal_unit


def _quantity_limit(limits: Limits, unit: str) -> str:
    """10万吨, 100万箱: the largest quantity, in words for people."""
    if unit == WEIGHT_UNIT:
        return f"{_figure(limits.max_kg / 1000)}吨"
    return f"{_figure(limits.max_count)}{unit}"


def _price_limit(limits: Limits, unit: str | None) -> str:
    """每公斤1万元（每斤5000元）, 每箱1万元: the highest price, in words for people."""
    if unit == WEIGHT_UNIT:
        top = limits.max_price_per_kg
        return f"每公斤{_figure(top)}元（每斤{_figure(top / 2)}元）"
    return f"每{unit or '件'}{_figure(limits.max_price_per_count)}元"


def _figure(value: float) -> str:
    """100000 → 10万, 5000 → 5000, 2.5 → 2.5."""
    if value >= 10_000 and value % 10_000 == 0:
        return f"{value / 10_000:.12g}万"
    return f"{value:.12g}"


def _figure_start(m: re.Match[str]) -> int:
    """Where the figure of a price match starts."""
    for group in ("y", "m", "b"):
        if m.groupdict().get(group) is not None:
            return m.start(group)
    return m.start()


def _blank(t: str, start: int, end: int) -> str:
    """The text with a span replaced by spaces, so later patterns cannot join across it."""
    return t[:start] + " " * (end - start) + t[end:]


@lru_cache(maxsize=4096)
def _char_pinyin(ch: str) -> str:
    """Toneless pinyin with the sounds many speakers merge folded together (zh/z, ang/an …),
    so 大冲 still spells 大葱."""
    from pypinyin import lazy_pinyin  # loaded on first use: a slow import few posts need

    sound = lazy_pinyin(ch)[0]
    if sound[:2] in ("zh", "ch", "sh"):
        sound = sound[0] + sound[2:]
    return sound[:-1] if sound.endswith("ng") else sound


def _money(m: re.Match[str]) -> float | None:
    g = m.groupdict()
    if g.get("y") is not None:
        value = parse_number(g["y"])
        if value is not None:
            # 一块半 is 1.5: a half yuan, not a half jiao.
            jiao = g.get("j")
            value += 0.5 if jiao == "半" else (digit_value(jiao) or 0) / 10 if jiao else 0
            value += (digit_value(g["f"]) or 0) / 100 if g.get("f") else 0
    elif g.get("m") is not None:
        value = parse_number(g["m"])
        if value is not None:
            value = value / 10 + ((digit_value(g["mf"]) or 0) / 100 if g.get("mf") else 0)
    else:
        value = parse_number(g["b"])
    return None if value is None or value < 0 else round(value, 4)


def _bound(t: str, start: int, end: int) -> PriceBound:
    after = t[end : end + 3].lstrip()
    for word, bound in _BOUNDS_AFTER:
        if after.startswith(word):
            return bound
    # The word may sit before the figure or inside the match (每斤不超过4元).
    before = t[max(start - 4, 0) : end]
    for word, bound in _BOUNDS_BEFORE:
        if word in before:
            return bound
    return "exact"


def _validity_date(m: re.Match[str], today: date) -> date | None:
    g = m.groupdict()
    if g["d3"]:
        # 10号前: a day of this month, or of the next once this month's has passed.
        day = int(parse_number(g["d3"]) or 0)
        first = today.replace(day=1)
        if day < today.day:
            first = (first + timedelta(days=31)).replace(day=1)
        try:
            return first.replace(day=day)
        except ValueError:
            return None
    if g["mo"] or g["mo2"]:
        month = parse_number(g["mo"] or g["mo2"])
        day = parse_number(g["d"] or g["d2"])
        year = int(g["y"]) if g["y"] else today.year
        try:
            found = date(year, int(month or 0), int(day or 0))
        except ValueError:
            return None
        # 5月10日前 written in December means next May.
        if not g["y"] and found < today - timedelta(days=60):
            found = found.replace(year=year + 1)
        return found
    if g["wd"] or g["wd2"]:
        target = _WEEKDAY[g["wd"] or g["wd2"]]
        ahead = target - today.weekday()
        if g["wk"] == "下":
            ahead += 7
        elif not g["wk"] and ahead < 0:
            ahead += 7  # 周三前 said on a Friday: next week's
        return today + timedelta(days=ahead) if ahead >= 0 else None
    if g["word"]:
        word = g["word"]
        if word in _DAYS_AHEAD:
            return today + timedelta(days=_DAYS_AHEAD[word])
        if word in _END_OF_WEEK:
            return today + timedelta(days=6 - today.weekday())
        if word in _END_OF_YEAR:
            return date(today.year, 12, 31)
        # The end of this month (月底).
        next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return next_month - timedelta(days=1)
    for group, days in (("days", 1), ("days2", 1), ("weeks", 7), ("months", 30)):
        if g[group]:
            n = parse_number(g[group])
            if n is None or n > 3650:
                return None
            return today + timedelta(days=round(n * days))
    return None


@cache
def get_parser() -> PostParser:
    """The parser over the shipped catalogue and gazetteer."""
    return PostParser(get_catalogue(), get_gazetteer())


def parse_post(text: str, today: date | None = None, role: str | None = None) -> ListingDraft:
    """Understand one post's first listing; ``today`` anchors relative validity (3天内有效),
    ``role`` (grower, buyer) decides the kind when the post does not."""
    return get_parser().parse(text, today, role)


def parse_listings(
    text: str, today: date | None = None, role: str | None = None
) -> list[ListingDraft]:
    """Understand one post: a draft per product it names (see :meth:`PostParser.parse_listings`)."""
    return get_parser().parse_listings(text, today, role)


def post_to_json(drafts: list[ListingDraft]) -> dict[str, Any]:
    """The ``farmdock parse`` contract for one post: the first listing's fields, ``ok`` only
    when every listing is ok, ``errors`` of every listing (a later one's naming its product),
    and ``listings`` with every listing's own fields."""
    listings = [draft_to_json(d) for d in drafts]
    out = dict(listings[0])
    out["ok"] = all(item["ok"] for item in listings)
    for n, item in enumerate(listings[1:], start=2):
        out["errors"] = out["errors"] + [
            MESSAGES["another"].format(n=n, product=item["product"] or "", error=error)
            for error in item["errors"]
        ]
    out["listings"] = listings
    return out


def draft_to_json(draft: ListingDraft) -> dict[str, Any]:
    """The ``farmdock parse`` fields of one listing."""
    place: Place = draft.place
    outside = place.outside is not None
    return {
        "ok": draft.ok,
        "kind": draft.kind,
        "product": draft.product,
        "category": draft.category,
        "quantity": _round(draft.quantity),
        "unit": draft.unit,
        "price": _round(draft.price),
        "price_unit": draft.price_unit if draft.price is not None else None,
        "city": place.city,
        "county": None if outside else place.county,
        "township": None if outside else place.township,
        "phone": draft.phone,
        "valid_until": draft.valid_until.isoformat() if draft.valid_until else None,
        "price_bound": draft.price_bound,
        "errors": list(draft.errors),
        "standing": draft.standing,
        "not_listing": draft.not_listing,
    }


def _round(x: float | None) -> float | int | None:
    """A number for JSON (to the precision amounts are kept in); None for NaN and the
    infinities, which JSON cannot hold."""
    if x is None or not math.isfinite(x):
        return None
    r = round(x, 6)
    return int(r) if r == int(r) else r

