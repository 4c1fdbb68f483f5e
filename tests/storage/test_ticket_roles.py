"""The two roles the hotline brings (市民 citizen, 热线 hotline operator) are let in by the
database's own check on roles, for users and invites alike; any other role still is not."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from tests.stores import each


async def test_citizens_and_hotline_operators_are_stored_other_roles_refused(
    db: Database,
) -> None:
    citizen = await each(db).users.upsert(1, role="citizen", name="张女士", county="宝丰县")
    operator = await each(db).users.upsert(2, role="hotline", name="小李")
    invite = await each(db).users.create_invite(role="hotline", name="小王")
    assert (citizen.role, operator.role, invite.role) == ("citizen", "hotline", "hotline")
    with pytest.raises(IntegrityError):
        await each(db).users.upsert(3, role="mayor")  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        await each(db).users.create_invite(role="mayor")  # type: ignore[arg-type]


async def test_the_days_serials_are_counted_in_the_database(db: Database) -> None:
    assert [await each(db).tickets.next_serial("2026-05-09") for _ in range(3)] == [1, 2, 3]
    assert await each(db).tickets.next_serial("2026-05-10") == 1
