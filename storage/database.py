"""The SQLite connection pair, numbered migrations and write transactions.

One writer connection, serialised by an asyncio lock and opened with
``BEGIN IMMEDIATE`` so that a writer either holds SQLite's write lock from the
start or waits (``busy_timeout``) instead of failing half-way; one reader
connection, which WAL mode lets read while the writer writes. Several
processes (or ``Database`` objects) may open the same file.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.matching.phones import stored_phone

BUSY_TIMEOUT_MS = 30_000
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer farmdock than this one."""


class StorageError(RuntimeError):
    """A database file cannot be opened or written (damaged, not SQLite, no such folder);
    the message names the file and SQLite's reason, on one line."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in ``storage/migrations``, in version order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        matched = _MIGRATION_NAME.match(entry.name)
        if matched:
            found.append(Migration(int(matched.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


async def _open(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # The first statement that reads the file: a damaged one fails here.
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        # Each connection runs in its own thread, which keeps the process alive until
        # the connection is closed: a connection left open here would hang the exit.
        await conn.close()
        raise
    return conn


class Database:
    """An open farmdock database. Use ``await Database.open(path)`` and ``await db.close()``."""

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> Database:
        """Open (creating if needed) and, by default, bring the schema up to date.

        Raises :class:`StorageError` when the file cannot be opened as a database.
        """
        path = str(path)
        try:
            writer = await _open(path)
            try:
                db = cls(path, writer, writer)
                if migrate:
                    await db.migrate()
                db._reader = await _open(path)
            except BaseException:
                await writer.close()
                raise
        except sqlite3.DatabaseError as error:
            raise StorageError(f"cannot open database {path}: {error}") from error
        return db

    async def close(self) -> None:
        """Close both connections (idempotent)."""
        for conn in {id(self._reader): self._reader, id(self._writer): self._writer}.values():
            try:
                await conn.close()
            except ValueError:  # already closed
                pass

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- schema ---------------------------------------------------------------

    async def schema_version(self) -> int:
        """The newest migration applied, 0 for an empty database."""
        await self._writer.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
        )
        async with self._writer.execute("SELECT MAX(version) FROM schema_version") as cur:
            row = await cur.fetchone()
        return int(row[0] or 0) if row else 0

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> list[int]:
        """Apply the migrations not yet applied; return their versions. Re-running is a no-op."""
        migrations = list(migrations if migrations is not None else bundled_migrations())
        newest_known = max((m.version for m in migrations), default=0)
        applied: list[int] = []
        # SQL functions migrations may call: the application's own phone parser.
        await self._writer.create_function(
            "normalized_phone", 1, stored_phone, deterministic=True
        )
        async with self._write_lock:
            current = await self.schema_version()
            if current > newest_known:
                raise SchemaTooNewError(
                    f"database {self.path} has schema version {current}, but this farmdock "
                    f"knows only up to {newest_known}: upgrade farmdock or use another database"
                )
            for migration in migrations:
                if migration.version <= current:
                    continue
                await self._writer.execute("BEGIN IMMEDIATE")
                try:
                    # executescript would commit on its own; run statement by statement instead.
                    for statement in _split_sql(migration.sql):
                        await self._writer.execute(statement)
                    await self._writer.execute(
                        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                        (migration.version, migration.name, time.time()),
                    )
                    await self._writer.execute("COMMIT")
                except BaseException:
                    await self._writer.execute("ROLLBACK")
                    raise
                applied.append(migration.version)
        return applied

    # -- access ---------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``), committed on success, rolled back on error."""
        async with self._write_lock:
            await self._control("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._control("ROLLBACK")
                raise
            await self._control("COMMIT")

    async def _control(self, statement: str) -> None:
        """Run BEGIN, COMMIT or ROLLBACK to its end even if the awaiting task is cancelled.

        A statement handed to the connection's thread runs whatever happens to the
        task awaiting it. A task cancelled while its BEGIN waited for the lock would
        otherwise leave that transaction open once the BEGIN ran, and every later
        write on this connection would fail ("cannot start a transaction within a
        transaction"); so wait for it, undo it, then let the cancellation through.
        """
        running = asyncio.ensure_future(self._writer.execute(statement))
        try:
            await asyncio.shield(running)
        except asyncio.CancelledError:
            await running
            if statement.startswith("BEGIN"):
                await self._writer.execute("ROLLBACK")
            raise

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query on the reader connection.

        The statement runs to completion in one step on the connection's thread:
        an execute and a later fetch would leave it open in between, and while
        concurrent queries overlap that way the reader keeps one old snapshot
        and does not see rows committed meanwhile.
        """
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """The first row of a read-only query, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def backup_to(self, target: str | Path) -> None:
        """A consistent copy through SQLite's online backup API, safe while others write."""
        try:
            target_conn = await aiosqlite.connect(str(target))
        except sqlite3.DatabaseError as error:
            raise StorageError(f"cannot write a backup to {target}: {error}") from error
        try:
            await self._reader.backup(target_conn)
        finally:
            await target_conn.close()

    async def integrity_check(self) -> str:
        """SQLite's own verdict on the file: 'ok' when sound."""
        row = await self.fetch_one("PRAGMA integrity_check")
        return str(row[0]) if row else "no answer"


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script, each whole: a ';' ends one only where SQLite
    says the statement is complete, so a trigger's body keeps its own ';'."""
    without_comments = "\n".join(
        line for line in script.splitlines() if not line.lstrip().startswith("--")
    )
    statements: list[str] = []
    pending = ""
    for piece in without_comments.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\n;"):
                statements.append(pending.strip().rstrip(";").strip())
            pending = ""
    if pending.strip(" \t\n;"):
        statements.append(pending.strip().rstrip(";").strip())
    return statements


def equal_filters(**columns: Any) -> tuple[str, list[Any]]:
    """A WHERE clause that keeps rows equal to every given value; None values are left out.

    Column names come from our own keyword arguments, never from users.
    """
    given = {name: value for name, value in columns.items() if value is not None}
    clause = " AND ".join(f"{name} = ?" for name in given) or "1 = 1"
    return f" WHERE {clause}", list(given.values())
