"""The database: SQLAlchemy's async engine, Alembic revisions, units of work.

A use case runs in one unit of work (:class:`~storage.uow.SqlUnitOfWork`):
``async with db.write() as uow:`` … ``await uow.commit()``; leaving the block without
committing rolls everything back, so a use case either happens whole or not at all.
``db.read()`` is a read-only snapshot (nothing it does is kept).

``Database.open`` takes a SQLite file or a PostgreSQL URL; the schema, the queries and
the repositories are the same on both.

SQLite: every connection runs in WAL mode with a busy timeout, and a write unit of
work starts with ``BEGIN IMMEDIATE`` under this process's write lock, so a writer
holds SQLite's write lock from its first statement (or waits for it) instead of
failing half-way; readers read while it writes. Several processes may open the file.

PostgreSQL: writers run side by side, each unit of work a READ COMMITTED transaction;
where SQLite's one writer at a time was what kept two of them apart, the repository
takes the right lock instead (a chat's conversation row ``FOR UPDATE``, outbox rows
``FOR UPDATE SKIP LOCKED``, a job's run by its unique key). A read unit of work is
REPEATABLE READ READ ONLY: one snapshot for all its queries.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage.migrations.functions import MIGRATION_FUNCTIONS
from storage.migrations.runner import SchemaTooNewError as SchemaTooNewError
from storage.migrations.runner import current_version, revisions, upgrade
from storage.sqlite_driver import one_trip_dbapi
from storage.uow import SqlUnitOfWork

BUSY_TIMEOUT_MS = 30_000
# Marks the connection of a write unit of work, so that its BEGIN takes the write lock.
_WRITE = "farmdock_write"


class StorageError(RuntimeError):
    """A database file cannot be opened or written (damaged, not SQLite, no such folder);
    the message names the file and SQLite's reason, on one line."""


def _sqlite_engine(path: str) -> AsyncEngine:
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
        module=one_trip_dbapi(),
    )

    @event.listens_for(engine.sync_engine, "connect")
    def prepare(connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Transactions are begun by the "begin" listener below, not by the driver.
        connection.isolation_level = None  # type: ignore[attr-defined]
        cursor = connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # The first statement that reads the file: a damaged one fails here.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()
        for name, arity, function in MIGRATION_FUNCTIONS:
            connection.create_function(name, arity, function, deterministic=True)  # type: ignore[attr-defined]

    @event.listens_for(engine.sync_engine, "begin")
    def begin(connection: Any) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    @event.listens_for(engine.sync_engine, "invalidate")
    def invalidated(
        connection: DBAPIConnection, _record: ConnectionPoolEntry, _error: BaseException | None
    ) -> None:
        # A unit of work cancelled mid-statement (a job or the outbox sender stopped at
        # shutdown) has its connection invalidated and closed, not rolled back. A cursor
        # left open keeps that connection alive until garbage collection, and with it the
        # transaction: SQLite's write lock, so every other write waits out the busy
        # timeout and fails. Roll back first; the close then frees nothing more.
        with contextlib.suppress(Exception):
            connection.rollback()

    return engine


def _postgresql_engine(url: str) -> AsyncEngine:
    return create_async_engine(
        make_url(url).set(drivername="postgresql+asyncpg"),
        # A worker's units of work at once: updates, the sender, jobs, index syncs.
        pool_size=10, max_overflow=10, pool_pre_ping=True,
    )


def is_postgresql(target: str | Path) -> bool:
    """Whether ``target`` names a PostgreSQL database (else it is a SQLite file)."""
    return str(target).startswith(("postgresql://", "postgresql+asyncpg://"))


class Database:
    """An open farmdock database. ``await Database.open(path_or_url)``, then
    ``await db.close()``."""

    def __init__(self, path: str, engine: AsyncEngine) -> None:
        # The SQLite file, or the PostgreSQL URL: what open() was given.
        self.path = path
        self._engine = engine
        self.dialect = engine.dialect.name
        self._write_lock = asyncio.Lock() if self.dialect == "sqlite" else None

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> Database:
        """Open (a SQLite file is created if needed) and, by default, bring the schema up
        to date.

        Raises :class:`StorageError` when the file cannot be opened as a database, or the
        PostgreSQL server cannot be reached or refuses the connection.
        """
        path = str(path)
        engine = _postgresql_engine(path) if is_postgresql(path) else _sqlite_engine(path)
        db = cls(path, engine)
        try:
            async with db._engine.connect():
                pass  # opens the file (and fails on a damaged one), or reaches the server
            if migrate:
                await db.migrate()
        except (exc.DBAPIError, sqlite3.DatabaseError, OSError) as error:
            await db.close()
            reason = " ".join(str(getattr(error, "orig", None) or error).split())
            raise StorageError(f"cannot open database {db.name}: {reason}") from error
        except BaseException:
            await db.close()
            raise
        return db

    @property
    def name(self) -> str:
        """The database as messages name it (a URL without its password)."""
        if self.dialect == "sqlite":
            return self.path
        return make_url(self.path).render_as_string(hide_password=True)

    async def close(self) -> None:
        """Close every connection (idempotent)."""
        await self._engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- units of work -------------------------------------------------------------

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqlUnitOfWork]:
        """A unit of work that writes: committed by ``await uow.commit()``, else undone."""
        async with self._writing(), self._engine.connect() as conn:
            await conn.execution_options(**{_WRITE: True})
            async with _transaction(conn) as uow:
                yield uow

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlUnitOfWork]:
        """A read-only snapshot: every query sees the database as of its first one."""
        async with self._engine.connect() as conn:
            if self.dialect == "postgresql":
                await conn.execution_options(isolation_level="REPEATABLE READ",
                                             postgresql_readonly=True)
            async with _transaction(conn) as uow:
                yield uow

    def _writing(self) -> contextlib.AbstractAsyncContextManager[object]:
        """SQLite: this process's writers one at a time (the file has one write lock)."""
        return self._write_lock or contextlib.nullcontext()

    # -- schema ----------------------------------------------------------------------

    async def schema_version(self) -> int:
        """The newest revision applied (0001 → 1), 0 for an empty database."""
        async with self._engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: current_version(sync, revisions(), self.name))

    async def migrate(
        self, target: str = "head", *, extra_revisions: Sequence[str | Path] = ()
    ) -> list[int]:
        """Apply the revisions not yet applied, up to ``target``; return their numbers.
        Re-running is a no-op. ``extra_revisions``: more folders of revisions (tests)."""
        script = revisions(extra_revisions)
        async with self._writing(), self._engine.connect() as conn:
            await conn.execution_options(**{_WRITE: True})
            return await conn.run_sync(lambda sync: upgrade(sync, script, target, self.name))

    # -- the file --------------------------------------------------------------------

    async def backup_to(self, target: str | Path) -> None:
        """A consistent copy through SQLite's online backup API, safe while others write."""
        import aiosqlite

        try:
            target_conn = await aiosqlite.connect(str(target))
        except sqlite3.DatabaseError as error:
            raise StorageError(f"cannot write a backup to {target}: {error}") from error
        try:
            async with self._engine.connect() as conn:
                raw = await conn.get_raw_connection()
                await raw.driver_connection.backup(target_conn)  # type: ignore[union-attr]
        finally:
            await target_conn.close()

    async def integrity_check(self) -> str:
        """SQLite's own verdict on the file: 'ok' when sound."""
        async with self._engine.connect() as conn:
            row = (await conn.exec_driver_sql("PRAGMA integrity_check")).first()
        return str(row[0]) if row else "no answer"


@asynccontextmanager
async def _transaction(conn: AsyncConnection) -> AsyncIterator[SqlUnitOfWork]:
    transaction = await conn.begin()
    try:
        yield SqlUnitOfWork(conn, transaction)
    finally:
        if transaction.is_active:
            await transaction.rollback()
