"""Escalation of shortages, users' match summaries and expiry reminders."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.services.broadcasts import (
    enqueue_escalations,
    enqueue_expiry_reminders,
    enqueue_match_summaries,
)
from storage.database import Database
from tests.digest.factories import DAY, TZ, at, listing, match, person, write
from tests.stores import each

HOUR = 3600.0


async def _officials(db: Database) -> None:
    await person(db, 71, "official", county="宝丰县", township="张八桥镇")
    await person(db, 72, "official", county="宝丰县", township=None)
    await person(db, 73, "official", county=None, township=None)
    await person(db, 74, "official", county="宝丰县", township="周庄镇")  # not theirs


async def test_shortage_climbs_one_level_per_step_each_flagged_once(db: Database) -> None:
    await _officials(db)
    shop = await person(db, 5, "buyer", organisation="张八桥超市")
    await listing(db, shop, "need", "大白菜", 500, created_at=at(8))
    assert await write(db, enqueue_escalations, 24, now=at(8) + 23 * HOUR) == 0
    assert await write(db, enqueue_escalations, 24, now=at(8) + 25 * HOUR) == 1
    assert await write(db, enqueue_escalations, 24, now=at(8) + 26 * HOUR) == 0  # once
    assert await write(db, enqueue_escalations, 24, now=at(8) + 49 * HOUR) == 1
    assert await write(db, enqueue_escalations, 24, now=at(8) + 73 * HOUR) == 1
    assert await write(db, enqueue_escalations, 24, now=at(8) + 200 * HOUR) == 0
    rows = await each(db).outbox.rows(kind="escalation")
    assert [r.chat_id for r in rows] == [71, 72, 73]
    assert "大白菜" in rows[0].payload and "张八桥超市" in rows[0].payload


async def test_a_matched_need_is_not_escalated(db: Database) -> None:
    await _officials(db)
    shop = await person(db, 5, "buyer")
    farm = await person(db, 6, "grower")
    need = await listing(db, shop, "need", "大白菜", 500, created_at=at(8))
    offer = await listing(db, farm, "offer", "大白菜", 900, created_at=at(9))
    await match(db, need, offer, created_at=at(9))
    assert await write(db, enqueue_escalations, 24, now=at(8) + 100 * HOUR) == 0


async def test_match_summary_once_per_user_and_day(db: Database) -> None:
    shop = await person(db, 5, "buyer")
    farm = await person(db, 6, "grower")
    need = await listing(db, shop, "need", "大白菜", 500, created_at=at(8))
    offer = await listing(db, farm, "offer", "大白菜", 900, created_at=at(9))
    await match(db, need, offer, created_at=at(9))
    assert await write(db, enqueue_match_summaries, DAY, TZ) == 2
    assert await write(db, enqueue_match_summaries, DAY, TZ) == 0
    assert {r.chat_id for r in await each(db).outbox.rows(kind="match_summary")} == {5, 6}


async def test_expiry_reminder_the_day_before_with_a_renew_button(db: Database) -> None:
    farm = await person(db, 6, "grower")
    offer = await listing(db, farm, "offer", "菠菜", 300, created_at=at(8))
    await each(db).listings.update(offer.id, 6, expires_at=at(0, day=DAY) + 3 * 86400)
    assert await write(db, enqueue_expiry_reminders, TZ, now=at(0, day=DAY) + 1 * 86400) == 0
    assert await write(db, enqueue_expiry_reminders, TZ, now=at(1, day=DAY) + 2 * 86400) == 1
    assert await write(db, enqueue_expiry_reminders, TZ, now=at(2, day=DAY) + 2 * 86400) == 0
    [row] = await each(db).outbox.rows(kind="expiry_reminder")
    assert f"lst:renew:{offer.id}" in row.payload and "续期" in row.payload


async def test_expiry_reminder_says_what_the_user_wrote_and_dates_like_other_messages(
    db: Database,
) -> None:
    farm = await person(db, 6, "grower")
    last_day = DAY + timedelta(days=2)
    await listing(db, farm, "offer", "菠菜", 100, created_at=at(8), quantity_as_written=200,
                  unit_as_written="斤", valid_until=last_day,
                  expires_at=at(0, day=last_day + timedelta(days=1)))
    assert await write(db, enqueue_expiry_reminders, TZ, now=at(9, day=last_day)) == 1
    [row] = await each(db).outbox.rows(kind="expiry_reminder")
    text = json.loads(row.payload)["text"]
    assert "菠菜 200 斤" in text
    assert "5月11日" in text and "2026-05-11" not in text


async def test_expiry_reminder_without_a_last_day_dates_the_moment_it_ends(db: Database) -> None:
    farm = await person(db, 6, "grower")
    offer = await listing(db, farm, "offer", "菠菜", 300, created_at=at(8))
    await each(db).listings.update(offer.id, 6, expires_at=at(0, day=date(2026, 5, 12)))
    assert await write(db, enqueue_expiry_reminders, TZ, now=at(9, day=date(2026, 5, 11))) == 1
    [row] = await each(db).outbox.rows(kind="expiry_reminder")
    assert "5月11日" in json.loads(row.payload)["text"]  # valid through the 11th
