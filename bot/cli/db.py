"""``farmdock migrate`` and ``farmdock backup``: look after the database file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.settings import SettingsError, load_settings
from storage.database import Database, SchemaTooNewError


def register(subparsers: argparse._SubParsersAction) -> None:
    migrate = subparsers.add_parser(
        "migrate", help="create the database or bring its schema up to date"
    )
    migrate.add_argument("--db", help="database file (default: FARMDOCK_DB or ./farmdock.db)")
    migrate.set_defaults(func=migrate_command)

    backup = subparsers.add_parser(
        "backup", help="write a consistent copy of the database, safe while the bot runs"
    )
    backup.add_argument("path", help="where to write the copy")
    backup.add_argument("--db", help="database file (default: FARMDOCK_DB or ./farmdock.db)")
    backup.set_defaults(func=backup_command)


def database_path(args: argparse.Namespace) -> Path:
    """--db if given, else the FARMDOCK_DB setting (no token needed for offline commands)."""
    if getattr(args, "db", None):
        return Path(args.db)
    return load_settings(require_token=False).db_path


def migrate_command(args: argparse.Namespace) -> int:
    async def migrate() -> list[int]:
        db = await Database.open(database_path(args), migrate=False)
        try:
            return await db.migrate()
        finally:
            await db.close()

    try:
        applied = asyncio.run(migrate())
    except (SettingsError, SchemaTooNewError) as error:
        print(f"farmdock: {error}", file=sys.stderr)
        return 2
    print(f"applied migrations {applied}" if applied else "schema is up to date")
    return 0


def backup_command(args: argparse.Namespace) -> int:
    target = Path(args.path)
    if target.exists():
        print(f"farmdock: {target} exists already; choose a new file name", file=sys.stderr)
        return 2

    async def backup() -> str:
        source = database_path(args)
        if not source.is_file():
            raise FileNotFoundError(f"no database at {source}")
        db = await Database.open(source)
        try:
            await db.backup_to(target)
        finally:
            await db.close()
        copy = await Database.open(target, migrate=False)
        try:
            return await copy.integrity_check()
        finally:
            await copy.close()

    try:
        verdict = asyncio.run(backup())
    except (SettingsError, SchemaTooNewError, FileNotFoundError) as error:
        print(f"farmdock: {error}", file=sys.stderr)
        return 2
    print(f"backup written to {target} (integrity: {verdict})")
    return 0 if verdict == "ok" else 1
