"""Fixtures for the digest, broadcast and officials' tests: a database and a fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.telegram.transport import ObservedRequest
from storage.database import Database
from tests.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST-token_abc"


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    """An open database of the test's own, on each backend in turn."""
    database = await Database.open(database_target)
    yield database
    await database.close()


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    # The request the running bot uses, so the sender can tell "Telegram answered 200".
    telegram_bot = Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url,
                       request=ObservedRequest())
    async with telegram_bot:
        yield telegram_bot
