"""/mine, step-by-step posting, restarts mid-conversation, and the doors' guards."""

from __future__ import annotations

from bot.services.runtime import SERVICES_KEY
from storage.database import Database
from tests.bot.conftest import BotFactory, post_and_confirm, press, published, sign_up
from tests.fake_bot_api import FakeBotApi
from tests.stores import each


async def test_mine_edit_renew_done_and_close(make_user, db: Database) -> None:
    grower = make_user()
    buyer = make_user()
    await sign_up(grower)
    await sign_up(buyer, role="采购方", county="湛河区", township="姚孟街道")
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    await post_and_confirm(grower, "出售土豆2吨，1元/斤")
    grower.send("/mine")
    await grower.next_message(lambda m: "2 条" in m.content)
    potatoes = await grower.next_message()
    cabbage = await grower.next_message()
    assert "大白菜" in cabbage.content and "改数量" in cabbage.button_texts()

    ask = await press(grower, cabbage, "改数量")
    assert "新数量" in ask.content
    grower.send("3000斤")
    updated = await grower.next_message()
    assert "3000 斤" in updated.content
    ask = await press(grower, updated, "改价格")
    grower.send("0.9元/斤")
    updated = await grower.next_message()
    assert "0.9 元/斤" in updated.content
    [cabbage_row] = [s for s in await each(db).listings.of_user(grower.id)
                     if s.product == "大白菜"]
    assert cabbage_row.quantity == 1500 and abs((cabbage_row.price or 0) - 1.8) < 1e-9

    renewed = await press(grower, updated, "续期")
    assert "续期" in renewed.content

    grower.press(potatoes, "已成交")
    await grower.server.wait_until(lambda: "成交" in potatoes.content)
    grower.press(updated, "关闭")
    await grower.server.wait_until(lambda: "已关闭" in updated.content)
    assert await each(db).listings.of_user(grower.id) == []
    done = await each(db).listings.of_user(grower.id, status="closed")
    assert sorted(s.closed_reason or "" for s in done) == ["closed", "done"]

    # A closed listing no longer matches.
    published = await post_and_confirm(buyer, "求购大白菜1000斤，1元/斤以内")
    assert "暂时没有匹配" in published.content


async def test_step_by_step_offer(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("/offer")
    await grower.next_message()  # what this is about
    ask_category = await grower.next_message()
    ask_product = await press(grower, ask_category, "蔬菜")
    ask_quantity = await press(grower, ask_product, "大白菜")
    assert "数量" in ask_quantity.content
    grower.send("五千斤")
    ask_price = await grower.next_message()
    assert "面议" in ask_price.button_texts()
    grower.send("0.8元/斤")
    ask_place = await grower.next_message()
    ask_township = await press(grower, ask_place, "叶县")
    ask_validity = await press(grower, ask_township, "只填到")
    assert "✔ 3天" in ask_validity.button_texts()
    card = await press(grower, ask_validity, "7天")
    assert "叶县" in card.content and "5000 斤" in card.content and "7天" in card.content
    grower.press(card, "确认")
    await published(grower, card)
    [listing] = await each(db).listings.of_user(grower.id)
    assert (listing.place.county, listing.place.township, listing.quantity) == ("叶县", None, 2500)


async def test_fix_a_field_from_the_card(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message()
    which = await press(grower, card, "修改")
    ask_price = await press(grower, which, "价格")
    assert "价格" in ask_price.content
    grower.send("1元/斤")
    card = await grower.next_message()
    assert "1 元/斤" in card.content
    grower.press(card, "确认")
    await published(grower, card)
    [listing] = await each(db).listings.of_user(grower.id)
    assert listing.price == 2


async def test_restart_in_the_middle_of_a_conversation(
    make_user, bot_factory: BotFactory, fake_api: FakeBotApi
) -> None:
    grower = make_user()
    async with bot_factory():
        await sign_up(grower)
        grower.send("要出售大白菜")
        ask_quantity = await grower.next_message()
        assert "数量" in ask_quantity.content
    # A new process on the same database picks the conversation up where it was.
    async with bot_factory() as application:
        grower.send("5000斤")
        ask_price = await grower.next_message()
        assert "价格" in ask_price.content
        grower.send("0.8元/斤")
        card = await grower.next_message()
        assert "2500 公斤" in card.content
    async with bot_factory() as application:
        grower.press(card, "确认")
        await published(grower, card)
        db = application.bot_data[SERVICES_KEY].db
        assert len(await each(db).listings.of_user(grower.id)) == 1


async def test_restart_during_sign_up(make_user, bot_factory: BotFactory) -> None:
    user = make_user()
    async with bot_factory():
        user.start()
        await press(user, await user.next_message(), "采购方")
        user.send("李经理")
        await user.next_message()
    async with bot_factory() as application:
        user.send("丹尼斯超市")
        ask_county = await user.next_message()
        assert "县区" in ask_county.content
        ask_township = await press(user, ask_county, "湛河区")
        await press(user, ask_township, "姚孟街道")
        user.send("跳过")
        await user.next_message(lambda m: "注册完成" in m.content)
        stored = await each(application.bot_data[SERVICES_KEY].db).users.get(user.id)
        assert stored is not None and stored.name == "李经理"


async def test_more_than_twenty_posts_a_minute_is_slowed(make_user, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    for _ in range(20):
        grower.send("出售大白菜5000斤，0.8元/斤")
        await grower.next_message(lambda m: "确认" in " ".join(m.button_texts()))
    grower.send("出售大白菜5000斤，0.8元/斤")
    slow = await grower.next_message()
    assert "太快" in slow.content


async def test_blocked_user_is_ignored(make_user, fake_api: FakeBotApi, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    await each(db).users.set_status(grower.id, "blocked")
    grower.send("/help")
    other = make_user()
    other.send("/help")
    await other.next_message()  # pushed after the blocked user's update
    assert "注册完成" in grower.messages[-1].content  # nothing new for the blocked user


async def test_help_has_examples(make_user, farmdock) -> None:
    user = make_user()
    user.send("/help")
    help_text = await user.next_message()
    assert "出售大白菜5000斤" in help_text.content and "/offer" in help_text.content
