"""Small talk is answered in one line, and never starts a post."""

from __future__ import annotations

from telegram.ext import Application

from storage.database import Database
from tests.bot.conftest import post_and_confirm, published, sign_up
from tests.stores import each


async def test_a_greeting_or_thanks_is_greeted_back_not_posted(
    make_user, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    for said, opener in (("你好", "您好"), ("谢谢老板！", "不客气"), ("好的", "好的")):
        grower.send(said)
        answer = await grower.next_message()
        assert answer.content.startswith(opener), answer.content
        assert "出售大白菜5000斤" in answer.content and "\n" not in answer.content
        assert answer.button_texts() == [] and "哪一类" not in answer.content
    # Nothing was started: the next post is read on its own.
    receipt = await post_and_confirm(grower, "出售小麦10吨，1.4元/斤")
    assert "已发布" in receipt.content
    assert [x.product for x in await each(db).listings.of_user(grower.id)] == ["小麦"]


async def test_a_post_that_starts_with_a_greeting_is_a_post(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("你好，出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message()
    assert "大白菜" in card.content and any("确认" in t for t in card.button_texts())


async def test_a_buyer_and_a_stranger_hear_what_to_do(make_user, farmdock: Application) -> None:
    buyer = make_user()
    await sign_up(buyer, role="采购方", county="湛河区", township="姚孟街道")
    buyer.send("在吗")
    assert "求购" in (await buyer.next_message()).content
    stranger = make_user()
    stranger.send("您好")
    answer = (await stranger.next_message()).content
    assert answer.startswith("您好") and "/start" in answer


async def test_thanks_while_the_card_waits_keeps_the_card(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message()
    grower.send("好的")
    assert "确认发布" in (await grower.next_message()).content
    grower.press(card, "确认")  # the card shown before is still the draft
    await published(grower, card)
    [listing] = await each(db).listings.of_user(grower.id)
    assert listing.product == "大白菜"
