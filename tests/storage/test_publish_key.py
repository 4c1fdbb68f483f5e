"""A listing confirmed from a draft is stored once, however often the draft is confirmed."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import audit, listings
from storage.database import Database
from tests.storage.factories import cabbage, grower


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "farmdock.db")
    yield database
    await database.close()


async def test_the_same_key_returns_the_first_listing(db: Database) -> None:
    owner = await grower(db)
    new = dataclasses.replace(cabbage(owner.telegram_id), publish_key="k1")
    first = await listings.add_listing(db, new)
    again = await listings.add_listing(db, dataclasses.replace(new, quantity=1.0))
    assert again == first
    assert len(await audit.audit_entries(db, action="listing.create")) == 1
    # Without a key (imports, sample days) every call adds a listing.
    plain = cabbage(owner.telegram_id)
    assert (await listings.add_listing(db, plain)).id != (await listings.add_listing(db, plain)).id


async def test_another_users_key_is_refused(db: Database) -> None:
    owner, other = await grower(db), await grower(db, telegram_id=9)
    await listings.add_listing(db, dataclasses.replace(cabbage(owner.telegram_id),
                                                       publish_key="k1"))
    with pytest.raises(ValueError):
        await listings.add_listing(db, dataclasses.replace(cabbage(other.telegram_id),
                                                           publish_key="k1"))
