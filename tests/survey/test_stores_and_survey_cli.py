"""``farmdock stores import|add|list``, ``survey add`` and ``stock`` on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.cli import main
from tests.backends import cli_args

SAMPLE = Path(__file__).parents[2] / "bot" / "demo" / "stores.csv"
HEADER = "连锁企业,门店,类型,县区,乡镇街道,店长电话"
MESSY = [
    HEADER,
    "丹尼斯,丹尼斯新华店,超市,新华区,,13837500001",        # row 2: good
    "丹尼斯,,超市,新华区,,",                               # row 3: no name
    "万家福,万家福宝丰店,便利店,宝丰县,,",                  # row 4: bad type
    "万家福,万家福某某店,超市,宝丰县,某某镇,",               # row 5: unknown place
    "万家福,万家福周庄店,超市,宝丰县,周庄镇,12345",          # row 6: bad phone
    "",                                                    # row 7: blank, skipped
    "丹尼斯,丹尼斯新华店,超市,新华区,,13837500009",         # row 8: repeats row 2
    ",湛河区九里山农贸市场,农贸市场,湛河区,九里山街道,",      # row 9: good
    "万家福,万家福宝丰店,超市,汝阳县,,",                     # row 10: outside the city
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_target: str) -> list[str]:
    """The command-line options naming the test's database (each backend)."""
    monkeypatch.chdir(tmp_path)
    for name in ("FARMDOCK_DB", "FARMDOCK_DATABASE_URL", "FARMDOCK_POLICY_DIR"):
        monkeypatch.delenv(name, raising=False)
    return cli_args(database_target)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def stores(capsys: pytest.CaptureFixture[str], db: list[str]) -> list[dict]:
    code, out, _ = run(capsys, "stores", "list", *db)
    assert code == 0
    return json.loads(out)


def test_the_sample_file_imports_and_reimports_without_duplicates(db, capsys) -> None:
    code, out, _ = run(capsys, "stores", "import", str(SAMPLE), *db)
    assert code == 0 and out.splitlines()[-1].startswith("新增7家，更新0家，有误0行；试运行")
    assert stores(capsys, db) == []  # a dry run changes nothing
    code, out, _ = run(capsys, "stores", "import", str(SAMPLE), "--apply", "--format", "json",
                       *db)
    assert (code, json.loads(out)) == (0, {"added": 7, "updated": 0, "rejected": []})
    first = stores(capsys, db)
    code, out, _ = run(capsys, "stores", "import", str(SAMPLE), "--apply", "--format", "json",
                       *db)
    assert (code, json.loads(out)) == (0, {"added": 0, "updated": 7, "rejected": []})
    assert stores(capsys, db) == first and len(first) == 7
    assert {s["name"]: (s["county"], s["township"], s["type"]) for s in first}[
        "万家福张八桥店"] == ("宝丰县", "张八桥镇", "社区店")


def test_a_messy_file_dry_run_apply_and_strict(db, capsys, tmp_path: Path) -> None:
    path = tmp_path / "stores.csv"
    path.write_text("\n".join(MESSY) + "\n", "utf-8")
    code, out, _ = run(capsys, "stores", "import", str(path), *db)
    lines = out.splitlines()
    assert code == 1
    assert [x for x in lines if x.startswith("第")] == [
        "第3行：门店名称是空的", "第4行：类型「便利店」不对：只能是超市、农贸市场、社区店",
        "第5行：不认识的地点：宝丰县某某镇", "第6行：店长电话不是电话号码：12345",
        "第8行：与第2行重复：丹尼斯新华店", "第10行：不认识的地点：汝阳县"]
    assert lines[-1] == "新增2家，更新0家，有误6行；试运行，未写入（加 --apply 写入）"
    code, out, _ = run(capsys, "stores", "import", str(path), "--apply", "--strict",
                       "--format", "json", *db)
    result = json.loads(out)
    assert code == 1 and result["added"] == 2
    assert [r["row"] for r in result["rejected"]] == [3, 4, 5, 6, 8, 10]
    assert stores(capsys, db) == []  # strict: nothing applied
    code, out, _ = run(capsys, "stores", "import", str(path), "--apply", *db)
    assert code == 1 and out.splitlines()[-1] == "新增2家，更新0家，有误6行；已写入"
    assert sorted(s["name"] for s in stores(capsys, db)) == ["丹尼斯新华店", "湛河区九里山农贸市场"]
    # The earlier row of a repeated key is the one kept.
    assert stores(capsys, db)[0]["manager_phone"] == "13837500001"


def test_an_xlsx_file_and_unreadable_files(db, capsys, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for line in MESSY[:3]:
        sheet.append(line.split(",") if line else [])
    sheet.append(["胖东来", "胖东来叶县店", "超市", "叶县", None, 13837500005])  # a number cell
    book.save(tmp_path / "stores.xlsx")
    code, out, _ = run(capsys, "stores", "import", str(tmp_path / "stores.xlsx"), "--apply",
                       "--format", "json", *db)
    assert (code, json.loads(out)) == (1, {"added": 2, "updated": 0,
                                           "rejected": [{"row": 3, "reason": "门店名称是空的"}]})
    assert {s["name"]: s["manager_phone"] for s in stores(capsys, db)}["胖东来叶县店"] == \
        "13837500005"
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (tmp_path / "columns.csv").write_text("门店,类型\n一店,超市\n", "utf-8")
    for name, words in (("broken.xlsx", "无法读取"), ("columns.csv", "缺少列：连锁企业"),
                        ("missing.csv", "文件不存在")):
        code, out, err = run(capsys, "stores", "import", str(tmp_path / name), *db)
        assert code == 2 and out == "" and len(err.splitlines()) == 1 and words in err


def test_a_gbk_csv_as_excel_saves_it(db, capsys, tmp_path: Path) -> None:
    path = tmp_path / "stores.csv"
    path.write_bytes(("\r\n".join(MESSY[:2]) + "\r\n").encode("gbk"))
    code, out, _ = run(capsys, "stores", "import", str(path), "--format", "json", *db)
    assert (code, json.loads(out)["added"]) == (0, 1)


def test_add_list_and_survey_add_by_id_or_name(db, capsys) -> None:
    code, out, _ = run(capsys, "stores", "add", "--chain", "丹尼斯", "--name", "丹尼斯新华店",
                       "--type", "超市", "--region", "新华区", *db)
    store = json.loads(out)
    assert code == 0 and isinstance(store["id"], int) and store["county"] == "新华区"
    code, out, _ = run(capsys, "survey", "add", "--store", str(store["id"]), "--date",
                       "2026-05-09", "大米 库存20吨 日销2吨", *db)
    assert code == 0 and json.loads(out)["items"][0]["stock"] == 20000
    code, out, _ = run(capsys, "survey", "add", "--store", "丹尼斯新华店", "--date", "2026-05-10",
                       "大米 库存18吨 今天卖了2吨；猪肉 库存", *db)
    result = json.loads(out)
    assert code == 1 and result["store"] == store["id"] and result["date"] == "2026-05-10"
    assert [i["product"] for i in result["items"]] == ["大米"] and result["errors"]
    code, out, _ = run(capsys, "stock", "--date", "2026-05-10", "--format", "json", *db)
    table = json.loads(out)
    (row,) = table["stores"]
    assert {k: row[k] for k in ("store", "product", "stock", "stock_unit", "avg_daily_sales",
                                "days_of_stock", "status")} == {
        "store": "丹尼斯新华店", "product": "大米", "stock": 18000, "stock_unit": "kg",
        "avg_daily_sales": 2000, "days_of_stock": 9, "status": "偏紧"}
    assert table["areas"] == [{"county": "新华区", "product": "大米", "stores_reporting": 1,
                               "median_days": 9, "偏紧": 1, "告急": 0, "断货": 0}]
    # A report of the same day and item replaces the earlier one.
    run(capsys, "survey", "add", "--store", "丹尼斯新华店", "--date", "2026-05-10",
        "大米 库存80吨 日销2吨", *db)
    code, out, _ = run(capsys, "stock", "--date", "2026-05-10", "--format", "json", *db)
    assert json.loads(out)["stores"][0]["status"] == "充足"


@pytest.mark.parametrize("args, words", [
    (["survey", "add", "--store", "99", "大米 20吨"], "没有这个门店：99"),
    (["survey", "add", "--store", "无名店", "大米 20吨"], "没有这个门店：无名店"),
    (["survey", "add", "--store", "1", "--date", "5月", "大米 20吨"], "is not a date"),
    (["stock", "--region", "宝丰县某某镇"], "某某镇"),
    (["stores", "add", "--name", "x", "--type", "商店", "--region", "新华区"], "类型"),
])
def test_operator_errors_are_one_line_and_exit_2(db, capsys, args: list[str], words: str) -> None:
    code, out, err = run(capsys, *args, *db)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and words in err


def test_a_store_name_shared_by_two_chains_must_be_named_by_id(db, capsys) -> None:
    for chain in ("丹尼斯", "万家福"):
        run(capsys, "stores", "add", "--chain", chain, "--name", "新华店", "--type", "超市",
            "--region", "新华区", *db)
    code, _, err = run(capsys, "survey", "add", "--store", "新华店", "大米 20吨", *db)
    assert code == 2 and "请用编号" in err


def test_stock_as_xlsx_and_linking_a_manager(db, capsys, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    run(capsys, "users", "add", "--telegram-id", "501", "--role", "buyer", "--name", "店长", *db)
    run(capsys, "stores", "add", "--name", "=HYPERLINK(1)店", "--type", "超市", "--region",
        "新华区", *db)
    assert run(capsys, "stores", "link", "--store", "1", "--user", "501", *db)[0] == 0
    assert stores(capsys, db)[0]["managers"] == [501]
    code, _, err = run(capsys, "stores", "link", "--store", "1", "--user", "999", *db)
    assert code == 2 and "no such user" in err
    run(capsys, "survey", "add", "--store", "1", "--date", "2026-05-10", "鸡蛋 库存10箱 日销5箱",
        *db)
    out = tmp_path / "stock.xlsx"
    code, printed, _ = run(capsys, "stock", "--date", "2026-05-10", "--format", "xlsx",
                           "--out", str(out), *db)
    assert code == 0 and printed.strip() == str(out)
    book = load_workbook(out)
    rows = list(book["门店库存"].iter_rows(values_only=True))
    assert rows[1][1:] == ("=HYPERLINK(1)店", "新华区", None, "鸡蛋", 10, "箱", 5, 2, "告急", None)
    assert book["门店库存"]["B2"].data_type == "s"  # text, never a formula
    assert list(book["县区汇总"].iter_rows(values_only=True))[1] == (
        "新华区", "鸡蛋", 1, 2, 0, 1, 0)
