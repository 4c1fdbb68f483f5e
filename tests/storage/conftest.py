from collections.abc import AsyncIterator

import pytest

from storage.database import Database


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    """An open database of the test's own, on each backend in turn."""
    database = await Database.open(database_target)
    yield database
    await database.close()
