"""``farmdock users add|invite|list|block|unblock``: manage people without the bot.

Officials are never self-service: an admin adds them here, or hands out a
one-time invite link. Output is JSON, so every step can be scripted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from bot.cli.db import add_database_arguments, in_unit_of_work
from bot.matching.area import AreaError, resolve_area
from bot.matching.phones import normalize_phone
from bot.matching.text import clean_text
from bot.settings import SettingsError, load_settings
from storage.database import SchemaTooNewError
from storage.interfaces import UnitOfWork
from storage.records import ROLES, User


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("users", help="add, invite, list, block or unblock users")
    commands = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    def sub(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> Any:
        command = commands.add_parser(name, help=help_text)
        add_database_arguments(command)
        command.set_defaults(func=func)
        return command

    add = sub("add", "add a user of any role, or update one", add_command)
    add.add_argument("--telegram-id", type=int, required=True)
    _profile_arguments(add)
    add.add_argument("--phone",
                     help="a mobile (13812345678) or a landline with its area code (0375-5678901)")

    invite = sub("invite", "print a one-time t.me deep link that signs the opener up",
                 invite_command)
    _profile_arguments(invite, default_role="official")
    invite.add_argument("--bot-username",
                        help="the bot's @username when FARMDOCK_TOKEN is not set")

    listing = sub("list", "print users as JSON", list_command)
    listing.add_argument("--role", choices=ROLES)

    for name, status in (("block", "blocked"), ("unblock", "active")):
        command = sub(name, f"set a user's status to {status}", status_command)
        command.add_argument("telegram_id", type=int)
        command.set_defaults(status=status)


def _profile_arguments(parser: argparse.ArgumentParser, default_role: str | None = None) -> None:
    parser.add_argument("--role", choices=ROLES, required=default_role is None,
                        default=default_role)
    # Names are cleaned where they enter, as in the bot (no control or invisible characters).
    parser.add_argument("--name", default="", type=_clean)
    parser.add_argument("--org", default="", type=_clean, help="organisation")
    parser.add_argument(
        "--region", default="平顶山市",
        help="county-level unit (宝丰县) or township (宝丰县张八桥镇); an official's jurisdiction",
    )


def add_command(args: argparse.Namespace) -> int:
    phone = None if args.phone is None else normalize_phone(args.phone)
    if args.phone is not None and phone is None:
        return _fail(f"--phone {args.phone!r} is not a phone number: give a mobile "
                     "(13812345678) or a landline with its area code (0375-5678901)")

    try:
        area = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))

    async def add(uow: UnitOfWork) -> User:
        user = await uow.users.upsert(
            args.telegram_id, role=args.role, name=args.name, organisation=args.org,
            phone=phone, county=area.county, township=area.township,
        )
        await uow.audit.write(None, "user.add", f"user:{user.telegram_id}", role=user.role,
                              by="cli")
        return user

    return _run(args, add)


def invite_command(args: argparse.Namespace) -> int:
    try:
        username = args.bot_username or asyncio.run(_bot_username())
    except SettingsError as error:
        return _fail(str(error))
    if not username:
        return _fail("cannot tell the bot's username: set FARMDOCK_TOKEN or pass --bot-username")

    try:
        area = resolve_area(args.region)
    except AreaError as error:
        return _fail(str(error))

    async def invite(uow: UnitOfWork) -> dict[str, Any]:
        created = await uow.users.create_invite(
            role=args.role, name=args.name, organisation=args.org,
            county=area.county, township=area.township,
        )
        await uow.audit.write(None, "user.invite", f"invite:{created.code}",
                              role=created.role, region=area.label)
        link = f"https://t.me/{username.lstrip('@')}?start={created.code}"
        return {"link": link, "code": created.code, "role": created.role, "region": area.label}

    return _run(args, invite)


def list_command(args: argparse.Namespace) -> int:
    async def listed(uow: UnitOfWork) -> list[User]:
        return await uow.users.list(role=args.role)

    return _run(args, listed)


def status_command(args: argparse.Namespace) -> int:
    async def change(uow: UnitOfWork) -> dict[str, Any]:
        if not await uow.users.set_status(args.telegram_id, args.status):
            raise LookupError(f"no user with telegram id {args.telegram_id}")
        await uow.audit.write(None, f"user.{args.users_command}", f"user:{args.telegram_id}",
                              by="cli")
        return {"telegram_id": args.telegram_id, "status": args.status}

    return _run(args, change)


async def _bot_username() -> str | None:
    """The bot's username from getMe, when a token is configured."""
    settings = load_settings(require_token=False)
    if not settings.token:
        return None
    from telegram import Bot  # only this subcommand talks to Telegram

    async with Bot(settings.token, base_url=settings.api_base_url) as bot:
        return bot.username


def _run(args: argparse.Namespace, action: Callable[[UnitOfWork], Awaitable[Any]]) -> int:
    """Open the database, run ``action`` in one unit of work, print its result as JSON;
    errors exit 2."""

    try:
        result = asyncio.run(in_unit_of_work(args, action))
    except (SettingsError, SchemaTooNewError, AreaError, LookupError) as error:
        return _fail(str(error))
    print(json.dumps(_plain(result), ensure_ascii=False, indent=2))
    return 0


def _clean(text: str) -> str:
    return clean_text(text).strip()


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, User):
        return asdict(value)
    return value


def _fail(message: str) -> int:
    print(f"farmdock: {message}", file=sys.stderr)
    return 2
