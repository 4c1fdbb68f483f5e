"""A listing confirmed from a draft is stored once, however often the draft is confirmed."""

from __future__ import annotations

import pytest

from storage.database import Database
from tests.storage.factories import cabbage, grower
from tests.stores import each


async def test_the_same_key_returns_the_first_listing(db: Database) -> None:
    owner = await grower(db)
    first = await each(db).listings.add(cabbage(owner.telegram_id), publish_key="k1")
    again = await each(db).listings.add(cabbage(owner.telegram_id, quantity=1.0),
                                        publish_key="k1")
    assert again == first
    assert [x.id for x in await each(db).listings.open()] == [first.id]
    assert len(await each(db).audit.entries(action="listing.create")) == 1
    # Without a key (imports, sample days) every call adds a listing.
    plain = cabbage(owner.telegram_id)
    assert (await each(db).listings.add(plain)).id != (await each(db).listings.add(plain)).id


async def test_confirming_twice_in_one_unit_of_work_stores_once(db: Database) -> None:
    owner = await grower(db)
    async with db.write() as uow:
        first = await uow.listings.add(cabbage(owner.telegram_id), publish_key="k1")
        again = await uow.listings.add(cabbage(owner.telegram_id), publish_key="k1")
        await uow.commit()
    assert again == first
    assert len(await each(db).listings.open()) == 1


async def test_another_users_key_is_refused(db: Database) -> None:
    owner, other = await grower(db), await grower(db, telegram_id=9)
    mine = await each(db).listings.add(cabbage(owner.telegram_id), publish_key="k1")
    with pytest.raises(ValueError):
        await each(db).listings.add(cabbage(other.telegram_id), publish_key="k1")
    assert [x.id for x in await each(db).listings.open()] == [mine.id]
