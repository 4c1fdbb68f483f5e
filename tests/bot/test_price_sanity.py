"""An offer's price against the day's monitored average, end to end: far above it is
confirmed with the poster and listed for officials; twice it asks 斤 or 公斤."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.matching.area import Area
from bot.services.prices import add_point
from storage.database import Database
from storage.prices import PriceEntry
from tests.bot.conftest import published, sign_up
from tests.fake_bot_api import FakeUser, SentMessage
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")


async def _asked(user: FakeUser, card: SentMessage, words: str) -> SentMessage:
    return await user.server.wait_for_message(
        user.id, lambda m: m.message_id == card.message_id and words in m.content,
        timeout=user.patience)


async def test_a_high_offer_is_confirmed_twice_and_listed_for_officials(
    make_user, db: Database
) -> None:
    async with db.write() as uow:
        point = await add_point(uow, name="宝丰超市", type="超市", area=Area("宝丰县"), now=0.0)
        await uow.prices.record(point.id, datetime.now(TZ).date().isoformat(),
                                [PriceEntry("大白菜", 1.0, "500g")], reported_by=None,
                                source="cli", now=0.0)
        await uow.commit()
    grower = make_user()
    await sign_up(grower)
    grower.send("出售大白菜5000斤，1.6元/斤，宝丰县张八桥镇")
    card = await grower.next_message(lambda m: "确认" in " ".join(m.button_texts()))
    grower.press(card, "确认")
    asked = await _asked(grower, card, "监测均价")
    for shown in ("1.60元/斤", "1.00元/斤", "1.6倍"):
        assert shown in asked.content
    grower.press(asked, "确认")
    await published(grower, card)

    grower.send("出售大白菜3000斤，2元/斤，宝丰县张八桥镇")
    card = await grower.next_message(lambda m: "确认" in " ".join(m.button_texts()))
    grower.press(card, "确认")
    asked = await _asked(grower, card, "每斤还是每公斤")
    assert "2.0倍" in asked.content
    grower.send("出售大白菜3000斤，1.1元/斤，宝丰县张八桥镇")  # near the average: no question
    card = await grower.next_message(lambda m: "确认" in " ".join(m.button_texts())
                                     and "1.1" in m.content)
    grower.press(card, "确认")
    await published(grower, card)

    invite = await each(db).users.create_invite(role="official", name="王科长", county="宝丰县")
    official = make_user("王科长")
    official.start(invite.code)
    await official.next_message()
    official.send("/prices")
    section = (await official.next_message()).content
    assert "价格偏高的出售信息" in section and "大白菜 1.60元/斤" in section
    assert "1.10元/斤" not in section
