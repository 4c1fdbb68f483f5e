"""Users and invites: who may do what, and where."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence

from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import Invite, Role, User, UserStatus
from storage.schema import invites, outbox, users
from storage.sql import chunks

_USER = select(*User.columns(users))
_USER_BY_ID = _USER.where(users.c.telegram_id == bindparam("of_user"))
_INVITE = select(*Invite.columns(invites))


class UserRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def upsert(
        self, telegram_id: int, *, role: Role, name: str = "", organisation: str = "",
        phone: str | None = None, county: str | None = None, township: str | None = None,
        status: UserStatus = "active",
    ) -> User:
        """Create the user or replace their profile (a blocked user stays blocked, and a
        phone left out keeps the one stored)."""
        now = time.time()
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(users).values(
            telegram_id=telegram_id, role=role, name=name, organisation=organisation,
            phone=phone, county=county, township=township, status=status, created_at=now,
            updated_at=now,
        )
        new = insert.excluded
        await self._conn.execute(insert.on_conflict_do_update(
            index_elements=[users.c.telegram_id],
            set_={
                "role": new.role, "name": new.name, "organisation": new.organisation,
                "phone": func.coalesce(new.phone, users.c.phone),
                "county": new.county, "township": new.township,
                "status": case((users.c.status == "blocked", "blocked"), else_=new.status),
                "updated_at": new.updated_at,
            },
        ))
        user = await self.get(telegram_id)
        assert user is not None
        return user

    async def get(self, telegram_id: int) -> User | None:
        row = (await self._conn.execute(_USER_BY_ID, {"of_user": telegram_id})).first()
        return User.from_row(row) if row else None

    async def by_ids(self, ids: Sequence[int]) -> dict[int, User]:
        """Users by Telegram id (unknown ids are left out)."""
        found: dict[int, User] = {}
        for chunk in chunks(sorted(set(ids))):
            for row in await self._conn.execute(_USER.where(users.c.telegram_id.in_(chunk))):
                user = User.from_row(row)
                found[user.telegram_id] = user
        return found

    async def list(self, *, role: Role | None = None) -> list[User]:
        """Every user, or those of one role, in sign-up order."""
        query = _USER.order_by(users.c.created_at, users.c.telegram_id)
        if role is not None:
            query = query.where(users.c.role == role)
        return [User.from_row(r) for r in await self._conn.execute(query)]

    async def active_officials(self) -> list[User]:
        """Officials who receive the digest: active, with the role 'official'."""
        query = _USER.where(users.c.role == "official", users.c.status == "active")
        return [User.from_row(r) for r in
                await self._conn.execute(query.order_by(users.c.telegram_id))]

    async def officials_covering(self, county: str | None, township: str | None) -> list[User]:
        """Active officials whose area contains the place, city-level ones included."""
        query = _USER.where(
            users.c.role == "official", users.c.status == "active",
            or_(users.c.county.is_(None),
                and_(users.c.county == county,
                     or_(users.c.township.is_(None), users.c.township == township))),
        ).order_by(users.c.telegram_id)
        return [User.from_row(r) for r in await self._conn.execute(query)]

    async def set_status(self, telegram_id: int, status: UserStatus) -> bool:
        """Change a user's status; False when there is no such user.

        Blocking also drops what is still waiting in the outbox for that user, in the
        same unit of work: a blocked user hears nothing more from the platform.
        """
        result = await self._conn.execute(
            update(users).where(users.c.telegram_id == telegram_id)
            .values(status=status, updated_at=time.time())
        )
        if status == "blocked":
            await self._conn.execute(
                update(outbox).where(outbox.c.chat_id == telegram_id,
                                     outbox.c.status == "pending")
                .values(status="failed", last_error="recipient blocked")
            )
        return result.rowcount > 0

    async def mark_inactive(self, telegram_id: int) -> None:
        """The user blocked the bot (Telegram answered 403): stop writing to them."""
        await self._conn.execute(
            update(users).where(users.c.telegram_id == telegram_id, users.c.status == "active")
            .values(status="inactive", updated_at=time.time())
        )

    async def set_phone(self, telegram_id: int, phone: str) -> None:
        await self._conn.execute(
            update(users).where(users.c.telegram_id == telegram_id)
            .values(phone=phone, updated_at=time.time())
        )

    # -- invites -----------------------------------------------------------------

    async def create_invite(
        self, *, role: Role, name: str = "", organisation: str = "",
        county: str | None = None, township: str | None = None,
    ) -> Invite:
        """A fresh one-time sign-up code for the given role and area."""
        code = secrets.token_urlsafe(12)
        await self._conn.execute(invites.insert().values(
            code=code, role=role, name=name, organisation=organisation, county=county,
            township=township, created_at=time.time(),
        ))
        row = (await self._conn.execute(_INVITE.where(invites.c.code == code))).one()
        return Invite.from_row(row)

    async def redeem_invite(self, code: str, telegram_id: int, name: str) -> User | None:
        """Use a one-time code: the caller becomes the invited user. None if unknown or used.

        The user is written before the code is marked used, since ``invites.used_by``
        refers to them. On SQLite the write unit of work's lock keeps a second redeemer
        out between the two; on PostgreSQL the invite's row is read ``FOR UPDATE``, so a
        second redeemer waits and then finds the code used.
        """
        query = _INVITE.where(invites.c.code == code, invites.c.used_by.is_(None))
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        invite = Invite.from_row(row)
        user = await self.upsert(
            telegram_id, role=invite.role, name=invite.name or name,
            organisation=invite.organisation, county=invite.county, township=invite.township,
        )
        await self._conn.execute(
            update(invites).where(invites.c.code == code)
            .values(used_by=telegram_id, used_at=time.time())
        )
        return user
