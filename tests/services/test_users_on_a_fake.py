"""Use cases are typed against storage's interfaces, so they run on a fake unit of work
too: the people use cases here, with users and the audit log kept in dictionaries."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest

from bot.matching.area import Area
from bot.services import users
from storage.records import AuditEntry, Role, User, UserStatus


class FakeUsers:
    def __init__(self) -> None:
        self.rows: dict[int, User] = {}

    async def get(self, telegram_id: int) -> User | None:
        return self.rows.get(telegram_id)

    async def upsert(
        self, telegram_id: int, *, role: Role, name: str = "", organisation: str = "",
        phone: str | None = None, county: str | None = None, township: str | None = None,
        status: UserStatus = "active",
    ) -> User:
        old = self.rows.get(telegram_id)
        now = time.time()
        self.rows[telegram_id] = User(
            telegram_id, role, name, organisation, phone or (old.phone if old else None),
            county, township, "blocked" if old and old.status == "blocked" else status, "zh",
            old.created_at if old else now, now,
        )
        return self.rows[telegram_id]

    async def set_status(self, telegram_id: int, status: UserStatus) -> bool:
        if telegram_id not in self.rows:
            return False
        self.rows[telegram_id] = replace(self.rows[telegram_id], status=status)
        return True


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def write(
        self, actor_id: int | None, action: str, target: str | None = None, **detail: Any
    ) -> None:
        self.entries.append(AuditEntry(len(self.entries) + 1, time.time(), actor_id, action,
                                       target, repr(detail)))


class FakeUnitOfWork:
    """Just the repositories these use cases touch, and a commit that is counted."""

    def __init__(self) -> None:
        self.users = FakeUsers()
        self.audit = FakeAudit()
        self.commits = 0

    async def commit(self) -> None:
        self.commits += 1


async def test_signing_up_stores_the_grower_and_audits_it() -> None:
    uow = FakeUnitOfWork()
    user = await users.sign_up(uow, 7, role="grower", name="王师傅",  # type: ignore[arg-type]
                               organisation="合作社", area=Area("宝丰县", "张八桥镇"), phone=None)
    assert (user.role, user.county, user.township) == ("grower", "宝丰县", "张八桥镇")
    assert [e.action for e in uow.audit.entries] == ["user.sign_up"]
    assert uow.commits == 0  # the caller commits, not the use case


async def test_nobody_signs_themselves_up_as_an_official() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(ValueError):
        await users.sign_up(uow, 7, role="official", name="x",  # type: ignore[arg-type]
                            organisation="", area=Area(), phone=None)
    assert uow.users.rows == {}


async def test_a_user_back_after_blocking_the_bot_is_active_again() -> None:
    uow = FakeUnitOfWork()
    await uow.users.upsert(7, role="buyer", status="inactive")
    account = await users.identify(uow, 7)  # type: ignore[arg-type]
    assert account is not None and account.status == "active"
    await uow.users.set_status(7, "blocked")
    still = await users.identify(uow, 7)  # type: ignore[arg-type]
    assert still is not None and still.status == "blocked"
