"""A price report end to end through the fake Bot API: an official adds a point and hands
out its link, a buyer opens it and stays a buyer, reports in one line, sees what was
understood, is asked 斤 or 公斤 when a price doubles, and the prices are stored."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.texts.officials import NOT_AN_OFFICIAL
from storage.database import Database
from storage.prices import PriceEntry
from tests.bot.conftest import sign_up
from tests.fake_bot_api import FakeUser, SentMessage
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")


async def _edited(user: FakeUser, card: SentMessage, words: str) -> SentMessage:
    return await user.server.wait_for_message(
        user.id, lambda m: m.message_id == card.message_id and words in m.content,
        timeout=user.patience)


async def test_a_report_from_link_to_stored_prices(make_user, db: Database) -> None:
    invite = await each(db).users.create_invite(role="official", name="王科长", county="宝丰县")
    official = make_user("王科长")
    official.start(invite.code)
    await official.next_message()
    official.send("/addpoint 人民路超市 超市 叶县")
    assert "不在您的辖区" in (await official.next_message()).content
    official.send("/addpoint 人民路超市 超市")
    added = (await official.next_message()).content
    assert "人民路超市" in added and "宝丰县" in added
    code = re.search(r"start=(pt[\w-]+)", added)
    assert code is not None, added

    reporter = make_user("李经理")
    await sign_up(reporter, role="采购方", name="李经理", organisation="人民路超市")
    reporter.start(code.group(1))
    assert "报价员" in (await reporter.next_message()).content
    stranger = make_user("路人")
    stranger.start(code.group(1))  # a one-time link
    assert "无效" in (await stranger.next_message()).content
    stranger.send("/report")
    assert "还不是监测点的报价员" in (await stranger.next_message()).content

    reporter.send("/report")
    assert "请发一行" in (await reporter.next_message()).content
    reporter.send("榴莲")
    assert "没看懂" in (await reporter.next_message()).content
    reporter.send("白菜1.2 猪肉13.8元/斤 卖了100斤 榴莲30")
    card = await reporter.next_message(lambda m: "核对" in m.content)
    assert "大白菜 1.20元/500克" in card.content and "猪肉 13.80元/500克，销量 50kg" in card.content
    assert "榴莲" in card.content  # named as not taken
    reporter.press(card, "确认保存")
    await _edited(reporter, card, "已保存")

    async with db.read() as uow:
        (point,) = await uow.prices.points()
        day = datetime.now(TZ).date()
        stored = await uow.prices.day_of(point.id, day.isoformat())
        assert [(r.product, r.price, r.sales, r.source) for r in stored] == [
            ("大白菜", 1.2, None, "bot"), ("猪肉", 13.8, 50, "bot")]
        user = await uow.users.get(reporter.id)
        assert user is not None and user.role == "buyer"  # a link is not a role

    # Yesterday's cabbage was 1.2: today's 2.4 is twice that. 斤 or 公斤?
    async with db.write() as uow:
        yesterday = (day - timedelta(days=1)).isoformat()
        await uow.prices.record(point.id, yesterday, [PriceEntry("大白菜", 1.2, "500g")],
                                reported_by=reporter.id, source="bot", now=0.0)
        await uow.commit()
    reporter.send("/report")
    await reporter.next_message()
    reporter.send("白菜2.4")
    card = await reporter.next_message(lambda m: "核对" in m.content)
    assert "每斤还是每公斤" in card.content
    reporter.press(card, "是每公斤的价（换算成每斤）")
    saved = await _edited(reporter, card, "已保存")
    assert "更正" in saved.content
    async with db.read() as uow:
        stored = {r.product: r.price for r in await uow.prices.day_of(point.id, day.isoformat())}
        assert stored == {"大白菜": 1.2, "猪肉": 13.8}
        history = await uow.prices.history(point.id, day.isoformat())
        assert [(r.product, r.price) for r, _ in history] == [("大白菜", 1.2)]

    official.send("/points")
    assert f"✅ 人民路超市（{point.id}）" in (await official.next_message()).content
    official.send("/prices")
    assert "价格监测" in (await official.next_message()).content
    reporter.send("/addpoint 我的超市 超市")  # a reporter is no official
    assert (await reporter.next_message()).content == NOT_AN_OFFICIAL
    async with db.read() as uow:
        assert len(await uow.prices.points()) == 1


async def test_the_basket_as_a_form_and_the_last_report_again(make_user, db: Database) -> None:
    async with db.write() as uow:
        from bot.matching.area import Area
        from bot.services.prices import add_point

        point = await add_point(uow, name="叶县市场", type="农贸市场", area=Area("叶县"), now=0.0,
                                telegram_id=None)
        code = await uow.prices.create_invite(point.id, None, 0.0)
        await uow.commit()
    reporter = make_user("赵师傅")
    reporter.start(code)
    await reporter.next_message()
    reporter.send("/report")
    ask = await reporter.next_message()
    assert "全部同上次" not in " ".join(ask.button_texts())  # nothing reported before
    reporter.press(ask, "逐项填写")
    first = await _edited(reporter, ask, "第 1/")
    assert "大米" in first.content
    reporter.send("2.6")
    second = await reporter.next_message(lambda m: "第 2/" in m.content)
    assert "面粉" in second.content
    reporter.press(second, "跳过")
    third = await _edited(reporter, second, "第 3/")
    reporter.send("不知道")  # not a price
    assert "没看懂" in (await reporter.next_message()).content
    reporter.send("58元/桶")
    fourth = await reporter.next_message(lambda m: "第 4/" in m.content)
    reporter.press(fourth, "填完了")
    card = await _edited(reporter, fourth, "核对")
    assert "大米 2.60元/500克" in card.content and "大豆油 58.00元/5升" in card.content
    assert "面粉" not in card.content and third.content
    reporter.press(card, "确认保存")
    await _edited(reporter, card, "已保存")

    # The next day: the same again, in one press.
    today = datetime.now(TZ).date()
    async with db.write() as uow:
        for row in await uow.prices.day_of(point.id, today.isoformat()):
            await uow.prices.record(point.id, (today - timedelta(days=1)).isoformat(), [
                PriceEntry(row.product, row.price, row.price_unit)], reported_by=None,
                source="bot", now=0.0)
        await uow.connection.exec_driver_sql(
            f"DELETE FROM price_reports WHERE day = '{today.isoformat()}'")
        await uow.commit()
    reporter.send("/report")
    ask = await reporter.next_message(lambda m: "请发一行" in m.content)
    reporter.press(ask, "全部同上次")
    card = await _edited(reporter, ask, "核对")
    assert "大米 2.60元/500克" in card.content and "大豆油 58.00元/5升" in card.content
    reporter.press(card, "确认保存")
    await _edited(reporter, card, "已保存")
    async with db.read() as uow:
        stored = {r.product: r.price for r in await uow.prices.day_of(point.id,
                                                                       today.isoformat())}
    assert stored == {"大米": 2.6, "大豆油": 58.0}


async def test_an_officials_invite_that_looks_like_a_point_link_still_signs_them_up(
    make_user, db: Database
) -> None:
    from sqlalchemy import insert

    from storage.schema import invites

    async with db.write() as uow:
        await uow.connection.execute(insert(invites).values(
            code="ptOfficial123", role="official", name="王科长", county="宝丰县",
            created_at=0.0))
        await uow.commit()
    official = make_user("王科长")
    official.start("ptOfficial123")
    assert "工作人员" in (await official.next_message()).content
    async with db.read() as uow:
        user = await uow.users.get(official.id)
    assert user is not None and user.role == "official"


async def test_the_digest_ends_with_the_prices_section_where_there_are_points(
    make_user, db: Database
) -> None:
    invite = await each(db).users.create_invite(role="official", name="王科长", county="郏县")
    official = make_user("王科长")
    official.start(invite.code)
    await official.next_message()
    official.send("/digest")
    first = await official.next_message()
    assert "价格监测" not in first.content
    official.send("/addpoint 郏县超市 超市")
    await official.next_message()
    official.send("/digest")
    section = await official.next_message(lambda m: "价格监测" in m.content)
    assert "未报价的监测点（1个）：郏县超市" in section.content
