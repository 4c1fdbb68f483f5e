"""Fixtures every test package shares: the fake Bot API server, its users, a running bot.

A test builds its Application with ``.base_url(fake_api.base_url)`` and hands it to
``run_application``; users then talk to it through ``make_user()``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import pytest
from telegram.ext import Application

from tests.fake_bot_api import FakeBotApi, FakeUser, RunApplication, running_application


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A started fake Bot API server on a random port of 127.0.0.1."""
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
def make_user(fake_api: FakeBotApi) -> Callable[..., FakeUser]:
    """``make_user(first_name=None, *, user_id=None, username=None)``: a new user with a
    distinct id, in a private chat with the bot."""
    return fake_api.user


@pytest.fixture
async def run_application(fake_api: FakeBotApi) -> AsyncIterator[RunApplication]:
    """``await run_application(app)`` starts ``app`` with long polling against ``fake_api``;
    every application started this way is stopped and shut down at teardown."""
    # Depending on fake_api makes the applications stop before the server does.
    async with contextlib.AsyncExitStack() as stack:

        async def run(application: Application) -> Application:
            return await stack.enter_async_context(running_application(application))

        yield run
