"""Broadcast and digest benchmark.

1. A digest to 10,000 recipients through the OutboxSender, against the fake Bot API
   enforcing Telegram's limits (30 messages a second overall, one a second per
   chat, 429 with retry_after beyond) on a simulated clock: 429s received, simulated
   time against the minimum the limits allow, and the ratio. A naive sender that
   sends as fast as it can is measured beside it.
2. The city's digest built from 100,000 listings of one day: the pure computation,
   and the whole load from the database.

On a temporary SQLite file, or on the empty PostgreSQL database ``--database-url`` names.

Run: .venv/bin/python -m benchmarks.bench_broadcast [--recipients N] [--listings N]
         [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import RetryAfter

from benchmarks.databases import add_database_argument, bench_databases
from bot.matching.area import CITY
from bot.matching.catalogue import get_catalogue
from bot.matching.clock import DayWindow
from bot.matching.model import CITY_NAME, Listing, Place
from bot.matching.regions import get_gazetteer
from bot.services.digest import load_digest
from bot.services.digest_model import OpenCounts, Totals, build_digest
from bot.services.messages import Message, outgoing
from bot.telegram.outbox_sender import OutboxSender
from storage.database import Database
from tests.fake_bot_api import FakeBotApi, SimulatedClock

TOKEN = "123456:BENCH-token"
TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 5, 9)
TEXT = "<b>📋 平顶山市 生活物资购销日报</b>\n5月9日（周六）\n⚠️ 仍有缺口：3 条需求未匹配"


async def broadcast(db: Database, recipients: int) -> None:
    async with db.write() as uow:
        await uow.outbox.enqueue([
            outgoing(f"{DAY}|{chat}|digest", chat, "digest", Message(TEXT))
            for chat in range(1, recipients + 1)
        ])
        await uow.commit()
    async with FakeBotApi() as server:
        clock = SimulatedClock()
        limits = server.enable_limits(clock)
        async with Bot(TOKEN, base_url=server.base_url) as bot:
            sender = OutboxSender(db, bot, clock=clock.monotonic, sleep=clock.sleep)
            started = time.perf_counter()
            sent = await sender.drain()
            real = time.perf_counter() - started
        minimum = recipients / limits.messages_per_second
        elapsed = clock.monotonic()
        print(f"broadcast ({db.dialect}): {sent} of {recipients} sent, 429s received: "
              f"{sender.retries_after} (server refused {limits.rejected})")
        print(f"  simulated time {elapsed:.1f} s, minimum the limits allow {minimum:.1f} s, "
              f"ratio {elapsed / minimum:.3f} (target <= 1.1); real time {real:.1f} s")


async def naive_broadcast(recipients: int) -> None:
    """Baseline: send one after another with no pacing, as a simple loop would."""
    async with FakeBotApi() as server:
        clock = SimulatedClock()
        limits = server.enable_limits(clock)
        refused = 0
        async with Bot(TOKEN, base_url=server.base_url) as bot:
            for chat in range(1, recipients + 1):
                try:
                    await bot.send_message(chat, TEXT, parse_mode="HTML")
                except RetryAfter:
                    refused += 1
                clock.advance(0.005)  # a fast loop: one send per 5 ms
        print(f"naive loop, {recipients} recipients: {refused} answered 429 "
              f"({refused / recipients:.0%}), each to be retried or lost")
        assert limits.rejected == refused


def sample_listings(
    count: int, user_ids: list[int], rng: random.Random, *, day: date = DAY
) -> list[Listing]:
    """``count`` listings spread evenly over ``day``."""
    catalogue = get_catalogue()
    found = (catalogue.get(name) for name in catalogue.canonical_names())
    products = [(p.name, p.category) for p in found if p is not None]
    gazetteer = get_gazetteer()
    places = [Place(city=CITY_NAME, county=c, township=t)
              for c in gazetteer.county_names() for t in gazetteer.townships(c)]
    start = DayWindow.of(day, TZ).start
    rows = []
    for i in range(count):
        product, category = rng.choice(products)
        kind = "offer" if rng.random() < 0.55 else "need"
        kg = float(rng.choice([100, 250, 500, 1000, 2500, 5000, 10000]))
        rows.append(Listing(
            id=0, kind=kind, product=product, quantity=kg, unit="kg",
            price=round(rng.uniform(1, 12), 2), price_unit="kg", place=rng.choice(places),
            created_at=start + 86400 * i / count, user_id=rng.choice(user_ids),
            category=category, raw_text=f"{product}{kg}公斤",
        ))
    return rows


async def digest_timing(db: Database, count: int) -> None:
    rng = random.Random(20220509)
    people = list(range(100_000, 102_000))
    async with db.write() as uow:
        for uid in people:
            await uow.users.upsert(uid, role="grower" if uid % 2 else "buyer",
                                   organisation=f"合作社{uid}")
        await uow.listings.add_many(sample_listings(count, people, rng))
        # A tenth as many the day before, still open: the change, and older shortages.
        await uow.listings.add_many(
            sample_listings(count // 10, people, rng, day=DAY - timedelta(days=1)))
        await uow.commit()
    if db.dialect == "postgresql":
        # The planner's statistics, as autovacuum refreshes them within a minute of a bulk
        # load on a running server; without them the first plans are guesses.
        async with db.write() as uow:
            await uow.connection.exec_driver_sql("ANALYZE")
            await uow.commit()
    now = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), TZ).timestamp() + 8 * 3600
    started = time.perf_counter()
    async with db.read() as uow:
        digest = await load_digest(uow, CITY, DAY, TZ, now=now)
    whole = time.perf_counter() - started
    window = DayWindow.of(DAY, TZ)
    async with db.read() as uow:
        day_rows = await uow.listings.in_period(window.start, window.end, CITY)
    started = time.perf_counter()
    build_digest(
        area=CITY, window=window, as_of=now, listings=day_rows, previous=Totals(),
        matches=[], match_listings={}, unmatched_needs=[], unmatched_offers=[],
        open_then=OpenCounts(), now=now, unmatched_needs_now=[], open_needs_now=0, users={},
    )
    pure = time.perf_counter() - started
    print(f"city digest from {len(digest.listings):,} listings of the day "
          f"({len(digest.shortages) + len(digest.surplus):,} open and unmatched): whole load "
          f"from {db.dialect} "
          f"{whole:.2f} s (target <= 2 s); computation alone {pure:.2f} s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--listings", type=int, default=100_000)
    add_database_argument(parser)
    args = parser.parse_args()
    async with bench_databases(args.database_url) as target:
        db = await Database.open(target())
        try:
            await broadcast(db, args.recipients)
            await naive_broadcast(min(args.recipients, 1_000))
            await digest_timing(db, args.listings)
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
