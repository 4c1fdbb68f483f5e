"""The ``farmdock`` command line. Each module in this package adds one subcommand.

A subcommand module defines ``register(subparsers)``, which adds its parser and
sets ``func`` (a callable taking the parsed arguments and returning an exit code).
Modules are discovered, so adding a subcommand never edits this file.

Whatever a subcommand leaves uncaught of the errors an operator must fix (a setting,
a missing folder, a damaged database) ends the command here with one line,
``farmdock: <what failed>`` on stderr, and exit code 2: never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sqlite3
import sys
from collections.abc import Sequence

from bot.matching import policy
from bot.matching.policy import POLICY_DIR_VARIABLE
from bot.settings import SettingsError, export_env_file, policy_dir
from storage.database import SchemaTooNewError, StorageError

# The operator's to fix, not bugs: a traceback would only hide the one line that matters.
OPERATOR_ERRORS = (SettingsError, StorageError, SchemaTooNewError, OSError, sqlite3.Error)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand module registered."""
    parser = argparse.ArgumentParser(
        prog="farmdock",
        description="farmdock: a city's supply purchase-and-sale information platform on Telegram.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``farmdock`` console script."""
    args = build_parser().parse_args(argv)
    export_env_file()
    policy.directory.cache_clear()  # what the environment says now, .env included
    try:
        # Every command may parse posts, so every command checks the policy tables first.
        policy_dir(os.environ.get(POLICY_DIR_VARIABLE, ""))
        return int(args.func(args) or 0)
    except OPERATOR_ERRORS as error:
        print(f"farmdock: {describe(error)}", file=sys.stderr)
        return 2


def describe(error: BaseException) -> str:
    """One line saying what failed, for ``farmdock: …``."""
    if isinstance(error, OSError) and error.strerror and error.filename:
        return f"{error.filename}: {error.strerror}"
    if isinstance(error, sqlite3.Error):
        return f"database error: {error}"
    return " ".join(str(error).split()) or type(error).__name__

