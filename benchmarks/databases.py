"""Where a benchmark keeps its data: a SQLite file of its own, or the PostgreSQL database
named by ``--database-url`` (which must be empty: the benchmark fills it)."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import func, select

from storage.database import Database
from storage.schema import listings, outbox, users


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url", metavar="URL",
        help="run on this empty PostgreSQL database (postgresql://…) instead of a "
             "temporary SQLite file")


@asynccontextmanager
async def bench_databases(url: str | None) -> AsyncIterator[Callable[[], str]]:
    """``target()``: what to open, the same database every call. Refuses a PostgreSQL
    database that holds data already (the figures would be of something else)."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield lambda: str(Path(folder) / "bench.db")
        return
    async with await Database.open(url) as db, db.read() as uow:
        for table in (users, listings, outbox):
            count = (await uow.connection.execute(
                select(func.count()).select_from(table))).scalar_one()
            if count:
                raise SystemExit(f"bench: {db.name} is not empty ({table.name}: {count}"
                                 " rows); give an empty database")
    yield lambda: url
