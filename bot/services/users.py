"""Use cases of people: who is writing, sign-up, invites, phones, refusals."""

from __future__ import annotations

import time

from bot.matching.area import Area
from storage.interfaces import UnitOfWork
from storage.records import Role, User

# Citizens (市民) sign up too, with a name and a place only; hotline operators (热线), like
# officials, only ever by invite or from the command line.
SELF_SERVICE_ROLES: tuple[Role, ...] = ("grower", "buyer", "citizen")


async def identify(uow: UnitOfWork, telegram_id: int) -> User | None:
    """The account of whoever sent an update; a user marked inactive after a 403 who
    writes again has unblocked the bot and is active again."""
    account = await uow.users.get(telegram_id)
    if account is not None and account.status == "inactive":
        await uow.users.set_status(telegram_id, "active")
        account = await uow.users.get(telegram_id)
    return account


async def sign_up(
    uow: UnitOfWork, telegram_id: int, *, role: Role, name: str, organisation: str,
    area: Area, phone: str | None,
) -> User:
    """A grower, buyer or citizen signs themselves up (or updates their profile)."""
    if role not in SELF_SERVICE_ROLES:
        raise ValueError(f"{role} cannot sign up by themselves")
    user = await uow.users.upsert(
        telegram_id, role=role, name=name, organisation=organisation, phone=phone,
        county=area.county, township=area.township,
    )
    await uow.audit.write(telegram_id, "user.sign_up", f"user:{telegram_id}", role=role)
    if phone is not None:
        # Told at sign-up that officials of their area may see it; and a store's 店长电话
        # makes the user who shares that phone its manager.
        await uow.coordination.mark_told(telegram_id, time.time())
        await uow.survey.link_stores_by_phone(telegram_id, phone, time.time())
    return user


async def redeem_invite(uow: UnitOfWork, code: str, telegram_id: int, name: str) -> User | None:
    """Use a one-time invite code; None when it is unknown or used."""
    user = await uow.users.redeem_invite(code[:64], telegram_id, name)
    if user is not None:
        await uow.audit.write(telegram_id, "user.invite_redeemed", f"user:{telegram_id}",
                              role=user.role)
    return user


async def save_phone(uow: UnitOfWork, telegram_id: int, phone: str) -> None:
    """Keep the user's own phone (shared from Telegram, so it is theirs); the stores whose
    店长电话 it is get the user as a manager."""
    await uow.users.set_phone(telegram_id, phone)
    await uow.coordination.mark_told(telegram_id, time.time())  # the reply says so
    await uow.survey.link_stores_by_phone(telegram_id, phone, time.time())


async def refuse(uow: UnitOfWork, user_id: int | None, what: str, reason: str) -> None:
    """Record a refused button press or command in the audit log."""
    await uow.audit.write(user_id, "security.refused_callback", what[:64], reason=reason)
