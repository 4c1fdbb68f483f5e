"""Property: any report written from the survey's words, items, units and separators reads
back as written — whatever the order of stock and sales, the spacing and the separators."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.survey import parse_report

KG = {"斤": 0.5, "公斤": 1.0, "吨": 1000.0, "千克": 1.0}
ITEMS = {"大米": ("袋", "吨"), "面粉": ("袋", "斤"), "大豆油": ("桶", "箱"), "猪肉": ("斤", "公斤"),
         "鸡蛋": ("箱", "斤"), "大白菜": ("斤", "吨"), "土豆": ("吨", "袋"), "牛奶": ("箱", "盒"),
         "方便面": ("箱", "袋"), "饮用水": ("箱", "桶")}
STOCK_WORDS = ("库存", "存货", "现有", "剩余", "库存量")
AVERAGE_WORDS = ("日销", "日均", "日均销售", "日销量", "每天卖")
TODAY_WORDS = ("今天卖了", "今日销售", "今天销售")
SEPARATORS = ("；", ";", "，", "。", "\u3000", " ", "、")


@st.composite
def item(draw: st.DrawFn) -> tuple[str, str, dict]:
    product = draw(st.sampled_from(sorted(ITEMS)))
    unit = draw(st.sampled_from(ITEMS[product]))
    stock = draw(st.integers(0, 99_999))
    sales = draw(st.none() | st.integers(0, 9_999))
    basis = draw(st.sampled_from(("daily_average", "today")))
    word = draw(st.sampled_from(AVERAGE_WORDS if basis == "daily_average" else TODAY_WORDS))
    gap = draw(st.sampled_from(("", " ")))
    sales_first = sales is not None and draw(st.booleans())
    # The stock needs no word when it comes first (鸡蛋 500箱 日销120箱).
    stock_word = draw(st.sampled_from(STOCK_WORDS if sales_first else ("", *STOCK_WORDS)))
    parts = [f"{stock_word}{gap}{stock}{gap}{unit}"]
    if sales is not None:
        parts.insert(0 if sales_first else 1, f"{word}{gap}{sales}{gap}{unit}")
    text = product + draw(st.sampled_from((" ", "：", ":") if not stock_word else
                                          ("", " ", "：", ":"))) + \
        draw(st.sampled_from((" ", "，", ""))).join(parts)
    factor, shown = (KG[unit], "kg") if unit in KG else (1.0, unit)
    expected = {"product": product, "stock": stock * factor, "stock_unit": shown,
                "sales": None if sales is None else sales * factor,
                "sales_unit": None if sales is None else shown,
                "sales_basis": None if sales is None else basis}
    return product, text, expected


@settings(max_examples=300, deadline=None)
@given(st.lists(item(), min_size=1, max_size=4, unique_by=lambda i: i[0]),
       st.sampled_from(SEPARATORS))
def test_a_written_report_reads_back(items: list, separator: str) -> None:  # type: ignore[type-arg]
    text = separator.join(t for _, t, _ in items)
    parsed = parse_report(text).to_json()
    assert parsed["errors"] == [], text
    assert len(parsed["items"]) == len(items), text
    for got, (_, _, want) in zip(parsed["items"], items, strict=True):
        assert got["product"] == want["product"], text
        assert abs(got["stock"] - want["stock"]) < 1e-6, text
        assert got["stock_unit"] == want["stock_unit"], text
        assert got["sales_basis"] == want["sales_basis"], text
        assert got["sales_unit"] == want["sales_unit"], text
        assert (got["sales"] is None) == (want["sales"] is None), text
        if want["sales"] is not None:
            assert abs(got["sales"] - want["sales"]) < 1e-6, text
