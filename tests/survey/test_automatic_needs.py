"""Shortages become needs: drafted for the quantity back to target, carded to the managers,
the officer told at 告急/断货, published as an ordinary need, closed when stock is back."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.matching.clock import local_today
from bot.services import actions
from bot.services.match_index import ListingIndex
from bot.services.survey import record_report
from bot.services.survey_needs import after_report, area_alerts, decline_need, publish_need
from storage.database import Database
from storage.survey import Store
from tests.services.factories import cabbage
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")
# Today: a published need is valid from today on, as the market sees it now.
D = local_today(TZ)
MANAGER, OTHER_MANAGER, OFFICER, GROWER = 501, 502, 601, 701


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def store_with_people(db: Database) -> Store:
    for uid, role in ((MANAGER, "buyer"), (OTHER_MANAGER, "buyer"), (OFFICER, "official"),
                      (GROWER, "grower")):
        await each(db).users.upsert(uid, role=role, name=f"u{uid}", county="宝丰县")
    store, _ = await each(db).survey.upsert_store(
        chain="万家福", name="万家福宝丰店", type="超市", county="宝丰县", township=None,
        manager_phone=None, now=time.time())
    for uid in (MANAGER, OTHER_MANAGER):
        await each(db).survey.link_manager(store.id, uid, time.time())
    await each(db).survey.assign_officer(store.id, OFFICER, None, time.time())
    return store


async def report(db: Database, store: Store, day: date, text: str):  # type: ignore[no-untyped-def]
    async with db.write() as uow:
        await record_report(uow, store, day, text, MANAGER, time.time())
        result = await after_report(uow, store, day, time.time())
        await uow.commit()
    return result


async def payloads(db: Database, kind: str, chat_id: int | None = None) -> list[dict]:
    return [json.loads(r.payload) for r in await each(db).outbox.rows(kind=kind,
                                                                     chat_id=chat_id)]


async def test_a_short_item_drafts_the_quantity_back_to_target_for_every_manager(
        db: Database) -> None:
    store = await store_with_people(db)
    result = await report(db, store, D, "大米 库存20吨 日销2吨；面粉 库存100吨 日销1吨")
    [need] = result.drafted
    assert (need.product, need.quantity, need.unit, need.urgency, need.status) == (
        "大米", 40000, "kg", "偏紧", "draft")  # 30 days × 2000 kg − 20000 kg
    cards = await payloads(db, "survey_need")
    assert len(cards) == 2 and all("40,000公斤" in c["text"] for c in cards)
    [[pub, qty, no]] = cards[0]["buttons"]
    assert [pub[0], qty[0], no[0]] == ["发布", "改数量", "不需要"]
    assert pub[1] == actions.survey_need("pub", need.id)
    assert await payloads(db, "survey_urgent") == []  # 偏紧: the officer is not called
    # Reporting the same shortage again drafts nothing more.
    again = await report(db, store, D + timedelta(days=1), "大米 库存18吨 日销2吨")
    assert again.drafted == [] and len(await payloads(db, "survey_need")) == 2


async def test_emergency_and_sold_out_tell_the_officer_at_once(db: Database) -> None:
    store = await store_with_people(db)
    result = await report(db, store, D, "猪肉 库存1吨 日销0.5吨；鸡蛋 断货 日销100箱")
    assert sorted((n.product, n.urgency) for n in result.drafted) == [
        ("猪肉", "告急"), ("鸡蛋", "断货")]
    told = await payloads(db, "survey_urgent", OFFICER)
    assert len(told) == 2 and any("猪肉告急" in t["text"] for t in told)
    cards = await payloads(db, "survey_need", MANAGER)
    assert all("⚠️" in c["text"] for c in cards)
    eggs = next(n for n in result.drafted if n.product == "鸡蛋")
    assert (eggs.quantity, eggs.unit) == (600, "箱")  # 6 days × 100 boxes


async def test_published_it_is_an_ordinary_need_that_matches_and_closes_when_stock_is_back(
        db: Database) -> None:
    store = await store_with_people(db)
    index = ListingIndex(db)
    async with db.write() as uow:
        from bot.services.listings import publish_listing

        await publish_listing(uow, index, cabbage(GROWER, valid_until=D + timedelta(days=3)),
                              today=D)
        await uow.commit()
    result = await report(db, store, D, "大白菜 库存1吨 日销1吨")
    [need] = result.drafted
    assert (need.quantity, need.urgency) == (2000, "告急")  # 3 days × 1000 − 1000
    async with db.write() as uow:
        published = await publish_need(uow, index, need, store, MANAGER, today=D, tz=TZ,
                                       now=time.time())
        await uow.commit()
    assert published is not None
    listing = published.listing
    assert (listing.kind, listing.product, listing.quantity, listing.user_id,
            listing.place.county) == ("need", "大白菜", 2000, MANAGER, "宝丰县")
    assert [v.other.user_id for v in published.matches] == [GROWER]  # matched on the market
    assert (await each(db).survey.get_need(need.id)).status == "published"  # type: ignore[union-attr]
    # Publishing twice publishes once.
    stale = await each(db).survey.get_need(need.id)
    async with db.write() as uow:
        assert await publish_need(uow, index, stale, store, MANAGER, today=D, tz=TZ,
                                  now=time.time()) is None
    # Back above target: the managers are told and the need and its listing are closed.
    back = await report(db, store, D + timedelta(days=1), "大白菜 库存5吨 日销1吨")
    assert [n.id for n in back.closed] == [need.id]
    closed = [p for p in await payloads(db, "survey_need", MANAGER) if "已关闭" in p["text"]]
    assert len(closed) == 1
    assert (await each(db).survey.get_need(need.id)).status == "closed"  # type: ignore[union-attr]
    assert (await each(db).listings.get(listing.id)).status == "closed"  # type: ignore[union-attr]


async def test_a_declined_draft_is_not_drafted_again_that_day(db: Database) -> None:
    store = await store_with_people(db)
    [need] = (await report(db, store, D, "大米 库存20吨 日销2吨")).drafted
    async with db.write() as uow:
        assert await decline_need(uow, need, time.time())
        await uow.commit()
    assert (await report(db, store, D, "大米 库存19吨 日销2吨")).drafted == []
    [later] = (await report(db, store, D + timedelta(days=1), "大米 库存18吨 日销2吨")).drafted
    assert later.id != need.id


async def test_no_sales_no_need_and_a_sold_out_item_without_sales_still_tells_the_officer(
        db: Database) -> None:
    store = await store_with_people(db)
    result = await report(db, store, D, "大米 库存20吨；牛奶 断货")
    assert result.drafted == []
    assert [r.stock.status for r in result.rows] == ["无销量", "断货"]
    assert len(await payloads(db, "survey_urgent", OFFICER)) == 1


async def test_the_area_alert_when_more_than_half_the_county_is_short(db: Database) -> None:
    first = await store_with_people(db)
    city, county, township = 801, 802, 803
    await each(db).users.upsert(city, role="official", name="市")
    await each(db).users.upsert(county, role="official", name="县", county="宝丰县")
    await each(db).users.upsert(township, role="official", name="镇", county="宝丰县",
                                township="张八桥镇")
    stores = [first]
    for n in range(3):
        added, _ = await each(db).survey.upsert_store(
            chain="万家福", name=f"万家福{n}店", type="超市", county="宝丰县",
            township="张八桥镇", manager_phone=None, now=time.time())
        stores.append(added)

    async def alert() -> list:  # type: ignore[type-arg]
        async with db.write() as uow:
            await uow.outbox.enqueue(await area_alerts(uow, "宝丰县", D))
            await uow.commit()
        return await each(db).outbox.rows(kind="survey_area")

    # Two of four short: half, not more than half. 面粉 is short at the one store reporting it.
    for store, stock in zip(stores, (20, 20, 90, 90), strict=True):
        await report(db, store, D, f"大米 库存{stock}吨 日销2吨")
    assert await alert() == []
    await report(db, stores[2], D, "大米 库存10吨 日销2吨；面粉 库存1吨 日销1吨")
    alerts = await alert()
    told = sorted((a.chat_id, json.loads(a.payload)["text"].split("</b>")[0][5:])
                  for a in alerts)
    # The county's officials (the officer is one) and the city's; never the township's.
    assert told == sorted((chat, f"宝丰县 {p}") for chat in (OFFICER, city, county)
                          for p in ("大米", "面粉"))
    assert len(await alert()) == 6  # once a day
