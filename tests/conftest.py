"""Fixtures every test package shares: the databases, the fake Bot API server, its users,
a running bot.

A test that takes ``database_target`` (or a fixture built on it) runs twice: on a
SQLite file and on a PostgreSQL database (``tests/backends.py``). ``--no-postgres``
leaves PostgreSQL out, and the run's summary says how many tests that left out; a
PostgreSQL server that cannot start fails those tests.

A test builds its Application with ``.base_url(fake_api.base_url)`` and hands it to
``run_application``; users then talk to it through ``make_user()``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from tests.backends import PostgresServer
from tests.fake_bot_api import FakeBotApi, FakeUser, RunApplication, running_application

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--no-postgres", action="store_true",
                     help="run the database tests on SQLite only (the summary counts what "
                          "is left out)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--no-postgres"):
        return
    left_out = [item for item in items if "postgresql" in item.keywords]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if "postgresql" not in item.keywords]
        config.stash[_LEFT_OUT] = len(left_out)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.stash.get(_LEFT_OUT, 0):
        terminalreporter.write_line(
            f"PostgreSQL left out (--no-postgres): {config.stash[_LEFT_OUT]} tests not run",
            yellow=True, bold=True)


_LEFT_OUT = pytest.StashKey[int]()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """This test process's own PostgreSQL server, started on first use."""
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=[
    "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on: "sqlite" or "postgresql"."""
    return str(request.param)


async def _target(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, *, migrated: bool
) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield str(tmp_path / "farmdock.db")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = await server.create_database(migrated=migrated)
    yield url
    await server.drop_database(url)


@pytest.fixture
async def database_target(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """A database of the test's own, not opened: a new SQLite file's path, or the URL of
    a new PostgreSQL database with the schema made."""
    async for target in _target(backend, tmp_path, request, migrated=True):
        yield target


@pytest.fixture
async def new_database(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """``await new_database()``: one more database of the test's own, as
    ``database_target`` (a test making a database per example)."""
    made: list[str] = []
    server: PostgresServer | None = (
        request.getfixturevalue("postgres_server") if backend == "postgresql" else None)

    async def make() -> str:
        if server is None:
            made.append(str(tmp_path / f"farmdock-{len(made)}.db"))
        else:
            made.append(await server.create_database())
        return made[-1]

    yield make
    if server is not None:
        for url in made:
            await server.drop_database(url)


@pytest.fixture
async def empty_database_target(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """Like ``database_target``, but with nothing in it: not even the schema."""
    async for target in _target(backend, tmp_path, request, migrated=False):
        yield target


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
