"""The product catalogue: size, categories, names, look-alikes kept apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.matching.catalogue import (
    CATEGORIES,
    get_catalogue,
    get_usual_packs,
    pack_rows,
    read_usual_packs,
    usual_packs,
    usual_packs_from,
)
from bot.matching.model import PackSize
from bot.matching.policy import PolicyError

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


def test_usual_packs_name_catalogue_products_with_their_source() -> None:
    packs = get_usual_packs()
    assert packs["鸡蛋"] == (PackSize("箱", 22.5, "kg"), PackSize("箱", 360.0, "枚"))
    assert usual_packs("大米") == (PackSize("袋", 25.0, "kg"),)
    assert usual_packs("面粉") == (PackSize("袋", 25.0, "kg"),)
    assert PackSize("桶", 5.0, "升") in usual_packs("花生油")
    assert usual_packs("大白菜") == ()
    assert all(row["source"].strip() for row in pack_rows())


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"product": "鸡子儿"}, "unknown product"),
        ({"unit": "斤"}, "not a package unit"),
        ({"amount": 0}, "positive number"),
        ({"amount": "45"}, "positive number"),
        ({"amount_unit": "箱"}, "not a weight or another count unit"),
        ({"amount_unit": "堆"}, "not a weight or another count unit"),
        ({"source": " "}, "no source"),
    ],
)
def test_a_bad_pack_row_is_refused_with_its_number(row: dict, problem: str) -> None:
    good = {"product": "鸡蛋", "unit": "箱", "amount": 45, "amount_unit": "斤", "source": "x"}
    with pytest.raises(ValueError, match=rf"row 2: .*{problem}"):
        usual_packs_from([good, {**good, **row}], C)


def test_one_package_holds_one_amount_per_unit() -> None:
    row = {"product": "鸡蛋", "unit": "箱", "amount": 45, "amount_unit": "斤", "source": "x"}
    with pytest.raises(ValueError, match="row 2: a second 箱 of 鸡蛋 in kg"):
        usual_packs_from([row, {**row, "amount": 22, "amount_unit": "公斤"}], C)


EGG_BOX = {"product": "鸡蛋", "unit": "箱", "amount": 40, "amount_unit": "斤", "source": "ours"}


def test_the_usual_packs_come_from_the_policy_directory(policy_dir: Path) -> None:
    (policy_dir / "packs.json").write_text(json.dumps({"packs": [EGG_BOX]}), "utf-8")
    assert usual_packs("鸡蛋") == (PackSize("箱", 20.0, "kg"),)
    # The file replaces the shipped table as a whole.
    assert usual_packs("大米") == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "is not valid JSON"),
        ('{"packs": {}}', '"packs" must be a list of rows'),
        ('{"packs": [1]}', "row 1: not an object"),
        (json.dumps({"packs": [{**EGG_BOX, "product": "鸡子儿"}]}), "row 1: unknown product"),
        (json.dumps({"packs": [EGG_BOX, EGG_BOX]}), "row 2: a second 箱 of 鸡蛋 in kg"),
    ],
)
def test_a_bad_packs_override_is_refused_naming_its_file(
    tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / "packs.json").write_text(text, "utf-8")
    with pytest.raises(PolicyError) as refused:
        read_usual_packs(tmp_path)
    assert str(refused.value).startswith(f"policy file {tmp_path / 'packs.json'}")
    assert problem in str(refused.value)
