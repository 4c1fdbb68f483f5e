"""The officials' digest gains the survey's part: stores reported / expected, items by
status, the worst days of stock, needs opened by the survey and matched."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.cli.digest import digest_json
from bot.matching.area import Area
from bot.services.digest import load_digest
from bot.services.digest_text import render_digest
from bot.services.survey import record_report
from bot.services.survey_needs import after_report
from storage.database import Database
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")
D = date(2026, 5, 10)


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def test_the_digest_of_an_area_with_stores_has_the_survey(db: Database) -> None:
    stores = []
    for name in ("万家福宝丰店", "万家福周庄店", "丹尼斯宝丰店"):
        store, _ = await each(db).survey.upsert_store(
            chain="", name=name, type="超市", county="宝丰县", township=None,
            manager_phone=None, now=time.time())
        stores.append(store)
    async with db.write() as uow:
        for store, text in ((stores[0], "大米 库存10吨 日销2吨；猪肉 断货 日销1吨"),
                            (stores[1], "大米 库存90吨 日销2吨")):
            await record_report(uow, store, D, text, None, time.time())
            await after_report(uow, store, D, time.time())
        await uow.commit()
    async with db.read() as uow:
        digest = await load_digest(uow, Area.of("宝丰县", None), D, TZ, now=time.time())
        elsewhere = await load_digest(uow, Area.of("叶县", None), D, TZ, now=time.time())
    section = digest.survey
    assert section is not None and elsewhere.survey is None
    assert (section.expected, section.reported) == (3, 2)
    assert section.by_status == {"断货": 1, "告急": 1, "充足": 1}
    assert [(r.store.name, r.stock.product) for r in section.worst][:2] == [
        ("万家福宝丰店", "猪肉"), ("万家福宝丰店", "大米")]
    assert (section.needs_opened, section.needs_published, section.needs_matched) == (2, 0, 0)
    text = render_digest(digest, TZ)
    assert "门店库存调查</b>：报送 2/3 家" in text and "断货1，告急1，充足1" in text
    assert "调查拟求购 2 条" in text
    assert digest_json(digest)["survey"]["stores_reported"] == 2
    assert "survey" not in digest_json(elsewhere) and "门店库存调查" not in render_digest(
        elsewhere, TZ)
