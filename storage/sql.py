"""Query pieces every repository shares: the area filter, chunked id lists, idempotent inserts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, and_, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area

T = TypeVar("T")
# Well below the parameters SQLite allows in one statement (a digest asks for 100,000 ids).
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def in_area(table: Any, area: Area) -> ColumnElement[bool]:
    """Rows of ``table`` (anything with ``county`` and ``township`` columns) in ``area``."""
    if area.county is None:
        return true()
    if area.township is None:
        return table.c.county == area.county
    return and_(table.c.county == area.county, table.c.township == area.township)


def insert_ignoring_duplicates(conn: AsyncConnection, table: Table) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` in the connection's dialect; give the values as
    the execution's parameters to reuse the one statement (see :func:`ignoring_duplicates`)."""
    return ignoring_duplicates(conn.dialect.name, table)


@cache
def ignoring_duplicates(dialect_name: str, table: Table) -> Any:
    # One statement object per table: SQLAlchemy keeps a statement's cache key, so
    # executing the same object again skips building and keying it (most of Core's cost
    # on a hot path of small statements).
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()
