"""The database as tests reach it: each repository call in a unit of work of its own.

``each(db).users.get(7)`` opens a unit of work, calls ``uow.users.get(7)``, commits
and returns the result: a test sets data up and looks at it in single steps, the
way the code under test never does (it runs a use case in one unit of work).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from storage.database import Database


class _Repository:
    def __init__(self, db: Database, name: str) -> None:
        self._db = db
        self._name = name

    def __getattr__(self, method: str) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            async with self._db.write() as uow:
                result = await getattr(getattr(uow, self._name), method)(*args, **kwargs)
                await uow.commit()
            return result

        return call


class Each:
    """Every repository of ``db``; see the module docstring."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def __getattr__(self, name: str) -> _Repository:
        return _Repository(self._db, name)


def each(db: Database) -> Each:
    return Each(db)
