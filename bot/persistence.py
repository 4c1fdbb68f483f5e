"""Conversation state, user data and chat data kept in SQLite, so a restart resumes.

Everything is stored as JSON in the ``bot_state`` table through
:mod:`storage.state` (no pickle: what handlers put into ``user_data`` must be
plain dicts, lists, strings and numbers). Bot data is not persisted: it holds
the running services, rebuilt in ``post_init``. Callback data is not persisted
either: buttons carry short explicit strings that handlers parse and verify.

The persistence opens the database itself, because python-telegram-bot reads
the persisted state in ``Application.initialize``, before ``post_init`` runs;
``post_init`` then shares the same :class:`~storage.database.Database`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from storage import state
from storage.database import Database

Data = dict[str, Any]
# How often python-telegram-bot hands changed state over; a crash loses at most this much.
UPDATE_INTERVAL = 1.0

_USER_DATA = "user_data"
_CHAT_DATA = "chat_data"


def _conversation_namespace(name: str) -> str:
    return f"conversation:{name}"


class SQLitePersistence(BasePersistence[Data, Data, Data]):
    """A ``BasePersistence`` writing JSON rows; unchanged values are not written again."""

    def __init__(self, db_path: str | Path, *, update_interval: float = UPDATE_INTERVAL) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, callback_data=False),
            update_interval=update_interval,
        )
        self._db_path = db_path
        self._db: Database | None = None
        self._opening = asyncio.Lock()
        # What was last written per (namespace, key), to skip writes that change nothing.
        self._written: dict[tuple[str, str], str | None] = {}
        # Changes handed over and not yet written, and the task writing them.
        self._pending: dict[tuple[str, str], tuple[Any, str | None]] = {}
        self._writing: asyncio.Task[None] | None = None

    async def database(self) -> Database:
        """The open database (opened, and migrated, on first use)."""
        async with self._opening:
            if self._db is None:
                self._db = await Database.open(self._db_path)
            return self._db

    async def _load(self, namespace: str) -> dict[str, Any]:
        values = await state.load_namespace(await self.database(), namespace)
        for key, value in values.items():
            self._written[(namespace, key)] = json.dumps(value, ensure_ascii=False)
        return values

    async def _save(self, namespace: str, key: str, value: Any) -> None:
        """Queue a change; python-telegram-bot hands over a whole round of changes one by
        one, and the round is written in one transaction rather than one per change."""
        encoded = None if value is None else json.dumps(value, ensure_ascii=False)
        if self._written.get((namespace, key)) == encoded and (namespace, key) not in self._pending:
            return
        self._pending[(namespace, key)] = (value, encoded)
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_pending(), name="persistence")

    async def _write_pending(self) -> None:
        await asyncio.sleep(0)  # let the rest of the round arrive first
        while self._pending:
            batch, self._pending = self._pending, {}
            await state.save_values(
                await self.database(), [(ns, key, value) for (ns, key), (value, _) in batch.items()]
            )
            self._written.update({item: encoded for item, (_, encoded) in batch.items()})

    # -- reading at start-up -------------------------------------------------------

    async def get_user_data(self) -> dict[int, Data]:
        return {int(k): v for k, v in (await self._load(_USER_DATA)).items()}

    async def get_chat_data(self) -> dict[int, Data]:
        return {int(k): v for k, v in (await self._load(_CHAT_DATA)).items()}

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        loaded = await self._load(_conversation_namespace(name))
        return {tuple(json.loads(key)): value for key, value in loaded.items()}

    # -- writing as things change ---------------------------------------------------

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._save(_conversation_namespace(name), json.dumps(list(key)), new_state)

    async def update_user_data(self, user_id: int, data: Data) -> None:
        # An empty dict is stored as no row: most users never have anything pending.
        await self._save(_USER_DATA, str(user_id), data or None)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        await self._save(_CHAT_DATA, str(chat_id), data or None)

    async def update_bot_data(self, data: Data) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        await self._save(_USER_DATA, str(user_id), None)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._save(_CHAT_DATA, str(chat_id), None)

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Data) -> None:
        return None

    async def flush(self) -> None:
        """Write what is still queued (python-telegram-bot calls this on shutdown)."""
        if self._writing is not None:
            await self._writing
        if self._pending:
            await self._write_pending()
