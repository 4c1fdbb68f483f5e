"""One store's week of the survey through the real Application and the fake Bot API:
six days of reports, today's by /report, a short item's card, 改数量 and 发布 onto the
market, the officer told and their /todo, the need closed when stock is back."""

from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.matching.clock import local_today
from bot.services.survey import record_report
from bot.services.survey_needs import after_report
from storage.database import Database
from tests.bot.conftest import post_and_confirm, sign_up
from tests.fake_bot_api import FakeBotApi
from tests.stores import each

MANAGER_PHONE = "13837500003"


async def test_one_stores_week(make_user, fake_api: FakeBotApi, db: Database) -> None:
    store, _ = await each(db).survey.upsert_store(
        chain="万家福", name="万家福宝丰店", type="超市", county="宝丰县", township=None,
        manager_phone=MANAGER_PHONE, now=time.time())
    # The manager signs up with the store's 店长电话 and so manages it.
    manager = make_user("赵店长")
    await sign_up(manager, role="采购方", name="赵店长", organisation="万家福宝丰店",
                  county="宝丰县", township=None, phone=MANAGER_PHONE)
    assert await each(db).survey.managers(store.id) == [manager.id]
    grower = make_user("王师傅")
    await sign_up(grower, phone="13800000001")
    await post_and_confirm(grower, "出售大米50吨，2.6元/斤")
    # A county official assigns the officer in the bot.
    chief, officer = make_user("县商务局"), make_user("李干事")
    await each(db).users.upsert(chief.id, role="official", name="县商务局", county="宝丰县")
    await each(db).users.upsert(officer.id, role="official", name="李干事", county="宝丰县")
    chief.send("/assign")
    pick_store = await chief.next_message(lambda m: "哪家门店" in m.content)
    chief.press(pick_store, "万家福宝丰店")
    pick = await fake_api.wait_for_message(chief.id, lambda m: "指派谁" in m.content)
    chief.press(pick, "李干事")
    await fake_api.wait_for_message(chief.id, lambda m: "已指派" in m.content)
    await officer.next_message(lambda m: "保供服务官" in m.content, timeout=15)
    assert await each(db).survey.officer_of(store.id) == officer.id

    # Six days of reports before today (as `farmdock survey add` stores them): rice falls
    # from 90 to 65 tonnes at 2 tonnes a day, plenty all week.
    today = local_today(ZoneInfo("Asia/Shanghai"))
    async with db.write() as uow:
        for n, stock in zip(range(6, 0, -1), (90, 85, 80, 75, 70, 65), strict=True):
            day = today - timedelta(days=n)
            await record_report(uow, store, day, f"大米 库存{stock}吨 日销2吨；鸡蛋 库存80箱 "
                                "日销10箱", manager.id, time.time())
            assert (await after_report(uow, store, day, time.time())).drafted == []
        await uow.commit()

    # Today a delivery failed: 10 tonnes left, 告急 (5 days against 30, emergency 7).
    manager.send("/report")
    await manager.next_message(lambda m: "今天的库存" in m.content)
    manager.send("大米 库存10吨 今天卖了2吨；鸡蛋 库存80箱 日销10箱；香蕉 1吨")
    summary = await manager.next_message(lambda m: "已收到" in m.content)
    assert "大米：10,000公斤，可销售5.0天，告急" in summary.content
    assert "鸡蛋：80箱，可销售8.0天，充足" in summary.content
    assert "香蕉" in summary.content and "拟好求购" in summary.content
    card = await manager.next_message(lambda m: "建议求购" in m.content, timeout=15)
    assert "⚠️" in card.content and "50,000公斤" in card.content  # 30 × 2000 − 10000
    alert = await officer.next_message(lambda m: "🚨" in m.content, timeout=15)
    assert "万家福宝丰店" in alert.content and "大米告急" in alert.content

    # Someone else's press is refused; 改数量 then 发布.
    intruder = make_user("外人")
    await sign_up(intruder, role="采购方", name="钱", county="郏县", township=None,
                  phone="13700000003")
    [need] = await each(db).survey.active_needs([store.id])
    answer = await fake_api.wait_for_callback_answer(intruder.press_data(f"srv:pub:{need.id}"))
    assert "不属于您" in answer.get("text", "")
    manager.press(card, "改数量")
    await manager.next_message(lambda m: "新的求购数量" in m.content)
    manager.send("四十吨")
    new_card = await manager.next_message(lambda m: "建议求购" in m.content)
    assert "40,000公斤" in new_card.content
    manager.press(new_card, "发布")
    receipt = await fake_api.wait_for_message(manager.id, lambda m: "已发布求购" in m.content)
    assert "40,000公斤" in receipt.content
    notice = await grower.next_message(lambda m: "🔔" in m.content, timeout=15)
    assert "大米" in notice.content
    [listing] = await each(db).listings.of_user(manager.id)
    assert (listing.kind, listing.quantity, listing.place.county) == ("need", 40000, "宝丰县")
    # 发布 again (the first card's button, still there) publishes nothing more.
    again = await fake_api.wait_for_callback_answer(manager.press(card, "发布") or "")
    assert "已经处理过" in again.get("text", "")
    assert len(await each(db).listings.of_user(manager.id)) == 1

    # The officer's list: rice 告急, the need published and matched.
    officer.send("/todo")
    todo = await officer.next_message(lambda m: "待办" in m.content)
    assert "负责1家门店，已报送1家" in todo.content
    assert "大米告急" in todo.content and "已有匹配" in todo.content

    # A delivery came: the corrected report is back above target; the need is closed.
    manager.send("/report 大米 库存80吨 日销2吨；鸡蛋 库存80箱 日销10箱")
    await manager.next_message(lambda m: "已收到" in m.content and "充足" in m.content)
    closed = await manager.next_message(lambda m: "已关闭" in m.content, timeout=15)
    assert "大米" in closed.content
    assert await each(db).listings.of_user(manager.id) == []
    assert await each(db).survey.active_needs([store.id]) == []
