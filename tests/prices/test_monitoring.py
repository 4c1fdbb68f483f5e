"""The daily table's figures on a known data set: averages, same-point changes, alerts at
each threshold, escalation, and the prices a report is asked about."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.matching.basket import get_alert_policy, get_basket
from bot.matching.monitoring import PointPrice, daily_table, is_mixup, suspects

DAY = date(2026, 5, 9)


def day(k: int) -> str:
    return (DAY - timedelta(days=k)).isoformat()


def price(k: int, point: int, product: str, value: float, county: str = "宝丰县",
          unit: str = "500g") -> PointPrice:
    return PointPrice(day(k), point, county, product, value, unit)


def table(prices: list[PointPrice], region: str = "平顶山市"):  # type: ignore[no-untyped-def]
    return daily_table(DAY, prices, get_basket(), get_alert_policy(), region)


def item(t, product: str):  # type: ignore[no-untyped-def]
    return next(i for i in t.items if i.product == product)


def test_average_min_max_points_and_by_county() -> None:
    t = table([price(0, 1, "猪肉", 13.0), price(0, 2, "猪肉", 14.0),
               price(0, 3, "猪肉", 15.5, "叶县"),
               price(0, 4, "猪肉", 6.0, unit="只")])  # a count-unit price is not averaged
    pork = item(t, "猪肉")
    assert (pork.avg, pork.min, pork.max, pork.points) == (14.17, 13.0, 15.5, 3)
    assert pork.by_county == {"叶县": 15.5, "宝丰县": 13.5}
    assert (pork.change_1d_pct, pork.change_7d_pct) == (None, None)
    assert item(t, "大米").avg is None and item(t, "大米").points == 0
    assert [i.product for i in t.items] == [i.product for i in get_basket().items]


def test_a_cheap_market_skipping_a_day_is_no_rise() -> None:
    # Yesterday three points, one of them cheap; today the cheap one did not report.
    prices = [price(1, 1, "大白菜", 1.0), price(1, 2, "大白菜", 1.0), price(1, 3, "大白菜", 0.4),
              price(0, 1, "大白菜", 1.0), price(0, 2, "大白菜", 1.0)]
    cabbage = item(table(prices), "大白菜")
    assert cabbage.avg == 1.0
    assert cabbage.change_1d_pct == 0.0
    assert table(prices).alerts == ()


def test_changes_over_one_and_seven_days_on_common_points() -> None:
    prices = [price(7, 1, "鸡蛋", 4.0), price(7, 2, "鸡蛋", 4.0),
              price(1, 1, "鸡蛋", 4.8), price(1, 9, "鸡蛋", 9.0),
              price(0, 1, "鸡蛋", 5.0), price(0, 2, "鸡蛋", 5.2)]
    eggs = item(table(prices), "鸡蛋")
    assert eggs.change_1d_pct == pytest.approx(4.2)  # point 1 only: 4.8 → 5.0
    assert eggs.change_7d_pct == pytest.approx(27.5)  # points 1 and 2: 4.0 → 5.1


@pytest.mark.parametrize(("product", "before", "after", "fires"), [
    ("大米", 2.0, 2.198, False),  # grain 9.9%
    ("大米", 2.0, 2.2, True),  # grain 10%
    ("大白菜", 1.0, 1.199, False),  # fresh 19.9%
    ("大白菜", 1.0, 1.2, True),  # fresh 20%
    ("大米", 2.0, 2.0, False),
])
def test_one_day_rules_fire_at_their_threshold(
    product: str, before: float, after: float, fires: bool
) -> None:
    t = table([price(1, 1, product, before), price(0, 1, product, after)], region="宝丰县")
    assert [(a.product, a.rule, a.region) for a in t.alerts] == (
        [(product, "rise_1d", "宝丰县")] if fires else [])


@pytest.mark.parametrize(("after", "fires"), [(1.299, False), (1.3, True)])
def test_the_seven_day_rule_fires_at_thirty_percent(after: float, fires: bool) -> None:
    # Small daily steps: no one-day alert, only the week's.
    t = table([price(7, 1, "猪肉", 1.0 * 10), price(1, 1, "猪肉", after * 10 / 1.1),
               price(0, 1, "猪肉", after * 10)], region="宝丰县")
    assert [a.rule for a in t.alerts] == (["rise_7d"] if fires else [])
    if fires:
        assert t.alerts[0].change_pct == 30.0


def test_a_city_table_alerts_each_county_and_escalates_when_several_do() -> None:
    rise = [price(1, 1, "大白菜", 1.0, "宝丰县"), price(0, 1, "大白菜", 1.5, "宝丰县"),
            price(1, 2, "大白菜", 1.0, "叶县"), price(0, 2, "大白菜", 1.3, "叶县"),
            price(1, 3, "大白菜", 1.0, "郏县"), price(0, 3, "大白菜", 1.0, "郏县")]
    alerts = {(a.region, a.rule, a.change_pct) for a in table(rise).alerts}
    assert alerts == {("平顶山市", "rise_1d", 26.7), ("宝丰县", "rise_1d", 50.0),
                      ("叶县", "rise_1d", 30.0), ("平顶山市", "rise_1d:counties", 50.0)}
    one = [p for p in rise if p.county != "叶县"]
    alerts = {(a.region, a.rule) for a in table(one).alerts}
    assert ("平顶山市", "rise_1d:counties") not in alerts and ("宝丰县", "rise_1d") in alerts


@pytest.mark.parametrize(("new", "mixup"), [
    (2.0, True), (1.94, True), (2.06, True), (1.93, False), (2.07, False),
    (0.5, True), (0.485, True), (0.515, True), (0.48, False), (1.0, False),
])
def test_twice_or_half_within_three_percent_is_the_jin_kilo_mixup(new: float, mixup: bool) -> None:
    assert is_mixup(new, 1.0) is mixup


def test_suspects_name_the_mixup_and_the_range() -> None:
    found = suspects([("大白菜", 2.4, "500g"), ("猪肉", 99.0, "500g"), ("鸡蛋", 5.2, "500g")],
                     {"大白菜": (1.2, "500g"), "鸡蛋": (5.0, "500g")}, get_basket())
    assert [(s.product, s.reason) for s in found] == [("大白菜", "mixup"), ("猪肉", "range")]
    # A previous price in another unit says nothing.
    assert suspects([("鸡蛋", 1.2, "个")], {"鸡蛋": (0.6, "个")}, get_basket())[0].reason == "mixup"
    assert suspects([("鸡蛋", 5.2, "500g")], {"鸡蛋": (2.6, "个")}, get_basket()) == []


@pytest.mark.parametrize(("price", "expected"), [
    (2.9, None), (3.0, "high"), (4.0, "mixup"), (3.88, "mixup"), (3.87, "high"),
    (1.0, "mixup"), (1.2, None), (0, None),
])
def test_an_offer_against_the_monitored_price(price: float, expected: str | None) -> None:
    from bot.matching.monitoring import listing_price_check

    assert listing_price_check(price, 2.0, 1.5) == expected
