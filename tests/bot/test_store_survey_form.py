"""The item form of /report through the fake Bot API: 同昨天, a typed item, a wrong answer
asked again, 跳过 for the rest; the report stored as one."""

from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.matching.clock import local_today
from bot.services.survey import record_report
from storage.database import Database
from tests.bot.conftest import sign_up
from tests.fake_bot_api import FakeBotApi
from tests.stores import each

PHONE = "13837500003"


async def test_the_item_form(make_user, fake_api: FakeBotApi, db: Database) -> None:
    store, _ = await each(db).survey.upsert_store(
        chain="万家福", name="万家福宝丰店", type="超市", county="宝丰县", township=None,
        manager_phone=PHONE, now=time.time())
    manager = make_user("赵店长")
    await sign_up(manager, role="采购方", name="赵店长", organisation="万家福",
                  county="宝丰县", township=None, phone=PHONE)
    today = local_today(ZoneInfo("Asia/Shanghai"))
    async with db.write() as uow:
        await record_report(uow, store, today - timedelta(days=1), "大米 库存90吨 日销2吨",
                            manager.id, time.time())
        await uow.commit()
    manager.send("/report")
    ask = await manager.next_message(lambda m: "今天的库存" in m.content)
    manager.press(ask, "逐项填写")
    rice = await manager.next_message(lambda m: "第1/11项" in m.content)
    assert "大米" in rice.content and "90,000公斤" in rice.content
    manager.press(rice, "同昨天")
    flour = await manager.next_message(lambda m: "第2/11项" in m.content)
    assert "同昨天" not in flour.button_texts()  # never reported before
    manager.send("很多")
    await manager.next_message(lambda m: "没能读出" in m.content)
    manager.send("10吨 日销1吨")
    current = await manager.next_message(lambda m: "第3/11项" in m.content)
    for n in range(4, 12):
        manager.press(current, "跳过")
        current = await manager.next_message(lambda m, n=n: f"第{n}/11项" in m.content)
    manager.press(current, "跳过")
    summary = await manager.next_message(lambda m: "已收到" in m.content)
    assert "大米：90,000公斤，可销售45.0天，充足" in summary.content
    assert "面粉：10,000公斤，可销售10.0天，偏紧" in summary.content
    stored = await each(db).survey.reports_of(store.id, today)
    assert sorted((r.product, r.figures.stock) for r in stored) == [
        ("大米", 90000), ("面粉", 10000)]
    # The short item drafted its need, as a one-line report does.
    card = await manager.next_message(lambda m: "建议求购" in m.content, timeout=15)
    assert "面粉" in card.content
