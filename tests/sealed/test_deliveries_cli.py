"""``farmdock deliveries`` on both backends: totals per sealed area, open and late tasks
(late after FARMDOCK_DELIVERY_LATE_HOURS), the xlsx, and one clear line for bad input."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import main
from storage.database import Database
from tests.backends import cli_args
from tests.sealed.test_deliveries import consented
from tests.storage.factories import execute

TZ = ZoneInfo("Asia/Shanghai")


async def _two_tasks_one_late(target: str) -> None:
    """The task of :func:`consented`, assigned 13 hours ago and not signed for."""
    db = await Database.open(target)
    try:
        await consented(db)
        await execute(db, "UPDATE deliveries SET created_at = ?", (time.time() - 13 * 3600,))
    finally:
        await db.close()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_target: str) -> list[str]:
    monkeypatch.chdir(tmp_path)
    for name in ("FARMDOCK_DB", "FARMDOCK_DATABASE_URL", "FARMDOCK_POLICY_DIR",
                 "FARMDOCK_DELIVERY_LATE_HOURS", "FARMDOCK_TZ"):
        monkeypatch.delenv(name, raising=False)
    asyncio.run(_two_tasks_one_late(database_target))
    return cli_args(database_target)


def test_open_and_late_tasks_with_totals_per_area(cli, capsys, monkeypatch) -> None:
    today = datetime.now(TZ).date().isoformat()
    assert main(["deliveries", "--date", today, *cli]) == 0
    report = json.loads(capsys.readouterr().out)
    [area] = report["areas"]
    assert (area["name"], area["tasks"], area["assigned"], area["late"], area["quantity"]) == (
        "建设路小区", 1, 1, 1, 1000.0)
    assert [(t["status"], t["late"], t["point"]) for t in report["deliveries"]] == [
        ("assigned", True, "小区东门")]
    # With a longer wait the same task is open but not late.
    monkeypatch.setenv("FARMDOCK_DELIVERY_LATE_HOURS", "24")
    assert main(["deliveries", "--date", today, "--area", str(area["id"]), *cli]) == 0
    assert json.loads(capsys.readouterr().out)["areas"][0]["late"] == 0

    assert main(["deliveries", "--date", today, "--format", "xlsx", *cli]) == 0
    path = Path(capsys.readouterr().out.strip())
    sheets = load_workbook(path)
    assert [c.value for c in sheets["封控区配送"][2]][:6] == [
        area["id"], "建设路小区", "封控区", "张八桥镇", 1, 1]
    assert sheets["配送任务"][2][6].value == "待发车"


@pytest.mark.parametrize(("args", "error"), [
    (["--date", "昨天"], "--date '昨天': use YYYY-MM-DD"),
    (["--area", "99"], "--area 99: no such sealed area"),
])
def test_bad_input_is_one_line(cli, capsys, args, error) -> None:
    assert main(["deliveries", *args, *cli]) == 2
    assert capsys.readouterr().err == f"farmdock: {error}\n"
