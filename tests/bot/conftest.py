"""The real farmdock Application against the fake Bot API, on a real database (SQLite, then
PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.services.runtime import SERVICES_KEY
from bot.settings import Settings, load_settings
from storage.database import Database
from tests.backends import settings_env
from tests.fake_bot_api import FakeBotApi, FakeUser, SentMessage, running_application

TOKEN = "123456:TEST-token_farmdock"
BotFactory = Callable[[], contextlib.AbstractAsyncContextManager[Application]]


@pytest.fixture
def settings(fake_api: FakeBotApi, database_target: str) -> Settings:
    """The bot's settings: the fake Bot API, a database of the test's own (each backend)."""
    return load_settings(
        {
            "FARMDOCK_TOKEN": TOKEN,
            "FARMDOCK_API_BASE_URL": fake_api.base_url,
            **settings_env(database_target),
            "FARMDOCK_OPERATOR_CHAT_IDS": "",
        },
        env_file=None,
    )


@pytest.fixture
def bot_factory(settings: Settings) -> BotFactory:
    """``async with bot_factory() as app``: a fresh Application on the same database,
    stopped (state flushed) when the block ends, as a restart would."""

    @contextlib.asynccontextmanager
    async def running() -> AsyncIterator[Application]:
        async with running_application(build_application(settings)) as application:
            yield application

    return running


@pytest.fixture
async def farmdock(bot_factory: BotFactory) -> AsyncIterator[Application]:
    """The bot, running for the whole test."""
    async with bot_factory() as application:
        yield application


@pytest.fixture
def db(farmdock: Application) -> Database:
    """The database of the running bot (the same file tests inspect)."""
    return farmdock.bot_data[SERVICES_KEY].db


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 5.0) -> None:
    """Wait until an async check of the database holds (writes that follow a send)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise TimeoutError("the condition never held")
        await asyncio.sleep(0.01)


async def press(user: FakeUser, message: SentMessage, text: str) -> SentMessage:
    """Press a button and return the bot's next message to the user."""
    user.press(message, text)
    return await user.next_message()


async def sign_up(
    user: FakeUser, *, role: str = "供应方", name: str = "王师傅",
    organisation: str = "张八桥蔬菜合作社", county: str = "宝丰县",
    township: str | None = "张八桥镇", phone: str | None = "13800000001",
) -> SentMessage:
    """Walk the /start conversation with buttons; returns the 注册完成 message."""
    user.start()
    welcome = await user.next_message()
    ask_name = await press(user, welcome, role)
    assert "称呼" in ask_name.content
    user.send(name)
    ask_org = await user.next_message()
    assert "单位" in ask_org.content
    if organisation:
        user.send(organisation)
        ask_county = await user.next_message()
    else:
        ask_county = await press(user, ask_org, "无单位")
    ask_township = await press(user, ask_county, county)
    ask_phone = await press(user, ask_township, township or "只填到")
    assert "手机号" in ask_phone.content
    if phone is None:
        user.send("跳过")
    else:
        user.share_contact(phone)
    done = await user.next_message()
    assert "注册完成" in done.content, done.content
    return done


async def post_and_confirm(user: FakeUser, line: str) -> SentMessage:
    """Send a one-line post, press 确认发布, return the 已发布 message."""
    user.send(line)
    card = await user.next_message(lambda m: "确认" in " ".join(m.button_texts()))
    user.press(card, "确认")
    return await published(user, card)


async def published(user: FakeUser, card: SentMessage) -> SentMessage:
    """The confirm card once it has turned into the 已发布 receipt (it is edited in place)."""
    return await user.server.wait_for_message(
        user.id, lambda m: m.message_id == card.message_id and "编号" in m.content,
        timeout=user.patience,
    )
