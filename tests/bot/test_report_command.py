"""/report through the fake Bot API for each kind of reporter: a store's manager reports
stock, a monitoring point's reporter prices, someone who is both is asked which (and
/stockreport, /pricereport go straight there), anyone else is told what /report is for."""

from __future__ import annotations

import time

from bot.matching.area import Area
from bot.services.prices import add_point
from storage.database import Database
from tests.bot.conftest import sign_up
from tests.stores import each


async def test_report_goes_to_what_the_sender_reports_for(make_user, db: Database) -> None:
    store, _ = await each(db).survey.upsert_store(
        chain="万家福", name="万家福宝丰店", type="超市", county="宝丰县", township=None,
        manager_phone=None, now=time.time())
    async with db.write() as uow:
        point = await add_point(uow, name="宝丰县城关农贸市场", type="农贸市场",
                                area=Area("宝丰县"), now=time.time())
        await uow.commit()
    names = ("赵店长", "李报价", "王经理", "路人")
    manager, reporter, both, stranger = (make_user(n) for n in names)
    for user, name in zip((manager, reporter, both, stranger), names, strict=True):
        await sign_up(user, role="采购方", name=name, organisation="万家福宝丰店")
    await each(db).survey.link_manager(store.id, manager.id, time.time())
    await each(db).survey.link_manager(store.id, both.id, time.time())
    async with db.write() as uow:
        await uow.prices.link(point.id, reporter.id, time.time())
        await uow.prices.link(point.id, both.id, time.time())
        await uow.commit()

    manager.send("/report")
    assert "今天的库存" in (await manager.next_message()).content
    reporter.send("/report")
    assert "请发一行" in (await reporter.next_message()).content
    both.send("/report")
    asked = (await both.next_message()).content
    assert "/stockreport" in asked and "/pricereport" in asked
    both.send("/stockreport")
    assert "今天的库存" in (await both.next_message()).content
    both.send("/pricereport")
    assert "请发一行" in (await both.next_message()).content
    stranger.send("/report")
    told = (await stranger.next_message()).content
    assert "还不是监测点的报价员" in told and "店长" in told
