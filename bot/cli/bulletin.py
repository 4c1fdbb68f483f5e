"""``farmdock bulletin``: the day's public price bulletin (日发布) as text, JSON or a PNG.

JSON::

    {"date", "bureau", "region", "points",
     "items": [{"product", "category", "spec", "unit", "avg", "change_1d_pct"}],
     "categories": [{"category", "reported", "rises", "falls", "sentence"}]}
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.cli.db import add_database_arguments, database_target
from bot.cli.prices import UsageError, fail, parse_day, run_in_unit_of_work
from bot.settings import SettingsError, load_settings
from storage.database import is_postgresql
from storage.interfaces import UnitOfWork

FORMATS = ("text", "json", "png")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bulletin", help="the day's public price bulletin (text, JSON or a PNG to repost)")
    parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--out", help="write to this file (required for png)")
    add_database_arguments(parser)
    parser.set_defaults(func=bulletin_command)


def bulletin_command(args: argparse.Namespace) -> int:
    from bot.services.bulletin import bulletin_json, bulletin_png, bulletin_text, load_bulletin

    try:
        day = parse_day(args.date)
        bureau = load_settings(require_token=False).bureau_name
        if args.format == "png" and not args.out:
            raise UsageError("--format png writes an image: give --out FILE")
        target = database_target(args)
        if not is_postgresql(target) and not Path(target).is_file():
            raise UsageError(f"no database at {target}: run `farmdock migrate` or give --db")
    except (UsageError, SettingsError) as error:
        return fail(str(error))

    async def load(uow: UnitOfWork) -> Any:
        return await load_bulletin(uow, day, bureau)

    def show(bulletin: Any) -> None:
        if args.format == "png":
            Path(args.out).write_bytes(bulletin_png(bulletin))
            print(f"{bulletin.title} {day.isoformat()} written to {args.out}")
            return
        output = (json.dumps(bulletin_json(bulletin), ensure_ascii=False, indent=2)
                  if args.format == "json" else bulletin_text(bulletin))
        if args.out:
            Path(args.out).write_text(output + "\n", encoding="utf-8")
        else:
            print(output)

    return run_in_unit_of_work(args, load, show=show)
