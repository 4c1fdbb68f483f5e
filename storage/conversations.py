"""Each chat's conversation, and the updates whose effects are committed."""

from __future__ import annotations

import json
import time

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import Conversation
from storage.schema import conversations, processed_updates
from storage.sql import insert_ignoring_duplicates

_COLUMNS = select(conversations.c.chat_id, conversations.c.flow, conversations.c.step,
                  conversations.c.data, conversations.c.recent_posts, conversations.c.version)


class ConversationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def lock(self, chat_id: int) -> Conversation:
        """The chat's conversation (a new, empty one for a chat never seen), held by this
        unit of work until it ends: a second update of the chat handled at the same time
        waits and then reads what this one wrote.

        On SQLite the write unit of work's lock already serialises writers; on
        PostgreSQL the row is inserted if missing and read ``FOR UPDATE``.
        """
        await self._conn.execute(
            insert_ignoring_duplicates(self._conn, conversations)
            .values(chat_id=chat_id, updated_at=time.time())
        )
        query = _COLUMNS.where(conversations.c.chat_id == chat_id)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return Conversation.from_row((await self._conn.execute(query)).one())

    async def get(self, chat_id: int) -> Conversation:
        """The chat's conversation as it was last written, for reading only."""
        row = (await self._conn.execute(
            _COLUMNS.where(conversations.c.chat_id == chat_id))).first()
        return Conversation.from_row(row) if row else Conversation(chat_id)

    async def save(self, conversation: Conversation) -> None:
        """Write the conversation back; its version counts the writes."""
        result = await self._conn.execute(
            update(conversations)
            .where(conversations.c.chat_id == conversation.chat_id,
                   conversations.c.version == conversation.version)
            .values(flow=conversation.flow, step=conversation.step,
                    data=json.dumps(conversation.data, ensure_ascii=False),
                    recent_posts=json.dumps(conversation.recent_posts),
                    version=conversation.version + 1, updated_at=time.time())
        )
        if result.rowcount != 1:
            # Only a bug can get here: lock() holds the row for the whole unit of work.
            raise RuntimeError(f"conversation of chat {conversation.chat_id} changed underneath")
        conversation.version += 1


class UpdateRepository:
    """Telegram update ids whose effects are committed: one delivered again counts once."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def seen(self, update_id: int) -> bool:
        found = (await self._conn.execute(
            select(processed_updates.c.update_id)
            .where(processed_updates.c.update_id == update_id))).first()
        return found is not None

    async def record(self, update_id: int) -> None:
        await self._conn.execute(
            processed_updates.insert().values(update_id=update_id, at=time.time())
        )

    async def forget_before(self, at: float) -> int:
        """Drop ids recorded before ``at`` (Telegram redelivers for a day at most)."""
        result = await self._conn.execute(
            delete(processed_updates).where(processed_updates.c.at < at))
        return result.rowcount
