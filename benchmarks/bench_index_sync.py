"""What keeping a worker's matching index current costs per post, beside reloading it.

Two workers open one database (a SQLite file, or the PostgreSQL database of
``--database-url``) holding 100,000 open listings, each with its own
:class:`~bot.services.match_index.ListingIndex`. Worker B posts; before matching,
worker A applies what changed (:meth:`ListingIndex.sync`: one range query on the
change number). The naive way to be as current is to reload the open listings
before each match (:meth:`ListingIndex.load`); it is timed a few times in the same run.

    .venv/bin/python -m benchmarks.bench_index_sync [--listings 100000] [--posts 1000]
        [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

from benchmarks.databases import add_database_argument, bench_databases
from bot.matching.model import CITY_NAME, Kind, Listing, Place
from bot.services.match_index import ListingIndex
from storage.database import Database
from tests.stores import each

PRODUCTS = [("大白菜", "蔬菜"), ("土豆", "蔬菜"), ("小麦", "粮油"), ("苹果", "水果"),
            ("鸡蛋", "禽蛋"), ("西红柿", "蔬菜"), ("玉米", "粮油"), ("生猪", "畜产品")]
COUNTIES = ["宝丰县", "叶县", "鲁山县", "郏县", "舞钢市", "汝州市", "新华区", "湛河区"]
RELOADS = 5


def new_listing(rng: random.Random, user_id: int) -> Listing:
    product, category = rng.choice(PRODUCTS)
    kind: Kind = rng.choice(["offer", "need"])
    now = time.time()
    return Listing(
        id=0, user_id=user_id, kind=kind, raw_text="", product=product, category=category,
        place=Place(city=CITY_NAME, county=rng.choice(COUNTIES)),
        quantity=float(rng.randint(100, 10_000)), unit="kg",
        price=round(rng.uniform(0.5, 5.0), 2), price_unit="kg",
        created_at=now, expires_at=now + 7 * 86_400,
    )


def millis(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95)]
    return f"p50 {statistics.median(ordered) * 1e3:7.3f} ms  p95 {p95 * 1e3:7.3f} ms"


async def run(size: int, posts: int, url: str | None = None) -> None:
    rng = random.Random(1)
    async with bench_databases(url) as target:
        path = target()
        async with await Database.open(path) as a, await Database.open(path) as b:
            await each(a).users.upsert(1, role="grower")
            for start in range(0, size, 10_000):
                batch = [new_listing(rng, 1) for _ in range(min(10_000, size - start))]
                await each(a).listings.add_many(batch)
            index_a = ListingIndex(a)
            reloads = []
            for _ in range(RELOADS):
                started = time.perf_counter()
                await index_a.load()
                reloads.append(time.perf_counter() - started)
            idle, after_post = [], []
            for _ in range(posts):
                started = time.perf_counter()
                await index_a.sync()
                idle.append(time.perf_counter() - started)
                # Worker B posts: one listing in a unit of work of its own.
                await each(b).listings.add(new_listing(rng, 1))
                started = time.perf_counter()
                read = await index_a.sync()
                after_post.append(time.perf_counter() - started)
                assert read == 1
            print(f"{size:,} open listings ({a.dialect}), {posts:,} posts by another worker")
            print(f"  sync, nothing new        {millis(idle)}")
            print(f"  sync, one listing new    {millis(after_post)}")
            print(f"  naive: reload the index  {millis(reloads)}  ({RELOADS} runs)")
            ratio = statistics.median(reloads) / statistics.median(after_post)
            print(f"  reload / sync: {ratio:,.0f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000)
    add_database_argument(parser)
    args = parser.parse_args(argv)
    asyncio.run(run(args.listings, args.posts, args.database_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
