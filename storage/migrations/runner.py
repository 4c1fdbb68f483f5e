"""Bringing a database's schema up to date with the Alembic revisions in ``versions/``.

Revision ``0001`` is schema version 1, and so on; an upgrade is one transaction.

Databases made before the revisions (numbered ``.sql`` migrations, versions 1 to 6)
kept their version in a ``schema_version`` table. Such a database is stamped with the
matching revision the first time, then upgraded in place. ``schema_version`` itself
stays up to date on SQLite, so that an older farmdock opening a newer file refuses it
instead of taking it for its own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext, MigrationInfo
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, inspect

HERE = Path(__file__).parent
# The advisory lock every PostgreSQL upgrade holds (any numbers, the same in every process;
# a pair of keys, apart from the chats' single keys in storage/outbox.py).
MIGRATION_LOCK = (860615, 1)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer farmdock than this one."""


def revisions(extra: Sequence[str | Path] = ()) -> ScriptDirectory:
    """The shipped revisions, and those in ``extra`` folders (tests)."""
    return ScriptDirectory(
        str(HERE), version_locations=[str(HERE / "versions"), *map(str, extra)]
    )


def number(revision: str) -> int:
    return int(revision.split("_")[0])


def current_version(conn: Connection, script: ScriptDirectory, where: str = "") -> int:
    """The schema version of the database on ``conn`` (0 when empty), refusing one newer
    than ``script`` knows."""
    with _transaction(conn):
        heads = _heads(conn, script, where)
        version = max((number(h) for h in heads), default=0) or _legacy_version(conn)
    return version


def upgrade(conn: Connection, script: ScriptDirectory, target: str, where: str) -> list[int]:
    """Apply the revisions from the database's own up to ``target``; their numbers.

    The whole upgrade is one transaction, which also holds off every other process's
    (SQLite: the write lock; PostgreSQL: an advisory lock), so two processes starting at
    once do not both apply a revision: the second waits, then finds nothing to do. A
    revision that fails leaves the database as it was before the upgrade.
    """
    applied: list[int] = []

    def steps(heads: Any, _context: MigrationContext) -> Any:
        return script._upgrade_revs(target, heads)

    def recorded(*, ctx: MigrationContext, step: MigrationInfo, **_: Any) -> None:
        version = number(step.up_revision_id or "0")
        applied.append(version)
        if ctx.dialect.name == "sqlite":
            assert ctx.connection is not None
            ctx.connection.exec_driver_sql(
                "INSERT OR REPLACE INTO schema_version (version, name, applied_at)"
                " VALUES (?, ?, ?)", (version, step.up_revision_id, time.time()))

    with _transaction(conn):
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock({}, {})".format(*MIGRATION_LOCK))
        heads = _heads(conn, script, where)
        context = MigrationContext.configure(conn, opts={
            "fn": steps, "script": script, "on_version_apply": [recorded],
        })
        if not heads and (legacy := _legacy_version(conn)):
            context.stamp(script, f"{legacy:04d}")
        with Operations.context(context):
            context.run_migrations()
    return applied


def _heads(conn: Connection, script: ScriptDirectory, where: str) -> tuple[str, ...]:
    """The revisions the database is at, each known to ``script``."""
    newest = max((number(r.revision) for r in script.walk_revisions()), default=0)
    heads = MigrationContext.configure(conn).get_current_heads()
    for head in heads:
        try:
            script.get_revision(head)
        except CommandError:
            raise _too_new(where, head, newest) from None
    legacy = 0 if heads else _legacy_version(conn)
    if legacy > newest:
        raise _too_new(where, str(legacy), newest)
    return heads


def _legacy_version(conn: Connection) -> int:
    """The version a database of the numbered migrations reached (0 for none)."""
    if conn.dialect.name != "sqlite":
        return 0
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
    )
    if "alembic_version" in inspect(conn).get_table_names():
        return 0
    row = conn.exec_driver_sql("SELECT MAX(version) FROM schema_version").first()
    return int(row[0] or 0) if row else 0


def _too_new(where: str, version: str, newest: int) -> SchemaTooNewError:
    return SchemaTooNewError(
        f"database {where} has schema version {version}, but this farmdock knows only up"
        f" to {newest}: upgrade farmdock or use another database"
    )


class _transaction:
    """A transaction on ``conn`` committed at the end (one begun already is joined)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        if not self._conn.in_transaction():
            self._conn.begin()

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self._conn.commit()
        else:
            self._conn.rollback()
