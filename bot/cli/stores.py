"""``farmdock stores import|add|list|link``: the stores and markets of the daily survey."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from bot.cli._importing import add_import_arguments, run_import
from bot.cli.db import add_database_arguments, database_target
from bot.matching.area import AreaError, resolve_area
from storage.database import Database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("stores", help="import, add, list stores of the survey")
    actions = parser.add_subparsers(dest="stores_command", metavar="ACTION", required=True)

    importing = actions.add_parser(
        "import", help="add or update stores from an xlsx or csv file",
        description="Columns 连锁企业, 门店, 类型 (超市/农贸市场/社区店), 县区, 乡镇街道, "
                    "店长电话. "
                    "A dry run unless --apply; re-importing updates by 连锁企业 + 门店. Exit 0 "
                    "when no row was rejected, 1 when some were, 2 for an unreadable file.")
    add_import_arguments(importing)
    importing.set_defaults(func=import_command)

    add = actions.add_parser("add", help="add or update one store")
    add.add_argument("--chain", default="", help="连锁企业 (empty for a market of its own)")
    add.add_argument("--name", required=True, help="门店")
    add.add_argument("--type", required=True, help="超市, 农贸市场 or 社区店")
    add.add_argument("--region", required=True,
                     help="county-level unit and township, e.g. 宝丰县张八桥镇")
    add.add_argument("--manager-phone", default="", help="店长电话")
    add.add_argument("--manager", type=int, action="append", default=[], metavar="TELEGRAM_ID",
                     help="link a signed-up user as a manager (repeatable)")
    add_database_arguments(add)
    add.set_defaults(func=add_command)

    listing = actions.add_parser("list", help="print the stores")
    listing.add_argument("--region", default="平顶山市")
    listing.add_argument("--format", choices=("json", "text"), default="json")
    add_database_arguments(listing)
    listing.set_defaults(func=list_command)

    link = actions.add_parser("link", help="link a signed-up user to a store as its manager")
    link.add_argument("--store", required=True, help="the store's id or exact 门店 name")
    link.add_argument("--user", type=int, required=True, metavar="TELEGRAM_ID")
    add_database_arguments(link)
    link.set_defaults(func=link_command)


def import_command(args: argparse.Namespace) -> int:
    from bot.services import stores

    async def apply(uow: Any, good: Sequence[Any]) -> None:
        now = time.time()
        for row in good:
            await stores.save_store(uow, row.value, now)

    return run_import(args, columns=stores.IMPORT_COLUMNS, noun="家", check=stores.check_row,
                      exists=stores.store_exists, apply=apply)


def _fail(message: str) -> int:
    print(f"farmdock: {message}", file=sys.stderr)
    return 2


def store_json(store: Any, managers: Sequence[int], officer: int | None) -> dict[str, Any]:
    return {"id": store.id, "chain": store.chain, "name": store.name, "type": store.type,
            "county": store.county, "township": store.township,
            "manager_phone": store.manager_phone, "managers": list(managers),
            "officer": officer}


def add_command(args: argparse.Namespace) -> int:
    from bot.services import stores

    try:
        area = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))
    if area.county is None:
        return _fail(f"--region {args.region!r}: a store is in a county-level unit")
    checked = stores.check_store(args.chain, args.name, args.type, area.county,
                                 area.township or "", args.manager_phone)
    if isinstance(checked, str):
        return _fail(checked)

    async def run() -> dict[str, Any] | str:
        async with await Database.open(database_target(args)) as db:
            async with db.write() as uow:
                now = time.time()
                for user_id in args.manager:
                    if await uow.users.get(user_id) is None:
                        return f"--manager {user_id}: no such user"
                store, _added = await stores.save_store(uow, checked, now)
                for user_id in args.manager:
                    await uow.survey.link_manager(store.id, user_id, now)
                result = store_json(store, await uow.survey.managers(store.id),
                                    await uow.survey.officer_of(store.id))
                await uow.commit()
                return result

    result = asyncio.run(run())
    if isinstance(result, str):
        return _fail(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def list_command(args: argparse.Namespace) -> int:
    try:
        area = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))

    async def run() -> list[dict[str, Any]]:
        async with await Database.open(database_target(args)) as db:
            async with db.read() as uow:
                found = await uow.survey.stores_in(area)
                ids = [s.id for s in found]
                managers = await uow.survey.managers_of(ids)
                officers = await uow.survey.officers_of(ids)
                return [store_json(s, managers.get(s.id, []), officers.get(s.id))
                        for s in found]

    found = asyncio.run(run())
    if args.format == "json":
        print(json.dumps(found, ensure_ascii=False))
    else:
        for s in found:
            print(f"{s['id']}\t{s['chain']}\t{s['name']}\t{s['type']}\t{s['county']}"
                  f"{s['township'] or ''}")
    return 0


def link_command(args: argparse.Namespace) -> int:
    from bot.services import stores

    async def run() -> str | None:
        async with await Database.open(database_target(args)) as db:
            async with db.write() as uow:
                store = await stores.find_store(uow, args.store)
                if isinstance(store, str):
                    return store
                if await uow.users.get(args.user) is None:
                    return f"--user {args.user}: no such user"
                await uow.survey.link_manager(store.id, args.user, time.time())
                await uow.commit()
                return None

    problem = asyncio.run(run())
    return _fail(problem) if problem else 0
