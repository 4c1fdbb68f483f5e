"""``farmdock officers assign|todo``: supply-assurance officers (保供服务官) and their stores."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date
from typing import Any

from bot.cli.db import add_database_arguments, database_target
from storage.database import Database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("officers", help="assign officers to stores, their to-do")
    actions = parser.add_subparsers(dest="officers_command", metavar="ACTION", required=True)
    assign = actions.add_parser(
        "assign", help="make an official the officer of stores",
        description="Make official N the supply-assurance officer of each store S (its id or "
                    "exact 门店 name), replacing any officer before; the store must be in the "
                    "official's area. Prints the stores assigned as JSON.")
    assign.add_argument("--official", type=int, required=True, metavar="N",
                        help="the official's Telegram id")
    assign.add_argument("--store", nargs="+", required=True, metavar="S")
    add_database_arguments(assign)
    assign.set_defaults(func=assign_command)
    todo = actions.add_parser("todo", help="print an officer's to-do list as JSON")
    todo.add_argument("--official", type=int, required=True, metavar="N")
    todo.add_argument("--date", help="YYYY-MM-DD (default: today)")
    add_database_arguments(todo)
    todo.set_defaults(func=todo_command)


def _fail(message: str) -> int:
    print(f"farmdock: {message}", file=sys.stderr)
    return 2


def assign_command(args: argparse.Namespace) -> int:
    from bot.services.officers import assign
    from bot.services.stores import find_store

    async def run() -> list[dict[str, Any]] | str:
        async with await Database.open(database_target(args)) as db:
            async with db.write() as uow:
                official = await uow.users.get(args.official)
                if official is None:
                    return f"--official {args.official}: no such user"
                done = []
                for text in args.store:
                    store = await find_store(uow, text)
                    if isinstance(store, str):
                        return store
                    refused = await assign(uow, store, official, None, time.time())
                    if refused is not None:
                        return refused
                    done.append({"store": store.id, "name": store.name,
                                 "official": official.telegram_id})
                await uow.commit()  # all the stores, or none
                return done

    result = asyncio.run(run())
    if isinstance(result, str):
        return _fail(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def todo_command(args: argparse.Namespace) -> int:
    from bot.matching.clock import local_today
    from bot.services.officers import officer_todo
    from bot.settings import load_settings

    tz = load_settings(require_token=False).timezone
    try:
        day = date.fromisoformat(args.date) if args.date else local_today(tz)
    except ValueError:
        return _fail(f"--date {args.date!r} is not a date: use YYYY-MM-DD")

    async def run() -> dict[str, Any] | str:
        async with await Database.open(database_target(args)) as db:
            async with db.read() as uow:
                official = await uow.users.get(args.official)
                if official is None or official.role != "official":
                    return f"--official {args.official}: no such official"
                todo = await officer_todo(uow, official, day, time.time())
                return {"official": official.telegram_id, "date": day.isoformat(),
                        "stores": [s.id for s in todo.stores],
                        "entries": [{"kind": e.kind, "store": e.store_id, "text": e.text,
                                     "listing": e.listing_id} for e in todo.entries]}

    result = asyncio.run(run())
    if isinstance(result, str):
        return _fail(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0
