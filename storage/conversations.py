"""Each chat's conversation, and the updates whose effects are committed."""

from __future__ import annotations

import json
import time

from sqlalchemy import Integer, bindparam, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import Conversation
from storage.schema import conversations, processed_updates
from storage.sql import insert_ignoring_duplicates

# The first of the pair of keys of the advisory locks on update ids (any number, the same
# in every process).
UPDATE_LOCKS = 860616
_COLUMNS = select(conversations.c.chat_id, conversations.c.flow, conversations.c.step,
                  conversations.c.data, conversations.c.recent_posts, conversations.c.version)
# Built once: each update runs these (see storage.sql on reusing statements).
_OF_CHAT = _COLUMNS.where(conversations.c.chat_id == bindparam("of_chat"))
_OF_CHAT_LOCKED = _OF_CHAT.with_for_update()
_SAVE = update(conversations).where(conversations.c.chat_id == bindparam("of_chat"),
                                    conversations.c.version == bindparam("read_version"))


class ConversationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        # What lock() read of each chat, serialised: an unchanged conversation is not
        # written back.
        self._read: dict[int, tuple[str | None, str | None, str, str]] = {}

    async def lock(self, chat_id: int) -> Conversation:
        """The chat's conversation (a new, empty one for a chat never seen), held by this
        unit of work until it ends: a second update of the chat handled at the same time
        waits and then reads what this one wrote.

        On SQLite the write unit of work's lock already serialises writers; on
        PostgreSQL the row is inserted if missing and read ``FOR UPDATE``.
        """
        query = _OF_CHAT
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(insert_ignoring_duplicates(self._conn, conversations),
                                     {"chat_id": chat_id, "updated_at": time.time()})
            query = _OF_CHAT_LOCKED
        row = (await self._conn.execute(query, {"of_chat": chat_id})).first()
        conversation = Conversation.from_row(row) if row else Conversation(chat_id)
        self._read[chat_id] = _serialised(conversation)
        return conversation

    async def get(self, chat_id: int) -> Conversation:
        """The chat's conversation as it was last written, for reading only."""
        row = (await self._conn.execute(_OF_CHAT, {"of_chat": chat_id})).first()
        return Conversation.from_row(row) if row else Conversation(chat_id)

    async def save(self, conversation: Conversation) -> None:
        """Write the conversation back if it changed; its version counts the writes."""
        flow, step, data, recent = state = _serialised(conversation)
        if self._read.get(conversation.chat_id) == state:
            return
        values = {"flow": flow, "step": step, "data": data, "recent_posts": recent,
                  "version": conversation.version + 1, "updated_at": time.time()}
        if conversation.version == 0:
            # Never written (or inserted empty by lock()): insert, or fill the empty row.
            dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(conversations).values(
                chat_id=conversation.chat_id, **values
            ).on_conflict_do_update(
                index_elements=[conversations.c.chat_id], set_=values,
                where=conversations.c.version == 0,
            )
            result = await self._conn.execute(statement)
        else:
            result = await self._conn.execute(_SAVE, {
                "of_chat": conversation.chat_id, "read_version": conversation.version, **values})
        if result.rowcount != 1:
            # Only a bug can get here: lock() holds the row for the whole unit of work.
            raise RuntimeError(f"conversation of chat {conversation.chat_id} changed underneath")
        conversation.version += 1
        self._read[conversation.chat_id] = state


def _serialised(conversation: Conversation) -> tuple[str | None, str | None, str, str]:
    return (conversation.flow, conversation.step,
            json.dumps(conversation.data, ensure_ascii=False),
            json.dumps(conversation.recent_posts))


class UpdateRepository:
    """Telegram update ids whose effects are committed: one delivered again counts once."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(self, update_id: int) -> bool:
        """Record the update as handled by this unit of work; False if it was already
        (its effects are committed, or another unit of work is committing them)."""
        result = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, processed_updates),
            {"update_id": update_id, "at": time.time()},
        )
        return result.rowcount == 1

    async def seen(self, update_id: int) -> bool:
        """Whether the update's effects are committed. On PostgreSQL this unit of work
        then holds the update until it ends, so a second worker handed the same update
        waits here and then finds it recorded (SQLite: the write lock does that)."""
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(select(func.pg_advisory_xact_lock(
                UPDATE_LOCKS, literal(update_id % 2_147_483_647, Integer))))
        found = (await self._conn.execute(
            select(processed_updates.c.update_id)
            .where(processed_updates.c.update_id == update_id))).first()
        return found is not None

    async def forget_before(self, at: float) -> int:
        """Drop ids recorded before ``at`` (Telegram redelivers for a day at most)."""
        result = await self._conn.execute(
            delete(processed_updates).where(processed_updates.c.at < at))
        return result.rowcount
