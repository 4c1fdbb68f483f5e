"""The basket and the alert rules: shipped data, and a city's overrides file by file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.matching.basket import (
    MEASURED_UNITS,
    get_alert_policy,
    get_basket,
    read_alert_policy,
    read_basket,
)
from bot.matching.catalogue import get_catalogue
from bot.matching.policy import PolicyError
from bot.matching.reports import parse_report
from bot.settings import SettingsError, load_settings


def test_the_basket_is_fifty_odd_catalogue_products_in_seven_categories_with_dairy() -> None:
    basket = get_basket()
    assert 50 <= len(basket.items) <= 60
    assert set(basket.categories) == {"粮油", "肉类", "禽蛋", "蔬菜", "水果", "水产品", "奶制品"}
    catalogue = get_catalogue()
    for item in basket.items:
        assert catalogue.get(item.product) is not None
        assert item.spec and item.low < item.high
        assert item.unit in MEASURED_UNITS or item.dimension == "count"
    assert basket.get("猪肉").unit == "500g" and basket.get("菜籽油").unit == "5L"
    assert basket.get("牛奶").unit == "250ml" and basket.get("鸡蛋").unit == "500g"


def test_alert_defaults_are_ten_percent_for_grain_twenty_for_fresh_thirty_in_a_week() -> None:
    rules = get_alert_policy()
    assert [(r.days, r.threshold_pct) for r in rules.rules_for("粮油")] == [(1, 10), (7, 30)]
    assert [(r.days, r.threshold_pct) for r in rules.rules_for("蔬菜")] == [(1, 20), (7, 30)]
    assert rules.escalate_counties == 2


def test_a_policy_directory_overrides_the_basket_file_by_file(tmp_path: Path) -> None:
    (tmp_path / "basket.json").write_text(json.dumps({"items": [
        {"product": "大白菜", "category": "蔬菜", "spec": "一级", "unit": "kg",
         "plausible": [0.1, 20]},
    ]}), "utf-8")
    basket = read_basket(tmp_path)
    assert [i.product for i in basket.items] == ["大白菜"]
    # The alert rules were not overridden: the shipped ones stay.
    assert read_alert_policy(tmp_path) == get_alert_policy()
    report = parse_report("白菜0.6元/斤 猪肉13.8", basket)
    assert [(i.product, i.price, i.price_unit) for i in report.items] == [("大白菜", 1.2, "kg")]
    assert report.unknown == ["猪肉"]


@pytest.mark.parametrize(("name", "body", "words"), [
    ("basket.json", {"items": [{"product": "榴莲", "category": "水果", "spec": "",
                                "unit": "500g", "plausible": [1, 2]}]}, "榴莲"),
    ("basket.json", {"items": [{"product": "大白菜", "category": "蔬菜", "spec": "",
                                "unit": "斤", "plausible": [1, 2]}]}, "unit"),
    ("price_alerts.json", {"rules": [{"rule": "rise_1d", "days": 0, "threshold_pct": 10,
                                      "categories": ["粮油"]}]}, "rule 1"),
])
def test_a_bad_override_stops_start_up_naming_the_file(
    tmp_path: Path, name: str, body: dict, words: str
) -> None:
    (tmp_path / name).write_text(json.dumps(body), "utf-8")
    reader = read_basket if name == "basket.json" else read_alert_policy
    with pytest.raises(PolicyError, match=words):
        reader(tmp_path)
    with pytest.raises(SettingsError) as error:
        load_settings({"FARMDOCK_POLICY_DIR": str(tmp_path)}, env_file=None,
                      require_token=False)
    assert name in str(error.value)
