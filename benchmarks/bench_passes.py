"""Checking transport passes at a checkpoint, and what issuing them costs the event loop.

1. Verification through the use case (signature, then the pass by its unique number) on a
   database holding ``--passes`` issued passes, for a mix of genuine, altered and garbage
   tokens, beside a naive check that loads every pass of the city and looks for the number.
2. Approvals, whose pass image is drawn in a worker thread: the longest the event loop
   stalls (a ticker that should wake every 5 ms) while 20 passes are approved, beside
   drawing the same 20 images on the loop itself.

    .venv/bin/python -m benchmarks.bench_passes [--passes 5000] [--checks 2000]
        [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from benchmarks.databases import add_database_argument, bench_databases
from bot.matching.area import CITY
from bot.matching.passes import CrewMember, Endpoint, signed_number
from bot.services import passes
from bot.services.pass_image import render_pass
from storage.database import Database
from tests.stores import each

SECRET = "bench-pass-secret-" + "x" * 20
TZ = ZoneInfo("Asia/Shanghai")
APPROVALS = 20
TICK = 0.005


def millis(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95)]
    return f"p50 {statistics.median(ordered) * 1e3:7.3f} ms  p95 {p95 * 1e3:7.3f} ms"


def application(today: date) -> passes.PassApplication:
    return passes.PassApplication(
        plate="豫D12345", crew=(CrewMember("张师傅", "13812345678"),), category="蔬菜",
        origin=Endpoint(county="宝丰县"), destination=Endpoint(outside="郑州市"),
        valid_from=today, valid_until=today + timedelta(days=7))


async def fill(db: Database, size: int, today: date) -> list[str]:
    """``size`` approved passes, numbered as approval does, without drawing their images."""
    numbers = []
    async with db.write() as uow:
        app = application(today)
        for _ in range(size):
            serial = await uow.passes.next_serial("410421")
            filed = await uow.passes.add(
                applicant_id=1, applied_by=1, plate=app.plate,
                crew=[{"name": "张师傅", "phone": "13812345678"}], category=app.category,
                origin=("宝丰县", None), destination=(None, "郑州市"),
                valid_from=app.valid_from.isoformat(), valid_until=app.valid_until.isoformat(),
                now=time.time())
            number = f"410421{serial:06d}"
            await uow.passes.decide(filed.id, status="approved", by=2, now=time.time(),
                                    number=number, issuer_county="宝丰县")
            numbers.append(number)
        await uow.commit()
    return numbers


async def naive_verify(db: Database, token: str, today: date) -> bool:
    """The same answer without the unique index: every pass of the city, searched."""
    number = signed_number(token, SECRET)
    if number is None:
        return False
    async with db.read() as uow:
        every = await uow.passes.in_area(CITY)
    found = next((p for p in every if p.number == number), None)
    return found is not None and found.status == "approved" and (
        date.fromisoformat(found.valid_from) <= today <= date.fromisoformat(found.valid_until))


async def longest_stall(work: Callable[[], Awaitable[None]]) -> float:
    """How late a 5 ms ticker woke at worst while ``work`` ran."""
    worst = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        loop = asyncio.get_running_loop()
        while not done.is_set():
            started = loop.time()
            await asyncio.sleep(TICK)
            worst = max(worst, loop.time() - started - TICK)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    await work()
    done.set()
    await task
    return worst


async def run(size: int, checks: int, url: str | None) -> None:
    rng = random.Random(1)
    today = date.today()
    async with bench_databases(url) as target, await Database.open(target()) as db:
        await each(db).users.upsert(1, role="grower")
        official = await each(db).users.upsert(2, role="official", county="宝丰县")
        started = time.perf_counter()
        numbers = await fill(db, size, today)
        print(f"{size:,} issued passes ({db.dialect}) filled in "
              f"{time.perf_counter() - started:.1f} s")

        genuine = [passes.sign(rng.choice(numbers), SECRET) for _ in range(checks)]
        tokens = []
        for token in genuine:
            kind = rng.random()
            if kind < 0.1:
                at = rng.randrange(len(token))
                token = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1:]
            elif kind < 0.15:
                token = "扫不出来的东西"
            tokens.append(token)
        timings = []
        valid = 0
        for token in tokens:
            started = time.perf_counter()
            async with db.read() as uow:
                found = await passes.verify(uow, token, secret=SECRET, today=today)
            timings.append(time.perf_counter() - started)
            valid += found.valid
        naive = []
        for token in tokens[:20]:
            started = time.perf_counter()
            await naive_verify(db, token, today)
            naive.append(time.perf_counter() - started)
        print(f"  verify, {checks:,} tokens ({valid:,} valid)  {millis(timings)}  "
              f"{checks / sum(timings):,.0f}/s")
        print(f"  naive: load every pass        {millis(naive)}  (20 tokens)")
        print(f"  naive / verify: {statistics.median(naive) / statistics.median(timings):,.0f}x")

        filed = []
        for _ in range(APPROVALS):
            async with db.write() as uow:
                filed.append(await passes.apply(uow, await uow.users.get(1) or official,
                                                application(today), now=time.time()))
                await uow.commit()
        images: list[bytes] = []

        async def approve_all() -> None:
            for p in filed:
                async with db.write() as uow:
                    issued = await passes.approve(uow, official, p.id, secret=SECRET,
                                                  bot_username="bench_bot", tz=TZ,
                                                  now=time.time())
                    await uow.commit()
                images.append(issued.image)

        started = time.perf_counter()
        threaded = await longest_stall(approve_all)
        per_approval = (time.perf_counter() - started) / APPROVALS
        async with db.read() as uow:
            cards = [passes.card_of(p, "https://t.me/bench_bot?start=p" + "A" * 52)
                     for p in await uow.passes.in_area(CITY, status="approved")][-APPROVALS:]

        async def draw_on_the_loop() -> None:
            for card in cards:
                render_pass(card)
                await asyncio.sleep(0)

        inline = await longest_stall(draw_on_the_loop)
        print(f"  approve, image in a thread: {per_approval * 1e3:6.1f} ms each, "
              f"longest loop stall {threaded * 1e3:6.1f} ms")
        print(f"  naive: image on the loop:   longest loop stall {inline * 1e3:6.1f} ms")
        print(f"  stall on the loop / in a thread: {inline / max(threaded, 1e-4):,.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5_000)
    parser.add_argument("--checks", type=int, default=2_000)
    add_database_argument(parser)
    args = parser.parse_args(argv)
    asyncio.run(run(args.passes, args.checks, args.database_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
