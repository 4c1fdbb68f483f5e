"""``farmdock points add|list|remove``: the monitoring points (监测点) of the daily prices.

Output is JSON. ``--point`` (here and in ``farmdock prices``) takes a point's id or its
exact name.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bot.cli.db import add_database_arguments
from bot.cli.prices import run_in_unit_of_work
from bot.matching.area import resolve_area
from bot.matching.text import clean_text
from bot.services.prices import POINT_TYPES, add_point, find_point, point_json, remove_point
from storage.interfaces import UnitOfWork


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "points", help="add, list or remove price monitoring points (监测点)")
    commands = parser.add_subparsers(dest="points_command", metavar="ACTION", required=True)

    add = commands.add_parser("add", help="add a monitoring point; prints it as JSON with its id")
    add.add_argument("--name", required=True, type=lambda s: clean_text(s).strip())
    add.add_argument("--type", required=True, choices=POINT_TYPES)
    add.add_argument("--region", required=True,
                     help="its county-level unit (宝丰县) or township (宝丰县张八桥镇)")
    add.add_argument("--telegram-id", type=int,
                     help="link this user to the point as its reporter")
    add_database_arguments(add)
    add.set_defaults(func=add_command)

    listing = commands.add_parser("list", help="print the live points as a JSON list")
    listing.add_argument("--region", help="only the points of this area")
    add_database_arguments(listing)
    listing.set_defaults(func=list_command)

    remove = commands.add_parser(
        "remove", help="stop monitoring a point (its reports are kept)")
    remove.add_argument("point", nargs="?", metavar="POINT", help="the point's id or exact name")
    remove.add_argument("--point", dest="point_option", metavar="POINT")
    add_database_arguments(remove)
    remove.set_defaults(func=remove_command)


def add_command(args: argparse.Namespace) -> int:
    async def add(uow: UnitOfWork) -> dict[str, Any]:
        area = resolve_area(args.region)
        point = await add_point(uow, name=args.name, type=args.type, area=area, now=time.time(),
                                telegram_id=args.telegram_id)
        reporters = [args.telegram_id] if args.telegram_id is not None else []
        return point_json(point, reporters)

    return run_in_unit_of_work(args, add)


def list_command(args: argparse.Namespace) -> int:
    async def listed(uow: UnitOfWork) -> list[dict[str, Any]]:
        area = resolve_area(args.region) if args.region else None
        points = await uow.prices.points(area)
        reporters = await uow.prices.reporters([p.id for p in points])
        return [point_json(p, reporters.get(p.id, [])) for p in points]

    return run_in_unit_of_work(args, listed)


def remove_command(args: argparse.Namespace) -> int:
    ref = args.point_option or args.point

    async def remove(uow: UnitOfWork) -> dict[str, Any]:
        if not ref:
            raise ValueError("name the point to remove: farmdock points remove POINT")
        point = await find_point(uow, ref)
        await remove_point(uow, point, time.time())
        return {"id": point.id, "name": point.name, "removed": True}

    return run_in_unit_of_work(args, remove)
