"""``farmdock deliveries --date D [--area A] --format json|xlsx``: delivery tasks into sealed
areas, open and late ones and totals per area."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli.db import add_database_arguments, database_target
from bot.matching.area import AreaError, resolve_area
from storage.database import Database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("deliveries",
                                   help="delivery tasks into sealed areas on one day")
    parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
    parser.add_argument("--area", type=int, help="one sealed area's id")
    parser.add_argument("--region", default="平顶山市", help="the sealed areas of this area")
    parser.add_argument("--format", choices=("json", "xlsx"), default="json")
    parser.add_argument("--out", help="where to write the xlsx (default: deliveries-D.xlsx)")
    add_database_arguments(parser)
    parser.set_defaults(func=deliveries_command)


def _fail(message: str) -> int:
    print(f"farmdock: {message}", file=sys.stderr)
    return 2


def deliveries_command(args: argparse.Namespace) -> int:
    from bot.matching.clock import local_today
    from bot.services.delivery_report import deliveries_workbook, delivery_report
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings(require_token=False)
    except SettingsError as error:
        return _fail(str(error))
    tz = settings.timezone
    try:
        day = date.fromisoformat(args.date) if args.date else local_today(tz)
    except ValueError:
        return _fail(f"--date {args.date!r}: use YYYY-MM-DD")
    try:
        region = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))

    async def run() -> dict[str, Any] | str:
        async with await Database.open(database_target(args)) as db:
            async with db.read() as uow:
                if args.area is not None and await uow.sealed_areas.get(args.area) is None:
                    return f"--area {args.area}: no such sealed area"
                return await delivery_report(uow, day, tz, late_hours=settings.delivery_late_hours,
                                             now=time.time(), region=region, area_id=args.area)

    report = asyncio.run(run())
    if isinstance(report, str):
        return _fail(report)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False))
        return 0
    out = Path(args.out or f"deliveries-{day.isoformat()}.xlsx")
    try:
        out.write_bytes(deliveries_workbook(report))
    except OSError as error:
        return _fail(f"--out {out}: {error.strerror}")
    print(out)
    return 0
