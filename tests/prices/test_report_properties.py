"""Whatever a line holds, the report parser answers: ok exactly when an item was read,
an error whenever not, every price finite and positive."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.reports import parse_report

PIECES = st.sampled_from([
    "白菜", "猪肉", "菜籽油", "榴莲", "小白菜", "1.2", "13.8", "0", "9" * 400, "元", "块", "毛",
    "/斤", "/公斤", "/桶", "一斤", "每斤", "卖了", "800斤", "5L", "(", ")", " ", "，", "-",
    "一块二", "两", "e5", "¥", "、", "装",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=60))
def test_any_line_gets_an_answer(line: str) -> None:
    report = parse_report(line)
    assert report.ok is bool(report.items)
    if not report.ok:
        assert report.errors
    for item in report.items:
        assert math.isfinite(item.price) and item.price > 0
        assert item.sales is None or math.isfinite(item.sales)
    json.dumps(report.to_json(), allow_nan=False)
