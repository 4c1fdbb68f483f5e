"""The registry's domain: capacities as written, 统一社会信用代码, the stable key, and the
ranking of registry suppliers for a need (the index agrees with ranking them all)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.engine import city_distance
from bot.matching.model import CITY_NAME, Place
from bot.matching.suppliers import (
    Capacity,
    CapacityError,
    Need,
    RegistryEntry,
    RegistryIndex,
    normalize_credit_code,
    parse_capacities,
    rank_registry,
    supplier_key,
)


def place(county: str | None, township: str | None = None) -> Place:
    return Place(city=CITY_NAME, county=county, township=township)


def test_capacities_as_written() -> None:
    assert parse_capacities("猪肉500斤/日；鸡蛋 2吨/周、面粉 每天30吨\n洋芋 1.5吨/天") == [
        Capacity("猪肉", 500, "斤", "日"), Capacity("鸡蛋", 2, "吨", "周"),
        Capacity("面粉", 30, "吨", "日"), Capacity("土豆", 1.5, "吨", "日")]
    assert parse_capacities("生猪 1,000头/周") == [Capacity("生猪", 1000, "头", "周")]
    assert parse_capacities("火星果 5斤/日") == CapacityError("product", "火星果")
    for bad in ("猪肉 -5斤/日", "猪肉 0斤/日", "猪肉很多", "猪肉 5斤", "猪肉 5斤/月", "；"):
        assert isinstance(parse_capacities(bad), CapacityError), bad
    assert Capacity("鸡蛋", 2, "吨", "周").per_day == 2 / 7


def test_credit_codes_and_keys() -> None:
    assert normalize_credit_code(" 91410400ma44y6r8tp ") == "91410400MA44Y6R8TP"
    for bad in ("91410400MA44Y6R8TQ", "91410400MA44Y6R8T", "91410400MA44Y6R8TPX",
                "91410400MA44Y6R8IP"):
        assert normalize_credit_code(bad) is None, bad
    assert supplier_key("91410400MA44Y6R8TP", "甲", "新华区", None) == "code:91410400MA44Y6R8TP"
    assert supplier_key(None, "甲", "宝丰县", "张八桥镇") == "name:甲@宝丰县张八桥镇"


def test_nearest_first_then_coverage() -> None:
    need = Need("猪肉", 1000.0, "kg", place("宝丰县", "张八桥镇"))  # 2000 斤
    entries = [
        RegistryEntry(1, place("汝州市"), Capacity("猪肉", 9000, "斤", "日")),
        RegistryEntry(2, place("宝丰县", "周庄镇"), Capacity("猪肉", 500, "斤", "日")),
        RegistryEntry(3, place("宝丰县", "张八桥镇"), Capacity("猪肉", 100, "斤", "日")),
        RegistryEntry(4, place("宝丰县", "周庄镇"), Capacity("猪肉", 7, "吨", "周")),
        RegistryEntry(5, place("宝丰县", "周庄镇"), Capacity("鸡蛋", 7, "吨", "日")),
        RegistryEntry(6, place("宝丰县"), Capacity("猪肉", 40, "箱", "日")),  # no coverage
        RegistryEntry(7, place("舞钢市"), Capacity("猪肉", 9000, "斤", "日")),
    ]
    distance = city_distance()
    ranked = [e.supplier_id for e in rank_registry(need, entries, distance)]
    assert ranked[:4] == [3, 4, 2, 6]  # own township, then the county by coverage
    far = sorted((1, 7), key=lambda i: distance("宝丰县", {1: "汝州市", 7: "舞钢市"}[i]))
    assert ranked[4:] == far
    assert [e.supplier_id for e in RegistryIndex(entries, distance).best(need, 3)] == [3, 4, 2]


COUNTIES = [None, "宝丰县", "汝州市", "舞钢市", "新华区", "叶县"]
TOWNSHIPS = [None, "张八桥镇", "周庄镇", "温泉镇"]


@st.composite
def places(draw: st.DrawFn) -> Place:
    county = draw(st.sampled_from(COUNTIES))
    township = draw(st.sampled_from(TOWNSHIPS)) if county else None
    return place(county, township)


entries_strategy = st.lists(st.builds(
    lambda i, p, product, amount, unit, period: RegistryEntry(
        i, p, Capacity(product, amount, unit, period)),
    st.integers(1, 10_000), places(), st.sampled_from(["猪肉", "鸡蛋"]),
    st.sampled_from([0.0, 1.0, 50.0, 500.0, 5000.0]), st.sampled_from(["斤", "吨", "箱"]),
    st.sampled_from(["日", "周"])), max_size=40, unique_by=lambda e: e.supplier_id)


@settings(max_examples=200, deadline=None)
@given(entries_strategy, places(), st.sampled_from([None, 100.0, 2000.0]),
       st.integers(0, 8))
def test_the_index_agrees_with_ranking_every_supplier(entries, where, quantity, limit) -> None:
    need = Need("猪肉", quantity, None if quantity is None else "kg", where)
    distance = city_distance()
    expected = rank_registry(need, entries, distance, limit)
    assert RegistryIndex(entries, distance).best(need, limit) == expected
