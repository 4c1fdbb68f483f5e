"""The migrations and storage/schema.py describe one database: queries are built from the
second, the file is made by the first, so a difference is a query that fails in use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Dialect, Integer, Table, inspect
from sqlalchemy.schema import DefaultClause, ForeignKeyConstraint, UniqueConstraint

from storage.database import Database
from storage.schema import metadata
from tests.storage.factories import HEAD, revision_folder

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


def column_type(declared: str, dialect: str) -> str:
    """What a declared type comes to: SQLite's affinity, PostgreSQL's own type name."""
    if dialect == "sqlite":
        return affinity(declared)
    return {"FLOAT(53)": "DOUBLE PRECISION"}.get(declared.upper(), declared.upper())


def unquoted(default: str | None) -> str | None:
    """A default as the database shows it ('active', 0, 'active'::text) without the
    quotes and the cast."""
    if default is None:
        return None
    default = re.sub(r"::[a-z ]+$", "", default)
    return default[1:-1] if default[:1] == default[-1:] == "'" else default


def described(table: Table, dialect: Dialect) -> dict[str, Any]:
    """What storage/schema.py says of a table, in the terms compared below."""
    columns = {}
    for column in table.columns:
        default = column.server_default
        columns[column.name] = {
            "type": column_type(column.type.compile(dialect=dialect), dialect.name),
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
        # The ids a table hands out itself: SQLite's AUTOINCREMENT (never an id again,
        # even of a deleted row), PostgreSQL's sequence (serial).
        "autoincrement": [c.name for c in table.primary_key.columns
                          if c.autoincrement is True or (
                              c.autoincrement == "auto" and len(table.primary_key.columns) == 1
                              and c.type._type_affinity is Integer)],
    }


def found(conn: Connection, name: str) -> dict[str, Any]:
    """The same of the table the migrations made, as the database reports it."""
    look = inspect(conn)
    dialect = conn.dialect.name
    primary_key = look.get_pk_constraint(name)["constrained_columns"]
    reflected = look.get_columns(name)
    columns = {
        column["name"]: {
            "type": column_type(column["type"].compile(dialect=conn.dialect), dialect),
            # SQLite lets a primary key other than an INTEGER one hold NULL (a quirk kept
            # for compatibility); no code ever writes one, so a key counts as NOT NULL.
            "nullable": column["nullable"] and column["name"] not in primary_key,
            "default": None if "nextval(" in (column["default"] or "")
            else unquoted(column["default"]),
        }
        for column in reflected
    }
    indexes = [i for i in look.get_indexes(name) if not i.get("duplicates_constraint")]
    unique = {frozenset(c["column_names"]) for c in look.get_unique_constraints(name)}
    unique |= {frozenset(i["column_names"]) for i in indexes if i["unique"]}
    if dialect == "sqlite":
        sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = ?", (name,)).scalar_one()
        counting = primary_key if "AUTOINCREMENT" in sql.upper() else []
    else:
        counting = [c["name"] for c in reflected if "nextval(" in (c["default"] or "")]
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
        "autoincrement": counting,
    }


async def differences(db: Database) -> list[str]:
    """Every way the database differs from storage/schema.py, one line each."""
    async with db.read() as uow:
        tables = set(await uow.connection.run_sync(lambda c: inspect(c).get_table_names()))
        present = [name for name in metadata.tables if name in tables]
        dialect = uow.connection.dialect
        migrated = await uow.connection.run_sync(
            lambda conn: {name: found(conn, name) for name in present})
    wrong = [f"table {name} is not in schema.py" for name in
             sorted(tables - RUNNER_TABLES - set(metadata.tables))]
    wrong += [f"table {name} is not in the database" for name in
              sorted(set(metadata.tables) - tables)]
    for name in present:
        expected, actual = described(metadata.tables[name], dialect), migrated[name]
        for aspect, value in expected.items():
            if aspect == "columns":
                for column in sorted(set(value) | set(actual[aspect])):
                    if value.get(column) != actual[aspect].get(column):
                        wrong.append(f"{name}.{column}: schema.py {value.get(column)},"
                                     f" database {actual[aspect].get(column)}")
            elif actual[aspect] != value:
                wrong.append(f"{name} {aspect}: schema.py {value}, database {actual[aspect]}")
    return wrong


async def test_the_migrated_database_is_what_schema_py_describes(
    empty_database_target: str,
) -> None:
    async with await Database.open(empty_database_target) as db:
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
