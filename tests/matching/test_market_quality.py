"""Match quality on generated markets whose answers are known (see benchmarks/market.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from benchmarks.market import Fact, Pack, answers, eligible, generate
from benchmarks.match_quality import evaluate


@pytest.mark.parametrize("seed", [11, 12])
def test_generated_market_meets_the_targets(seed: int):
    quality = evaluate(offers=1500, needs=1500, seed=seed)
    assert quality.pairs > 3000
    assert quality.precision >= 0.995
    assert quality.best_first >= 0.97
    assert quality.recall_at_5 >= 0.98


def test_the_generator_is_deterministic_and_spread_over_the_city():
    a = generate(500, 500, seed=3, today=date(2026, 5, 1))
    b = generate(500, 500, seed=3, today=date(2026, 5, 1))
    assert a.posts == b.posts
    counties = {f.county for f in a.facts if f.county}
    assert len(counties) == 12
    assert any(f.outside for f in a.facts)
    assert {"小白菜", "大白菜", "鸡蛋", "鸭蛋"} <= {f.product for f in a.facts}


def _fact(kind: str, **changes: object) -> Fact:
    base: dict[str, object] = dict(
        id=kind,
        kind=kind,
        product="鸡蛋",
        quantity=Fraction(1000),
        unit="kg",
        price=Fraction(9),
        price_unit="kg",
        pack=None,
        county="郏县",
        township=None,
        outside=False,
        expired=False,
        line=0,
    )
    base.update(changes)
    return Fact(**base)  # type: ignore[arg-type]


def test_the_known_answers_follow_the_policy():
    need = _fact("need")
    assert eligible(need, _fact("offer"))
    assert not eligible(need, _fact("offer", product="鸭蛋"))
    assert not eligible(need, _fact("offer", price=Fraction(91, 10)))
    assert not eligible(need, _fact("offer", expired=True))
    box = Pack("箱", Fraction(45, 2), "kg")
    boxes = _fact("offer", unit="箱", quantity=Fraction(50), price_unit="箱", pack=box)
    assert eligible(need, replace(boxes, price=Fraction(2025, 10)))  # 9 元/kg exactly
    assert not eligible(need, replace(boxes, price=Fraction(203)))
    assert not eligible(need, replace(boxes, pack=None))


def test_answers_rank_nearest_then_cheapest():
    need = _fact("need", county="宝丰县", township="张八桥镇", line=0)
    same = _fact("offer", id="same", county="宝丰县", township="张八桥镇", line=1)
    county = _fact("offer", id="county", county="宝丰县", price=Fraction(5), line=2)
    cheap = _fact("offer", id="cheap", county="宝丰县", price=Fraction(4), line=3)
    far = _fact("offer", id="far", county="叶县", price=Fraction(1), line=4)
    known = answers([need, same, county, cheap, far])
    assert known.ranked["need"] == ["same", "cheap", "county", "far"]
