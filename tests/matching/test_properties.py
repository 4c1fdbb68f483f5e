"""Property-based tests: no input breaks the parser, and what it returns is always sane."""

from __future__ import annotations

import re
from datetime import date

import cn2an
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.catalogue import CATEGORIES, get_catalogue
from bot.matching.limits import get_limits
from bot.matching.numerals import parse_number
from bot.matching.parser import MAX_CHARS, draft_to_json, parse_listings, parse_post, post_to_json

CONTRACT_KEYS = {
    "ok", "kind", "product", "category", "quantity", "unit", "price", "price_unit",
    "city", "county", "township", "phone", "valid_until", "price_bound", "errors",
    "standing", "not_listing",
}  # fmt: skip
# Pieces posts are made of, so that random texts reach deep into the parser.
PIECES = [
    "出售", "求购", "收", "有", "要", "大白菜", "白菜", "小白菜", "地蛋", "蛋", "米", "面议",
    "西洪柿", "猕猴挑", "五千", "两", "二两", "一千五", "1万2", "3.5万", "-5", "0", "斤", "吨",
    "箱", "每箱", "360枚", "元/斤", "一块二", "八毛", "以内", "左右", "宝丰", "张八桥", "马庄",
    "汝阳县", "13812345678", "0375-1234567", "5月10日前", "3天内有效", "99月99日", "【", "】",
    "<b>", "&lt;", "😀", "\x00", "\u200b", "，", "。", " ", "/", ".", "9" * 30, "万万万",
    "9" * 400, "1e309", "1e-5", "nan", "inf", "-", "−", "负", "免费", "0元", "1_000", "e",
]  # fmt: skip
posts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=20).map("".join),
)
TODAY = date(2022, 5, 2)


@settings(max_examples=600, deadline=None)
@given(posts)
def test_parser_never_raises_and_keeps_the_contract(text: str) -> None:
    result = post_to_json(parse_listings(text, TODAY))
    assert set(result) == CONTRACT_KEYS | {"listings"}
    listings = result["listings"]
    assert listings and all(set(item) == CONTRACT_KEYS for item in listings)
    # The top level is the first listing, but for ok (all of them) and errors (all of them).
    first = {k: v for k, v in listings[0].items() if k not in ("ok", "errors")}
    assert {k: result[k] for k in first} == first
    assert result["ok"] == all(item["ok"] for item in listings)
    assert result["errors"][: len(listings[0]["errors"])] == listings[0]["errors"]
    if result["not_listing"] is not None:
        assert len(listings) == 1 and not result["ok"]
    for item in listings:
        _keeps_the_contract(item)


def _keeps_the_contract(result: dict) -> None:
    standing = result["standing"] and result["quantity"] is None
    assert result["ok"] == (
        not result["errors"] and result["product"] is not None
        and (result["quantity"] is not None or standing)
    )
    if not result["ok"]:
        assert result["errors"]
    limits = get_limits()
    if result["quantity"] is not None:
        assert limits.quantity_ok(result["quantity"], result["unit"])
    if result["price"] is not None:
        assert limits.price_ok(result["price"], result["price_unit"], result["price_bound"])
    if result["product"] is not None:
        assert get_catalogue().get(result["product"]) is not None
        assert result["category"] in CATEGORIES
    if result["phone"] is not None:
        # A mobile, a landline with its area code, or a local number after 电话.
        assert re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-[2-9]\d{6,7}|[2-9]\d{6,7}", result["phone"])


@given(st.text(min_size=MAX_CHARS + 1, max_size=MAX_CHARS + 50))
def test_long_posts_are_refused_not_parsed(text: str) -> None:
    result = draft_to_json(parse_post(text, TODAY))
    assert result["ok"] is False and result["errors"]


@given(st.integers(min_value=0, max_value=99_999_999))
def test_chinese_numerals_agree_with_cn2an(n: int) -> None:
    """Standard Chinese numerals read the same as cn2an reads them."""
    assert parse_number(cn2an.an2cn(n)) == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_arabic_numbers_read_as_written(whole: int, cents: int) -> None:
    assert parse_number(f"{whole}.{cents:02d}") == float(f"{whole}.{cents:02d}")
