"""``farmdock tickets``: add (printing the ticket as JSON), list, show, export."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from storage.database import Database
from tests.backends import cli_args
from tests.stores import each


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_target: str) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("FARMDOCK_TOKEN", "FARMDOCK_DB", "FARMDOCK_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return database_target


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object, str]:
    code = main(["tickets", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip().startswith(("{", "[")) else out, err


def officials(target: str) -> None:
    async def add() -> None:
        async with await Database.open(target) as db:
            await each(db).users.upsert(11, role="official", county="宝丰县",
                                        township="张八桥镇")
            await each(db).users.upsert(13, role="official", county="宝丰县")

    asyncio.run(add())


def test_add_prints_the_ticket_routed_numbered_and_due(target: str, capsys) -> None:
    officials(target)
    code, ticket, err = run(
        capsys, "add", *cli_args(target), "--category", "缺货", "--region", "宝丰县张八桥镇",
        "--text", "封控小区断粮两天", "--caller-name", "张女士", "--caller-phone",
        "138 1234 5678")
    assert code == 0, err
    assert isinstance(ticket, dict)
    assert ticket["number"].startswith("RX-") and ticket["number"].endswith("-0001")
    assert (ticket["state"], ticket["owner_area"], ticket["class"]) == (
        "受理", "宝丰县张八桥镇", "urgent")
    assert ticket["caller_phone"] == "13812345678"
    created = datetime.fromisoformat(ticket["created_at"])
    deadline = datetime.fromisoformat(ticket["deadline"])
    assert (deadline - created).total_seconds() == pytest.approx(2 * 3600, abs=1)

    code, second, _ = run(capsys, "add", *cli_args(target), "--category", "价格", "--region",
                          "叶县", "--text", "鸡蛋涨价", "--class", "help")
    assert code == 0 and isinstance(second, dict)
    # 叶县 has no official: the city's.
    assert (second["owner_area"], second["class"]) == ("平顶山市", "help")
    assert second["number"].endswith("-0002")


def test_list_show_and_filters(target: str, capsys) -> None:
    officials(target)
    for category, region in (("缺货", "宝丰县张八桥镇"), ("价格", "叶县"), ("缺货", "叶县")):
        assert run(capsys, "add", *cli_args(target), "--category", category, "--region",
                   region, "--text", "情况说明")[0] == 0
    _, every, _ = run(capsys, "list", *cli_args(target))
    assert isinstance(every, list) and len(every) == 3
    _, shortages, _ = run(capsys, "list", *cli_args(target), "--category", "缺货")
    assert [t["place"] for t in shortages] == ["宝丰县张八桥镇", "叶县"]  # type: ignore[union-attr]
    _, in_ye, _ = run(capsys, "list", *cli_args(target), "--region", "叶县", "--state", "受理")
    assert len(in_ye) == 2  # type: ignore[arg-type]
    _, none_overdue, _ = run(capsys, "list", *cli_args(target), "--overdue")
    assert none_overdue == []
    number = every[0]["number"]  # type: ignore[index]
    code, shown, _ = run(capsys, "show", *cli_args(target), number)
    assert code == 0 and shown == every[0]  # type: ignore[index]
    code, _, err = run(capsys, "show", *cli_args(target), "RX-20000101-0001")
    assert code == 2 and "no ticket" in err and "Traceback" not in err


def test_export_as_json_and_as_a_workbook(target: str, capsys, tmp_path: Path) -> None:
    officials(target)
    run(capsys, "add", *cli_args(target), "--category", "质量", "--region", "宝丰县",
        "--text", "=HYPERLINK(\"x\") 猪肉变质")
    out = tmp_path / "tickets.json"
    assert run(capsys, "export", *cli_args(target), "--out", str(out))[0] == 0
    [exported] = json.loads(out.read_text("utf-8"))
    assert exported["category"] == "质量"
    book = tmp_path / "tickets.xlsx"
    code, said, _ = run(capsys, "export", *cli_args(target), "--format", "xlsx", "--out",
                        str(book))
    assert code == 0 and "1 tickets" in str(said)
    sheet = load_workbook(book).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[0] == "编号" and row[0] == exported["number"]
    cell = sheet.cell(row=2, column=5)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    assert cell.quotePrefix


@pytest.mark.parametrize(("args", "said"), [
    (["--category", "缺货", "--region", "火星县", "--text", "x"], "火星县"),
    (["--category", "缺货", "--region", "宝丰县", "--text", "  "], "--text"),
    (["--category", "缺货", "--region", "宝丰县", "--text", "x", "--caller-phone", "12"],
     "--caller-phone"),
])
def test_bad_arguments_are_one_line_and_exit_2(target: str, capsys, args: list[str],
                                               said: str) -> None:
    code, _, err = run(capsys, "add", *cli_args(target), *args)
    assert code == 2 and said in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_export_xlsx_needs_out(target: str, capsys) -> None:
    code, _, err = run(capsys, "export", *cli_args(target), "--format", "xlsx")
    assert code == 2 and "--out" in err


def test_a_hotline_operator_is_invited_like_an_official(target: str, capsys) -> None:
    code = main(["users", "invite", *cli_args(target), "--role", "hotline", "--name", "小李",
                 "--bot-username", "farmdock_bot"])
    invite = json.loads(capsys.readouterr().out)
    assert code == 0 and invite["role"] == "hotline" and "start=" in invite["link"]
