"""Delivery tasks into a sealed area on both backends: a consented match becomes a task,
已发车 with a plate, 已签收 with a shortfall, only by the task's own people, and late on a
fake clock."""

from __future__ import annotations

import json
import time

from bot.services import deliveries
from bot.services.interest import express_interest, express_interest_in_pair
from bot.services.match_index import ListingIndex
from storage.sealed_areas import Delivery
from tests.sealed.test_sealed_matching import (
    DESIGNATED,
    FAR,
    NEIGHBOUR,
    NEXT_DOOR,
    RECEIVER,
    need,
    sealed_township,
)
from tests.services.factories import cabbage, publish
from tests.stores import each


async def consented(db) -> Delivery:
    """The sealed need matched to the designated farm's 2000 斤, both sides said yes."""
    index = ListingIndex(db)
    await sealed_township(db)
    await publish(db, index, cabbage(DESIGNATED, place=FAR, quantity=1000.0,
                                     quantity_as_written=2000.0))
    published = await publish(db, index, need())
    [view] = published.matches
    assert view.record is not None
    for user in (RECEIVER, DESIGNATED):
        async with db.write() as uow:
            await express_interest(uow, view.record.id, user)
            await uow.commit()
    async with db.read() as uow:
        task = await uow.sealed_areas.delivery(1)
    assert task is not None
    return task


async def test_a_consented_match_into_the_area_becomes_a_task_with_cards(db) -> None:
    task = await consented(db)
    assert (task.status, task.supplier_user, task.receiver_user, task.point) == (
        "assigned", DESIGNATED, RECEIVER, "小区东门")
    # The smaller of what was asked (2500 kg) and offered (1000 kg).
    assert (task.quantity, task.unit, task.product) == (1000.0, "kg", "大白菜")
    cards = {r.chat_id: json.loads(r.payload) for r in await each(db).outbox.rows(
        kind="delivery")}
    assert "送到小区东门" in cards[DESIGNATED]["text"]
    assert cards[DESIGNATED]["buttons"][0][0][1] == f"dlv:go:{task.id}"
    assert cards[RECEIVER]["buttons"][0][0][1] == f"dlv:got:{task.id}"


async def test_dispatch_then_receipt_with_a_shortfall(db) -> None:
    task = await consented(db)
    now = time.time()
    async with db.write() as uow:
        supplier = await uow.users.get(DESIGNATED)
        receiver = await uow.users.get(RECEIVER)
        assert supplier is not None and receiver is not None
        # Neither may do the other's step, nor anyone else.
        assert await deliveries.task_for(uow, task.id, receiver, "supplier") == "not_yours"
        assert await deliveries.task_for(uow, task.id, supplier, "receiver") == "not_yours"
        mine = await deliveries.task_for(uow, task.id, supplier, "supplier")
        assert isinstance(mine, Delivery)
        assert await deliveries.dispatch(uow, mine, " 豫D 12345 ", now)
        assert not await deliveries.dispatch(uow, mine, None, now)
        assert await deliveries.task_for(uow, task.id, supplier, "supplier") == "done"
        theirs = await deliveries.task_for(uow, task.id, receiver, "receiver")
        assert isinstance(theirs, Delivery)
        got = await deliveries.receive(uow, theirs, 900.0, now + 60)
        assert got == deliveries.Received(900.0, 100.0)
        assert await deliveries.receive(uow, theirs, 900.0, now + 60) is None
        done = await uow.sealed_areas.delivery(task.id)
        await uow.commit()
    assert done is not None
    assert (done.status, done.plate, done.received_quantity, done.shortfall) == (
        "received", "豫D 12345", 900.0, 100.0)
    told = [json.loads(r.payload)["text"] for r in await each(db).outbox.rows(
        kind="delivery", chat_id=DESIGNATED)]
    assert any("短缺100公斤" in t for t in told)
    assert any("车牌豫D 12345" in json.loads(r.payload)["text"]
               for r in await each(db).outbox.rows(kind="delivery", chat_id=RECEIVER))


async def test_late_after_the_set_hours_on_a_fake_clock(db) -> None:
    task = await consented(db)
    start = task.created_at
    assert not deliveries.is_late(task, start + 11.9 * 3600, late_hours=12)
    assert deliveries.is_late(task, start + 12 * 3600, late_hours=12)
    async with db.write() as uow:
        await uow.sealed_areas.receive(task.id, 1000.0, None, start + 13 * 3600)
        done = await uow.sealed_areas.delivery(task.id)
        await uow.commit()
    assert done is not None and not deliveries.is_late(done, start + 20 * 3600, late_hours=12)


async def test_a_forged_pair_into_the_area_is_refused(db) -> None:
    index = ListingIndex(db)
    await sealed_township(db)
    neighbour = (await publish(db, index, cabbage(NEIGHBOUR, place=NEXT_DOOR))).listing
    sealed_need = (await publish(db, index, need())).listing
    async with db.write() as uow:
        pressed = await express_interest_in_pair(uow, sealed_need.id, neighbour.id, NEIGHBOUR)
        await uow.commit()
    assert pressed.outcome == "closed"
    assert await each(db).matches.of_listing(sealed_need.id) == []


async def test_the_officials_digest_shows_open_late_and_short_deliveries(db) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.matching.area import Area
    from bot.services.digest import load_bundle

    tz = ZoneInfo("Asia/Shanghai")
    task = await consented(db)
    later = task.created_at + 13 * 3600  # a fake clock: 13 hours on, not yet signed for
    day = datetime.fromtimestamp(later, tz).date()
    async with db.read() as uow:
        bundle = await load_bundle(uow, Area("宝丰县"), day, tz, now=later,
                                   delivery_late_hours=12)
    [section] = [m for m in bundle.messages if "封控区配送" in m]
    assert "任务1个，待送1个，超时1个" in section
    assert "建设路小区（封控区）：待发车1、已发车0、已签收0" in section
    assert "⏰ 任务 #1：大白菜 1,000公斤→小区东门（待发车）" in section

    async with db.write() as uow:
        await uow.sealed_areas.receive(task.id, 900.0, 100.0, later + 60)
        await uow.commit()
    async with db.read() as uow:
        bundle = await load_bundle(uow, Area("宝丰县"), day, tz, now=later + 120,
                                   delivery_late_hours=12)
        elsewhere = await load_bundle(uow, Area("叶县"), day, tz, now=later + 120)
    [section] = [m for m in bundle.messages if "封控区配送" in m]
    assert "超时0个" in section and "实收900公斤，短缺100公斤" in section
    assert not any("封控区配送" in m for m in elsewhere.messages)
