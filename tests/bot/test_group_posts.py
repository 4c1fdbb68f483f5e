"""Posts as written in groups, end to end: several products on one card, sold-out notices,
questions."""

from __future__ import annotations

from storage.database import Database
from tests.bot.conftest import eventually, post_and_confirm, sign_up
from tests.fake_bot_api import FakeUser
from tests.stores import each


async def _buyer(make_user, name: str, township: str) -> FakeUser:
    buyer = make_user(name)
    await sign_up(buyer, role="采购方", name=name, organisation=f"{name}超市", county="宝丰县",
                  township=township, phone=None)
    return buyer


async def test_three_products_one_card_one_removed_two_published_and_matched(
    make_user, db: Database
) -> None:
    cabbage = await _buyer(make_user, "白菜买家", "周庄镇")
    radish = await _buyer(make_user, "萝卜买家", "周庄镇")
    potato = await _buyer(make_user, "土豆买家", "闹店镇")
    await post_and_confirm(cabbage, "求购大白菜2000斤，1元/斤以内")
    await post_and_confirm(radish, "求购白萝卜1000斤，价格面议")
    await post_and_confirm(potato, "求购土豆3吨，价格面议")
    grower = make_user("王师傅")
    await sign_up(grower)

    grower.send("出售：白菜3000斤0.8元、萝卜2000斤0.5元、土豆5吨1元，宝丰县周庄镇")
    card = await grower.next_message(lambda m: "确认" in m.content)
    assert "共 3 条" in card.content
    for product in ("大白菜", "白萝卜", "土豆"):
        assert product in card.content
    labels = card.button_texts()
    assert {"✏️ 改第1条", "🗑 删第2条", "🗑 删第3条"} <= set(labels)
    assert await each(db).listings.of_user(grower.id) == []

    grower.press(card, "删第2条")
    card = await grower.server.wait_for_message(
        grower.id, lambda m: m.message_id == card.message_id and "共 2 条" in m.content,
        timeout=grower.patience,
    )
    assert "白萝卜" not in card.content and "大白菜" in card.content and "土豆" in card.content

    grower.press(card, "全部发布")
    receipt = await grower.server.wait_for_message(
        grower.id, lambda m: m.message_id == card.message_id and "已发布" in m.content,
        timeout=grower.patience,
    )
    stored = await each(db).listings.of_user(grower.id)
    assert sorted((x.product, x.quantity, x.price) for x in stored) == [
        ("土豆", 5000, 2.0), ("大白菜", 1500, 1.6),
    ]
    assert all(x.place.township == "周庄镇" and x.kind == "offer" for x in stored)
    for listing in stored:
        assert f"#{listing.id}" in receipt.content
    # Each listing is matched on its own: the cabbage buyer and the potato buyer hear of it,
    # the radish buyer (whose product was taken off the card) does not.
    assert "1 条匹配" in receipt.content
    assert sum("意向" in t for t in receipt.button_texts()) == 2
    cabbage_notice = await cabbage.next_message(lambda m: "🔔" in m.content, timeout=15)
    assert "大白菜" in cabbage_notice.content and "土豆" not in cabbage_notice.content
    potato_notice = await potato.next_message(lambda m: "🔔" in m.content, timeout=15)
    assert "土豆" in potato_notice.content and "大白菜" not in potato_notice.content
    assert not any("🔔" in m.content for m in radish.messages)


async def test_a_product_of_the_card_can_be_fixed(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("出售 黄瓜1000斤1.5元 西红柿800斤2元 宝丰县")
    card = await grower.next_message(lambda m: "确认" in m.content)
    grower.press(card, "改第2条")
    which = await grower.next_message(lambda m: "第2条" in m.content)
    assert "西红柿" in which.content
    grower.press(which, "数量")
    ask = await grower.next_message(lambda m: "数量" in m.content)
    assert ask is not None
    grower.send("600斤")
    card = await grower.next_message(lambda m: "确认" in m.content)
    assert "600 斤" in card.content and "1000 斤" in card.content
    grower.press(card, "全部发布")
    await grower.server.wait_for_message(
        grower.id, lambda m: m.message_id == card.message_id and "已发布" in m.content,
        timeout=grower.patience,
    )
    stored = {x.product: x.quantity for x in await each(db).listings.of_user(grower.id)}
    assert stored == {"黄瓜": 500, "西红柿": 300}


async def test_a_sold_out_notice_offers_to_close_that_products_listings(
    make_user, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    await post_and_confirm(grower, "出售土豆2吨，1元/斤")
    grower.send("白菜已经卖完了，谢谢大家")
    offer = await grower.next_message(lambda m: "已售完" in " ".join(m.button_texts()))
    [cabbage] = [x for x in await each(db).listings.of_user(grower.id) if x.product == "大白菜"]
    assert f"#{cabbage.id}" in " ".join(offer.button_texts())
    grower.press(offer, "已售完")

    async def closed() -> bool:
        return [x.product for x in await each(db).listings.of_user(grower.id)] == ["土豆"]

    await eventually(closed)


async def test_a_question_is_answered_and_starts_no_post(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("今天白菜多少钱一斤？")
    reply = await grower.next_message()
    assert "不是供求信息" in reply.content and not reply.button_texts()
    grower.send("谢谢王老板 菜收到了")
    thanks = await grower.next_message()
    assert "不是供求信息" in thanks.content
    assert await each(db).listings.of_user(grower.id) == []
