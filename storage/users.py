"""Users and invites: who may do what, and where."""

from __future__ import annotations

import secrets
import time

from storage.database import Database
from storage.records import Invite, Role, User, UserStatus


async def upsert_user(
    db: Database,
    telegram_id: int,
    *,
    role: Role,
    name: str = "",
    organisation: str = "",
    phone: str | None = None,
    county: str | None = None,
    township: str | None = None,
    status: UserStatus = "active",
) -> User:
    """Create the user or replace their profile (a blocked user stays blocked)."""
    now = time.time()
    async with db.transaction() as conn:
        await conn.execute(
            """
            INSERT INTO users (telegram_id, role, name, organisation, phone, county, township,
                               status, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (telegram_id) DO UPDATE SET
                role = excluded.role, name = excluded.name,
                organisation = excluded.organisation,
                phone = COALESCE(excluded.phone, users.phone),
                county = excluded.county, township = excluded.township,
                status = CASE WHEN users.status = 'blocked' THEN 'blocked'
                              ELSE excluded.status END,
                updated_at = excluded.updated_at
            """,
            (telegram_id, role, name, organisation, phone, county, township, status, now, now),
        )
    user = await get_user(db, telegram_id)
    assert user is not None
    return user


async def get_user(db: Database, telegram_id: int) -> User | None:
    row = await db.fetch_one("SELECT * FROM users WHERE telegram_id = ?", (telegram_id,))
    return User.from_row(row) if row else None


async def list_users(db: Database, *, role: Role | None = None) -> list[User]:
    """Every user, or those of one role, in sign-up order."""
    if role is None:
        rows = await db.fetch_all("SELECT * FROM users ORDER BY created_at, telegram_id")
    else:
        rows = await db.fetch_all(
            "SELECT * FROM users WHERE role = ? ORDER BY created_at, telegram_id", (role,)
        )
    return [User.from_row(r) for r in rows]


async def set_status(db: Database, telegram_id: int, status: UserStatus) -> bool:
    """Change a user's status; False when there is no such user.

    Blocking also drops what is still waiting in the outbox for that user, in the
    same transaction: a blocked user hears nothing more from the platform.
    """
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE users SET status = ?, updated_at = ? WHERE telegram_id = ?",
            (status, time.time(), telegram_id),
        )
        if status == "blocked":
            await conn.execute(
                "UPDATE outbox SET status = 'failed', last_error = 'recipient blocked'"
                " WHERE chat_id = ? AND status = 'pending'",
                (telegram_id,),
            )
        return cur.rowcount > 0


async def mark_inactive(db: Database, telegram_id: int) -> None:
    """The user blocked the bot (Telegram answered 403): stop writing to them."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE users SET status = 'inactive', updated_at = ?"
            " WHERE telegram_id = ? AND status = 'active'",
            (time.time(), telegram_id),
        )


async def set_phone(db: Database, telegram_id: int, phone: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE users SET phone = ?, updated_at = ? WHERE telegram_id = ?",
            (phone, time.time(), telegram_id),
        )


async def officials_covering(db: Database, county: str | None, township: str | None) -> list[User]:
    """Active officials whose jurisdiction contains the place, city-level ones included."""
    rows = await db.fetch_all(
        """
        SELECT * FROM users
        WHERE role = 'official' AND status = 'active'
          AND (county IS NULL
               OR (county = ? AND (township IS NULL OR township = ?)))
        ORDER BY telegram_id
        """,
        (county, township),
    )
    return [User.from_row(r) for r in rows]


async def create_invite(
    db: Database,
    *,
    role: Role,
    name: str = "",
    organisation: str = "",
    county: str | None = None,
    township: str | None = None,
) -> Invite:
    """A fresh one-time sign-up code for the given role and region."""
    code = secrets.token_urlsafe(12)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO invites (code, role, name, organisation, county, township, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (code, role, name, organisation, county, township, time.time()),
        )
    row = await db.fetch_one("SELECT * FROM invites WHERE code = ?", (code,))
    assert row is not None
    return Invite.from_row(row)


async def redeem_invite(db: Database, code: str, telegram_id: int, name: str) -> User | None:
    """Use a one-time code: the caller becomes the invited user. None if unknown or used."""
    now = time.time()
    async with db.transaction() as conn:
        cur = await conn.execute(
            "SELECT * FROM invites WHERE code = ? AND used_by IS NULL", (code,)
        )
        row = await cur.fetchone()
        if row is None:
            return None
        invite = Invite.from_row(row)
        await conn.execute(
            """
            INSERT INTO users (telegram_id, role, name, organisation, county, township,
                               status, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)
            ON CONFLICT (telegram_id) DO UPDATE SET
                role = excluded.role, name = excluded.name,
                organisation = excluded.organisation, county = excluded.county,
                township = excluded.township, updated_at = excluded.updated_at
            """,
            (telegram_id, invite.role, invite.name or name, invite.organisation,
             invite.county, invite.township, now, now),
        )
        await conn.execute(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?", (telegram_id, now, code)
        )
    return await get_user(db, telegram_id)
