"""The registry fallback through the real Application: a need no offer covers is taken to
the emergency supplier registry; an online supplier answers on its card (能供应 becomes an
offer matched to the need, with the consent exchange), an offline one is called by the
official of its area, who records 能供应部分; escalations say who was asked and what they
answered; forged and repeated presses change nothing."""

from __future__ import annotations

import time

from sqlalchemy import update
from telegram.ext import Application

from bot.handlers import jobs, registry
from bot.services.runtime import SERVICES_KEY
from bot.services.suppliers import check_supplier, save_suppliers
from storage.database import Database
from storage.schema import listings
from tests.bot.conftest import post_and_confirm, sign_up
from tests.fake_bot_api import FakeBotApi
from tests.stores import each

FARM_PHONE = "13837510001"


async def register(db: Database, *, name: str, county: str, township: str, phone: str,
                   products: str, contact: str = "李建国") -> int:
    data = check_supplier(name=name, type_="养殖场", credit_code="", county=county,
                          township=township, contact=contact, phone=phone, products=products,
                          flags="保供骨干企业")
    assert not isinstance(data, str), data
    async with db.write() as uow:
        ids = await save_suppliers(uow, [data], time.time())
        await uow.commit()
    return ids[data.key]


async def age_needs(db: Database, hours: float) -> None:
    async with db.write() as uow:
        await uow.connection.execute(update(listings).where(listings.c.kind == "need")
                                     .values(created_at=listings.c.created_at - hours * 3600))
        await uow.commit()


async def test_an_online_supplier_answers_on_its_card(make_user, fake_api: FakeBotApi,
                                                     db: Database,
                                                     farmdock: Application) -> None:
    buyer, farmer, stranger = make_user("李经理"), make_user("李建国"), make_user("路人")
    await sign_up(buyer, role="采购方", name="李经理", organisation="张八桥超市",
                  county="宝丰县", township="张八桥镇", phone="13900000002")
    await sign_up(farmer, name="李建国", organisation="", county="宝丰县",
                  township="周庄镇", phone=FARM_PHONE)
    await sign_up(stranger, name="路人", organisation="", phone="13900000003")
    # Linked by the phone the bureau registered for the farm.
    await register(db, name="周庄生猪养殖场", county="宝丰县", township="周庄镇",
                   phone=FARM_PHONE, products="猪肉 2000斤/日")
    await post_and_confirm(buyer, "求购猪肉1000斤，15元/斤以内")
    services = farmdock.bot_data[SERVICES_KEY]
    assert await registry.registry_check(services) == 0  # not yet: the market may cover it
    await age_needs(db, 5)
    assert await registry.registry_check(services) == 1
    assert await registry.registry_check(services) == 0  # asked once
    card = await farmer.next_message(lambda m: "应急供应请求" in m.content, timeout=15)
    assert "周庄生猪养殖场" in card.content and "猪肉" in card.content
    assert card.button_texts() == ["✅ 能供应", "❌ 不能", "➗ 能供应部分"]
    [need] = await each(db).listings.of_user(buyer.id)
    request_id = (await each(db).suppliers.requests_of([need.id]))[need.id][0].id
    forged = await fake_api.wait_for_callback_answer(
        stranger.press_data(f"sup:yes:{request_id}"))
    assert "不属于您" in forged.get("text", "")

    farmer.press(card, "✅ 能供应")
    receipt = await farmer.server.wait_for_message(
        farmer.id, lambda m: "已为您发布供应#" in m.content)
    assert "周庄生猪养殖场 能供应" in receipt.content
    notice = await buyer.next_message(lambda m: "有新的供应信息匹配您的求购" in m.content,
                                      timeout=15)
    assert "猪肉" in notice.content
    [offer] = await each(db).listings.of_user(farmer.id)
    assert (offer.kind, offer.product, offer.quantity, offer.unit) == ("offer", "猪肉", 500.0,
                                                                       "kg")
    assert offer.place.township == "周庄镇"
    again = await fake_api.wait_for_callback_answer(farmer.press_data(f"sup:no:{request_id}"))
    assert "已经答复过了" in again.get("text", "")
    [asked] = (await each(db).suppliers.requests_of([need.id]))[need.id]
    assert (asked.status, asked.offer_id, asked.answered_by) == ("yes", offer.id, farmer.id)
    # The usual consent exchange: both say yes, and the farm's contact reaches the buyer.
    buyer.press(notice, "我有意向")
    nudge = await farmer.next_message(lambda m: "有人对您的供应" in m.content, timeout=15)
    farmer.press(nudge, "我有意向")
    contact = await buyer.next_message(lambda m: FARM_PHONE in m.content, timeout=15)
    # The farmer speaks for the registered farm: the card names it.
    assert "李建国" in contact.content and "周庄生猪养殖场" in contact.content


async def test_an_offline_supplier_is_called_by_its_official(make_user, fake_api: FakeBotApi,
                                                            db: Database,
                                                            farmdock: Application) -> None:
    buyer = make_user("李经理")
    await sign_up(buyer, role="采购方", name="李经理", organisation="张八桥超市",
                  county="宝丰县", township="张八桥镇", phone="13900000002")
    town, other = make_user("周庄干事"), make_user("叶县干事")
    await each(db).users.upsert(town.id, role="official", name="周庄干事", county="宝丰县",
                                township="周庄镇")
    await each(db).users.upsert(other.id, role="official", name="叶县干事", county="叶县")
    asked_official = make_user("张八桥干事")
    await each(db).users.upsert(asked_official.id, role="official", name="张八桥干事",
                                county="宝丰县", township="张八桥镇")
    await register(db, name="周庄蛋鸡场", county="宝丰县", township="周庄镇",
                   phone="0375-5123456", products="鸡蛋 3000斤/日", contact="王秀英")
    await post_and_confirm(buyer, "求购鸡蛋2000斤，5元/斤以内")
    await age_needs(db, 5)
    services = farmdock.bot_data[SERVICES_KEY]
    assert await registry.registry_check(services) >= 1
    call = await town.next_message(lambda m: "请致电应急供应企业" in m.content, timeout=15)
    assert "周庄蛋鸡场" in call.content and "王秀英" in call.content
    assert "0375-5123456" in call.content and "鸡蛋" in call.content
    assert not any("请致电" in m.content for m in other.messages)  # not their area
    town.send("/todo")
    todo = await town.next_message(lambda m: "待办" in m.content)
    assert "致电 周庄蛋鸡场" in todo.content and "0375-5123456" in todo.content
    other.send("/todo")
    assert "周庄蛋鸡场" not in (await other.next_message(lambda m: "门店" in m.content)).content
    [need] = await each(db).listings.of_user(buyer.id)
    request_id = (await each(db).suppliers.requests_of([need.id]))[need.id][0].id
    forged = await fake_api.wait_for_callback_answer(other.press_data(f"sup:yes:{request_id}"))
    assert "不属于您" in forged.get("text", "")

    town.press(call, "能供应部分")
    ask = await town.next_message(lambda m: "能供应多少" in m.content)
    assert "公斤" in ask.content
    town.send("很多")
    await town.next_message(lambda m: "没看懂数量" in m.content)
    town.send("800斤")
    await town.next_message(lambda m: "已记录：周庄蛋鸡场 能供应部分" in m.content)
    [asked] = (await each(db).suppliers.requests_of([need.id]))[need.id]
    assert (asked.status, asked.quantity, asked.unit, asked.answered_by) == (
        "partial", 400.0, "kg", town.id)
    town.send("/todo")
    after = await town.next_message()
    assert "周庄蛋鸡场" not in after.content  # called: off the list
    # A day on, the need's escalation says whom the registry asked and what they said.
    await age_needs(db, 20)
    assert await jobs.checks(services) >= 1
    alert = await asked_official.next_message(lambda m: "缺口提醒" in m.content, timeout=15)
    assert "应急供应库询问：" in alert.content
    assert "周庄蛋鸡场（电话）：能供应部分 400公斤" in alert.content
    # And so do the digests: /short now, and the day's /digest.
    for command in ("/short", "/digest"):
        asked_official.send(command)
        shown = await asked_official.next_message(lambda m: "鸡蛋" in m.content, timeout=15)
        assert "应急供应库询问：" in shown.content, (command, shown.content)
        assert "周庄蛋鸡场（电话）：能供应部分 400公斤" in shown.content
