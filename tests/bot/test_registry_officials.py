"""Officials and the registry through the real Application: /addsupplier and ✏️ 编辑 by the
one-message form, only inside their own area; /suppliers shows registered phones to the
officials of the supplier's area, never to growers or buyers or to another area."""

from __future__ import annotations

from telegram.ext import Application

from storage.database import Database
from tests.bot.conftest import sign_up
from tests.fake_bot_api import FakeBotApi
from tests.stores import each

FORM = ("名称：周庄生猪养殖场\n类型：养殖场\n地点：宝丰县周庄镇\n联系人：李建国\n"
        "电话：13837510001\n供应：猪肉 2000斤/日；生猪 40头/周\n标记：保供骨干企业")


async def test_officials_add_edit_and_see_phones_of_their_area(
        make_user, fake_api: FakeBotApi, db: Database, farmdock: Application) -> None:
    grower, town, county, other = (make_user("王师傅"), make_user("周庄干事"),
                                   make_user("县商务局"), make_user("叶县干事"))
    await sign_up(grower)
    await each(db).users.upsert(town.id, role="official", name="周庄干事", county="宝丰县",
                                township="周庄镇")
    await each(db).users.upsert(county.id, role="official", name="县商务局", county="宝丰县")
    await each(db).users.upsert(other.id, role="official", name="叶县干事", county="叶县")

    grower.send("/suppliers")
    await grower.next_message(lambda m: "只有工作人员" in m.content)
    grower.send("/addsupplier")
    await grower.next_message(lambda m: "只有工作人员" in m.content)

    town.send("/addsupplier")
    await town.next_message(lambda m: "格式" in m.content)
    town.send(FORM.replace("宝丰县周庄镇", "宝丰县张八桥镇"))  # not their township
    refused = await town.next_message()
    assert "不在您负责的宝丰县周庄镇" in refused.content
    town.send(FORM.replace("2000斤/日", "很多"))
    assert "供应能力不对" in (await town.next_message()).content
    town.send(FORM)
    saved = await town.next_message(lambda m: "已登记" in m.content)
    assert "周庄生猪养殖场" in saved.content and "13837510001" in saved.content
    assert "【保供骨干企业】" in saved.content
    [supplier] = await each(db).suppliers.named("周庄生猪养殖场")
    assert (supplier.county, supplier.township, supplier.contact) == ("宝丰县", "周庄镇", "李建国")
    town.send("/addsupplier")
    await town.next_message(lambda m: "格式" in m.content)
    town.send(FORM)  # the same name and place again
    assert f"编号{supplier.id}" in (await town.next_message()).content
    town.send("/cancel")
    await town.next_message()

    other.send("/suppliers")
    listed = await other.next_message(lambda m: "应急供应企业" in m.content)
    assert "还没有登记" in listed.content  # 叶县 holds none, and sees none of 宝丰县's
    forged = await fake_api.wait_for_callback_answer(other.press_data(f"spl:edit:{supplier.id}"))
    assert "不属于您" in forged.get("text", "")

    county.send("/suppliers 猪肉")
    await county.next_message(lambda m: "共1家（猪肉）" in m.content)
    card = await county.next_message(lambda m: "周庄生猪养殖场" in m.content)
    assert "13837510001" in card.content and "猪肉 2000斤/日" in card.content
    county.press(card, "编辑")
    form = await county.next_message(lambda m: "格式" in m.content)
    assert "名称：周庄生猪养殖场" in form.content and "生猪 40头/周" in form.content
    county.send(FORM.replace("13837510001", "0375-5123456").replace("李建国", "李红"))
    updated = await county.next_message(lambda m: "已更新" in m.content)
    assert "0375-5123456" in updated.content and "李红" in updated.content
    [after] = await each(db).suppliers.named("周庄生猪养殖场")
    assert (after.id, after.phone, after.contact) == (supplier.id, "0375-5123456", "李红")
