"""A careless or hostile user, end to end: impossible numbers, long posts, invisible text."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from storage.database import Database
from tests.bot.conftest import post_and_confirm, press, published, sign_up
from tests.fake_bot_api import FakeBotApi
from tests.stores import each


async def test_a_one_line_post_with_an_impossible_quantity_is_refused(
    make_user, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("出售大白菜0吨，0.8元/斤")
    refusal = await grower.next_message()
    assert "数量超出范围" in refusal.content and "10万吨" in refusal.content
    ask = await grower.next_message()
    assert "数量是多少" in ask.content
    # Typed at the question, an impossible quantity is refused again, with the range.
    grower.send("99999999999吨")
    again = await grower.next_message()
    assert "数量超出范围" in again.content and "10万吨" in again.content
    grower.send("5000斤")
    card = await grower.next_message()
    assert "5000 斤" in card.content
    grower.press(card, "确认")
    await published(grower, card)
    [stored] = await each(db).listings.of_user(grower.id)
    assert stored.quantity == 2500


async def test_a_step_by_step_price_of_0_is_refused_but_a_donation_is_taken(
    make_user, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("/offer")
    await grower.next_message()
    ask_category = await grower.next_message()
    ask_product = await press(grower, ask_category, "蔬菜")
    await press(grower, ask_product, "大白菜")
    grower.send("0斤")
    zero = await grower.next_message()
    assert "数量超出范围" in zero.content and "最多10万吨" in zero.content
    grower.send("5000斤")
    await grower.next_message()  # the price question
    grower.send("0元/斤")
    refusal = await grower.next_message()
    assert "价格超出范围" in refusal.content and "每公斤1万元" in refusal.content
    assert "免费" in refusal.content
    grower.send("免费")
    ask_place = await grower.next_message()
    assert "在哪里" in ask_place.content
    ask_township = await press(grower, ask_place, "叶县")
    ask_validity = await press(grower, ask_township, "只填到")
    card = await press(grower, ask_validity, "7天")
    assert "免费" in card.content
    grower.press(card, "确认")
    await published(grower, card)
    [stored] = await each(db).listings.of_user(grower.id)
    assert (stored.quantity, stored.price, stored.price_bound) == (2500, 0, "free")


async def test_mine_refuses_impossible_edits_and_states_the_range(
    make_user, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    await post_and_confirm(grower, "出售鸡蛋300箱，120元/箱")
    grower.send("/mine")
    await grower.next_message()
    card = await grower.next_message()
    await press(grower, card, "改数量")
    grower.send("0箱")
    refusal = await grower.next_message()
    assert "数量超出范围" in refusal.content and "100万箱" in refusal.content
    grower.send("2000000箱")
    refusal = await grower.next_message()
    assert "数量超出范围" in refusal.content
    grower.send("200箱")
    updated = await grower.next_message()
    assert "200 箱" in updated.content
    await press(grower, updated, "改价格")
    grower.send("-5元/箱")
    refusal = await grower.next_message()
    assert "价格超出范围" in refusal.content and "每箱1万元" in refusal.content
    grower.send("20000元/箱")
    refusal = await grower.next_message()
    assert "价格超出范围" in refusal.content
    grower.send("100元/箱")
    await grower.next_message(lambda m: "已更新" in m.content)
    [stored] = await each(db).listings.of_user(grower.id)
    assert (stored.quantity, stored.price) == (200, 100)


async def test_a_post_over_1000_characters_is_refused_as_too_long(
    make_user, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("出售大白菜5000斤，0.8元/斤" + "好" * 1000)
    refusal = await grower.next_message()
    assert "信息太长" in refusal.content and "1000" in refusal.content
    # Nothing was started: the next post is read afresh.
    grower.send("出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message()
    assert "请确认" in card.content


async def test_an_invisible_character_in_a_post_never_breaks_the_officials_digest(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower, name="王\u202e师傅\u200b", organisation="=HYPERLINK(\"x\")\x07")
    await post_and_confirm(grower, "出售土豆100斤\x02 1元/斤 叶县")
    [stored] = await each(db).listings.of_user(grower.id)
    assert stored.raw_text == "出售土豆100斤 1元/斤 叶县"
    account = await each(db).users.get(grower.id)
    assert account is not None
    assert (account.name, account.organisation) == ("王师傅", '=HYPERLINK("x")')

    official = make_user("市商务局")
    await each(db).users.upsert(official.id, role="official", name="值班员")
    official.send("/digest")
    document = await official.next_message(lambda m: m.method == "sendDocument")
    await official.next_message(lambda m: m.method == "sendPhoto")
    assert not any("出了点问题" in m.content for m in official.messages)
    assert document.file is not None
    every = [c for sheet in load_workbook(io.BytesIO(document.file.content)).worksheets
             for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in every if c.data_type == "f"]
