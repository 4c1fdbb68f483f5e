from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from storage.database import Database
from tests.backends import run_elsewhere


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    """An open database of the test's own, on each backend in turn."""
    database = await Database.open(database_target)
    yield database
    await database.close()


@pytest.fixture
def cli_db(backend: str, tmp_path, request: pytest.FixtureRequest) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A new database for command-line tests (which run their own event loop)."""
    if backend == "sqlite":
        yield str(tmp_path / "farmdock.db")
        return
    server = request.getfixturevalue("postgres_server")
    target = run_elsewhere(server.create_database())
    yield target
    run_elsewhere(server.drop_database(target))
