"""A ⚠️ 缺口提醒 through the real Application: the poster's contact for the township's
official, 👀 候选供应 and ✅ 已协调 pressed, the county told, a forged press refused."""

from __future__ import annotations

from sqlalchemy import update
from telegram.ext import Application

from bot.handlers import jobs
from bot.services.runtime import SERVICES_KEY
from storage.database import Database
from storage.schema import listings
from tests.bot.conftest import post_and_confirm, sign_up
from tests.fake_bot_api import FakeBotApi
from tests.stores import each

BUYER_PHONE = "13900000002"


async def test_acting_on_an_escalation(make_user, fake_api: FakeBotApi, db: Database,
                                       farmdock: Application) -> None:
    buyer, grower = make_user("李经理"), make_user("王师傅")
    await sign_up(buyer, role="采购方", name="李经理", organisation="张八桥超市",
                  county="宝丰县", township="张八桥镇", phone=BUYER_PHONE)
    await post_and_confirm(buyer, "求购大白菜3000斤，1元/斤以内")
    town, county, outsider = make_user("镇干事"), make_user("县商务局"), make_user("叶县")
    await each(db).users.upsert(town.id, role="official", name="镇干事", county="宝丰县",
                                township="张八桥镇")
    await each(db).users.upsert(county.id, role="official", name="县商务局", county="宝丰县")
    await each(db).users.upsert(outsider.id, role="official", name="叶县", county="叶县")
    # A day and more without a match (a grower in another county posts only tomatoes).
    await sign_up(grower, county="郏县", township=None, phone="13800000001")
    await post_and_confirm(grower, "出售西红柿2000斤，1.2元/斤")
    async with db.write() as uow:
        await uow.connection.execute(update(listings).where(listings.c.kind == "need")
                                     .values(created_at=listings.c.created_at - 25 * 3600))
        await uow.commit()
    services = farmdock.bot_data[SERVICES_KEY]
    assert await jobs.checks(services) >= 1
    alert = await town.next_message(lambda m: "缺口提醒" in m.content, timeout=15)
    assert "李经理｜张八桥超市｜" + BUYER_PHONE in alert.content  # told at sign-up
    assert not any("缺口提醒" in m.content for m in county.messages)  # one step only

    town.press(alert, "候选供应")
    listed = await town.next_message(lambda m: "候选供应" in m.content or "没有在售" in m.content)
    assert "没有在售" in listed.content  # tomatoes are no cabbage
    [need] = await each(db).listings.of_user(buyer.id)
    outsider.send("/todo")
    await outsider.next_message(lambda m: "还没有负责的门店" in m.content)
    forged = await fake_api.wait_for_callback_answer(outsider.press_data(f"esc:ack:{need.id}"))
    assert "不属于您" in forged.get("text", "")
    town.press(alert, "已协调")
    await town.next_message(lambda m: "已记录您在协调" in m.content)
    told = await county.next_message(lambda m: "已在协调" in m.content, timeout=15)
    assert "镇干事" in told.content and f"需求#{need.id}" in told.content
    assert [c.official_id for c in
            (await each(db).coordination.of_listings([need.id]))[need.id]] == [town.id]
