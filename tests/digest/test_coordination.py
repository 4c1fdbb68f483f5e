"""Acting on an escalation: the poster's name, organisation and phone (only for users told),
the best candidates, 已协调 recorded and shown above, escalation paused one step and
resumed saying who coordinated and when; officials outside the area refused."""

from __future__ import annotations

import json

from bot.services.broadcasts import enqueue_escalations
from bot.services.coordination import acknowledge, candidates, need_for_official
from bot.services.match_index import ListingIndex
from storage.database import Database
from tests.digest.factories import at, listing, person, write
from tests.stores import each

HOUR = 3600.0
TOWN, COUNTY, CITY_OFFICIAL, ELSEWHERE = 71, 72, 73, 74
PHONE = "13900000005"


async def _setup(db: Database, *, told: bool):  # type: ignore[no-untyped-def]
    await person(db, TOWN, "official", county="宝丰县", township="张八桥镇")
    await person(db, COUNTY, "official", county="宝丰县", township=None)
    await person(db, CITY_OFFICIAL, "official", county=None, township=None)
    await person(db, ELSEWHERE, "official", county="叶县", township=None)
    shop = await person(db, 5, "buyer", organisation="张八桥超市", phone=PHONE)
    if told:
        await each(db).coordination.mark_told(shop.telegram_id, at(7))
    return await listing(db, shop, "need", "大白菜", 500, created_at=at(8))


async def texts(db: Database, chat_id: int) -> list[str]:
    return [json.loads(r.payload)["text"] for r in
            await each(db).outbox.rows(kind="escalation", chat_id=chat_id)]


async def test_the_alert_names_the_poster_with_the_phone_of_a_user_told(db: Database) -> None:
    need = await _setup(db, told=True)
    assert await write(db, enqueue_escalations, 24, now=at(8) + 25 * HOUR) == 1
    [row] = await each(db).outbox.rows(kind="escalation")
    payload = json.loads(row.payload)
    assert row.chat_id == TOWN
    assert "用户5｜张八桥超市｜13900000005" in payload["text"]
    [[cand, ack]] = payload["buttons"]
    assert (cand[1], ack[1]) == (f"esc:cand:{need.id}", f"esc:ack:{need.id}")


async def test_a_user_not_told_is_told_once_before_the_phone_is_shown(db: Database) -> None:
    await _setup(db, told=False)
    await write(db, enqueue_escalations, 24, now=at(8) + 25 * HOUR)
    [first] = await texts(db, TOWN)
    assert PHONE not in first and "下次提醒时显示" in first
    [notice] = await each(db).outbox.rows(kind="phone_notice")
    assert notice.chat_id == 5 and "工作人员" in json.loads(notice.payload)["text"]
    await write(db, enqueue_escalations, 24, now=at(8) + 49 * HOUR)
    [county_text] = await texts(db, COUNTY)
    assert PHONE in county_text
    assert len(await each(db).outbox.rows(kind="phone_notice")) == 1  # told once


async def test_coordinated_is_shown_above_pauses_one_step_and_resumes_saying_who(
        db: Database) -> None:
    need = await _setup(db, told=True)
    await write(db, enqueue_escalations, 24, now=at(8) + 25 * HOUR)
    town = await each(db).users.get(TOWN)
    assert await write(db, acknowledge, need, town, at(8) + 30 * HOUR) is True
    assert await write(db, acknowledge, need, town, at(8) + 31 * HOUR) is False  # once
    above = await each(db).outbox.rows(kind="coordinated")
    assert sorted(r.chat_id for r in above) == [COUNTY, CITY_OFFICIAL]
    # The county would hear at 48 h; paused one step, at 72 h, saying who and when.
    assert await write(db, enqueue_escalations, 24, now=at(8) + 50 * HOUR) == 0
    assert await write(db, enqueue_escalations, 24, now=at(8) + 73 * HOUR) == 1
    [county_text] = await texts(db, COUNTY)
    assert "已协调：用户71（05-10 14:00）" in county_text
    assert await write(db, enqueue_escalations, 24, now=at(8) + 97 * HOUR) == 1
    assert len(await texts(db, CITY_OFFICIAL)) == 1


async def test_only_officials_of_the_area_act_and_the_candidates_are_the_best_offers(
        db: Database) -> None:
    need = await _setup(db, told=True)
    users = await each(db).users.by_ids([TOWN, ELSEWHERE, 5])
    assert await write(db, need_for_official, need.id, users[ELSEWHERE]) == "not_yours"
    assert await write(db, need_for_official, need.id, users[5]) == "not_yours"
    assert (await write(db, need_for_official, need.id, users[TOWN])).id == need.id
    farm = await person(db, 6, "grower", organisation="周庄合作社", township="周庄镇")
    near = await person(db, 7, "grower", organisation="张八桥合作社")
    await listing(db, farm, "offer", "大白菜", 5000, created_at=at(9))
    await listing(db, near, "offer", "大白菜", 800, created_at=at(9))
    await listing(db, near, "offer", "土豆", 800, created_at=at(9))
    index = ListingIndex(db)
    found = await write(db, candidates, index, need, at(12))
    assert [c.organisation for c in found] == ["张八桥合作社", "周庄合作社"]  # nearest first
