"""Each chat's conversation as a row, and the updates whose effects are committed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from storage.database import Database
from storage.records import Conversation
from tests.storage.factories import execute, fetch
from tests.stores import each

DRAFT = {"draft": {"raw_text": "出售大白菜5000斤 <b>&", "product": "大白菜"}, "asked": ["price"]}


async def test_a_chat_never_seen_has_an_empty_conversation_stored_once_it_changes(
    db: Database,
) -> None:
    async with db.write() as uow:
        conversation = await uow.conversations.lock(42)
        assert conversation == Conversation(42)
        # Unchanged: nothing to write.
        await uow.conversations.save(conversation)
        await uow.commit()
    assert conversation.version == 0
    # Nothing stored but, on PostgreSQL, the empty row locked for the update.
    stored = await fetch(db, "SELECT flow, step, data, recent_posts, version FROM conversations")
    assert [dict(r) for r in stored] in (
        [], [{"flow": None, "step": None, "data": "{}", "recent_posts": "[]", "version": 0}])
    async with db.write() as uow:
        conversation = await uow.conversations.lock(42)
        conversation.enter("signup", "role")
        await uow.conversations.save(conversation)
        await uow.commit()
    [row] = await fetch(db, "SELECT chat_id, flow, step, data, recent_posts, version"
                            " FROM conversations")
    assert dict(row) == {"chat_id": 42, "flow": "signup", "step": "role", "data": "{}",
                         "recent_posts": "[]", "version": 1}


async def test_an_unchanged_conversation_is_not_written_back(db: Database) -> None:
    async with db.write() as uow:
        conversation = await uow.conversations.lock(42)
        conversation.enter("posting", "confirm", DRAFT)
        await uow.conversations.save(conversation)
        await uow.commit()
    async with db.write() as uow:
        again = await uow.conversations.lock(42)
        again.enter("posting", "confirm", dict(DRAFT))  # the same state, rebuilt
        await uow.conversations.save(again)
        await uow.commit()
    assert again.version == 1
    assert (await each(db).conversations.get(42)).version == 1


async def test_get_reads_without_writing(db: Database) -> None:
    assert await each(db).conversations.get(42) == Conversation(42)
    assert await fetch(db, "SELECT * FROM conversations") == []


async def test_save_keeps_the_conversation_and_bumps_its_version(db: Database) -> None:
    async with db.write() as uow:
        conversation = await uow.conversations.lock(42)
        conversation.enter("posting", "confirm", DRAFT)
        conversation.recent_posts = [1000.5, 1001.25]
        await uow.conversations.save(conversation)
        assert conversation.version == 1
        await uow.commit()

    async with db.write() as uow:
        again = await uow.conversations.lock(42)
        assert again == Conversation(42, "posting", "confirm", DRAFT, [1000.5, 1001.25], 1)
        # Ending the flow forgets what it collected, not the chat's recent posts.
        again.end()
        await uow.conversations.save(again)
        await uow.commit()
    assert await each(db).conversations.get(42) == Conversation(
        42, None, None, {}, [1000.5, 1001.25], 2)
    # Another chat is another row.
    assert await each(db).conversations.get(43) == Conversation(43)


async def test_a_save_not_committed_is_forgotten(db: Database) -> None:
    async with db.write() as uow:
        conversation = await uow.conversations.lock(42)
        conversation.enter("posting", "confirm", DRAFT)
        await uow.conversations.save(conversation)
    assert await each(db).conversations.get(42) == Conversation(42)


async def test_saving_a_stale_conversation_is_refused(db: Database) -> None:
    stale = await each(db).conversations.get(42)
    async with db.write() as uow:
        fresh = await uow.conversations.lock(42)
        fresh.enter("signup", "role")
        await uow.conversations.save(fresh)
        await uow.commit()
    stale.enter("posting", "confirm", DRAFT)
    with pytest.raises(RuntimeError, match="changed underneath"):
        await each(db).conversations.save(stale)
    assert await each(db).conversations.get(42) == Conversation(42, "signup", "role", {}, [], 1)


@pytest.fixture(params=["one process", "two processes"])
async def two_writers(request: pytest.FixtureRequest, database_target: str
                      ) -> AsyncIterator[tuple[Database, Database]]:
    """Two handles on one database: the same one twice (one worker), or two opened
    separately (two worker processes, which only the database's own locks keep apart)."""
    first = await Database.open(database_target)
    second = first if request.param == "one process" else await Database.open(
        database_target)
    yield first, second
    await first.close()
    await second.close()


async def test_two_updates_of_one_chat_at_once_are_handled_one_after_the_other(
    two_writers: tuple[Database, Database],
) -> None:
    first_db, second_db = two_writers
    first_holds = asyncio.Event()
    second_waits = asyncio.Event()
    happened: list[str] = []

    async def first_update() -> None:
        async with first_db.write() as uow:
            conversation = await uow.conversations.lock(42)
            first_holds.set()
            await second_waits.wait()
            await asyncio.sleep(0.2)  # the second update is inside db.write() meanwhile
            conversation.enter("posting", "confirm", DRAFT)
            await uow.conversations.save(conversation)
            await uow.commit()
            happened.append("first committed")

    async def second_update() -> Conversation:
        await first_holds.wait()
        second_waits.set()
        async with second_db.write() as uow:
            conversation = await uow.conversations.lock(42)
            happened.append("second read")
            seen = Conversation(conversation.chat_id, conversation.flow, conversation.step,
                                dict(conversation.data), list(conversation.recent_posts),
                                conversation.version)
            conversation.goto("done")
            await uow.conversations.save(conversation)
            await uow.commit()
        return seen

    _, seen = await asyncio.gather(first_update(), second_update())
    assert happened == ["first committed", "second read"]
    # The second update saw what the first saved, and built on it.
    assert seen == Conversation(42, "posting", "confirm", DRAFT, [], 1)
    assert await each(first_db).conversations.get(42) == Conversation(
        42, "posting", "done", DRAFT, [], 2)


async def test_an_update_is_seen_once_its_effects_are_committed(db: Database) -> None:
    async with db.write() as uow:
        assert not await uow.updates.seen(500)
        assert await uow.updates.claim(500)
        assert await uow.updates.seen(500)
    # Not committed: as if it never came.
    assert not await each(db).updates.seen(500)
    assert await each(db).updates.claim(500)
    assert await each(db).updates.seen(500)
    assert not await each(db).updates.seen(501)
    # Handled already: a second claim is refused and changes nothing.
    assert not await each(db).updates.claim(500)


async def test_old_update_ids_are_forgotten(db: Database) -> None:
    now = time.time()
    for update_id in (1, 2, 3):
        await each(db).updates.claim(update_id)
    await execute(db, "UPDATE processed_updates SET at = ? WHERE update_id = ?",
                  (now - 3 * 86_400, 1), (now - 2 * 86_400, 2), (now - 60, 3))
    assert await each(db).updates.forget_before(now - 86_400) == 2
    assert [await each(db).updates.seen(i) for i in (1, 2, 3)] == [False, False, True]
    assert await each(db).updates.forget_before(now - 86_400) == 0
