"""Claims on outbox rows: several senders on one database, each row to one of them."""

import asyncio

from storage.database import Database
from storage.outbox import OutgoingMessage
from tests.stores import each

NOW = 1_000_000.0
LEASE = 60.0


def note(chat_id: int, n: int = 0) -> OutgoingMessage:
    return OutgoingMessage(f"2026-05-09|{chat_id}|note|{n}", chat_id, "note", {"text": f"{n}"})


async def claim(db: Database, worker: str, now: float = NOW, limit: int = 100) -> list[int]:
    claimed = await each(db).outbox.claim_due(worker, now, lease_seconds=LEASE, limit=limit)
    return [m.id for m in claimed]


async def test_two_connections_claiming_at_once_never_share_a_row(database_target: str) -> None:
    first = await Database.open(database_target)
    second = await Database.open(database_target)
    try:
        await each(first).outbox.enqueue([note(chat) for chat in range(1, 301)])
        # Sixteen claimers (a worker claiming again would renew its own rows), eight
        # on each connection, 25 rows each: all 300 rows taken, none twice.
        rounds = await asyncio.gather(*(
            claim((first, second)[n % 2], f"worker-{n}", limit=25) for n in range(16)
        ))
        claimed = [row for batch in rounds for row in batch]
        assert len(claimed) == len(set(claimed)) == 300
    finally:
        await first.close()
        await second.close()


async def test_a_claim_is_stamped_and_renewed_by_its_owner(db: Database) -> None:
    await each(db).outbox.enqueue([note(1)])
    [row] = await each(db).outbox.claim_due("a", NOW, lease_seconds=LEASE)
    assert (row.claimed_by, row.claimed_until) == ("a", NOW + LEASE)
    assert await claim(db, "b", NOW + 1) == []
    assert await claim(db, "a", NOW + 1) == [row.id]  # still a's, with a fresh lease
    [stored] = await each(db).outbox.rows()
    assert (stored.claimed_by, stored.claimed_until) == ("a", NOW + 1 + LEASE)


async def test_a_chat_with_a_live_claim_is_left_to_its_holder(db: Database) -> None:
    await each(db).outbox.enqueue([note(1, 0), note(2, 0)])
    first = await claim(db, "a", limit=1)
    await each(db).outbox.enqueue([note(1, 1)])  # a newer row for the chat a holds
    assert await claim(db, "b") == [m.id for m in await each(db).outbox.rows(chat_id=2)]
    later = await claim(db, "a")
    assert len(later) == 2 and first[0] in later


async def test_claims_of_a_dead_worker_run_out_after_the_lease(db: Database) -> None:
    await each(db).outbox.enqueue([note(chat) for chat in range(1, 6)])
    taken = await claim(db, "dead")
    assert await claim(db, "b", NOW + LEASE - 1) == []
    assert await claim(db, "b", NOW + LEASE) == taken


async def test_marking_clears_the_claim_and_a_sent_row_can_hold_its_chat(db: Database) -> None:
    await each(db).outbox.enqueue([note(1, 0), note(2, 0), note(3, 0)])
    one, two, three = await claim(db, "a")
    await each(db).outbox.mark_sent(one, chat_busy_until=NOW + 1)
    await each(db).outbox.mark_failed(two, "Forbidden")
    await each(db).outbox.postpone(three, NOW, "Bad Gateway")
    rows = {m.id: m for m in await each(db).outbox.rows()}
    assert (rows[one].status, rows[one].claimed_until) == ("sent", NOW + 1)
    assert rows[two].claimed_by is None and rows[three].claimed_by is None
    assert await claim(db, "b") == [three]  # postponed: free for anyone

    await each(db).outbox.enqueue([note(1, 1)])
    assert await claim(db, "b") == [three]  # chat 1 was written to under a second ago
    assert len(await claim(db, "a")) == 1  # but not by b's hand: a may go on
    await each(db).outbox.mark_sent(three)
    [row] = await each(db).outbox.rows(chat_id=3)
    assert row.claimed_by is None and row.claimed_until is None


async def test_released_claims_are_free_at_once(db: Database) -> None:
    await each(db).outbox.enqueue([note(chat) for chat in range(1, 4)])
    taken = await claim(db, "a")
    assert await each(db).outbox.release_claims("a") == 3
    assert await claim(db, "b") == taken


async def test_renewing_extends_only_what_is_still_the_workers(db: Database) -> None:
    await each(db).outbox.enqueue([note(1), note(2)])
    one, two = await claim(db, "a")
    later = NOW + LEASE - 1
    assert await each(db).outbox.renew_claims("a", [one, two], later, lease_seconds=LEASE) == 2
    assert await claim(db, "b", NOW + LEASE + 1) == []  # past the first lease, still a's
    # Once a's claim runs out and b takes a row, a's renewal leaves that row to b.
    taken = await claim(db, "b", later + LEASE + 1, limit=1)
    assert taken == [one]
    assert await each(db).outbox.renew_claims("a", [one, two], later + LEASE + 1,
                                              lease_seconds=LEASE) == 1
    rows = {m.id: m for m in await each(db).outbox.rows()}
    assert rows[one].claimed_by == "b" and rows[two].claimed_by == "a"
    assert rows[two].claimed_until == later + 2 * LEASE + 1
