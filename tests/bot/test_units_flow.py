"""Units that should meet: 箱 against 斤 through the usual box, and units that never meet."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.matching.model import PackSize
from bot.texts import matches as texts
from storage.database import Database
from tests.bot.conftest import post_and_confirm, sign_up
from tests.fake_bot_api import FakeBotApi, FakeUser
from tests.stores import each

ESTIMATE = "按每箱约45斤估算"


async def _grower_and_buyer(make_user) -> tuple[FakeUser, FakeUser]:
    grower = make_user("王师傅")
    buyer = make_user("李经理")
    await sign_up(grower)
    await sign_up(buyer, role="采购方", name="李经理", organisation="丹尼斯超市",
                  county="湛河区", township="姚孟街道", phone="13900000002")
    return grower, buyer


async def _city_official(make_user, db: Database) -> FakeUser:
    invite = await each(db).users.create_invite(role="official", name="张科长")
    official = make_user("张科长")
    official.start(invite.code)
    welcome = await official.next_message()
    assert "工作人员" in welcome.content
    return official


async def _digest_text(official: FakeUser) -> str:
    """The text part of the official's /digest of today (the morning's digest of yesterday
    may arrive meanwhile, when the test runs just after the digest time)."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    official.send("/digest")
    first = await official.next_message(
        lambda m: "缺口" in m.content and f"{today.month}月{today.day}日（" in m.content,
        timeout=30,
    )
    return first.content


async def test_egg_boxes_and_egg_weight_meet_and_both_sides_see_the_estimate(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower, buyer = await _grower_and_buyer(make_user)
    official = await _city_official(make_user, db)

    need_receipt = await post_and_confirm(buyer, "求购鸡蛋50箱，面议")
    assert "暂时没有匹配" in need_receipt.content
    before = await _digest_text(official)
    # Short until an offer meets it.
    assert "现在仍未匹配的需求：1 条" in before and "鸡蛋" in before

    offer_receipt = await post_and_confirm(grower, "出售鸡蛋500斤，4.5元/斤")
    # The grower sees the buyer's 50 boxes, with the estimate the match rests on.
    assert "1 条匹配" in offer_receipt.content
    assert "50 箱" in offer_receipt.content and ESTIMATE in offer_receipt.content
    # The buyer hears of the 500 斤 once, with the same estimate.
    # The buyer was just answered: the notice waits for a pause in their conversation.
    notice = await buyer.next_message(lambda m: "🔔" in m.content, timeout=15)
    assert "500 斤" in notice.content and ESTIMATE in notice.content

    # /matches shows it too, and the need is no longer a shortage.
    buyer.send("/matches")
    listed = await buyer.next_message(lambda m: "的匹配" in m.content)
    assert ESTIMATE in listed.content
    assert "暂无缺口" in await _digest_text(official)


async def test_units_that_never_meet_are_proposed_for_the_two_sides_to_talk(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower, buyer = await _grower_and_buyer(make_user)
    await post_and_confirm(buyer, "求购白条鸡200只，面议")
    receipt = await post_and_confirm(grower, "出售白条鸡500斤，8元/斤")
    assert "1 条匹配" in receipt.content
    # Each side reads its own unit first.
    assert "单位不同（斤/只），请双方沟通" in receipt.content
    # The buyer was just answered: the notice waits for a pause in their conversation.
    notice = await buyer.next_message(lambda m: "🔔" in m.content, timeout=15)
    assert "单位不同（只/斤），请双方沟通" in notice.content
    assert "估算" not in notice.content


async def test_units_that_meet_get_no_note(make_user, fake_api: FakeBotApi, db: Database) -> None:
    grower, buyer = await _grower_and_buyer(make_user)
    await post_and_confirm(buyer, "求购鸡蛋500斤，5元/斤以内")
    receipt = await post_and_confirm(grower, "出售鸡蛋50箱，每箱45斤，200元/箱")
    assert "1 条匹配" in receipt.content
    assert "⚖️" not in receipt.content
    # The outbox stays off the buyer's chat for 5 s after the bot last answered there.
    notice = await buyer.next_message(lambda m: "🔔" in m.content, timeout=15)
    assert "⚖️" not in notice.content


def test_estimates_read_in_jin_or_in_the_count_unit() -> None:
    assert texts.estimate([PackSize("箱", 22.5, "kg")]) == ESTIMATE
    assert texts.estimate([PackSize("桶", 5.0, "升")]) == "按每桶约5升估算"
    assert texts.estimate([PackSize("袋", 25.0, "kg"), PackSize("箱", 24.0, "盒")]) == (
        "按每袋约50斤、每箱约24盒估算"
    )
    assert texts.unit_name("kg", "吨") == "吨"
    assert texts.unit_name("kg", "箱") == "斤"  # a price unit in kg reads per 斤
    assert texts.other_units("<箱>", "斤") == "单位不同（&lt;箱&gt;/斤），请双方沟通"
