"""Signing up and posting in one line, end to end through the fake Bot API."""

from __future__ import annotations

from telegram.ext import Application

from storage.database import Database
from tests.bot.conftest import post_and_confirm, press, published, sign_up
from tests.fake_bot_api import FakeBotApi
from tests.stores import each


async def test_commands_are_registered(fake_api: FakeBotApi, farmdock: Application) -> None:
    commands = next(iter(fake_api.commands.values()))
    assert {"start", "offer", "need", "mine", "matches", "help", "cancel"} <= {
        c["command"] for c in commands
    }


async def test_grower_signs_up_with_buttons(make_user, db: Database) -> None:
    grower = make_user("王师傅")
    done = await sign_up(grower)
    assert "宝丰县张八桥镇" in done.content
    assert "出售" in done.content and "求购" not in done.content  # an offer as the example
    stored = await each(db).users.get(grower.id)
    assert stored is not None
    assert (stored.role, stored.county, stored.township, stored.phone) == (
        "grower", "宝丰县", "张八桥镇", "13800000001"
    )


async def test_place_can_be_typed(make_user, db: Database) -> None:
    buyer = make_user()
    buyer.start()
    await press(buyer, await buyer.next_message(), "采购方")
    buyer.send("李经理")
    await buyer.next_message()
    buyer.send("<b>丹尼斯</b>超市")
    await buyer.next_message()
    buyer.send("湛河区姚孟街道")
    ask_phone = await buyer.next_message()
    assert "手机号" in ask_phone.content
    buyer.send("跳过")
    done = await buyer.next_message()
    assert "&lt;b&gt;丹尼斯&lt;/b&gt;超市" in done.content  # echoed escaped, never as markup
    stored = await each(db).users.get(buyer.id)
    assert stored is not None and stored.township == "姚孟街道" and stored.phone is None


async def test_one_line_post_shows_card_then_commits(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message()
    assert "大白菜" in card.content and "蔬菜" in card.content
    assert "5000 斤" in card.content and "2500 公斤" in card.content
    assert "0.8 元/斤" in card.content and "1.6 元/公斤" in card.content
    assert "宝丰县张八桥镇" in card.content
    assert "3天" in card.content  # leafy greens
    assert any("确认" in t for t in card.button_texts())
    assert await each(db).listings.of_user(grower.id) == []
    grower.press(card, "确认")
    receipt = await published(grower, card)
    stored = await each(db).listings.of_user(grower.id)
    assert len(stored) == 1 and f"#{stored[0].id}" in receipt.content
    assert "已发布" in receipt.content and not any("确认" in t for t in receipt.button_texts())
    assert stored[0].kind == "offer" and stored[0].quantity == 2500


async def test_a_buyer_is_shown_a_need_as_the_example(make_user, db: Database) -> None:
    buyer = make_user("李经理")
    done = await sign_up(buyer, role="采购方", county="湛河区", township="姚孟街道")
    assert "求购" in done.content and "出售" not in done.content


async def test_missing_fields_are_asked_one_at_a_time(make_user, db: Database) -> None:
    buyer = make_user()
    await sign_up(buyer, role="采购方", county="湛河区", township="姚孟街道")
    buyer.send("要土豆")
    ask_quantity = await buyer.next_message()
    assert "数量" in ask_quantity.content
    buyer.send("2吨")
    ask_price = await buyer.next_message()
    assert "面议" in ask_price.button_texts()
    card = await press(buyer, ask_price, "面议")
    assert "求购" in card.content and "面议" in card.content and "2 吨" in card.content
    buyer.press(card, "确认")
    await published(buyer, card)
    [listing] = await each(db).listings.of_user(buyer.id)
    assert listing.kind == "need" and listing.place.county == "湛河区"


async def test_unregistered_user_is_told_to_start(make_user, farmdock: Application) -> None:
    stranger = make_user()
    stranger.send("出售大白菜5000斤")
    reply = await stranger.next_message()
    assert "/start" in reply.content


async def test_cancel_drops_the_draft(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message()
    grower.press(card, "取消")
    await grower.server.wait_until(lambda: "已取消" in grower.messages[-1].content)
    assert await each(db).listings.of_user(grower.id) == []


async def test_post_and_confirm_helper(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    published = await post_and_confirm(grower, "出售小麦10吨，1.4元/斤")
    assert "暂时没有匹配" in published.content
