"""Days of stock on known histories, every status boundary, and what a shortage needs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.matching.model import PackSize
from bot.matching.stock import DayFigures, Target, days_of_stock, shortfall, status_of

D = date(2026, 5, 10)
GRAIN = Target(30, 7)
EGG_BOX = (PackSize("箱", 22.5, "kg"), PackSize("箱", 360, "枚"))


def day(n: int, stock: float, sales: float | None, unit: str = "kg",
        sales_unit: str | None = None) -> DayFigures:
    """The report of ``n`` days before D."""
    return DayFigures(D - timedelta(days=n), stock, unit, sales,
                      None if sales is None else (sales_unit or unit))


def test_stock_over_the_average_of_the_last_seven_reported_days() -> None:
    # Ten reported days: only the last seven (sales 1..7 → average 4) count.
    history = [day(n, 100, 7 - n if n < 7 else 50) for n in range(10)]
    result = days_of_stock("大米", history, D, GRAIN)
    assert result is not None
    assert result.avg_daily_sales == pytest.approx(4.0)
    assert result.days_of_stock == pytest.approx(25.0) and result.status == "偏紧"


def test_the_last_seven_reported_days_skip_days_not_reported() -> None:
    history = [day(n, 100, 10.0) for n in (0, 2, 4, 6, 8, 10)] + [day(20, 100, 100.0)]
    result = days_of_stock("大米", history, D, GRAIN)
    assert result is not None and result.avg_daily_sales == pytest.approx((6 * 10 + 100) / 7)


def test_sold_out_days_do_not_make_demand_look_low() -> None:
    # Sold out on three days, selling 0 of course; the days with stock sold 10 a day.
    history = [day(0, 50, 10), day(1, 0, 0), day(2, 0, 0), day(3, 0, 2), day(4, 80, 10),
               day(5, 90, 10), day(6, 100, 10)]
    result = days_of_stock("大米", history, D, GRAIN)
    assert result is not None and result.avg_daily_sales == pytest.approx(10.0)
    assert result.days_of_stock == pytest.approx(5.0) and result.status == "告急"


def test_fewer_than_three_days_use_the_latest_sales_figure() -> None:
    result = days_of_stock("大米", [day(1, 100, 50), day(0, 90, 3)], D, GRAIN)
    assert result is not None and result.avg_daily_sales == 3 and result.days_of_stock == 30
    # The latest figure given: today's report has none.
    result = days_of_stock("大米", [day(1, 100, 5), day(0, 90, None)], D, GRAIN)
    assert result is not None and result.avg_daily_sales == 5 and result.days_of_stock == 18


def test_no_sales_figure_at_all_is_no_sales_and_no_division() -> None:
    result = days_of_stock("大米", [day(n, 100, None) for n in range(5)], D, GRAIN)
    assert result is not None
    assert (result.status, result.days_of_stock, result.avg_daily_sales) == ("无销量", None, None)


def test_zero_sales_is_enough_stock() -> None:
    result = days_of_stock("大米", [day(n, 100, 0) for n in range(5)], D, GRAIN)
    assert result is not None and result.status == "充足" and result.days_of_stock is None
    assert shortfall(result, GRAIN) is None


def test_zero_stock_is_sold_out_whatever_the_sales() -> None:
    result = days_of_stock("大米", [day(0, 0, None)], D, GRAIN)
    assert result is not None and result.status == "断货"
    result = days_of_stock("大米", [day(1, 10, 5), day(0, 0, 5)], D, GRAIN)
    assert result is not None and result.status == "断货"
    assert shortfall(result, GRAIN) == 150  # 30 days × 5


def test_not_reported_on_the_day_has_no_status() -> None:
    assert days_of_stock("大米", [day(1, 100, 5)], D, GRAIN) is None
    assert days_of_stock("大米", [], D, GRAIN) is None


def test_units_converted_by_the_pack_size() -> None:
    # Stock in boxes, sales in kg: a box of eggs is 22.5 kg.
    result = days_of_stock("鸡蛋", [day(0, 100, 450, "箱", "kg")], D, Target(6, 2), EGG_BOX)
    assert result is not None and result.avg_daily_sales == pytest.approx(20)
    assert result.days_of_stock == pytest.approx(5) and result.status == "偏紧"
    # Stock in kg, sales in boxes.
    result = days_of_stock("鸡蛋", [day(0, 450, 2, "kg", "箱")], D, Target(6, 2), EGG_BOX)
    assert result is not None and result.days_of_stock == pytest.approx(10)


def test_units_without_a_pack_size_cannot_be_converted_and_say_why() -> None:
    result = days_of_stock("大白菜", [day(0, 100, 50, "箱", "kg")], D, Target(3, 1))
    assert result is not None and result.status == "无法换算"
    assert result.days_of_stock is None
    assert result.reason == "库存按箱、销量按公斤，不知道每箱有多少公斤"


def test_a_day_that_cannot_be_converted_counts_for_nothing() -> None:
    history = [day(0, 100, 10, "箱"), day(1, 100, 10, "箱"), day(2, 100, 999, "箱", "kg")]
    result = days_of_stock("大白菜", history, D, Target(3, 1))
    assert result is not None and result.avg_daily_sales == 10


@pytest.mark.parametrize("days, status", [
    (30, "充足"), (30.01, "充足"), (29.99, "偏紧"), (7.01, "偏紧"), (7, "告急"), (6.99, "告急"),
    (0.01, "告急"),
])
def test_every_status_boundary(days: float, status: str) -> None:
    assert status_of(days, GRAIN) == status
    # The same through the whole computation: stock = days × sales of 2 a day.
    result = days_of_stock("大米", [day(0, days * 2, 2)], D, GRAIN)
    assert result is not None and result.status == status


@pytest.mark.parametrize("category, target, days, status", [
    ("肉类", Target(20, 5), 5, "告急"), ("肉类", Target(20, 5), 19.9, "偏紧"),
    ("蛋类", Target(6, 2), 6, "充足"), ("奶类", Target(13, 4), 4.1, "偏紧"),
    ("叶菜", Target(3, 1), 1, "告急"), ("其他蔬菜", Target(10, 3), 10, "充足"),
    ("包装食品", Target(14, 4), 3.9, "告急"),
])
def test_boundaries_of_each_default_category(category: str, target: Target, days: float,
                                             status: str) -> None:
    assert status_of(days, target) == status


def test_a_conversion_landing_on_a_boundary_is_the_boundary() -> None:
    # 3 boxes of 22.5 kg a day against 472.5 kg: exactly 7 days, despite float rounding.
    result = days_of_stock("鸡蛋", [day(0, 472.5, 3, "kg", "箱")], D, Target(30, 7), EGG_BOX)
    assert result is not None and result.status == "告急"


def test_the_need_brings_the_stock_back_to_the_target() -> None:
    result = days_of_stock("大米", [day(0, 20000, 2000)], D, GRAIN)
    assert result is not None and result.status == "偏紧"
    assert shortfall(result, GRAIN) == 40000  # 30 × 2000 − 20000
    enough = days_of_stock("大米", [day(0, 60000, 2000)], D, GRAIN)
    assert enough is not None and shortfall(enough, GRAIN) is None
    boxes = days_of_stock("鸡蛋", [day(0, 10, 3.3, "箱")], D, Target(6, 2))
    assert boxes is not None and shortfall(boxes, Target(6, 2)) == 10  # 19.8 − 10, rounded up
