"""A unit of work happens whole or not at all: one transaction for every repository on it."""

from __future__ import annotations

import asyncio

import pytest

from bot.matching.area import CITY
from storage.database import Database
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from tests.storage.factories import cabbage, fetch, grower
from tests.stores import each

# Every table a use case writes, by a repository of the unit of work.
TABLES = ("users", "listings", "matches", "outbox", "audit_log", "conversations",
          "processed_updates", "invites")


async def a_use_case(uow: UnitOfWork) -> None:
    """A bit of everything a use case writes: a person, listings, a match, a notice,
    an audit entry, the chat's conversation and the update that caused it."""
    await uow.users.upsert(7, role="grower", name="王师傅")
    await uow.users.create_invite(role="official", county="宝丰县")
    offer = await uow.listings.add(cabbage(7), publish_key="draft-1")
    need = await uow.listings.add(cabbage(7, kind="need"))
    [match] = await uow.matches.record([(need.id, offer.id, 0.9, 1)])
    await uow.matches.express_interest(match.id, "offer", 7)
    await uow.outbox.enqueue([OutgoingMessage(f"match:{match.id}:need", 7, "match_notice",
                                              {"text": "为您找到匹配"})])
    await uow.audit.write(7, "test.act", "listing:1")
    conversation = await uow.conversations.lock(7)
    conversation.enter("posting", "done")
    await uow.conversations.save(conversation)
    await uow.updates.claim(900)


async def counts(db: Database) -> dict[str, int]:
    found = {}
    for table in TABLES:
        [row] = await fetch(db, f"SELECT COUNT(*) AS n FROM {table}")
        found[table] = row["n"]
    return found


async def test_leaving_without_commit_undoes_everything(db: Database) -> None:
    before = await each(db).listings.latest_change_seq()
    async with db.write() as uow:
        await a_use_case(uow)
        # It was all there, inside.
        assert len((await uow.listings.changed_since(before)).listings) == 2
    assert set((await counts(db)).values()) == {0}
    assert (await each(db).listings.changed_since(before)).listings == []
    # Nothing was half-kept either: the same use case runs again from the start.
    async with db.write() as uow:
        await a_use_case(uow)
        await uow.commit()


async def test_commit_keeps_everything(db: Database) -> None:
    async with db.write() as uow:
        await a_use_case(uow)
        assert not uow.committed
        await uow.commit()
        assert uow.committed
    assert await counts(db) == {
        "users": 1, "listings": 2, "matches": 1, "outbox": 1, "audit_log": 4,
        "conversations": 1, "processed_updates": 1, "invites": 1,
    }
    # Two listings created, one 我有意向, one act of the test's own.
    assert [e.action for e in await each(db).audit.entries()] == [
        "listing.create", "listing.create", "match.interest", "test.act"]
    [match] = await each(db).matches.in_period(0, 2e9, CITY)
    assert match.offer_interest_at is not None
    assert (await each(db).conversations.get(7)).flow == "posting"
    assert await each(db).updates.seen(900)


async def test_an_exception_inside_undoes_everything_and_goes_on(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        async with db.write() as uow:
            await a_use_case(uow)
            _ = 1 / 0
    assert set((await counts(db)).values()) == {0}
    # The unit of work let go of the write lock: the next one writes at once.
    async with db.write() as uow:
        await a_use_case(uow)
        await uow.commit()
    assert (await counts(db))["listings"] == 2


async def test_a_failing_statement_undoes_what_came_before_it(db: Database) -> None:
    owner = await grower(db)
    with pytest.raises(ValueError, match="another user"):
        async with db.write() as uow:
            await uow.listings.add(cabbage(owner.telegram_id), publish_key="k")
            await uow.users.upsert(8, role="buyer")
            await uow.listings.add(cabbage(8), publish_key="k")  # someone else's key
            await uow.commit()
    assert await each(db).listings.open() == []
    assert await each(db).users.get(8) is None


async def test_a_read_sees_one_moment_and_keeps_nothing(db: Database) -> None:
    owner = await grower(db)
    await each(db).listings.add(cabbage(owner.telegram_id))
    async with db.read() as uow:
        assert len(await uow.listings.open()) == 1
        # Another worker commits meanwhile; this snapshot does not move.
        await each(db).listings.add(cabbage(owner.telegram_id))
        assert len(await uow.listings.open()) == 1
    assert len(await each(db).listings.open()) == 2


async def test_readers_read_while_a_writer_holds_the_lock(db: Database) -> None:
    owner = await grower(db)
    await each(db).listings.add(cabbage(owner.telegram_id))
    async with db.write() as writer:
        await writer.listings.add(cabbage(owner.telegram_id))
        # Not waiting for the writer, and not seeing what it has not committed.
        async with asyncio.timeout(5), db.read() as reader:
            assert len(await reader.listings.open()) == 1
        await writer.commit()
    assert len(await each(db).listings.open()) == 2
