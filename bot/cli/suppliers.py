"""``farmdock suppliers import|list|link``: the emergency supplier registry (应急商品供应数据库)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.cli._importing import add_import_arguments, run_import
from bot.cli.db import add_database_arguments, database_target
from bot.matching.area import AreaError, resolve_area
from storage.database import Database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("suppliers", help="import, list, link registry suppliers")
    actions = parser.add_subparsers(dest="suppliers_command", metavar="ACTION", required=True)

    importing = actions.add_parser(
        "import", help="add or update registry suppliers from an xlsx or csv file",
        description="Columns 名称, 类型, 统一社会信用代码, 县区, 乡镇街道, 联系人, 电话, 供应产品 "
                    "(猪肉500斤/日；鸡蛋2吨/周), 标记 (保供骨干企业). A dry run unless --apply; "
                    "re-importing updates by 统一社会信用代码, else 名称 + 乡镇. Exit 0 when no "
                    "row was rejected, 1 when some were, 2 for an unreadable file.")
    add_import_arguments(importing)
    importing.set_defaults(func=import_command)

    listing = actions.add_parser("list", help="print or export the registry's suppliers")
    listing.add_argument("--product", help="only suppliers of this product (any of its names)")
    listing.add_argument("--region", default="平顶山市")
    listing.add_argument("--format", choices=("json", "xlsx"), default="json")
    listing.add_argument("--out", help="where to write the xlsx (default: suppliers.xlsx)")
    add_database_arguments(listing)
    listing.set_defaults(func=list_command)

    link = actions.add_parser("link", help="link a signed-up user to a registry supplier")
    link.add_argument("--supplier", required=True, help="the supplier's id or exact 名称")
    link.add_argument("--user", type=int, required=True, metavar="TELEGRAM_ID")
    add_database_arguments(link)
    link.set_defaults(func=link_command)


def _fail(message: str) -> int:
    print(f"farmdock: {message}", file=sys.stderr)
    return 2


def import_command(args: argparse.Namespace) -> int:
    from bot.services import suppliers

    known: set[str] | None = None

    async def exists(uow: Any, key: str) -> bool:
        nonlocal known
        if known is None:  # one query for the whole file, not one per row
            known = await uow.suppliers.keys()
        return key in known

    async def apply(uow: Any, good: Sequence[Any]) -> None:
        await suppliers.save_suppliers(uow, [g.value for g in good], time.time())

    return run_import(args, columns=suppliers.IMPORT_COLUMNS, noun="家",
                      check=suppliers.check_row, exists=exists, apply=apply)


def list_command(args: argparse.Namespace) -> int:
    from bot.matching.catalogue import get_catalogue
    from bot.services.supplier_files import supplier_json, suppliers_workbook

    try:
        area = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))
    product = None
    if args.product is not None:
        found_product = get_catalogue().lookup(args.product)
        if found_product is None:
            return _fail(f"--product {args.product!r}: not a product of the catalogue")
        product = found_product.name

    async def run() -> list[dict[str, Any]]:
        async with await Database.open(database_target(args)) as db:
            async with db.read() as uow:
                found = await uow.suppliers.search(area, product)
                ids = [s.id for s in found]
                capacities = await uow.suppliers.capacities(ids)
                linked = await uow.suppliers.users_of(ids)
                return [supplier_json(s, capacities.get(s.id, []), linked.get(s.id, []))
                        for s in found]

    found = asyncio.run(run())
    if args.format == "json":
        print(json.dumps(found, ensure_ascii=False))
        return 0
    out = Path(args.out or "suppliers.xlsx")
    try:
        out.write_bytes(suppliers_workbook(found))
    except OSError as error:
        return _fail(f"--out {out}: {error.strerror}")
    print(out)
    return 0


def link_command(args: argparse.Namespace) -> int:
    from bot.services.suppliers import find_supplier

    async def run() -> str | None:
        async with await Database.open(database_target(args)) as db:
            async with db.write() as uow:
                supplier = await find_supplier(uow, args.supplier)
                if isinstance(supplier, str):
                    return supplier
                if await uow.users.get(args.user) is None:
                    return f"--user {args.user}: no such user"
                await uow.suppliers.link_user(supplier.id, args.user, time.time())
                await uow.commit()
                return None

    problem = asyncio.run(run())
    return _fail(problem) if problem else 0
