"""The day's table as the database sums it equals days of stock computed from every
reported day, on random histories (gaps, stock-outs, missing sales, mixed units), on both
backends; and the 7 reported days reach back past gaps."""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from bot.matching.catalogue import get_usual_packs
from bot.matching.stock import DayFigures, days_of_stock, get_targets
from bot.matching.survey import ReportedItem, get_survey_items
from bot.services.survey import stock_rows, target_of
from storage.database import Database
from tests.stores import each

D = date(2026, 5, 31)
PRODUCTS = (("大米", ("kg", "袋")), ("鸡蛋", ("箱", "kg", "枚")), ("大白菜", ("kg", "箱")))


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


def random_history(rng: random.Random, units: tuple[str, ...]) -> list[tuple[date, ReportedItem]]:
    stock_unit = rng.choice(units)
    found = []
    for back in range(20):
        if rng.random() < 0.25 and back:
            continue  # a day not reported (never D itself, for most items)
        stock = 0.0 if rng.random() < 0.15 else round(rng.uniform(1, 500), 1)
        sales = None if rng.random() < 0.15 else round(rng.uniform(0, 80), 1)
        sales_unit = None if sales is None else (
            stock_unit if rng.random() < 0.7 else rng.choice(units))
        found.append((D - timedelta(days=back), ReportedItem(
            "", stock, stock_unit, sales, sales_unit, None if sales is None else "today")))
    return found


async def test_the_summed_table_equals_the_rule_on_every_reported_day(db: Database) -> None:
    rng = random.Random(18)
    items, targets, packs = get_survey_items(), get_targets(), get_usual_packs()
    stores = {}
    expected = {}
    for n in range(30):
        store, _ = await each(db).survey.upsert_store(
            chain="连锁", name=f"店{n}", type="超市", county="宝丰县", township=None,
            manager_phone=None, now=time.time())
        stores[store.id] = store
        for product, units in PRODUCTS:
            history = random_history(rng, units)
            async with db.write() as uow:
                for day, item in history:
                    await uow.survey.save_report(
                        store.id, day, [dataclasses.replace(item, product=product)],
                        None, time.time())
                await uow.commit()
            figures = [DayFigures(day, i.stock, i.stock_unit, i.sales, i.sales_unit)
                       for day, i in history]
            target = target_of(product, items, targets)
            assert target is not None
            result = days_of_stock(product, figures, D, target, packs.get(product, ()))
            if result is not None:
                expected[(store.id, product)] = result
    async with db.read() as uow:
        found = await uow.survey.day_figures(D)
    rows = stock_rows(found, stores, D, items, targets, packs)
    got = {(r.store.id, r.stock.product): r.stock for r in rows}
    assert got.keys() == expected.keys() and len(got) > 60
    for key, want in expected.items():
        have = got[key]
        assert (have.status, have.stock, have.stock_unit, have.reason) == (
            want.status, want.stock, want.stock_unit, want.reason), key
        for a, b in ((have.avg_daily_sales, want.avg_daily_sales),
                     (have.days_of_stock, want.days_of_stock)):
            assert (a is None) == (b is None) and (a is None or abs(a - b) < 1e-6), key
    assert any(f.sums is not None for f in found.values())  # both paths were taken
    assert any(f.history is not None for f in found.values())


async def test_the_last_seven_reported_days_reach_back_past_gaps(db: Database) -> None:
    store, _ = await each(db).survey.upsert_store(
        chain="连锁", name="店", type="超市", county="宝丰县", township=None,
        manager_phone=None, now=time.time())
    async with db.write() as uow:
        # Every other day for 20 days at 10 kg a day, and 100 kg a day a month before.
        for back in range(0, 20, 2):
            await uow.survey.save_report(store.id, D - timedelta(days=back), [
                ReportedItem("大米", 500, "kg", 10 if back < 14 else 40, "kg", "today")],
                None, time.time())
        await uow.survey.save_report(store.id, D - timedelta(days=40), [
            ReportedItem("大米", 500, "kg", 100, "kg", "today")], None, time.time())
        await uow.commit()
    async with db.read() as uow:
        found = await uow.survey.day_figures(D)
    item = found[(store.id, "大米")]
    assert item.history is not None
    # The last 7 reported days: 0, 2 … 12 days back (10 kg each); 14 days back not.
    assert [f.day for f in item.history] == [D - timedelta(days=b) for b in range(12, -1, -2)]
