"""The sealed-area matching rule on both backends: a need a receiver posts meets only the
area's designated suppliers (a non-designated offer next door is never proposed, a
designated one far away is), a new offer from anyone else never reaches it, a designated
supplier's offer ranks it first, and lifting the area returns the need to the open market.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

from bot.matching.area import Area
from bot.matching.model import CITY_NAME, Listing, Place
from bot.matching.suppliers import Capacity
from bot.services import sealed_areas
from bot.services.match_index import ListingIndex
from storage.database import Database
from storage.sealed_areas import SealedArea
from storage.suppliers import SupplierData
from tests.services.factories import TODAY, buyer, cabbage, grower, publish
from tests.stores import each

FAR = Place(city=CITY_NAME, county="舞钢市", township="垭口街道")
NEXT_DOOR = Place(city=CITY_NAME, county="宝丰县", township="张八桥镇")
RECEIVER, NEIGHBOUR, DESIGNATED, LATECOMER = 2002, 1001, 3003, 4004


async def sealed_township(db: Database) -> SealedArea:
    """张八桥镇 sealed, a 舞钢市 farm designated (user 3003 speaks for it), 2002 receiving."""
    now = time.time()
    await grower(db, NEIGHBOUR)
    await grower(db, LATECOMER)
    await grower(db, DESIGNATED)
    await buyer(db, RECEIVER)
    async with db.write() as uow:
        ids = await uow.suppliers.save([SupplierData(
            "name:舞钢蔬菜基地@舞钢市垭口街道", "舞钢蔬菜基地", "蔬菜生产大户", None, "舞钢市",
            "垭口街道", "", None, "保供骨干企业",
            (Capacity("大白菜", 5000, "斤", "日"),))], now)
        await uow.suppliers.link_user(ids["name:舞钢蔬菜基地@舞钢市垭口街道"], DESIGNATED, now)
        area = await sealed_areas.declare(
            uow, name="建设路小区", area=Area("宝丰县", "张八桥镇"), level="封控区",
            compounds_text="建设路小区，幸福里", start="2026-05-09", by=None, now=now)
        assert isinstance(area, SealedArea)
        assert not isinstance(await sealed_areas.designate(uow, area, "舞钢蔬菜基地", now), str)
        assert not isinstance(
            await sealed_areas.add_receiver(uow, area, RECEIVER, "小区东门", now), str)
        await uow.commit()
    return area


def need() -> Listing:
    return replace(cabbage(RECEIVER, "need"), raw_text="求购大白菜5000斤")


async def test_a_sealed_need_meets_only_the_designated_supplier_however_far(db) -> None:
    index = ListingIndex(db)
    await sealed_township(db)
    await publish(db, index, cabbage(NEIGHBOUR, place=NEXT_DOOR))
    far = (await publish(db, index, cabbage(DESIGNATED, place=FAR))).listing

    published = await publish(db, index, need())

    assert [v.other.id for v in published.matches] == [far.id]
    assert [v.other_owner.telegram_id for v in published.matches] == [DESIGNATED]


async def test_a_new_offer_from_anyone_else_is_never_matched_into_the_area(db) -> None:
    index = ListingIndex(db)
    await sealed_township(db)
    sealed_need = (await publish(db, index, need())).listing
    open_need = (await publish(db, index, cabbage(LATECOMER, "need", place=FAR))).listing

    offer = await publish(db, index, cabbage(NEIGHBOUR, place=NEXT_DOOR))

    assert [v.other.id for v in offer.matches] == [open_need.id]
    assert await each(db).matches.of_listing(sealed_need.id) == []


async def test_a_designated_offer_ranks_the_sealed_need_first(db) -> None:
    index = ListingIndex(db)
    await sealed_township(db)
    # A need next to the supplier's farm, which the open market alone would rank first.
    near_farm = (await publish(db, index, cabbage(LATECOMER, "need", place=FAR))).listing
    sealed_need = (await publish(db, index, need())).listing

    offer = await publish(db, index, cabbage(DESIGNATED, place=FAR))

    assert [v.other.id for v in offer.matches] == [sealed_need.id, near_farm.id]


async def test_lifting_returns_the_need_to_the_open_market_and_tells_the_receiver(db) -> None:
    index = ListingIndex(db)
    area = await sealed_township(db)
    neighbour = (await publish(db, index, cabbage(NEIGHBOUR, place=NEXT_DOOR))).listing
    sealed_need = (await publish(db, index, need())).listing
    assert await each(db).matches.of_listing(sealed_need.id) == []

    async with db.write() as uow:
        lifted = await sealed_areas.lift(uow, index, area, by=None, today=TODAY,
                                         now=time.time())
        await uow.commit()

    assert not isinstance(lifted, str) and lifted.rematched == 1 and not lifted.area.active
    matched = await each(db).matches.of_listing(sealed_need.id)
    assert [m.offer_id for m in matched] == [neighbour.id]
    # The neighbour hears of the need; the receiver hears the area was lifted.
    assert [r.chat_id for r in await each(db).outbox.rows(kind="match")
            if r.key.startswith(f"match:{matched[0].id}:")] == [NEIGHBOUR]
    told = await each(db).outbox.rows(kind="sealed_area", chat_id=RECEIVER)
    texts = [json.loads(r.payload)["text"] for r in told]
    assert any("已解封" in t and "1条求购" in t for t in texts)
    # A new need of the former receiver is the open market's too.
    again = await publish(db, index, replace(need(), raw_text="再求购大白菜"))
    assert [v.other.id for v in again.matches] == [neighbour.id]


async def test_lifting_twice_is_refused(db) -> None:
    index = ListingIndex(db)
    area = await sealed_township(db)
    async with db.write() as uow:
        await sealed_areas.lift(uow, index, area, by=None, today=TODAY, now=time.time())
        again = await sealed_areas.lift(uow, index, area, by=None, today=TODAY,
                                        now=time.time())
    assert again == "建设路小区已解封"


async def test_the_registry_is_asked_only_for_designated_suppliers(db) -> None:
    from bot.services.registry_requests import ask_registry

    now = time.time()
    await sealed_township(db)
    async with db.write() as uow:  # a registry farm next door, not designated
        await uow.suppliers.save([SupplierData(
            "name:张八桥菜园@宝丰县张八桥镇", "张八桥菜园", "蔬菜生产大户", None, "宝丰县",
            "张八桥镇", "", "13837520009", "", (Capacity("大白菜", 9000, "斤", "日"),))], now)
        await uow.commit()
    index = ListingIndex(db)
    sealed_need = (await publish(db, index, replace(need(), created_at=now - 7200))).listing
    open_need = (await publish(
        db, index, cabbage(LATECOMER, "need", created_at=now - 7200))).listing

    async with db.write() as uow:
        await ask_registry(uow, now, after_hours=1)
        asked = await uow.suppliers.requests_of([sealed_need.id, open_need.id])
        named = await uow.suppliers.by_ids(r.supplier_id for rs in asked.values() for r in rs)
        await uow.commit()

    assert [named[r.supplier_id].name for r in asked[sealed_need.id]] == ["舞钢蔬菜基地"]
    assert named[asked[open_need.id][0].supplier_id].name == "张八桥菜园"
