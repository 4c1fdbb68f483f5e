"""The command menu per role, with Telegram's command scopes.

Everyone's menu is the default scope: the growers' and buyers' commands. An
official's or an admin's own chat gets a menu of its own (``BotCommandScopeChat``)
with the officials' commands: set when they join through an invite link and, for
those who already are, once at start-up. Officials cannot post, so their menu
holds only what they can use.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.texts import common
from bot.texts import officials as staff_texts
from bot.texts import tickets as ticket_texts
from storage.database import Database
from storage.records import STAFF_ROLES, User

log = logging.getLogger(__name__)

_MENUS: dict[str, tuple[tuple[str, str], ...]] = {
    "official": (*staff_texts.STAFF_COMMANDS, *ticket_texts.OFFICIAL_COMMANDS,
                 staff_texts.HELP_COMMAND),
    "admin": (*common.COMMANDS, *staff_texts.STAFF_COMMANDS),
    # Citizens and hotline operators file tickets; they post no listings.
    "citizen": ticket_texts.FILER_COMMANDS,
    "hotline": ticket_texts.FILER_COMMANDS,
}


def _commands(menu: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(command, description) for command, description in menu]


async def set_default_menu(bot: Bot) -> None:
    """The menu everyone sees unless their chat has its own."""
    await bot.set_my_commands(_commands(common.COMMANDS))


async def set_staff_menu(bot: Bot, user: User) -> bool:
    """Give an active official's or admin's chat their role's menu; False (logged) when
    the user has none or Telegram refused, so the default menu stays."""
    menu = _MENUS.get(user.role)
    if menu is None or user.status != "active":
        return False
    try:
        await bot.set_my_commands(_commands(menu), scope=BotCommandScopeChat(user.telegram_id))
    except TelegramError as error:
        # A chat that never opened the bot, or blocked it: it gets the menu next start-up.
        log.warning("could not set the %s menu of chat %s: %s", user.role, user.telegram_id,
                    error)
        return False
    return True


async def set_staff_menus(bot: Bot, db: Database) -> int:
    """One call per active official and admin; how many menus were set."""
    async with db.read() as uow:
        staff = [u for role in STAFF_ROLES for u in await uow.users.list(role=role)]
    done = 0
    for user in staff:
        done += await set_staff_menu(bot, user)
    return done
