"""``farmdock stock``: the day's survey table, days of stock per store and item."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli.db import add_database_arguments, database_target
from bot.matching.area import AreaError, resolve_area
from storage.database import Database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stock", help="days of stock per store and item on a day",
        description="The day's survey table: per store and item the stock, the average daily "
                    "sales, the days of stock and the status "
                    "(充足/偏紧/告急/断货/无销量/无法换算); "
                    "per county-level unit and item the stores reporting, the median days and "
                    "the stores 偏紧/告急/断货.")
    parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
    parser.add_argument("--region", default="平顶山市",
                        help="平顶山市, a county-level unit or a township")
    parser.add_argument("--format", choices=("text", "json", "xlsx"), default="text")
    parser.add_argument("--out", help="where to write the xlsx (default: stock-DATE.xlsx)")
    add_database_arguments(parser)
    parser.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"farmdock: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from bot.matching.clock import local_today
    from bot.services.survey import survey_day
    from bot.services.survey_files import stock_lines, stock_workbook
    from bot.settings import load_settings

    tz = load_settings(require_token=False).timezone
    try:
        day = date.fromisoformat(args.date) if args.date else local_today(tz)
    except ValueError:
        return _fail(f"--date {args.date!r} is not a date: use YYYY-MM-DD")
    try:
        area = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))

    async def load() -> Any:
        async with await Database.open(database_target(args)) as db:
            async with db.read() as uow:
                return await survey_day(uow, day, area)

    found = asyncio.run(load())
    if args.format == "json":
        print(json.dumps({
            "date": day.isoformat(), "region": area.label, "stores_expected": found.expected,
            "stores_reported": found.reported, "stores": [r.to_json() for r in found.rows],
            "areas": [a.to_json() for a in found.areas]}, ensure_ascii=False))
    elif args.format == "xlsx":
        out = Path(args.out or f"stock-{day.isoformat()}.xlsx")
        out.write_bytes(stock_workbook(found))
        print(out)
    else:
        print("\n".join(stock_lines(found)))
    return 0
