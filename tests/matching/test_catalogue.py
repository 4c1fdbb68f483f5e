"""The product catalogue: size, categories, names, look-alikes kept apart."""

from __future__ import annotations

import pytest

from bot.matching.catalogue import CATEGORIES, get_catalogue

C = get_catalogue()


def test_at_least_150_products_in_the_eight_categories() -> None:
    assert len(C) >= 150
    assert {p.category for p in C.products} == set(CATEGORIES)


def test_canonical_names_are_unique_and_every_name_means_one_product() -> None:
    names = C.canonical_names()
    assert len(names) == len(set(names))
    for name in names:
        assert C.lookup(name) is C.get(name)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("地蛋", "土豆"), ("洋芋", "土豆"), ("马铃薯", "土豆"), ("莲菜", "莲藕"),
        ("番瓜", "南瓜"), ("黄芽白", "大白菜"), ("白菜", "大白菜"), ("番茄", "西红柿"),
        ("菜椒", "青椒"), ("柿子椒", "青椒"), ("小麦粉", "面粉"), ("蒜苔", "蒜薹"),
        ("红富士", "苹果"),
    ],
)  # fmt: skip
def test_other_names(typed: str, canonical: str) -> None:
    assert C.lookup(typed).name == canonical


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("大白菜", "小白菜"), ("西红柿", "圣女果"), ("鸡蛋", "鸭蛋"), ("小麦", "面粉"),
        ("玉米", "玉米面"), ("大蒜", "蒜薹"), ("香菇", "平菇"), ("花生油", "大豆油"),
        ("大豆油", "菜籽油"), ("花生油", "菜籽油"),
    ],
)  # fmt: skip
def test_look_alikes_are_different_products(a: str, b: str) -> None:
    assert C.lookup(a) is not None and C.lookup(b) is not None
    assert C.lookup(a) is not C.lookup(b)


def test_default_validity_by_perishability() -> None:
    assert C.get("菠菜").default_valid_days == 3
    assert C.get("土豆").default_valid_days == 7
    assert C.get("面粉").default_valid_days == 30
    assert C.get("花生油").default_valid_days == 30


def test_substitutes_are_catalogue_names() -> None:
    for p in C.products:
        for name in p.related:
            assert C.get(name) is not None
