"""The price job: alerts at once, reminders from the reminder time, the bulletin to the
channel from the bulletin time; each once across runs and workers. And the morning run's
prices section and bulletin for officials."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.handlers import jobs
from bot.matching.area import Area
from bot.services.match_index import ListingIndex
from bot.services.prices import add_point
from bot.services.runtime import Services
from bot.settings import load_settings
from storage.database import Database
from storage.prices import PriceEntry
from tests.backends import settings_env

TZ = ZoneInfo("Asia/Shanghai")
CHANNEL = -1001234567890


def at(hour: int, minute: int = 0, day: int = 9) -> float:
    return datetime(2026, 5, day, hour, minute, tzinfo=TZ).timestamp()


def services(db: Database, target: str, worker: str) -> Services:
    settings = load_settings({"FARMDOCK_TOKEN": "123456:ABCDEFGHIJ", **settings_env(target),
                              "FARMDOCK_BULLETIN_CHAT": str(CHANNEL)}, env_file=None)
    return Services(settings, db, ListingIndex(db), lambda: None, worker)


async def outbox(db: Database) -> list[tuple[int, str, str]]:
    async with db.read() as uow:
        result = await uow.connection.exec_driver_sql(
            "SELECT chat_id, kind, payload FROM outbox ORDER BY id")
        return [(r[0], r[1], r[2]) for r in result]


async def _points(db: Database) -> None:
    async with db.write() as uow:
        await uow.users.upsert(1, role="official")
        reported = await add_point(uow, name="宝丰超市", type="超市", area=Area("宝丰县"),
                                   now=at(7), telegram_id=21)
        await add_point(uow, name="叶县市场", type="农贸市场", area=Area("叶县"), now=at(7),
                        telegram_id=22)
        for day, price in (("2026-05-08", 1.0), ("2026-05-09", 1.0)):
            await uow.prices.record(reported.id, day, [PriceEntry("大白菜", price, "500g")],
                                    reported_by=21, source="bot", now=at(8))
        await uow.commit()


async def test_reminders_and_the_bulletin_wait_for_their_time_and_go_once(
    db: Database, database_target: str
) -> None:
    await _points(db)
    a, b = services(db, database_target, "a"), services(db, database_target, "b")
    assert await jobs.price_checks(a, now=at(9, 55)) == 0
    assert await jobs.price_checks(a, now=at(10, 0)) == 1
    assert await jobs.price_checks(b, now=at(10, 5)) == 0  # another worker: nothing again
    rows = await outbox(db)
    assert [(chat, kind) for chat, kind, _ in rows] == [(22, "price_reminder")]
    assert "叶县市场" in json.loads(rows[0][2])["text"]
    assert await jobs.price_checks(b, now=at(15, 0)) == 2  # the bulletin's text and image
    assert await jobs.price_checks(a, now=at(15, 5)) == 0
    rows = await outbox(db)
    assert [(chat, kind) for chat, kind, _ in rows][1:] == [(CHANNEL, "bulletin")] * 2
    image = json.loads(rows[2][2])
    assert image["attachment"]["kind"] == "photo" and "2026年5月9日" in image["text"]
    # The next day, the reminder again (both points are missing then).
    assert await jobs.price_checks(a, now=at(10, 0, day=10)) == 2


async def test_the_morning_run_gives_officials_the_prices_section_and_the_bulletin(
    db: Database, database_target: str
) -> None:
    await _points(db)
    done = await jobs.morning_messages(services(db, database_target, "a"),
                                       now=at(8) + timedelta(days=1).total_seconds())
    assert done >= 3
    rows = [(chat, kind, json.loads(p)) for chat, kind, p in await outbox(db)
            if kind == "price_digest"]
    assert [chat for chat, _, _ in rows] == [1, 1, 1]
    section = rows[0][2]["text"]
    assert "价格监测" in section and "未报价的监测点（1个）：叶县市场" in section
    assert rows[2][2]["attachment"]["kind"] == "photo"
