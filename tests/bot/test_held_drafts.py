"""A post of its own sent while a question waits starts a new draft; the first is held and
offered back, never merged (a supermarket posting its shopping list line by line)."""

from __future__ import annotations

from storage.database import Database
from tests.bot.conftest import press, published, sign_up
from tests.fake_bot_api import FakeUser, SentMessage
from tests.stores import each


async def _buyer(make_user) -> FakeUser:
    buyer = make_user("采购员")
    await sign_up(buyer, role="采购方", name="李经理", organisation="丹尼斯超市",
                  county="湛河区", township="姚孟街道")
    return buyer


def _card(message: SentMessage) -> bool:
    return "确认" in " ".join(message.button_texts())


async def test_a_whole_post_while_the_quantity_is_asked_is_a_new_draft(
    make_user, db: Database
) -> None:
    buyer = await _buyer(make_user)
    buyer.send("求购西红柿")
    assert "数量" in (await buyer.next_message()).content
    buyer.send("急需大米100袋，每袋50元")
    card = await buyer.next_message(_card)
    assert "大米" in card.content and "100 袋" in card.content and "50 元/袋" in card.content
    assert "西红柿" not in card.content
    buyer.press(card, "确认")
    await published(buyer, card)
    offered = await buyer.next_message(lambda m: "还没发布" in m.content)
    assert "西红柿" in offered.content
    ask = await press(buyer, offered, "继续")
    assert "数量" in ask.content  # where the 西红柿 draft was left
    buyer.send("300斤")
    ask_price = await buyer.next_message()
    assert "价格" in ask_price.content
    tomato_card = await press(buyer, ask_price, "面议")
    assert "西红柿" in tomato_card.content and "300 斤" in tomato_card.content
    buyer.press(tomato_card, "确认")
    await published(buyer, tomato_card)
    stored = {x.product: x for x in await each(db).listings.of_user(buyer.id)}
    assert set(stored) == {"大米", "西红柿"}
    assert (stored["大米"].quantity, stored["大米"].unit, stored["大米"].price) == (100, "袋", 50)
    assert stored["西红柿"].quantity == 150 and stored["西红柿"].price_bound == "negotiable"


async def test_a_whole_post_while_the_price_is_asked_keeps_both_products(
    make_user, db: Database
) -> None:
    buyer = await _buyer(make_user)
    buyer.send("求购鸡蛋50箱")
    assert "价格" in (await buyer.next_message()).content
    buyer.send("求购面粉50袋 每袋八十")
    card = await buyer.next_message(_card)
    assert "面粉" in card.content and "80 元/袋" in card.content and "鸡蛋" not in card.content
    buyer.press(card, "确认")
    await published(buyer, card)
    offered = await buyer.next_message(lambda m: "还没发布" in m.content)
    assert "鸡蛋" in offered.content
    buyer.press(offered, "放弃")  # the old draft can be let go
    await buyer.server.wait_for_message(
        buyer.id, lambda m: m.message_id == offered.message_id and "已放弃" in m.content)
    [flour] = await each(db).listings.of_user(buyer.id)
    assert (flour.product, flour.price, flour.price_unit) == ("面粉", 80, "袋")


async def test_a_second_whole_post_is_never_merged_into_the_first(
    make_user, db: Database
) -> None:
    buyer = await _buyer(make_user)
    buyer.send("求购土豆3000斤")
    assert "价格" in (await buyer.next_message()).content
    buyer.send("求购番茄1吨 2元以内")
    card = await buyer.next_message(_card)
    assert "西红柿" in card.content and "1 吨" in card.content and "2 元/斤" in card.content
    assert "土豆" not in card.content
    buyer.press(card, "确认")
    await published(buyer, card)
    [tomato] = await each(db).listings.of_user(buyer.id)
    assert tomato.product == "西红柿" and tomato.quantity == 1000


async def test_a_held_drafts_card_still_confirms(make_user, db: Database) -> None:
    """Three lines of a shopping list, each a whole post: every card stays good."""
    buyer = await _buyer(make_user)
    cards = []
    for line in ("求购大白菜2000斤 面议", "求购土豆1吨 面议", "求购大葱500斤 面议"):
        buyer.send(line)
        cards.append(await buyer.next_message(_card))
    buyer.press(cards[0], "确认")  # the oldest, held while the others were posted
    await published(buyer, cards[0])
    assert [x.product for x in await each(db).listings.of_user(buyer.id)] == ["大白菜"]
    buyer.press(cards[2], "确认")
    await published(buyer, cards[2])
    products = {x.product for x in await each(db).listings.of_user(buyer.id)}
    assert products == {"大白菜", "大葱"}
