"""What the hotline's deadline job costs per run, beside scanning every open ticket.

A database (a SQLite file, or the PostgreSQL database of ``--database-url``) holds
``--tickets`` open tickets with deadlines spread over the next three days, 1 in 200 of
them due within the reminder lead. Every two minutes each worker runs
:func:`~bot.services.tickets.check_deadlines`, which asks the (state, deadline) index for
the tickets due within the longest reminder lead. A first run sends the reminders due;
the timed runs are the steady state of a job that runs every two minutes (nothing new
is due, every due ticket already reminded). The naive way reads every open ticket and
tests each one; it is timed in the same run. Filing is timed too (numbering, routing,
the officials' notices).

    .venv/bin/python -m benchmarks.bench_tickets [--tickets 50000] [--runs 20]
        [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from zoneinfo import ZoneInfo

from benchmarks.databases import add_database_argument, bench_databases
from bot.matching import tickets as rules
from bot.matching.model import CITY_NAME, Place
from bot.services.tickets import check_deadlines, file_ticket
from storage.database import Database
from storage.schema import tickets
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")
COUNTIES = ["宝丰县", "叶县", "鲁山县", "郏县", "舞钢市", "汝州市", "新华区", "湛河区"]
FILED = 200


def millis(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1e3:8.3f} ms  p95 {p95 * 1e3:8.3f} ms"


def rows(rng: random.Random, count: int, now: float) -> list[dict[str, object]]:
    policy = rules.get_ticket_policy()
    lead = policy.longest_lead
    found = []
    for n in range(count):
        ticket_class = rng.choice(rules.CLASSES)
        # 1 in 200 due within the lead, the rest later, within three days.
        ahead = rng.uniform(0, lead) if n % 200 == 0 else rng.uniform(lead + 60, 72 * 3600)
        county = rng.choice(COUNTIES)
        found.append({
            "number": f"RX-BENCH-{n:06d}", "category": rng.choice(rules.CATEGORIES),
            "ticket_class": ticket_class, "state": rng.choice(rules.OPEN_STATES),
            "what": "小区超市买不到面粉", "county": county, "township": None,
            "caller_name": "", "owner_county": county, "owner_township": None,
            "deadline_at": now + ahead, "created_at": now, "updated_at": now,
        })
    return found


async def naive(db: Database, now: float) -> int:
    """Read every open ticket and test each one, as a job without the index would."""
    policy = rules.get_ticket_policy()
    async with db.read() as uow:
        every = await uow.tickets.search(states=rules.OPEN_STATES)
    return sum(
        1 for t in every
        if now >= policy.escalation_due(t.ticket_class, t.deadline_at, t.escalations)
        or (policy.remind_at(t.ticket_class, t.deadline_at) <= now < t.deadline_at
            and t.reminded_for != t.deadline_at)
    )


async def run(count: int, runs: int, url: str | None = None) -> None:
    rng = random.Random(1)
    now = time.time()
    async with bench_databases(url) as target:
        async with await Database.open(target()) as db:
            for county in COUNTIES:
                await each(db).users.upsert(len(county) * 1000 + COUNTIES.index(county),
                                            role="official", county=county)
            made = rows(rng, count, now)
            async with db.write() as uow:
                for start in range(0, count, 5_000):
                    await uow.connection.execute(tickets.insert(), made[start:start + 5_000])
                await uow.commit()
            async with db.write() as uow:
                reminded = await check_deadlines(uow, now=now, tz=TZ)
                await uow.commit()
            job, scan = [], []
            for _ in range(runs):
                started = time.perf_counter()
                async with db.write() as uow:
                    added = await check_deadlines(uow, now=now, tz=TZ)
                job.append(time.perf_counter() - started)
                assert added == 0
                started = time.perf_counter()
                assert await naive(db, now) == 0
                scan.append(time.perf_counter() - started)
            filing = []
            for n in range(FILED):
                started = time.perf_counter()
                async with db.write() as uow:
                    await file_ticket(uow, filer=None, category="缺货", what="买不到面粉",
                                      place=Place(city=CITY_NAME, county=COUNTIES[n % 8]),
                                      tz=TZ, now=now)
                    await uow.commit()
                filing.append(time.perf_counter() - started)
            print(f"{count:,} open tickets ({db.dialect}); the first run sent {reminded}"
                  f" reminder messages, then {runs} runs of the job with nothing new due")
            print(f"  check_deadlines (index on state, deadline)  {millis(job)}")
            print(f"  naive: read and test every open ticket       {millis(scan)}")
            print(f"  naive / indexed: {statistics.median(scan) / statistics.median(job):,.1f}x")
            print(f"  filing a ticket (number, route, notices)     {millis(filing)}"
                  f"  ({FILED} tickets)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    add_database_argument(parser)
    args = parser.parse_args(argv)
    asyncio.run(run(args.tickets, args.runs, args.database_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
