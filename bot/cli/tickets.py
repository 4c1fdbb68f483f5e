"""``farmdock tickets add|list|show|export``: the supply hotline's tickets without the bot.

``add`` files a ticket as the hotline does (routing, numbering, deadline, the owners told
through the outbox) and prints it. Every command prints JSON of this shape (times ISO
8601 in the platform's time zone; ``caller_phone`` is shown here, on the operator's
command line, and in the bot only to the ticket's owner and the officials of its area)::

    {"number": "RX-20260509-0042", "state": "受理", "category": "缺货",
     "class": "urgent"|"help"|"complaint", "what", "place", "owner_area", "owner_id",
     "filer_id", "caller_name", "caller_phone", "answer", "close_reason", "rating",
     "deadline", "overdue": bool, "escalations", "need_id", "created_at", "updated_at"}

``list`` and ``export`` take the filters ``--state``, ``--region`` (the ticket's place lies
in it), ``--category`` and ``--overdue``; ``export --format xlsx --out FILE`` writes a
workbook of the same columns.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.db import add_database_arguments, database_target
from bot.matching import tickets as rules
from bot.matching.area import AreaError, resolve_area
from bot.matching.model import CITY_NAME, Place
from bot.matching.phones import normalize_phone
from bot.matching.policy import PolicyError
from bot.matching.text import clean_text
from bot.services import tickets
from bot.settings import SettingsError, load_settings
from storage.database import Database, SchemaTooNewError
from storage.interfaces import UnitOfWork
from storage.records import Ticket

FORMATS = ("json", "xlsx")
COLUMNS = (
    ("number", "编号"), ("state", "状态"), ("category", "类别"), ("class", "时限类别"),
    ("what", "内容"), ("place", "地点"), ("owner_area", "承办"), ("caller_name", "来电人"),
    ("caller_phone", "来电电话"), ("answer", "答复"), ("close_reason", "办结原因"),
    ("rating", "回访"), ("deadline", "办理时限"), ("overdue", "已超时"),
    ("escalations", "提级次数"), ("need_id", "求购信息编号"), ("created_at", "受理时间"),
)


class UsageError(ValueError):
    """Bad arguments: printed on one line, exit code 2."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tickets", help="file, list, show or export hotline tickets")
    commands = parser.add_subparsers(dest="tickets_command", metavar="ACTION", required=True)

    def sub(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> Any:
        command = commands.add_parser(name, help=help_text)
        add_database_arguments(command)
        command.set_defaults(func=func)
        return command

    add = sub("add", "file a ticket as the hotline does; prints it as JSON", add_command)
    add.add_argument("--category", required=True, choices=rules.CATEGORIES)
    add.add_argument("--region", required=True,
                     help="where the matter is: a county-level unit or a township")
    add.add_argument("--text", required=True, help="what the caller says")
    add.add_argument("--caller-name", default="")
    add.add_argument("--caller-phone",
                     help="a mobile (13812345678) or a landline with its area code")
    add.add_argument("--class", dest="ticket_class", choices=rules.CLASSES,
                     help="the deadline's class (default: from the words and the category)")

    for name, help_text, func in (
        ("list", "print tickets as JSON", list_command),
        ("export", "write tickets as JSON or an Excel workbook", export_command),
    ):
        command = sub(name, help_text, func)
        command.add_argument("--state", choices=rules.STATES)
        command.add_argument("--region", help="tickets whose place lies in this area")
        command.add_argument("--category", choices=rules.CATEGORIES)
        command.add_argument("--overdue", action="store_true",
                             help="only open tickets past their deadline")
        if name == "export":
            command.add_argument("--format", choices=FORMATS, default="json")
            command.add_argument("--out", help="write to this file (required for xlsx)")

    show = sub("show", "print one ticket as JSON", show_command)
    show.add_argument("number", help="RX-20260509-0042")


def ticket_json(ticket: Ticket, tz: ZoneInfo, now: float) -> dict[str, Any]:
    """The documented JSON of a ticket."""
    def iso(ts: float) -> str:
        return datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")

    return {
        "number": ticket.number, "state": ticket.state, "category": ticket.category,
        "class": ticket.ticket_class, "what": ticket.what,
        "place": ticket.place.label() or CITY_NAME, "owner_area": ticket.owner_area.label,
        "owner_id": ticket.owner_id, "filer_id": ticket.filer_id,
        "caller_name": ticket.caller_name, "caller_phone": ticket.caller_phone,
        "answer": ticket.answer, "close_reason": ticket.close_reason, "rating": ticket.rating,
        "deadline": iso(ticket.deadline_at),
        "overdue": rules.is_overdue(ticket.state, ticket.deadline_at, now),
        "escalations": ticket.escalations, "need_id": ticket.need_id,
        "created_at": iso(ticket.created_at), "updated_at": iso(ticket.updated_at),
    }


def add_command(args: argparse.Namespace) -> int:
    try:
        area = resolve_area(args.region)
        what = clean_text(args.text).strip()
        if not what:
            raise UsageError("--text is empty: say what the caller asks for")
        if len(what) > tickets.MAX_WHAT:
            raise UsageError(f"--text is longer than {tickets.MAX_WHAT} characters")
        phone = None
        if args.caller_phone is not None:
            phone = normalize_phone(args.caller_phone)
            if phone is None:
                raise UsageError(f"--caller-phone {args.caller_phone!r} is not a phone number: "
                                 "give a mobile (13812345678) or a landline with its area code "
                                 "(0375-5678901)")
    except (UsageError, AreaError) as error:
        return _fail(str(error))
    place = Place(city=CITY_NAME, county=area.county, township=area.township)

    async def add(uow: UnitOfWork, tz: ZoneInfo, now: float) -> Any:
        ticket = await tickets.file_ticket(
            uow, filer=None, category=args.category, what=what, place=place, tz=tz, now=now,
            ticket_class=args.ticket_class, caller_name=clean_text(args.caller_name).strip()[:30],
            caller_phone=phone,
        )
        return ticket_json(ticket, tz, now)

    return _run(args, add, write=True)


def _filters(args: argparse.Namespace) -> Callable[[UnitOfWork, ZoneInfo, float],
                                                    Awaitable[list[dict[str, Any]]]]:
    area = resolve_area(args.region) if args.region else None

    async def found(uow: UnitOfWork, tz: ZoneInfo, now: float) -> list[dict[str, Any]]:
        states: tuple[str, ...] = (args.state,) if args.state else ()
        if args.overdue:
            states = tuple(s for s in rules.OPEN_STATES if not states or s in states)
            if not states:
                return []
        matching = await uow.tickets.search(
            states=states, area=area, category=args.category,
            overdue_at=now if args.overdue else None)
        return [ticket_json(t, tz, now) for t in matching]

    return found


def list_command(args: argparse.Namespace) -> int:
    try:
        action = _filters(args)
    except AreaError as error:
        return _fail(str(error))
    return _run(args, action)


def show_command(args: argparse.Namespace) -> int:
    async def show(uow: UnitOfWork, tz: ZoneInfo, now: float) -> Any:
        ticket = await uow.tickets.by_number(args.number.strip().upper())
        if ticket is None:
            raise LookupError(f"no ticket numbered {args.number!r}")
        return ticket_json(ticket, tz, now)

    return _run(args, show)


def export_command(args: argparse.Namespace) -> int:
    try:
        if args.format == "xlsx" and not args.out:
            raise UsageError("--format xlsx writes a binary file: give --out FILE")
        action = _filters(args)
    except (UsageError, AreaError) as error:
        return _fail(str(error))
    if args.format == "json":
        return _run(args, action, out=args.out)
    try:
        rows = _execute(args, action)
    except (SettingsError, SchemaTooNewError, PolicyError, LookupError) as error:
        return _fail(str(error))
    Path(args.out).write_bytes(workbook(rows))
    print(f"{len(rows)} tickets written to {args.out}")
    return 0


def workbook(rows: list[dict[str, Any]]) -> bytes:
    """The tickets as an Excel sheet; text cells are never formulas (see digest_files)."""
    import io

    from openpyxl import Workbook

    from bot.services.digest_files import text_cell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("诉求")
    sheet.append([label for _, label in COLUMNS])
    for row in rows:
        values = [row[key] for key, _ in COLUMNS]
        values = ["是" if v is True else "否" if v is False else v for v in values]
        sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


Action = Callable[[UnitOfWork, ZoneInfo, float], Awaitable[Any]]


def _execute(args: argparse.Namespace, action: Action, *, write: bool = False) -> Any:
    tz = load_settings(require_token=False).timezone

    async def main() -> Any:
        db = await Database.open(database_target(args))
        try:
            if write:
                async with db.write() as uow:
                    result = await action(uow, tz, time.time())
                    await uow.commit()
                return result
            async with db.read() as uow:
                return await action(uow, tz, time.time())
        finally:
            await db.close()

    return asyncio.run(main())


def _run(args: argparse.Namespace, action: Action, *, write: bool = False,
         out: str | None = None) -> int:
    """Run ``action`` in one unit of work and print its result as JSON; errors exit 2."""
    try:
        result = _execute(args, action, write=write)
    except (SettingsError, SchemaTooNewError, PolicyError, LookupError) as error:
        return _fail(str(error))
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def _fail(message: str) -> int:
    print(f"farmdock: {message}", file=sys.stderr)
    return 2
