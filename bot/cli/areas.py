"""``farmdock areas declare|designate|receiver|lift|list|show``: sealed areas (封控区)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.cli.db import add_database_arguments, database_target
from bot.matching.area import AreaError, resolve_area
from bot.matching.sealed import LEVELS
from storage.database import Database
from storage.interfaces import UnitOfWork


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("areas", help="declare, staff and lift sealed areas (封控区)")
    actions = parser.add_subparsers(dest="areas_command", metavar="ACTION", required=True)

    declare = actions.add_parser("declare", help="declare a sealed area in a township")
    declare.add_argument("--name", required=True)
    declare.add_argument("--region", required=True, help="its township, e.g. 宝丰县张八桥镇")
    declare.add_argument("--level", required=True, choices=LEVELS)
    declare.add_argument("--compounds", default="", help="the compounds it covers: a,b")
    declare.add_argument("--start", help="YYYY-MM-DD (default: today)")
    add_database_arguments(declare)
    declare.set_defaults(func=declare_command)

    designate = actions.add_parser("designate", help="designate a registry supplier for it")
    designate.add_argument("--area", required=True, help="the sealed area's id")
    designate.add_argument("--supplier", required=True, help="the supplier's id or exact 名称")
    add_database_arguments(designate)
    designate.set_defaults(func=designate_command)

    receiver = actions.add_parser("receiver", help="make a signed-up user a receiver")
    receiver.add_argument("--area", required=True, help="the sealed area's id")
    receiver.add_argument("--telegram-id", type=int, required=True)
    receiver.add_argument("--point", required=True, help="the delivery point")
    add_database_arguments(receiver)
    receiver.set_defaults(func=receiver_command)

    lift = actions.add_parser("lift", help="lift a sealed area: its needs return to the market")
    lift.add_argument("area", help="the sealed area's id")
    add_database_arguments(lift)
    lift.set_defaults(func=lift_command)

    listing = actions.add_parser("list", help="the sealed areas, active and lifted")
    listing.add_argument("--region", default="平顶山市")
    listing.add_argument("--format", choices=("json",), default="json")
    add_database_arguments(listing)
    listing.set_defaults(func=list_command)

    show = actions.add_parser("show", help="one sealed area with its suppliers and receivers")
    show.add_argument("area", help="the sealed area's id")
    show.add_argument("--format", choices=("json",), default="json")
    add_database_arguments(show)
    show.set_defaults(func=show_command)


def _fail(message: str) -> int:
    print(f"farmdock: {message}", file=sys.stderr)
    return 2


Work = Callable[[UnitOfWork, Database], Awaitable["dict[str, Any] | list[Any] | str"]]


def _run(args: argparse.Namespace, work: Work, *, write: bool = True) -> int:
    """Run ``work`` in one unit of work; print its JSON, or fail with its reason."""

    async def run() -> dict[str, Any] | list[Any] | str:
        async with await Database.open(database_target(args)) as db:
            if not write:
                async with db.read() as uow:
                    return await work(uow, db)
            async with db.write() as uow:
                found = await work(uow, db)
                if not isinstance(found, str):
                    await uow.commit()
                return found

    found = asyncio.run(run())
    if isinstance(found, str):
        return _fail(found)
    print(json.dumps(found, ensure_ascii=False))
    return 0


def _today() -> str:
    from bot.matching.clock import local_today
    from bot.settings import load_settings

    return local_today(load_settings(require_token=False).timezone).isoformat()


def declare_command(args: argparse.Namespace) -> int:
    from bot.services import sealed_areas

    try:
        area = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))
    start = args.start or _today()

    async def work(uow: UnitOfWork, db: Database) -> dict[str, Any] | str:
        found = await sealed_areas.declare(
            uow, name=args.name, area=area, level=args.level, compounds_text=args.compounds,
            start=start, by=None, now=time.time())
        return found if isinstance(found, str) else await sealed_areas.area_json(uow, found)

    return _run(args, work)


def designate_command(args: argparse.Namespace) -> int:
    from bot.services import sealed_areas

    async def work(uow: UnitOfWork, db: Database) -> dict[str, Any] | str:
        area = await sealed_areas.active_area(uow, args.area)
        if isinstance(area, str):
            return area
        done = await sealed_areas.designate(uow, area, args.supplier, time.time())
        return done if isinstance(done, str) else await sealed_areas.area_json(uow, area)

    return _run(args, work)


def receiver_command(args: argparse.Namespace) -> int:
    from bot.services import sealed_areas

    async def work(uow: UnitOfWork, db: Database) -> dict[str, Any] | str:
        area = await sealed_areas.active_area(uow, args.area)
        if isinstance(area, str):
            return area
        done = await sealed_areas.add_receiver(uow, area, args.telegram_id, args.point,
                                               time.time())
        return done if isinstance(done, str) else await sealed_areas.area_json(uow, area)

    return _run(args, work)


def lift_command(args: argparse.Namespace) -> int:
    from bot.matching.clock import local_today
    from bot.services import sealed_areas
    from bot.services.match_index import ListingIndex
    from bot.settings import load_settings

    tz = load_settings(require_token=False).timezone

    async def work(uow: UnitOfWork, db: Database) -> dict[str, Any] | str:
        area = await sealed_areas.active_area(uow, args.area)
        if isinstance(area, str):
            return area
        now = time.time()
        index = ListingIndex(db)
        lifted = await sealed_areas.lift(uow, index, area, by=None,
                                         today=local_today(tz, now), now=now)
        if isinstance(lifted, str):
            return lifted
        return {**await sealed_areas.area_json(uow, lifted.area),
                "rematched": lifted.rematched, "told": lifted.told}

    return _run(args, work)


def list_command(args: argparse.Namespace) -> int:
    from bot.services import sealed_areas

    try:
        region = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))

    async def work(uow: UnitOfWork, db: Database) -> list[Any]:
        return [await sealed_areas.area_json(uow, a)
                for a in await uow.sealed_areas.listed(region)]

    return _run(args, work, write=False)


def show_command(args: argparse.Namespace) -> int:
    from bot.services import sealed_areas
    from bot.texts.sealed_areas import NO_SUCH_AREA

    async def work(uow: UnitOfWork, db: Database) -> dict[str, Any] | str:
        found = (await uow.sealed_areas.get(int(args.area))
                 if args.area.strip().isdigit() else None)
        if found is None:
            return NO_SUCH_AREA.format(area=args.area)
        return await sealed_areas.area_json(uow, found)

    return _run(args, work, write=False)
