"""farmdock points and farmdock prices as scripts use them, on both backends."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.cli import main
from tests.backends import cli_args

Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ok_json(capsys: Capture, *args: str) -> object:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return json.loads(out)


def add_point(capsys: Capture, db: str, name: str, region: str, *extra: str) -> dict:
    point = ok_json(capsys, "points", "add", "--name", name, "--type", "超市", "--region",
                    region, *extra, *cli_args(db))
    assert isinstance(point, dict)
    return point


def test_prices_parse_reads_stdin_one_json_line_each() -> None:
    lines = ["白菜1.2 西红柿3.5 猪肉13.8 鸡蛋5.2", "牛肉 38元/斤", "菜籽油 75元/桶",
             "白菜 1.2 卖了800斤", "", "榴莲25", "白菜 猪肉13.8"]
    done = subprocess.run([sys.executable, "-m", "bot.cli", "prices", "parse"],
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=60, check=True)
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(lines)
    for r in results:
        assert set(r) == {"ok", "items", "unknown", "errors"}
        for i in r["items"]:
            assert set(i) == {"product", "price", "price_unit", "sales", "sales_unit"}
    first, beef, oil, sales, empty, durian, missing = results
    assert [(i["product"], i["price"], i["price_unit"]) for i in first["items"]] == [
        ("大白菜", 1.2, "500g"), ("西红柿", 3.5, "500g"), ("猪肉", 13.8, "500g"),
        ("鸡蛋", 5.2, "500g")]
    assert (beef["items"][0]["price"], beef["items"][0]["price_unit"]) == (38, "500g")
    assert (oil["items"][0]["price"], oil["items"][0]["price_unit"]) == (75, "5L")
    assert (sales["items"][0]["sales"], sales["items"][0]["sales_unit"]) == (400, "kg")
    assert empty["ok"] is False and empty["errors"]
    assert (durian["ok"], durian["unknown"]) == (False, ["榴莲"])
    assert missing["ok"] is True and any("白菜" in e for e in missing["errors"])


def test_points_add_list_remove(capsys: Capture, cli_db: str) -> None:
    point = add_point(capsys, cli_db, "宝丰县人民路超市", "宝丰县张八桥镇", "--telegram-id", "555")
    assert point["id"] >= 1 and point["county"] == "宝丰县" and point["township"] == "张八桥镇"
    assert point["telegram_ids"] == [555]
    other = add_point(capsys, cli_db, "叶县超市", "叶县")
    listed = ok_json(capsys, "points", "list", *cli_args(cli_db))
    assert [p["name"] for p in listed] == ["宝丰县人民路超市", "叶县超市"]
    code, out, err = run(capsys, "points", "add", "--name", "叶县超市", "--type", "超市",
                         "--region", "叶县", *cli_args(cli_db))
    assert (code, out) == (2, "") and err.startswith("farmdock: ") and err.count("\n") == 1
    code, _, err = run(capsys, "points", "add", "--name", "x", "--type", "超市",
                       "--region", "叶县某某镇", *cli_args(cli_db))
    assert code == 2 and err.count("\n") == 1
    assert ok_json(capsys, "points", "remove", str(other["id"]), *cli_args(cli_db))["removed"]
    listed = ok_json(capsys, "points", "list", *cli_args(cli_db))
    assert [p["name"] for p in listed] == ["宝丰县人民路超市"]
    code, _, err = run(capsys, "points", "remove", "叶县超市", *cli_args(cli_db))
    assert code == 2 and "叶县超市" in err


def test_prices_add_stores_asks_about_a_mixup_and_corrects(capsys: Capture, cli_db: str) -> None:
    point = add_point(capsys, cli_db, "湛河区超市", "湛河区")
    db = cli_args(cli_db)
    stored = ok_json(capsys, "prices", "add", "--point", "湛河区超市", "--date", "2026-05-08",
                     "白菜1.2", "猪肉13.8", *db)
    assert stored["stored"] == 2 and stored["point"] == point["id"]
    # Twice yesterday's price: 斤 and 公斤 mixed up? Refused with a question, nothing stored.
    code, out, err = run(capsys, "prices", "add", "--point", str(point["id"]), "--date",
                         "2026-05-09", "白菜2.4 猪肉14", *db)
    assert (code, out) == (2, "") and "斤" in err and "公斤" in err and err.count("\n") == 1
    code, out, err = run(capsys, "prices", "add", "--point", str(point["id"]), "--date",
                         "2026-05-09", "猪肉140", *db)
    assert code == 2 and "合理范围" in err
    table = ok_json(capsys, "prices", "table", "--date", "2026-05-09", "--format", "json", *db)
    assert all(i["points"] == 0 for i in table["items"])
    ok_json(capsys, "prices", "add", "--point", str(point["id"]), "--date", "2026-05-09",
            "白菜2.4 猪肉14", "--confirm", *db)
    ok_json(capsys, "prices", "add", "--point", str(point["id"]), "--date", "2026-05-09",
            "白菜1.3", *db)  # a second report corrects the first
    table = ok_json(capsys, "prices", "table", "--date", "2026-05-09", "--format", "json", *db)
    figures = {i["product"]: i for i in table["items"]}
    assert figures["大白菜"]["avg"] == 1.3 and figures["猪肉"]["avg"] == 14
    assert figures["大白菜"]["change_1d_pct"] == 8.3
    code, _, err = run(capsys, "prices", "add", "--point", "没有的点", "白菜1.2", *db)
    assert code == 2 and "没有的点" in err
    code, _, err = run(capsys, "prices", "add", "--point", "湛河区超市", "你好", *db)
    assert code == 2 and err.count("\n") == 1


HEADER = ["日期", "监测点", "品种", "价格", "单位", "销量", "销量单位"]


def test_prices_import_lists_rejected_rows_and_replaces_a_day(
    capsys: Capture, cli_db: str, tmp_path: Path
) -> None:
    db = cli_args(cli_db)
    a = add_point(capsys, cli_db, "郏县超市", "郏县")
    add_point(capsys, cli_db, "宝丰县市场", "宝丰县")
    book = Workbook()
    sheet = book.active
    for row in [HEADER,
                ["2026-05-09", "郏县超市", "白菜", 2.4, "元/公斤", 800, "斤"],  # row 2
                ["2026-05-09", "郏县超市", "猪肉", 13.8, "元/斤", None, None],
                ["2026-05-09", "郏县超市", "榴莲", 20, "斤", None, None],  # 4: not in basket
                ["2026-05-09", "不存在", "猪肉", 13.8, "斤", None, None],  # 5: no such point
                ["2026-05-09", str(a["id"]), "鸡蛋", "abc", "斤", None, None],  # 6: price
                ["5月9日", "宝丰县市场", "鸡蛋", 5.2, "斤", None, None],  # 7: date
                ["2026-05-09", "宝丰县市场", "猪肉", 300, "斤", None, None],  # 8: range
                ["2026-05-09", "宝丰县市场", "菜籽油", 75, "桶", 3, "桶"]]:
        sheet.append(row)
    path = tmp_path / "prices.xlsx"
    book.save(path)
    for _ in range(2):  # importing twice stores it once
        code, out, err = run(capsys, "prices", "import", str(path), *db)
        assert code == 0
        result = json.loads(out)
        assert result["imported"] == 3
        assert [r["row"] for r in result["rejected"]] == [4, 5, 6, 7, 8]
        assert "榴莲" in result["rejected"][0]["reason"]
        assert [line.split(":")[0] for line in err.splitlines()] == ["farmdock"] * 5
        assert "row 4" in err
    table = ok_json(capsys, "prices", "table", "--date", "2026-05-09", "--format", "json", *db)
    figures = {i["product"]: i for i in table["items"]}
    assert (figures["大白菜"]["avg"], figures["大白菜"]["points"]) == (1.2, 1)
    assert figures["菜籽油"]["avg"] == 75 and figures["猪肉"]["by_county"] == {"郏县": 13.8}
    # A CSV of the same point and day replaces it.
    csv_path = tmp_path / "prices.csv"
    with csv_path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerow(["2026/5/9", "郏县超市", "猪肉", "14", "斤", "", ""])
    assert ok_json(capsys, "prices", "import", str(csv_path), *db)["imported"] == 1
    table = ok_json(capsys, "prices", "table", "--date", "2026-05-09", "--format", "json", *db)
    figures = {i["product"]: i for i in table["items"]}
    assert figures["大白菜"]["points"] == 0 and figures["猪肉"]["avg"] == 14
    (tmp_path / "bad.csv").write_text("日期,品种\n2026-05-09,白菜\n", "utf-8")
    code, _, err = run(capsys, "prices", "import", str(tmp_path / "bad.csv"), *db)
    assert code == 2 and "价格" in err and err.count("\n") == 1


def test_prices_table_text_json_xlsx_with_alerts(
    capsys: Capture, cli_db: str, tmp_path: Path
) -> None:
    db = cli_args(cli_db)
    for name, region in (("宝丰超市", "宝丰县"), ("叶县超市", "叶县"), ("郏县超市", "郏县")):
        add_point(capsys, cli_db, name, region)
    days = {"2026-05-02": "大米2.0 白菜1.0", "2026-05-08": "大米2.5 白菜1.0",
            "2026-05-09": "大米2.75 白菜1.3"}
    for point in ("宝丰超市", "叶县超市"):
        for day, text in days.items():
            ok_json(capsys, "prices", "add", "--point", point, "--date", day, text, "--confirm",
                    *db)
    ok_json(capsys, "prices", "add", "--point", "郏县超市", "--date", "2026-05-09", "白菜0.4",
            "--confirm", *db)  # a cheap market reporting today only changes no change
    table = ok_json(capsys, "prices", "table", "--date", "2026-05-09", "--format", "json", *db)
    assert set(table) == {"date", "region", "items", "alerts"}
    assert (table["date"], table["region"]) == ("2026-05-09", "平顶山市")
    figures = {i["product"]: i for i in table["items"]}
    rice, cabbage = figures["大米"], figures["白菜" if "白菜" in figures else "大白菜"]
    assert set(rice) == {"product", "category", "unit", "avg", "min", "max", "points",
                         "change_1d_pct", "change_7d_pct", "by_county"}
    assert (rice["avg"], rice["change_1d_pct"], rice["change_7d_pct"]) == (2.75, 10.0, 37.5)
    assert (cabbage["avg"], cabbage["points"], cabbage["change_1d_pct"]) == (1.0, 3, 30.0)
    assert cabbage["by_county"] == {"叶县": 1.3, "宝丰县": 1.3, "郏县": 0.4}
    assert figures["猪肉"]["avg"] is None and figures["猪肉"]["change_1d_pct"] is None
    alerts = {(a["product"], a["region"], a["rule"]) for a in table["alerts"]}
    assert {("大米", "平顶山市", "rise_1d"), ("大米", "平顶山市", "rise_7d"),
            ("大白菜", "平顶山市", "rise_1d"), ("大白菜", "宝丰县", "rise_1d"),
            ("大白菜", "平顶山市", "rise_1d:counties")} <= alerts
    county = ok_json(capsys, "prices", "table", "--date", "2026-05-09", "--region", "郏县",
                     "--format", "json", *db)
    assert county["region"] == "郏县" and county["alerts"] == []
    code, text, _ = run(capsys, "prices", "table", "--date", "2026-05-09", *db)
    assert code == 0 and "大米" in text and "+10.0%" in text and "预警" in text
    out = tmp_path / "table.xlsx"
    code, _, _ = run(capsys, "prices", "table", "--date", "2026-05-09", "--format", "xlsx",
                     "--out", str(out), *db)
    assert code == 0
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    rice_row = next(r for r in rows if r[0] == "大米")
    assert rice_row[4] == 2.75 and rice_row[8] == 10.0
    code, _, err = run(capsys, "prices", "table", "--date", "9.5", *db)
    assert code == 2 and err.count("\n") == 1
