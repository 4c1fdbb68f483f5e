"""Whatever text is stored, every digest output survives it, and one area never stops another."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.matching.area import Area
from bot.services import digest as digest_service
from bot.services.digest import enqueue_daily_digests, load_bundle
from storage.database import Database
from tests.backends import cli_args
from tests.digest.factories import DAY, TZ, at, listing, person, read
from tests.stores import each

FORMULA = '=HYPERLINK("http://example.com/x","点我")'
# Stored before text was cleaned where it enters: a control character in a post, an
# organisation that a spreadsheet would run, a category that matplotlib reads as maths.
HOSTILE_POST = "出售土豆100斤\x02 1元/斤 叶县"


async def store_hostile_day(db: Database) -> Database:
    grower = await person(db, 1, county="叶县", township=None, organisation=FORMULA)
    await listing(db, grower, "offer", "土豆", 50, created_at=at(9), raw_text=HOSTILE_POST)
    other = await person(db, 2, county="叶县", township=None, organisation="+86 @sum\u202e")
    await listing(db, other, "need", "大白菜", 100, created_at=at(10), category="$\\frac$",
                  raw_text="-5斤 求购 #N/A")
    return db


@pytest.fixture
async def hostile(db: Database) -> Database:
    return await store_hostile_day(db)


def cells(workbook: bytes) -> list:
    book = load_workbook(io.BytesIO(workbook))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


async def test_every_output_survives_stored_control_characters_and_formulas(
    hostile: Database,
) -> None:
    found = await read(hostile, load_bundle, Area(), DAY, TZ, now=at(23))
    assert found.messages and found.chart.startswith(b"\x89PNG")
    every = cells(found.workbook)
    assert not [c.coordinate for c in every if c.data_type == "f"]
    values = {c.value: c for c in every if isinstance(c.value, str)}
    assert values[FORMULA].quotePrefix and values[FORMULA].data_type == "s"
    assert "出售土豆100斤 1元/斤 叶县" in values
    assert values["-5斤 求购 #N/A"].quotePrefix


def test_farmdock_digest_writes_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], database_target: str
) -> None:
    db_file = database_target

    async def fill() -> None:
        async with await Database.open(db_file) as db:
            await store_hostile_day(db)

    asyncio.run(fill())
    out = tmp_path / "day.xlsx"
    args = ["digest", *cli_args(db_file), "--date", DAY.isoformat(), "--region", "平顶山市"]
    assert main([*args, "--format", "xlsx", "--out", str(out)]) == 0
    assert not [c.coordinate for c in cells(out.read_bytes()) if c.data_type == "f"]
    capsys.readouterr()
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {s["organisation"] for s in data["shortages"]} == {"+86 @sum\u202e"}
    assert main([*args, "--format", "text"]) == 0
    assert "叶县" in capsys.readouterr().out


async def test_a_stored_control_character_no_longer_stops_the_morning_digests(
    hostile: Database,
) -> None:
    # 叶县 holds the hostile listings; 宝丰县 and the city come after it or before it.
    for chat, county in ((100, "叶县"), (101, "宝丰县"), (102, None)):
        await person(hostile, chat, "official", county=county, township=None)
    added = await enqueue_daily_digests(hostile, DAY, TZ, now=at(8, day=DAY + timedelta(1)))
    assert {m.chat_id for m in await each(hostile).outbox.rows(kind="digest")} == {100, 101, 102}
    assert added == 3 * 3


async def test_one_areas_failing_digest_is_logged_told_and_skipped(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for chat, county in ((100, "叶县"), (101, "宝丰县"), (102, "郏县")):
        await person(db, chat, "official", county=county, township=None)
    real_bundle = digest_service.bundle

    def broken_for_ye_county(found, tz):  # type: ignore[no-untyped-def]
        if found.area.county == "叶县":
            raise RuntimeError("a bug no test foresaw")
        return real_bundle(found, tz)

    monkeypatch.setattr(digest_service, "bundle", broken_for_ye_county)
    operators = (900, 901)
    now = at(8, day=DAY + timedelta(1))
    with caplog.at_level(logging.ERROR):
        await enqueue_daily_digests(db, DAY, TZ, now=now, operators=operators)
    got = {m.chat_id for m in await each(db).outbox.rows(kind="digest")}
    assert got == {101, 102}
    told = await each(db).outbox.rows(kind="digest-failed")
    assert sorted(m.chat_id for m in told) == [900, 901]
    assert all("叶县" in m.payload for m in told)
    assert any("叶县" in r.getMessage() and r.exc_info for r in caplog.records)

    # The next run tells nobody twice and, once the area's digest builds, sends it.
    monkeypatch.setattr(digest_service, "bundle", real_bundle)
    await enqueue_daily_digests(db, DAY, TZ, now=now, operators=operators)
    assert {m.chat_id for m in await each(db).outbox.rows(kind="digest")} == {100, 101, 102}
    assert len(await each(db).outbox.rows(kind="digest-failed")) == 2
