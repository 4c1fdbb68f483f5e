"""The command line of every spreadsheet import (``stores import``, later ``suppliers
import``): the same options, output and exit codes.

A dry run by default; ``--apply`` commits the good rows in one transaction; ``--strict``
applies nothing when any row is rejected. ``--format json`` prints ``{"added", "updated",
"rejected": [{"row", "reason"}]}``. Exit 0 when no row was rejected, 1 when some were,
2 when the file cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from bot.cli.db import add_database_arguments, database_target
from bot.services.imports import Good, ImportFileError, Row, plan_import, plan_lines, read_table
from storage.database import Database
from storage.interfaces import UnitOfWork

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="an .xlsx or .csv file")
    parser.add_argument("--apply", action="store_true",
                        help="write the good rows (default: a dry run that changes nothing)")
    parser.add_argument("--strict", action="store_true",
                        help="with --apply, write nothing when any row is rejected")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_database_arguments(parser)


def run_import(
    args: argparse.Namespace, *, columns: Sequence[str], noun: str,
    check: Callable[[Row], tuple[K, T, str] | str],
    exists: Callable[[UnitOfWork, K], Awaitable[bool]],
    apply: Callable[[UnitOfWork, Sequence[Good[K, T]]], Awaitable[None]],
) -> int:
    """Read, check, plan and (with --apply) write an import; print and return the exit
    code."""
    try:
        rows = read_table(Path(args.file), columns)
    except ImportFileError as error:
        print(f"farmdock: {error}", file=sys.stderr)
        return 2

    async def run() -> tuple[Any, str]:
        async with await Database.open(database_target(args)) as db:
            async with db.write() as uow:
                plan = await plan_import(rows, check, lambda key: exists(uow, key))
                if not args.apply:
                    return plan, "dry"
                if args.strict and plan.rejected:
                    return plan, "strict"
                await apply(uow, [*plan.added, *plan.updated])
                await uow.commit()
                return plan, "applied"

    plan, outcome = asyncio.run(run())
    if args.format == "json":
        print(json.dumps(plan.to_json(), ensure_ascii=False))
    else:
        print("\n".join(plan_lines(plan, outcome=outcome, noun=noun)))
    return int(plan.exit_code())
