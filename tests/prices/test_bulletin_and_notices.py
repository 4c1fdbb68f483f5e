"""The public bulletin, alerts to officials (once), reminders to points that have not
reported (once), and officials' prices section, on both backends."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from bot.cli import main
from bot.matching.area import Area
from bot.services.bulletin import bulletin_png, load_bulletin
from bot.services.price_notices import (
    enqueue_price_alerts,
    enqueue_price_reminders,
    prices_section,
)
from bot.services.prices import add_point
from storage.database import Database
from storage.prices import PriceEntry
from tests.backends import cli_args

NOW = 1_000_000.0
DAY = date(2026, 5, 9)


async def _fill(db: Database) -> dict[str, int]:
    """Three points; 大白菜 rises 30% in 宝丰县 and 25% in 叶县, steady in 郏县."""
    async with db.write() as uow:
        for telegram_id, county in ((1, None), (2, "宝丰县"), (3, "叶县"), (4, "郏县")):
            await uow.users.upsert(telegram_id, role="official", county=county)
        await uow.users.upsert(5, role="official", county="宝丰县", township="张八桥镇")
        ids = {}
        for name, county, reporter in (("宝丰超市", "宝丰县", 21), ("叶县市场", "叶县", 22),
                                       ("郏县超市", "郏县", 23)):
            point = await add_point(uow, name=name, type="超市", area=Area(county), now=NOW,
                                    telegram_id=reporter)
            ids[name] = point.id
        for name, before, after in (("宝丰超市", 1.0, 1.3), ("叶县市场", 1.0, 1.25),
                                    ("郏县超市", 1.0, 1.0)):
            await uow.prices.record(ids[name], "2026-05-08", [PriceEntry("大白菜", before, "500g")],
                                    reported_by=None, source="cli", now=NOW)
            if name != "郏县超市":  # 郏县 has not reported today
                await uow.prices.record(ids[name], "2026-05-09",
                                        [PriceEntry("大白菜", after, "500g")],
                                        reported_by=None, source="cli", now=NOW)
        await uow.commit()
    return ids


async def _rows(db: Database) -> list[tuple[int, str]]:
    async with db.read() as uow:
        result = await uow.connection.exec_driver_sql(
            "SELECT chat_id, key FROM outbox ORDER BY chat_id, key")
        return [(r[0], r[1]) for r in result]


async def test_alerts_go_once_to_the_officials_of_each_area_and_up_a_level(
    db: Database,
) -> None:
    await _fill(db)
    for _ in range(2):  # a second run (another worker, a restart) adds nothing
        async with db.write() as uow:
            await enqueue_price_alerts(uow, DAY)
            await uow.commit()
    rows = await _rows(db)
    by_chat: dict[int, list[str]] = {}
    for chat, key in rows:
        by_chat.setdefault(chat, []).append(key.split("|", 3)[3])
    assert by_chat[2] == ["大白菜|宝丰县|rise_1d"]
    assert by_chat[3] == ["大白菜|叶县|rise_1d"]
    assert sorted(by_chat[1]) == ["大白菜|平顶山市|rise_1d", "大白菜|平顶山市|rise_1d:counties"]
    assert 4 not in by_chat and 5 not in by_chat  # 郏县 did not rise; a township official


async def test_reminders_go_once_to_the_reporters_of_points_missing_today(db: Database) -> None:
    await _fill(db)
    for _ in range(2):
        async with db.write() as uow:
            await enqueue_price_reminders(uow, DAY)
            await uow.commit()
    assert [chat for chat, _ in await _rows(db)] == [23]
    async with db.read() as uow:
        section = await prices_section(uow, DAY, Area("郏县"))
        city = await prices_section(uow, DAY, Area())
    assert "未报价的监测点（1个）：郏县超市" in section
    assert "大白菜" in city and "+27.5%" in city and "郏县超市" in city


async def test_the_bulletin_image_is_phone_width_and_grows_with_the_items(db: Database) -> None:
    await _fill(db)
    async with db.read() as uow:
        bulletin = await load_bulletin(uow, DAY, "宝丰县商务局")
        empty = await load_bulletin(uow, date(2026, 5, 1), "宝丰县商务局")
    assert bulletin.points == 2
    sentence = next(c.sentence for c in bulletin.categories if c.category == "蔬菜")
    assert "大白菜" in sentence and "27.5%" in sentence
    image = Image.open(io.BytesIO(bulletin_png(bulletin)))
    blank = Image.open(io.BytesIO(bulletin_png(empty)))
    assert image.size[0] == blank.size[0] == 1080
    assert image.size[1] > blank.size[1]
    # The title band is the bureau's red, not an empty canvas.
    assert image.convert("RGB").getpixel((5, 5)) == (176, 30, 35)


def test_farmdock_bulletin_text_json_png(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FARMDOCK_BUREAU_NAME", "宝丰县商务局")
    db = cli_args(cli_db)
    assert main(["points", "add", "--name", "宝丰超市", "--type", "超市", "--region", "宝丰县",
                 *db]) == 0
    for day, text in (("2026-05-08", "白菜1.0 猪肉13.8"), ("2026-05-09", "白菜1.1 猪肉13.8")):
        assert main(["prices", "add", "--point", "宝丰超市", "--date", day, text, *db]) == 0
    capsys.readouterr()
    assert main(["bulletin", "--date", "2026-05-09", *db]) == 0
    text = capsys.readouterr().out
    assert "2026年5月9日" in text and "宝丰县商务局发布" in text and "+10.0%" in text
    assert main(["bulletin", "--date", "2026-05-09", "--format", "json", *db]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["date"], data["bureau"], data["points"]) == ("2026-05-09", "宝丰县商务局", 1)
    cabbage = next(i for i in data["items"] if i["product"] == "大白菜")
    assert (cabbage["avg"], cabbage["change_1d_pct"], cabbage["unit"]) == (1.1, 10.0, "500g")
    out = tmp_path / "b.png"
    assert main(["bulletin", "--date", "2026-05-09", "--format", "png", "--out", str(out),
                 *db]) == 0
    assert Image.open(out).size[0] == 1080
    capsys.readouterr()
    assert main(["bulletin", "--format", "png", *db]) == 2
    assert capsys.readouterr().err.startswith("farmdock: ")
