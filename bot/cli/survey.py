"""``farmdock survey parse|add``: read stores' daily survey reports, and store one."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any, BinaryIO

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``survey`` subcommand and its actions."""
    parser = subparsers.add_parser("survey", help="read or store stores' daily survey reports")
    actions = parser.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    parse = actions.add_parser(
        "parse", help="read reports and print one JSON object per report",
        description=(
            "Read stores' daily survey reports (大米 库存20吨 日销2吨；…). Each TEXT is one "
            "report; with no TEXT, every line of standard input is one. Prints one JSON "
            "object per report, in input order: ok, items (product, stock, stock_unit, "
            "sales, sales_unit, sales_basis; weights in kg, count units as written), "
            "unknown and errors."),
    )
    parse.add_argument("text", nargs="*", metavar="TEXT", help="a report (default: read stdin)")
    parse.set_defaults(func=parse_command)
    _register_add(actions)


def parse_command(args: argparse.Namespace) -> int:
    """Print every report's reading; exit 0 even when some reports have errors."""
    reports = args.text if args.text else _lines(sys.stdin.buffer)
    out = sys.stdout.buffer
    try:
        for report in reports:
            line = json.dumps(_parse_one(report), ensure_ascii=False)
            out.write(line.encode("utf-8", errors="replace") + b"\n")
            out.flush()
    except BrokenPipeError:
        sys.stderr.close()
    return 0


def _parse_one(text: str) -> dict[str, Any]:
    from bot.matching.survey import SurveyReport, parse_report

    try:
        return parse_report(text).to_json()
    except Exception:
        # One answer per line is the contract: a parser bug must not end the run.
        log.exception("survey parser failed on a report of %d characters", len(text))
        return SurveyReport(errors=["这条报告暂时无法识别，请换个写法再试"]).to_json()


def _lines(stream: BinaryIO) -> Iterator[str]:
    """Lines split on newline only, bad bytes replaced."""
    for raw in iter(stream.readline, b""):
        yield raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", errors="replace")


def _register_add(actions: argparse._SubParsersAction) -> None:
    from bot.cli.db import add_database_arguments

    add = actions.add_parser(
        "add", help="store a store's report of a day",
        description="Read TEXT as the store's report of the day and store the items it gives "
                    "(a later report of the same item and day replaces the earlier). Prints "
                    "the reading as survey parse does, with store and date; exit 0 when the "
                    "report is ok, 1 when it has errors (what could be read is stored), 2 "
                    "for an unknown store or a bad date.")
    add.add_argument("--store", required=True, help="the store's id or exact 门店 name")
    add.add_argument("--date", help="YYYY-MM-DD (default: today)")
    add.add_argument("text", metavar="TEXT", help="the report")
    add_database_arguments(add)
    add.set_defaults(func=add_command)


def add_command(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from bot.cli.db import database_target
    from bot.matching.clock import local_today
    from bot.services.stores import find_store
    from bot.services.survey import record_report
    from bot.services.survey_needs import after_report
    from bot.settings import load_settings
    from storage.database import Database

    tz = load_settings(require_token=False).timezone
    try:
        day = date.fromisoformat(args.date) if args.date else local_today(tz)
    except ValueError:
        return _fail(f"--date {args.date!r} is not a date: use YYYY-MM-DD")

    async def run() -> dict[str, Any] | str:
        async with await Database.open(database_target(args)) as db:
            async with db.write() as uow:
                store = await find_store(uow, args.store)
                if isinstance(store, str):
                    return store
                now = time.time()
                report = await record_report(uow, store, day, args.text, None, now)
                # The needs a short item drafts go to the managers through the outbox.
                await after_report(uow, store, day, now)
                await uow.commit()
                return {**report.to_json(), "store": store.id, "date": day.isoformat()}

    result = asyncio.run(run())
    if isinstance(result, str):
        return _fail(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


def _fail(message: str) -> int:
    print(f"farmdock: {message}", file=sys.stderr)
    return 2
