"""The migrations and storage/schema.py describe one database: queries are built from the
second, the file is made by the first, so a difference is a query that fails in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, inspect
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import DefaultClause, ForeignKeyConstraint, UniqueConstraint

from storage.database import Database
from storage.schema import metadata
from tests.storage.factories import HEAD, fetch, revision_folder

# Kept by the migration runner itself, not by any repository.
RUNNER_TABLES = {"alembic_version", "schema_version"}


def affinity(declared: str) -> str:
    """SQLite's type affinity of a declared column type (its rules, in their order)."""
    declared = declared.upper()
    if "INT" in declared:
        return "INTEGER"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not declared or "BLOB" in declared:
        return "BLOB"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def unquoted(default: str | None) -> str | None:
    """A default as SQLite's table_info shows it ('active', 0) without the quotes."""
    if default is None:
        return None
    return default[1:-1] if default[:1] == default[-1:] == "'" else default


def described(table: Table) -> dict[str, Any]:
    """What storage/schema.py says of a table, in the terms compared below."""
    columns = {}
    for column in table.columns:
        default = column.server_default
        columns[column.name] = {
            "affinity": affinity(column.type.compile(dialect=sqlite.dialect())),
            "nullable": bool(column.nullable) and not column.primary_key,
            "default": str(default.arg) if isinstance(default, DefaultClause) else None,
        }
    unique = {frozenset(c.columns.keys()) for c in table.constraints
              if isinstance(c, UniqueConstraint)}
    unique |= {frozenset(c.name for c in index.columns) for index in table.indexes
               if index.unique}
    return {
        "columns": columns,
        "primary_key": [c.name for c in table.primary_key.columns],
        "unique": unique,
        "indexes": {index.name: [c.name for c in index.columns] for index in table.indexes
                    if not index.unique},
        "foreign_keys": {
            (tuple(fk.column_keys), fk.referred_table.name,
             tuple(e.column.name for e in fk.elements))
            for fk in table.constraints if isinstance(fk, ForeignKeyConstraint)
        },
        "autoincrement": bool(table.dialect_options["sqlite"]["autoincrement"]),
    }


def found(conn: Connection, name: str, sql: str) -> dict[str, Any]:
    """The same of the table the migrations made, as SQLite reports it."""
    look = inspect(conn)
    primary_key = look.get_pk_constraint(name)["constrained_columns"]
    columns = {
        column["name"]: {
            "affinity": affinity(str(column["type"])),
            # SQLite lets a primary key other than an INTEGER one hold NULL (a quirk kept
            # for compatibility); no code ever writes one, so a key counts as NOT NULL.
            "nullable": column["nullable"] and column["name"] not in primary_key,
            "default": unquoted(column["default"]),
        }
        for column in look.get_columns(name)
    }
    indexes = look.get_indexes(name)
    unique = {frozenset(c["column_names"]) for c in look.get_unique_constraints(name)}
    unique |= {frozenset(i["column_names"]) for i in indexes if i["unique"]}
    return {
        "columns": columns,
        "primary_key": primary_key,
        "unique": unique,
        "indexes": {i["name"]: i["column_names"] for i in indexes if not i["unique"]},
        "foreign_keys": {
            (tuple(fk["constrained_columns"]), fk["referred_table"],
             tuple(fk["referred_columns"]))
            for fk in look.get_foreign_keys(name)
        },
        "autoincrement": "AUTOINCREMENT" in sql.upper(),
    }


async def differences(db: Database) -> list[str]:
    """Every way the database differs from storage/schema.py, one line each."""
    tables = {r["name"]: r["sql"] for r in await fetch(
        db, "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%'")}
    wrong = [f"table {name} is not in schema.py" for name in
             sorted(set(tables) - RUNNER_TABLES - set(metadata.tables))]
    wrong += [f"table {name} is not in the database" for name in
              sorted(set(metadata.tables) - set(tables))]
    present = [name for name in metadata.tables if name in tables]
    async with db.read() as uow:
        migrated = await uow.connection.run_sync(
            lambda conn: {name: found(conn, name, tables[name]) for name in present})
    for name in present:
        expected, actual = described(metadata.tables[name]), migrated[name]
        for aspect, value in expected.items():
            if aspect == "columns":
                for column in sorted(set(value) | set(actual[aspect])):
                    if value.get(column) != actual[aspect].get(column):
                        wrong.append(f"{name}.{column}: schema.py {value.get(column)},"
                                     f" database {actual[aspect].get(column)}")
            elif actual[aspect] != value:
                wrong.append(f"{name} {aspect}: schema.py {value}, database {actual[aspect]}")
    return wrong


async def test_the_migrated_database_is_what_schema_py_describes(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "a.db") as db:
        assert await differences(db) == []


async def test_a_migration_that_drifts_from_schema_py_is_told(tmp_path: Path) -> None:
    drift = revision_folder(
        tmp_path / "drift", HEAD + 1,
        "ALTER TABLE users ADD COLUMN nickname TEXT",
        "DROP INDEX listings_user",
        "CREATE TABLE extra (x INTEGER)",
        "ALTER TABLE matches DROP COLUMN contacts_exchanged_at",
        "DROP TABLE processed_updates",
        "CREATE TABLE processed_updates (update_id TEXT PRIMARY KEY, at REAL)",
        "CREATE INDEX processed_updates_at ON processed_updates (at)",
    )
    async with await Database.open(tmp_path / "a.db", migrate=False) as db:
        await db.migrate(extra_revisions=[drift])
        told = await differences(db)
    assert [line.split(":")[0] for line in told] == [
        "table extra is not in schema.py", "users.nickname", "listings indexes",
        "matches.contacts_exchanged_at", "processed_updates.at", "processed_updates.update_id",
    ]
    assert "listings_user" in told[2]
    assert "'nullable': False" in told[4] and "'nullable': True" in told[4].split("database")[1]
    assert "'INTEGER'" in told[5] and "'TEXT'" in told[5].split("database")[1]
