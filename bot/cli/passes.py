"""``farmdock passes apply|approve|reject|revoke|list|verify``: transport passes without the
bot, for operators and scripts; the same use cases and checks as the bot.

Who acts is named by Telegram id (``--by``) and checked as in the bot: an official of
the county-level unit of an in-city end approves, rejects and revokes. ``--format json``
prints JSON; operator errors are one line on stderr and exit 2.

``verify TOKEN`` exits 0 for a valid pass and 1 for any invalid token (garbage
included), printing ``{"valid": bool, "reason": str|null, "pass": {…}|null}`` with
``--format json``: ``reason`` is null for a valid pass, else one of 签名无效, 未知,
已吊销, 未生效, 已过期; ``pass`` is null when the token is not genuine or names no
issued pass, and never holds phone numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.db import add_database_arguments, in_unit_of_work
from bot.cli.users import _bot_username
from bot.matching.area import CITY, AreaError, resolve_area
from bot.matching.clock import local_today
from bot.matching.days import read_day
from bot.matching.passes import (
    PassInputError,
    check_validity,
    read_category,
    read_crew,
    read_endpoint,
    read_plate,
    token_in,
)
from bot.services.digest_text import to_plain
from bot.settings import Settings, SettingsError, load_settings
from bot.texts import passes as texts
from storage.database import SchemaTooNewError
from storage.interfaces import UnitOfWork
from storage.records import User

if TYPE_CHECKING:
    from types import ModuleType

STATUSES = ("pending", "approved", "rejected", "revoked")


class _Failure(Exception):
    """One line for stderr, exit 2."""


class _TokenParser(argparse.ArgumentParser):
    """Takes an argument that starts with - but is none of its options as a value: a token
    altered into ``-QBf…`` must verify as invalid (exit 1), not stop at a usage error."""

    def _parse_optional(self, arg_string: str) -> Any:
        name = arg_string.split("=", 1)[0]
        if arg_string.startswith("-") and name not in self._option_string_actions:
            return None
        return super()._parse_optional(arg_string)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "passes", help="apply for, decide, revoke, list and verify transport passes")
    commands = parser.add_subparsers(dest="passes_command", metavar="ACTION", required=True,
                                     parser_class=_TokenParser)

    def sub(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> Any:
        command = commands.add_parser(name, help=help_text, description=help_text)
        add_database_arguments(command)
        command.add_argument("--format", choices=("text", "json"), default="text")
        command.set_defaults(func=func)
        return command

    apply = sub("apply", "file an application (pending until an official decides)",
                apply_command)
    apply.add_argument("--applicant", type=int, required=True,
                       help="Telegram id of whom the pass is for")
    apply.add_argument("--by", type=int,
                       help="Telegram id of who applies (default: the applicant; staff may "
                            "apply on someone's behalf)")
    apply.add_argument("--plate", required=True, help="豫D12345")
    apply.add_argument("--driver", required=True, help="name and phone: '张师傅 13812345678'")
    apply.add_argument("--crew", action="append", default=[],
                       help="a crew member, name and phone (repeat for each)")
    apply.add_argument("--category", required=True, help="goods category: 蔬菜, 粮油 …")
    apply.add_argument("--origin", required=True, help="宝丰县, or a place outside: 郑州市")
    apply.add_argument("--destination", required=True, help="叶县, or a place outside")
    apply.add_argument("--from", dest="valid_from", required=True,
                       help="first day of validity (2022-05-10, 5月10日)")
    apply.add_argument("--until", dest="valid_until", required=True,
                       help="last day of validity, included")

    approve = sub("approve", "approve a pending application: it gets its number and token",
                  approve_command)
    approve.add_argument("pass_id", type=int, metavar="ID")
    approve.add_argument("--by", type=int, required=True, help="Telegram id of the official")
    approve.add_argument("--bot-username",
                         help="the bot's @username for the QR link when FARMDOCK_TOKEN is not set")
    approve.add_argument("--image-out", type=Path, help="also write the pass image (PNG) here")

    for name, help_text, func in (
        ("reject", "reject a pending application, with a reason", reject_command),
        ("revoke", "revoke an approved pass, with a reason", revoke_command),
    ):
        command = sub(name, help_text, func)
        command.add_argument("pass_id", metavar="ID|NUMBER",
                             help="the application id, or the pass's 12-digit number")
        command.add_argument("--by", type=int, required=True, help="Telegram id of the official")
        command.add_argument("--reason", required=True)

    listing = sub("list", "list passes of an area (phones included: for operators)",
                  list_command)
    listing.add_argument("--region", default="平顶山市",
                         help="平顶山市 or a county-level unit: passes from or to it")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--xlsx", type=Path, metavar="FILE",
                         help="also write the register as an Excel workbook")

    verify = sub("verify", "check a pass's token: exit 0 valid, 1 invalid", verify_command)
    verify.add_argument("token", help="the code after ?start=p in the QR link, or the link")
    verify.add_argument("--on", help="check as of this day (default: today in FARMDOCK_TZ)")


# ---------------------------------------------------------------- the commands


def apply_command(args: argparse.Namespace) -> int:
    settings = _settings()
    try:
        crew = read_crew("\n".join([args.driver, *args.crew]))
        plate = read_plate(args.plate)
        category = read_category(args.category)
        origin, destination = read_endpoint(args.origin), read_endpoint(args.destination)
        today = local_today(settings.timezone)
        first, last = _day(args.valid_from, today), _day(args.valid_until, today)
        check_validity(first, last)
    except PassInputError as error:
        return _fail(to_plain(texts.input_error(error.code, error.params)))
    passes = _service()
    application = passes.PassApplication(plate, crew, category, origin, destination,
                                         first, last)

    async def body(uow: UnitOfWork) -> dict[str, Any]:
        applicant = await _user(uow, args.applicant)
        actor = applicant if args.by in (None, args.applicant) else await _user(uow, args.by)
        filed = await passes.apply(uow, actor, application, now=time.time(),
                                   applicant=applicant)
        return passes.as_json(filed, phones=True)

    return _run(args, body, lambda p: f"application {p['id']} filed (pending)")


def approve_command(args: argparse.Namespace) -> int:
    settings = _settings()
    passes = _service()
    if not settings.pass_secret:
        return _fail("FARMDOCK_PASS_SECRET is not set: passes cannot be issued without it")
    try:
        username = args.bot_username or asyncio.run(_bot_username())
    except SettingsError as error:
        return _fail(str(error))
    if not username:
        return _fail("cannot tell the bot's username: set FARMDOCK_TOKEN or pass --bot-username")

    async def body(uow: UnitOfWork) -> dict[str, Any]:
        actor = await _user(uow, args.by)
        issued = await passes.approve(uow, actor, args.pass_id, secret=settings.pass_secret,
                                      bot_username=username, tz=settings.timezone,
                                      now=time.time())
        if args.image_out is not None:
            args.image_out.write_bytes(issued.image)
        return {**passes.as_json(issued.record, phones=True), "token": issued.token,
                "link": issued.link}

    return _run(args, body, lambda p: f"pass {p['number']} approved\n{p['link']}")


def reject_command(args: argparse.Namespace) -> int:
    passes = _service()
    async def body(uow: UnitOfWork) -> dict[str, Any]:
        actor = await _user(uow, args.by)
        done = await passes.reject(uow, actor, await _pass_id(uow, args.pass_id), args.reason,
                                   now=time.time())
        return passes.as_json(done, phones=True)

    return _run(args, body, lambda p: f"application {p['id']} rejected")


def revoke_command(args: argparse.Namespace) -> int:
    passes = _service()
    async def body(uow: UnitOfWork) -> dict[str, Any]:
        actor = await _user(uow, args.by)
        done = await passes.revoke(uow, actor, await _pass_id(uow, args.pass_id), args.reason,
                                   now=time.time())
        return passes.as_json(done, phones=True)

    return _run(args, body, lambda p: f"pass {p['number']} revoked")


def list_command(args: argparse.Namespace) -> int:
    settings = _settings()
    passes = _service()
    try:
        area = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))
    if area.township is not None:
        return _fail(f"--region {args.region!r} is a township: passes are listed by "
                     "county-level unit or for the whole city")

    async def body(uow: UnitOfWork) -> list[dict[str, Any]]:
        found = await uow.passes.in_area(area or CITY, status=args.status)
        if args.xlsx is not None:
            args.xlsx.write_bytes(await asyncio.to_thread(
                passes.register_workbook, found, settings.timezone))
        return [passes.as_json(p, phones=True) for p in found]

    return _run(args, body, lambda rows: "\n".join(
        f"{p['id']}\t{p['number'] or '-'}\t{texts.STATUS_NAMES[p['status']]}\t{p['plate']}\t"
        f"{p['origin']}→{p['destination']}\t{p['valid_from']}~{p['valid_until']}"
        for p in rows))


def verify_command(args: argparse.Namespace) -> int:
    settings = _settings()
    passes = _service()
    if not settings.pass_secret:
        return _fail("FARMDOCK_PASS_SECRET is not set: passes cannot be checked without it")
    today = local_today(settings.timezone)
    if args.on is not None:
        on = read_day(args.on, today)
        if on is None:
            return _fail(f"--on {args.on!r} is not a day: give e.g. 2022-05-10")
        today = on
    token = token_in(args.token)  # the token, p + token, or the whole link

    async def body(uow: UnitOfWork) -> dict[str, Any]:
        found = await passes.verify(uow, token, secret=settings.pass_secret, today=today)
        return passes.verification_json(found)

    def text(result: dict[str, Any]) -> str:
        if result["valid"]:
            p = result["pass"]
            return (f"有效 {p['number']} {p['plate']} {p['origin']}→{p['destination']} "
                    f"{p['category']} {p['valid_from']}~{p['valid_until']}")
        p = result["pass"]
        return f"无效：{result['reason']}" + (f" {p['number']} {p['plate']}" if p else "")

    return _run(args, body, text, writes=False,
                exit_code=lambda result: 0 if result["valid"] else 1)


# ---------------------------------------------------------------- shared


def _service() -> ModuleType:
    """The use cases, imported when a command runs: they bring the image and spreadsheet
    libraries, which discovering the subcommands must not load."""
    from bot.services import passes

    return passes


def _settings() -> Settings:
    return load_settings(require_token=False)


def _day(text: str, today: date) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    found = read_day(text, today)
    if found is None:
        raise PassInputError("bad_day", day=text[:20])
    return found


async def _user(uow: UnitOfWork, telegram_id: int) -> User:
    user = await uow.users.get(telegram_id)
    if user is None:
        raise _Failure(f"no user with telegram id {telegram_id}")
    return user


async def _pass_id(uow: UnitOfWork, given: str) -> int:
    """An application id, or a pass number (12 digits)."""
    if len(given) == 12 and given.isdigit():
        found = await uow.passes.by_number(given)
        if found is None:
            raise _Failure(f"no pass numbered {given}")
        return found.id
    if not given.isdigit():
        raise _Failure(f"{given!r} is neither an application id nor a 12-digit pass number")
    return int(given)


def _run(args: argparse.Namespace, action: Callable[[UnitOfWork], Awaitable[Any]],
         text: Callable[[Any], str], *, writes: bool = True,
         exit_code: Callable[[Any], int] = lambda _: 0) -> int:
    """Open the database, run ``action`` in one unit of work, print its result and exit
    with ``exit_code(result)``; refusals and operator errors exit 2 with one line."""

    try:
        result = asyncio.run(in_unit_of_work(args, action, writes=writes))
    except _service().PassRefused as refused:
        return _fail(to_plain(_service().REFUSALS[refused.code]))
    except PassInputError as error:
        return _fail(to_plain(texts.input_error(error.code, error.params)))
    except (_Failure, SettingsError, SchemaTooNewError, AreaError) as error:
        return _fail(str(error))
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.format == "json"
          else text(result))
    return exit_code(result)


def _fail(message: str) -> int:
    print(f"farmdock: {' '.join(message.split())}", file=sys.stderr)
    return 2
