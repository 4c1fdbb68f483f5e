"""What telling a product's followers of a new listing costs, beside counting each one's
daily cap one follower at a time.

One database (a SQLite file, or the PostgreSQL database of ``--database-url``) holds
``--followers`` buyers following 大白菜. Each post (one offer) is published and its
followers told (:func:`bot.services.follows.notify_followers`: the follows, the
followers, the outbox keys, the day's quota of all of them in one statement per 500,
the notices), in a unit of work of its own that is rolled back, so every post finds
the same database. The naive way counts the cap follower by follower (add the day's
row, raise it where below the cap: two statements each), timed on the same followers
in the same run.

    .venv/bin/python -m benchmarks.bench_follow_notices [--followers 2000] [--posts 20]
        [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import date

from sqlalchemy import update

from benchmarks.bench_index_sync import millis
from benchmarks.databases import add_database_argument, bench_databases
from bot.matching.area import CITY
from bot.matching.model import CITY_NAME, Listing, Place
from bot.services.follows import notify_followers
from storage.database import Database
from storage.schema import follow_quota
from storage.sql import insert_ignoring_duplicates

DAY = date(2026, 5, 9)
CAP = 20
GROWER = 1


def offer(now: float) -> Listing:
    return Listing(
        id=0, user_id=GROWER, kind="offer", raw_text="", product="大白菜", category="蔬菜",
        place=Place(city=CITY_NAME, county="宝丰县"), quantity=2500.0, unit="kg",
        price=1.6, price_unit="kg", created_at=now, expires_at=now + 7 * 86_400,
    )


async def naive_quotas(db: Database, followers: list[int]) -> float:
    """The day's quota taken follower by follower; seconds (rolled back)."""
    async with db.write() as uow:
        started = time.perf_counter()
        for user_id in followers:
            await uow.connection.execute(
                insert_ignoring_duplicates(uow.connection, follow_quota).values(
                    user_id=user_id, day=DAY.isoformat(), sent=0))
            await uow.connection.execute(
                update(follow_quota).where(
                    follow_quota.c.user_id == user_id, follow_quota.c.day == DAY.isoformat(),
                    follow_quota.c.sent < CAP,
                ).values(sent=follow_quota.c.sent + 1))
        return time.perf_counter() - started


async def batched_quotas(db: Database, followers: list[int]) -> float:
    async with db.write() as uow:
        started = time.perf_counter()
        taken = await uow.follows.take_quotas(followers, DAY.isoformat(), CAP)
        elapsed = time.perf_counter() - started
    assert len(taken) == len(followers)
    return elapsed


async def publish_and_tell(db: Database) -> tuple[float, int]:
    """One offer stored and its followers told; seconds and notices (rolled back)."""
    async with db.write() as uow:
        started = time.perf_counter()
        stored = await uow.listings.add(offer(time.time()))
        told = await notify_followers(uow, stored, DAY, CAP, told=set())
        return time.perf_counter() - started, told


async def run(followers: int, posts: int, url: str | None = None) -> None:
    async with bench_databases(url) as target, await Database.open(target()) as db:
        async with db.write() as uow:
            await uow.users.upsert(GROWER, role="grower", county="宝丰县")
            ids = list(range(10_000, 10_000 + followers))
            for user_id in ids:
                await uow.users.upsert(user_id, role="buyer", county="湛河区")
                await uow.follows.add(user_id, "大白菜", CITY)
            await uow.commit()
        whole, batched, naive = [], [], []
        for _ in range(posts):
            elapsed, told = await publish_and_tell(db)
            assert told == followers
            whole.append(elapsed)
            batched.append(await batched_quotas(db, ids))
            naive.append(await naive_quotas(db, ids))
        print(f"{followers:,} followers of one product ({db.dialect}), {posts} posts")
        print(f"  publish and tell them all   {millis(whole)}")
        print(f"  the cap, one statement/500  {millis(batched)}")
        print(f"  naive: the cap one by one   {millis(naive)}")
        ratio = statistics.median(naive) / statistics.median(batched)
        print(f"  one by one / batched: {ratio:,.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=2_000)
    parser.add_argument("--posts", type=int, default=20)
    add_database_argument(parser)
    args = parser.parse_args(argv)
    asyncio.run(run(args.followers, args.posts, args.database_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
