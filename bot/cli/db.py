"""``farmdock migrate`` and ``farmdock backup``: look after the database."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.settings import SettingsError, database_url_setting, load_settings
from storage.database import Database, SchemaTooNewError, is_postgresql
from storage.interfaces import UnitOfWork

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction) -> None:
    migrate = subparsers.add_parser(
        "migrate", help="create the database or bring its schema up to date"
    )
    add_database_arguments(migrate)
    migrate.set_defaults(func=migrate_command)

    backup = subparsers.add_parser(
        "backup", help="write a consistent copy of the database, safe while the bot runs"
    )
    backup.add_argument("path", help="where to write the copy")
    add_database_arguments(backup)
    backup.set_defaults(func=backup_command)


def add_database_arguments(
    parser: argparse.ArgumentParser,
    db_help: str = "database file (default: FARMDOCK_DB or ./farmdock.db)",
) -> None:
    """``--db FILE`` (SQLite) or ``--database-url URL`` (PostgreSQL), one of the two."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", help=db_help)
    where.add_argument("--database-url", metavar="URL",
                       help="a PostgreSQL database, postgresql://user:password@host/name "
                            "(default: FARMDOCK_DATABASE_URL)")


def database_target(args: argparse.Namespace) -> str:
    """--database-url or --db if given, else the FARMDOCK_DATABASE_URL or FARMDOCK_DB
    setting (no token needed for offline commands): a URL or a file."""
    if getattr(args, "database_url", None):
        return database_url_setting(args.database_url, "--database-url") or ""
    if getattr(args, "db", None):
        return str(args.db)
    return load_settings(require_token=False).database


async def in_unit_of_work(
    args: argparse.Namespace, action: Callable[[UnitOfWork], Awaitable[T]], *,
    writes: bool = True,
) -> T:
    """Open the database the arguments name, run ``action`` in one unit of work (a write,
    committed, unless ``writes`` is false) and close it again: what a subcommand does."""
    db = await Database.open(database_target(args))
    try:
        if not writes:
            async with db.read() as uow:
                return await action(uow)
        async with db.write() as uow:
            result = await action(uow)
            await uow.commit()
        return result
    finally:
        await db.close()


def migrate_command(args: argparse.Namespace) -> int:
    async def migrate() -> list[int]:
        db = await Database.open(database_target(args), migrate=False)
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

    try:
        source = database_target(args)
    except SettingsError as error:
        print(f"farmdock: {error}", file=sys.stderr)
        return 2
    if is_postgresql(source):
        return pg_dump(source, target)

    if not Path(source).is_file():
        print(f"farmdock: no database at {source}", file=sys.stderr)
        return 2

    async def backup() -> str:
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


def pg_dump(url: str, target: Path) -> int:
    """A PostgreSQL database is copied by the server's own tool, when it is installed."""
    tool = shutil.which("pg_dump")
    if tool is None:
        print("farmdock: pg_dump is not installed here; backups of a PostgreSQL database are"
              " the database server's job (its own pg_dump or base backups)", file=sys.stderr)
        return 2
    libpq_url = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    done = subprocess.run([tool, "--no-owner", "--file", str(target), "--dbname", libpq_url],
                          capture_output=True, text=True)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        reason = " ".join(done.stderr.split()) or f"exit code {done.returncode}"
        print(f"farmdock: pg_dump failed: {reason}", file=sys.stderr)
        return 2
    print(f"backup written to {target} (pg_dump)")
    return 0
