"""The day's survey table and every automatic need of the day, for 2,000 stores × 10 items ×
90 days of reports, against a naive baseline measured in the same run.

The history is generated (a fixed seed): stocks that run down and are restocked towards
the item's target, sales around a store's own level, a few stock-outs, some items counted
in boxes. Then, for the
last day, the benchmark times

- the survey table: ``survey_day`` for the whole city (days of stock and status of every
  store's items, and the sums per county-level unit and item);
- the automatic needs: ``after_reports`` for every store from that table (drafts, cards,
  officers told), in the same unit of work, rolled back so that each repetition does the
  same work;

and the naive way of the same table: one query per store and item for its last seven
reported days, the days of stock computed from them (on a sample of stores, scaled up,
as said in the output).

    .venv/bin/python -m benchmarks.bench_survey [--stores 2000] [--days 90]
        [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import date, timedelta

from sqlalchemy import insert, select

from benchmarks.databases import add_database_argument, bench_databases
from bot.matching.area import CITY
from bot.matching.catalogue import get_usual_packs
from bot.matching.regions import get_gazetteer
from bot.matching.stock import DayFigures, days_of_stock, get_targets
from bot.matching.survey import get_survey_items
from bot.services.survey import survey_day, target_of
from bot.services.survey_needs import after_reports
from storage.database import Database
from storage.schema import store_managers, stores, survey_reports, users

LAST_DAY = date(2026, 5, 31)
TARGET_SECONDS = 2.0
# (product, unit, typical daily sales in that unit)
ITEMS = (("大米", "kg", 800), ("面粉", "kg", 500), ("大豆油", "桶", 30), ("猪肉", "kg", 300),
         ("鸡蛋", "箱", 20), ("大白菜", "kg", 400), ("土豆", "kg", 300), ("牛奶", "箱", 40),
         ("方便面", "箱", 25), ("饮用水", "箱", 60))


def counties() -> list[str]:
    return get_gazetteer().county_names()


async def fill(db: Database, store_count: int, days: int, seed: int) -> float:
    """Stores, one manager each, and their reports; seconds taken."""
    started = time.perf_counter()
    rng = random.Random(seed)
    places = counties()
    now = time.time()
    async with db.write() as uow:
        conn = uow.connection
        await conn.execute(insert(users), [
            {"telegram_id": 10_000 + n, "role": "buyer", "name": f"店长{n}", "created_at": now,
             "updated_at": now} for n in range(store_count)])
        await conn.execute(insert(stores), [
            {"id": n + 1, "chain": f"连锁{n % 40}", "name": f"门店{n}", "type": "超市",
             "county": places[n % len(places)], "township": None, "created_at": now,
             "updated_at": now} for n in range(store_count)])
        await conn.execute(insert(store_managers), [
            {"store_id": n + 1, "user_id": 10_000 + n, "created_at": now}
            for n in range(store_count)])
        # Day by day, as stores report: each day's reports are stored together.
        targets = get_targets()
        items = get_survey_items()
        target_days = [targets[items.get(p).category].target_days  # type: ignore[union-attr]
                       for p, _u, _t in ITEMS]
        levels = [[typical * rng.uniform(0.5, 1.5) for _p, _u, typical in ITEMS]
                  for _ in range(store_count)]
        stocks = [[level * target_days[i] * rng.uniform(0.8, 1.6)
                   for i, level in enumerate(row)] for row in levels]
        batch: list[dict[str, object]] = []
        for back in range(days - 1, -1, -1):
            day = (LAST_DAY - timedelta(days=back)).isoformat()
            for n in range(store_count):
                for i, (product, unit, _typical) in enumerate(ITEMS):
                    level = levels[n][i]
                    sales = max(0.0, rng.gauss(level, level * 0.2))
                    stock = stocks[n][i] - sales
                    # A delivery when the stock runs low, up to a little over the target.
                    if stock < level * target_days[i] * rng.uniform(0.6, 1.1):
                        stock += level * target_days[i] * rng.uniform(0.3, 0.8)
                    if rng.random() < 0.01:
                        stock = 0.0  # sold out
                    stocks[n][i] = stock = max(stock, 0.0)
                    batch.append({
                        "store_id": n + 1, "product": product, "day": day,
                        "stock": round(stock, 1), "stock_unit": unit, "sales": round(sales, 1),
                        "sales_unit": unit, "sales_basis": "daily_average",
                        "reported_at": now})
                    if len(batch) >= 20_000:
                        await conn.execute(insert(survey_reports), batch)
                        batch = []
        if batch:
            await conn.execute(insert(survey_reports), batch)
        await uow.commit()
    return time.perf_counter() - started


async def timed_day(db: Database) -> tuple[float, float, int, int]:
    """The city's survey table, then every store's automatic needs from it, in one unit of
    work rolled back afterwards (each repetition does the same work): (seconds of the
    table, seconds of the needs, store items, needs drafted)."""
    started = time.perf_counter()
    async with db.write() as uow:
        found = await survey_day(uow, LAST_DAY, CITY)
        tabled = time.perf_counter()
        everyone = {row.store.id: row.store for row in found.rows}
        result = await after_reports(uow, everyone, LAST_DAY, time.time(), found.rows)
        done = time.perf_counter()
    return tabled - started, done - tabled, len(found.rows), len(result.drafted)


async def timed_naive(db: Database, sample: int) -> float:
    """One query per store and item of the sample for its last seven reported days."""
    items, targets, packs = get_survey_items(), get_targets(), get_usual_packs()
    started = time.perf_counter()
    async with db.read() as uow:
        conn = uow.connection
        for store_id in range(1, sample + 1):
            for product, _unit, _typical in ITEMS:
                rows = await conn.execute(
                    select(survey_reports.c.day, survey_reports.c.stock,
                           survey_reports.c.stock_unit, survey_reports.c.sales,
                           survey_reports.c.sales_unit)
                    .where(survey_reports.c.store_id == store_id,
                           survey_reports.c.product == product,
                           survey_reports.c.day <= LAST_DAY.isoformat())
                    .order_by(survey_reports.c.day.desc()).limit(7))
                history = [DayFigures(date.fromisoformat(d), s, u, x, xu)
                           for d, s, u, x, xu in rows]
                target = target_of(product, items, targets)
                assert target is not None
                days_of_stock(product, history, LAST_DAY, target, packs.get(product, ()))
    return time.perf_counter() - started


async def run(args: argparse.Namespace) -> int:
    async with bench_databases(args.database_url) as target:
        async with await Database.open(target()) as db:
            backend = db.dialect
            filled = await fill(db, args.stores, args.days, args.seed)
            rows = args.stores * len(ITEMS) * args.days
            print(f"backend {backend}: {args.stores} stores × {len(ITEMS)} items × {args.days} "
                  f"days = {rows:,} reports, stored in {filled:.1f} s")
            runs = [await timed_day(db) for _ in range(args.repeat)]
            sample = min(args.stores, args.naive_sample)
            naive = await timed_naive(db, sample) * args.stores / sample
    table = statistics.median(r[0] for r in runs)
    need = statistics.median(r[1] for r in runs)
    together = statistics.median(r[0] + r[1] for r in runs)
    print(f"the day's survey table: {runs[0][2]:,} store items in {table:.3f} s "
          f"(median of {args.repeat})")
    print(f"all automatic needs of the day from it: {runs[0][3]:,} drafted, with their cards, "
          f"in {need:.3f} s (median of {args.repeat})")
    print(f"together {together:.3f} s (target ≤ {TARGET_SECONDS:.0f} s)")
    print(f"naive table, one query per store and item: {naive:.3f} s "
          f"(measured on {sample} stores, scaled to {args.stores}); "
          f"the table is {naive / table:.1f}× faster")
    return 0 if together <= TARGET_SECONDS else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=200,
                        help="stores the naive baseline is measured on (scaled up)")
    parser.add_argument("--seed", type=int, default=18)
    add_database_argument(parser)
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
