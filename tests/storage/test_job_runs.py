"""Runs of the scheduled jobs: one worker runs a job's day, and a dead one's is taken over."""

import asyncio

from storage.database import Database
from tests.stores import each

NOW = 1_000_000.0
LEASE = 900.0
DAY = "2026-05-09"


async def claim(db: Database, worker: str, now: float = NOW) -> bool:
    taken: bool = await each(db).jobs.claim("morning", DAY, worker, now, lease_seconds=LEASE)
    return taken


async def test_the_first_claim_wins_and_a_finished_run_is_never_run_again(
    db: Database,
) -> None:
    assert await claim(db, "a") is True
    assert await claim(db, "b") is False
    # Its own worker may claim again (a restart of the job within the lease).
    assert await claim(db, "a", NOW + 10) is True
    assert await each(db).jobs.finish("morning", DAY, "a", NOW + 20) is True
    for worker, now in (("a", NOW + 30), ("b", NOW + 2 * LEASE)):
        assert await claim(db, worker, now) is False
    run = await each(db).jobs.get("morning", DAY)
    assert run is not None and (run.claimed_by, run.finished_at) == ("a", NOW + 20)
    # Another day, another run.
    assert await each(db).jobs.claim("morning", "2026-05-10", "b", NOW,
                                     lease_seconds=LEASE) is True


async def test_a_dead_workers_run_is_taken_over_once_its_lease_is_out(db: Database) -> None:
    assert await claim(db, "dead") is True
    assert await claim(db, "live", NOW + LEASE - 1) is False
    assert await claim(db, "live", NOW + LEASE) is True
    # The dead worker, were it only slow, finds the run no longer its own.
    assert await each(db).jobs.finish("morning", DAY, "dead", NOW + LEASE + 1) is False
    assert await each(db).jobs.finish("morning", DAY, "live", NOW + LEASE + 2) is True


async def test_workers_claiming_at_once_on_separate_connections_take_one_run(
    database_target: str,
) -> None:
    workers = [await Database.open(database_target) for _ in range(4)]
    try:
        taken = await asyncio.gather(*(
            claim(workers[n % 4], f"worker-{n}") for n in range(12)))
        assert taken.count(True) == 1
    finally:
        for db in workers:
            await db.close()
