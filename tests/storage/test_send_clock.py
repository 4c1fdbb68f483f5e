"""One clock for Telegram's overall rate, whichever worker sends."""

from __future__ import annotations

import asyncio
import itertools

from storage.database import Database
from tests.stores import each

TURN = 1 / 30


async def test_replies_queue_turn_after_turn(db: Database) -> None:
    starts = [await each(db).send_clock.reserve(100.0, TURN, queue=True) for _ in range(3)]
    assert starts == [100.0, 100.0 + TURN, 100.0 + 2 * TURN]
    # Later than the queue's end, a turn starts when asked.
    assert await each(db).send_clock.reserve(200.0, TURN, queue=True) == 200.0


async def test_the_outbox_takes_a_turn_only_when_the_clock_is_free(db: Database) -> None:
    assert await each(db).send_clock.reserve(100.0, TURN, queue=False) == 100.0
    # Taken until 100 + TURN: the outbox waits, it does not queue.
    assert await each(db).send_clock.reserve(100.01, TURN, queue=False) is None
    assert await each(db).send_clock.free_at() == 100.0 + TURN
    # A reply queues behind the turn taken, and the outbox behind the reply.
    assert await each(db).send_clock.reserve(100.01, TURN, queue=True) == 100.0 + TURN
    assert await each(db).send_clock.reserve(100.0 + 1.5 * TURN, TURN, queue=False) is None
    assert await each(db).send_clock.reserve(100.0 + 2 * TURN, TURN, queue=False) == \
        100.0 + 2 * TURN


async def test_two_workers_on_one_database_never_share_a_turn(database_target: str) -> None:
    first = await Database.open(database_target)
    second = await Database.open(database_target)
    try:
        async def worker(db: Database, queue: bool) -> list[float]:
            taken = []
            for _ in range(40):
                start = await each(db).send_clock.reserve(500.0, TURN, queue=queue)
                if start is not None:
                    taken.append(start)
            return taken

        results = await asyncio.gather(worker(first, True), worker(second, True),
                                       worker(first, False), worker(second, False))
    finally:
        await first.close()
        await second.close()
    starts = sorted(s for taken in results for s in taken)
    # Every turn one TURN after the one before: 30 a second in all, none twice.
    assert len(starts) >= 80
    assert all(abs(b - a - TURN) < 1e-9 for a, b in itertools.pairwise(starts))
    # At a fixed "now" the outbox got at most the first free turn.
    assert sum(len(taken) for taken in results[2:]) <= 1
