"""关注 without Telegram: one notice per new listing, the daily cap across workers,
unfollow, who hears of which kind, and officials within their own area only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.matching.area import CITY, Area
from bot.matching.model import CITY_NAME, Place
from bot.services import follows
from bot.services.follows import FollowResult
from bot.services.match_index import ListingIndex
from storage.database import Database
from storage.records import User
from tests.services.factories import TODAY, buyer, cabbage, grower, publish
from tests.stores import each


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def follow(db: Database, user: User, product: str, area: str | None = None
                 ) -> FollowResult:
    async with db.write() as uow:
        result = await follows.follow(uow, user, product, area)
        await uow.commit()
    return result


async def notices(db: Database, chat_id: int | None = None) -> list[str]:
    return [m.key for m in await each(db).outbox.rows(kind="follow", chat_id=chat_id)]


async def test_a_follower_hears_of_each_new_listing_once(db: Database) -> None:
    index = ListingIndex(db)
    g, b = await grower(db), await buyer(db)
    result = await follow(db, b, "黄芽白")  # another name of 大白菜
    assert result.outcome == "followed" and result.product == "大白菜" and result.area == CITY
    assert (await follow(db, b, "大白菜")).outcome == "already"
    first = await publish(db, index, cabbage(g.telegram_id), publish_key="draft-1")
    # The same draft confirmed again publishes nothing new, and tells nobody twice.
    await publish(db, index, cabbage(g.telegram_id), publish_key="draft-1")
    second = await publish(db, index, cabbage(g.telegram_id, quantity=500.0))
    assert await notices(db, b.telegram_id) == [
        f"follow:{b.telegram_id}:{first.listing.id}", f"follow:{b.telegram_id}:{second.listing.id}"]
    [row, _] = await each(db).outbox.rows(kind="follow")
    payload = json.loads(row.payload)
    assert "大白菜" in payload["text"] and f"#{first.listing.id}" in payload["text"]
    assert "13800000001" not in payload["text"]
    [[[label, action]]] = payload["buttons"]
    assert label == "取消关注" and action == f"fol:rm:{result.follow.id}"  # type: ignore[union-attr]
    # A buyer hears of offers, not of other buyers' needs; never of their own listings.
    other_buyer = await buyer(db, 2003)
    await publish(db, index, cabbage(other_buyer.telegram_id, kind="need", price=None))
    await publish(db, index, cabbage(b.telegram_id, kind="offer"))
    assert len(await notices(db, b.telegram_id)) == 2


async def test_a_follow_within_an_area_hears_only_of_listings_there(db: Database) -> None:
    index = ListingIndex(db)
    g, b = await grower(db), await buyer(db)
    assert (await follow(db, b, "大白菜", "叶县")).area == Area("叶县")
    await publish(db, index, cabbage(g.telegram_id))  # 宝丰县张八桥镇
    assert await notices(db) == []
    ye = await publish(db, index, cabbage(g.telegram_id, place=Place(CITY_NAME, "叶县")))
    assert await notices(db) == [f"follow:{b.telegram_id}:{ye.listing.id}"]


async def test_a_matched_counterpart_is_not_told_twice(db: Database) -> None:
    index = ListingIndex(db)
    g, b = await grower(db), await buyer(db)
    await publish(db, index, cabbage(b.telegram_id, kind="need", price=None))
    await follow(db, b, "大白菜")
    offer = await publish(db, index, cabbage(g.telegram_id))
    assert offer.notices == 1 and await notices(db) == []


async def test_the_daily_cap_holds_across_workers(db: Database) -> None:
    index = ListingIndex(db)
    b = await buyer(db)
    await follow(db, b, "大白菜")
    growers = [await grower(db, 1100 + n) for n in range(5)]
    other = await Database.open(db.path)
    try:
        other_index = ListingIndex(other)
        await asyncio.gather(*(
            publish(db if n % 2 else other, index if n % 2 else other_index,
                    cabbage(g.telegram_id), follow_cap=3)
            for n, g in enumerate(growers)))
    finally:
        await other.close()
    assert len(await notices(db, b.telegram_id)) == 3
    async with db.read() as uow:
        assert await uow.follows.sent_on(b.telegram_id, TODAY.isoformat()) == 3
        # The next day the count starts again.
        assert await uow.follows.sent_on(b.telegram_id, "2026-05-10") == 0
    async with db.write() as uow:
        assert await uow.follows.take_quotas([b.telegram_id], "2026-05-10", 3) == {
            b.telegram_id}


async def test_unfollow_stops_the_notices_and_only_the_owner_may(db: Database) -> None:
    index = ListingIndex(db)
    g, b = await grower(db), await buyer(db)
    found = (await follow(db, b, "大白菜")).follow
    assert found is not None
    assert not await each(db).follows.remove(found.id, g.telegram_id)  # not theirs
    assert [f.id for f in await each(db).follows.of_user(b.telegram_id)] == [found.id]
    assert await each(db).follows.remove(found.id, b.telegram_id)
    assert not await each(db).follows.remove(found.id, b.telegram_id)
    await publish(db, index, cabbage(g.telegram_id))
    assert await notices(db) == [] and await each(db).follows.of_user(b.telegram_id) == []


async def test_unknown_products_and_places_are_refused(db: Database) -> None:
    b = await buyer(db)
    assert (await follow(db, b, "火星土")).outcome == "unknown_product"
    for place in ("宝丰县某某镇", "马庄", "汝阳县"):
        assert (await follow(db, b, "大白菜", place)).outcome == "unknown_area"
    assert await each(db).follows.of_user(b.telegram_id) == []


async def test_citizens_and_hotline_operators_follow_nothing(db: Database) -> None:
    # They hear of no listings: a follow would be a promise never kept.
    for telegram_id, role in ((7001, "citizen"), (7002, "hotline")):
        user = await each(db).users.upsert(telegram_id, role=role, name="王女士",
                                           county="宝丰县", township=None)
        assert (await follow(db, user, "大白菜")).outcome == "not_for_role"
        assert await each(db).follows.of_user(telegram_id) == []


async def official(db: Database, county: str | None, township: str | None = None) -> User:
    return await each(db).users.upsert(9001, role="official", name="张科长",
                                       county=county, township=township)


async def test_officials_follow_only_within_their_own_area(db: Database) -> None:
    index = ListingIndex(db)
    g = await grower(db)
    county = await official(db, "宝丰县")
    refused = await follow(db, county, "大白菜", "叶县")
    assert refused.outcome == "outside_area"
    assert (await follow(db, county, "大白菜", "平顶山市")).outcome == "outside_area"
    # Without an area: their own; a township of it is within.
    assert (await follow(db, county, "大白菜")).area == Area("宝丰县")
    assert (await follow(db, county, "土豆", "宝丰县张八桥镇")).area == Area("宝丰县", "张八桥镇")
    # An area that cannot be read never widens: refused, not read as the city.
    assert (await follow(db, county, "大白菜", "宝丰县某某镇")).outcome == "unknown_area"
    # Officials hear of offers and needs alike, inside their area only.
    inside = await publish(db, index, cabbage(g.telegram_id))
    await publish(db, index, cabbage(g.telegram_id, place=Place(CITY_NAME, "叶县")))
    need = await publish(db, index, replace(cabbage(g.telegram_id, kind="need", price=None)))
    assert await notices(db, county.telegram_id) == [
        f"follow:{county.telegram_id}:{inside.listing.id}",
        f"follow:{county.telegram_id}:{need.listing.id}"]
    city = await each(db).users.upsert(9002, role="official", name="市局")
    assert (await follow(db, city, "大白菜", "叶县")).outcome == "followed"
