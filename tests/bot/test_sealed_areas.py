"""The whole life of one sealed area through the fake Bot API, on both backends: a county
official declares and staffs it (a township official may not), the receiver's need meets
only the designated farm far away (never the grower next door), the consented match
becomes a delivery task dispatched with a plate and received short, forged presses are
refused and audited, and lifting returns the need to the open market."""

from __future__ import annotations

import time

from bot.matching.suppliers import Capacity
from storage.database import Database
from storage.suppliers import SupplierData
from tests.bot.conftest import eventually, post_and_confirm, sign_up
from tests.fake_bot_api import FakeBotApi, FakeUser
from tests.stores import each

FARM_KEY = "name:舞钢蔬菜基地@舞钢市"


async def _official(make_user, db: Database, name: str, **area: str) -> FakeUser:
    invite = await each(db).users.create_invite(role="official", name=name, **area)
    official = make_user(name)
    official.start(invite.code)
    await official.next_message()
    return official


async def test_the_life_of_a_sealed_area(make_user, fake_api: FakeBotApi, db: Database) -> None:
    county = await _official(make_user, db, "王科长", county="宝丰县")
    township = await _official(make_user, db, "刘站长", county="宝丰县", township="张八桥镇")
    neighbour = make_user("王师傅")
    await sign_up(neighbour)
    farm = make_user("赵经理")
    await sign_up(farm, name="赵经理", organisation="舞钢蔬菜基地", county="舞钢市",
                  township=None, phone="13800000005")
    receiver = make_user("物业张")
    await sign_up(receiver, role="采购方", name="物业张", organisation="建设路物业",
                  phone="13900000002")
    async with db.write() as uow:
        ids = await uow.suppliers.save([SupplierData(
            FARM_KEY, "舞钢蔬菜基地", "蔬菜生产大户", None, "舞钢市", None, "", None,
            "保供骨干企业", (Capacity("大白菜", 5000, "斤", "日"),))], time.time())
        await uow.suppliers.link_user(ids[FARM_KEY], farm.id, time.time())
        await uow.commit()

    # A township official may not declare; the county's official may.
    township.send("/declare 建设路小区 宝丰县张八桥镇 封控区 建设路小区,幸福里")
    assert "所在县区或市里的官员" in (await township.next_message()).content
    county.send("/declare 建设路小区 宝丰县张八桥镇 封控区 建设路小区,幸福里")
    declared = await county.next_message()
    assert "已宣布" in declared.content and "建设路小区、幸福里" in declared.content
    [area] = await each(db).sealed_areas.listed()
    county.send(f"/designate {area.id} 舞钢蔬菜基地")
    assert "已指定舞钢蔬菜基地" in (await county.next_message()).content
    county.send(f"/receiver {area.id} {receiver.id} 小区东门")
    assert "收货点：小区东门" in (await county.next_message()).content
    await receiver.next_message(lambda m: "收货人" in m.content, timeout=15)

    # The grower next door and the designated farm far away both offer; the need meets
    # only the farm, and the grower hears nothing of it.
    await post_and_confirm(neighbour, "出售大白菜5000斤，0.8元/斤")
    await post_and_confirm(farm, "出售大白菜2000斤，0.9元/斤")
    need = await post_and_confirm(receiver, "求购大白菜3000斤，1元/斤以内")
    assert "1 条匹配" in need.content and "舞钢市" in need.content
    notice = await farm.next_message(lambda m: "🔔" in m.content, timeout=15)

    # Both say yes: the match becomes a delivery task for the farm and the receiver.
    farm.press(notice, "意向")
    nudge = await receiver.next_message(lambda m: "👋" in m.content, timeout=15)
    receiver.press(nudge, "意向")
    task = await farm.next_message(lambda m: "配送任务" in m.content, timeout=15)
    assert "送到小区东门" in task.content and "1,000公斤" in task.content
    for_receiver = await receiver.next_message(lambda m: "配送任务" in m.content, timeout=15)

    # Forged presses: the grower dispatching, the township official lifting.
    await fake_api.wait_for_callback_answer(neighbour.press_data("dlv:go:1"))
    await fake_api.wait_for_callback_answer(township.press_data(f"sea:lift:{area.id}"))
    refused = await each(db).audit.entries(action="security.refused_callback")
    assert {e.actor_id for e in refused} == {neighbour.id, township.id}

    farm.press(task, "已发车")
    assert "车牌" in (await farm.next_message()).content
    farm.send("豫D12345")
    assert "已记录发车" in (await farm.next_message()).content
    await receiver.next_message(lambda m: "已发车" in m.content and "豫D12345" in m.content,
                                timeout=15)
    receiver.press(for_receiver, "已签收")
    assert "实际收到" in (await receiver.next_message()).content
    receiver.send("1800斤")
    signed = await receiver.next_message()
    assert "实收900公斤" in signed.content and "短缺100公斤" in signed.content
    await farm.next_message(lambda m: "短缺100公斤" in m.content, timeout=15)
    async with db.read() as uow:
        done = await uow.sealed_areas.delivery(1)
    assert done is not None and (done.status, done.plate, done.shortfall) == (
        "received", "豫D12345", 100.0)

    # Lifting: the receiver is told, and the grower next door now hears of the need.
    county.send("/areas")
    listed = await county.next_message(lambda m: "解封" in " ".join(m.button_texts()))
    county.press(listed, "解封")
    await fake_api.wait_for_message(  # the card turns into the receipt
        county.id, lambda m: m.message_id == listed.message_id and "已解封" in m.content,
        timeout=15)
    await receiver.next_message(lambda m: "已解封" in m.content, timeout=15)
    await neighbour.next_message(lambda m: "🔔" in m.content, timeout=15)

    async def lifted() -> bool:
        found = await each(db).sealed_areas.get(area.id)
        return found is not None and not found.active

    await eventually(lifted)
