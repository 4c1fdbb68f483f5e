"""``farmdock suppliers import|list|link`` on both backends: the sample, a messy file with a
row for every rejection reason, re-import idempotence, and the exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from tests.backends import cli_args

SAMPLE = Path(__file__).parents[2] / "bot" / "demo" / "suppliers.csv"
# The sample's rows, then one row for every reason a row is rejected.
MESSY_ROWS = [
    ",养殖场,,宝丰县,,某人,13837520001,猪肉 100斤/日,",  # 9: empty name
    "某某农场,农场,,宝丰县,,,,猪肉 100斤/日,",  # 10: bad type
    "火星农场,养殖场,,宝丰县,火星镇,,,猪肉 100斤/日,",  # 11: unknown place
    "汝阳县养殖场,养殖场,,汝阳县,,,,猪肉 100斤/日,",  # 12: outside the city
    "怪产品农场,养殖场,,宝丰县,,,,火星果 100斤/日,",  # 13: unknown product
    "负数农场,养殖场,,宝丰县,,,,猪肉 -100斤/日,",  # 14: negative
    "乱写农场,养殖场,,宝丰县,,,,猪肉 很多,",  # 15: bad capacity
    "零农场,养殖场,,宝丰县,,,,猪肉 0斤/日,",  # 16: zero
    "坏电话农场,养殖场,,宝丰县,,,12345,猪肉 100斤/日,",  # 17: bad phone
    "坏代码农场,养殖场,91410421MA9F1B2C3X,宝丰县,,,,猪肉 100斤/日,",  # 18: bad code
    "坏标记农场,养殖场,,宝丰县,,,,猪肉 100斤/日,重点企业",  # 19: bad flag
    "",  # 20: blank
    "另一个名字,养殖场,91410421MA9F1B2C3E,宝丰县,,,,猪肉 1斤/日,",  # 21: same code
    "舞钢市垭口肉鸡养殖场,养殖场,,舞钢市,垭口街道,,,活鸡 1只/日,",  # 22: same name+place
    "没产品农场,养殖场,,宝丰县,,,,,",  # 23: no products
]
HOW = "（写成 产品 数量单位/日 或 /周，数量大于0，例如：猪肉500斤/日）"
REJECTED = [
    "第9行：名称是空的",
    "第10行：类型「农场」不对：只能是养殖场、蔬菜生产大户、面粉加工企业、批发商、超市、其他",
    "第11行：不认识的地点：宝丰县火星镇",
    "第12行：不认识的地点：汝阳县",
    "第13行：不认识的产品：火星果",
    f"第14行：供应能力不对：猪肉 -100斤/日{HOW}",
    f"第15行：供应能力不对：猪肉 很多{HOW}",
    f"第16行：供应能力不对：猪肉 0斤/日{HOW}",
    "第17行：电话不是电话号码：12345",
    "第18行：统一社会信用代码不对：91410421MA9F1B2C3X",
    "第19行：标记「重点企业」不对：只能是保供骨干企业",
    "第21行：与第2行重复：另一个名字",
    "第22行：与第8行重复：舞钢市垭口肉鸡养殖场",
    "第23行：没有写供应产品和供应能力",
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_target: str) -> list[str]:
    monkeypatch.chdir(tmp_path)
    for name in ("FARMDOCK_DB", "FARMDOCK_DATABASE_URL", "FARMDOCK_POLICY_DIR"):
        monkeypatch.delenv(name, raising=False)
    return cli_args(database_target)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str], db: list[str], *options: str) -> list[dict]:
    code, out, _ = run(capsys, "suppliers", "list", *options, *db)
    assert code == 0
    return json.loads(out)


def messy(tmp_path: Path) -> Path:
    path = tmp_path / "messy.csv"
    path.write_text(SAMPLE.read_text("utf-8") + "\n".join(MESSY_ROWS) + "\n", "utf-8")
    return path


def test_the_sample_imports_and_reimports_without_duplicates(db, capsys) -> None:
    code, out, _ = run(capsys, "suppliers", "import", str(SAMPLE), *db)
    assert code == 0
    assert out.splitlines()[-1] == "新增7家，更新0家，有误0行；试运行，未写入（加 --apply 写入）"
    assert listed(capsys, db) == []  # a dry run changes nothing
    code, out, _ = run(capsys, "suppliers", "import", str(SAMPLE), "--apply", "--format",
                       "json", *db)
    assert (code, json.loads(out)) == (0, {"added": 7, "updated": 0, "rejected": []})
    first = listed(capsys, db)
    code, out, _ = run(capsys, "suppliers", "import", str(SAMPLE), "--apply", "--format",
                       "json", *db)
    assert (code, json.loads(out)) == (0, {"added": 0, "updated": 7, "rejected": []})
    assert listed(capsys, db) == first and len(first) == 7
    mill = {s["name"]: s for s in first}["平顶山市金谷面粉有限公司"]
    assert mill["flags"] == ["保供骨干企业"] and mill["credit_code"] == "91410400MA44Y6R8TP"
    assert (mill["county"], mill["township"], mill["contact"], mill["phone"]) == (
        "湛河区", "九里山街道", "刘德胜", "13837510005")
    assert mill["products"] == [
        {"product": "挂面", "capacity": 5.0, "unit": "吨", "period": "日"},
        {"product": "面粉", "capacity": 30.0, "unit": "吨", "period": "日"}]


def test_a_reimport_changes_what_it_says_and_keeps_the_key(db, capsys, tmp_path) -> None:
    run(capsys, "suppliers", "import", str(SAMPLE), "--apply", *db)
    before = {s["name"]: s for s in listed(capsys, db)}
    changed = tmp_path / "changed.csv"
    # The same code under a new name and place, new products: the same supplier, updated.
    changed.write_text(
        "名称,类型,统一社会信用代码,县区,乡镇街道,联系人,电话,供应产品,标记\n"
        "张八桥牧业有限公司,养殖场,91410421mA9F1B2C3E,宝丰县,,李建国,13837510001,"
        "猪肉 3000斤/日,\n", "utf-8")
    code, out, _ = run(capsys, "suppliers", "import", str(changed), "--apply", "--format",
                       "json", *db)
    assert (code, json.loads(out)) == (0, {"added": 0, "updated": 1, "rejected": []})
    after = {s["name"]: s for s in listed(capsys, db)}
    assert len(after) == 7 and "宝丰县张八桥生猪养殖场" not in after
    pig = after["张八桥牧业有限公司"]
    assert pig["id"] == before["宝丰县张八桥生猪养殖场"]["id"]
    assert (pig["township"], pig["flags"]) == (None, [])
    assert pig["products"] == [{"product": "猪肉", "capacity": 3000.0, "unit": "斤",
                                "period": "日"}]


def test_a_messy_file_in_dry_run_strict_and_apply(db, capsys, tmp_path) -> None:
    path = messy(tmp_path)
    code, out, _ = run(capsys, "suppliers", "import", str(path), *db)
    lines = out.splitlines()
    assert code == 1
    assert [x for x in lines if x.startswith("第")] == REJECTED
    assert lines[-1] == "新增7家，更新0家，有误14行；试运行，未写入（加 --apply 写入）"
    code, out, _ = run(capsys, "suppliers", "import", str(path), "--format", "json", *db)
    result = json.loads(out)
    assert code == 1 and (result["added"], result["updated"]) == (7, 0)
    assert [f"第{r['row']}行：{r['reason']}" for r in result["rejected"]] == REJECTED
    assert listed(capsys, db) == []
    code, out, _ = run(capsys, "suppliers", "import", str(path), "--apply", "--strict", *db)
    assert code == 1
    assert out.splitlines()[-1] == "新增7家，更新0家，有误14行；有误行，--strict：未写入"
    assert listed(capsys, db) == []
    code, out, _ = run(capsys, "suppliers", "import", str(path), "--apply", *db)
    assert code == 1 and out.splitlines()[-1] == "新增7家，更新0家，有误14行；已写入"
    names = {s["name"]: s for s in listed(capsys, db)}
    assert len(names) == 7
    # The earlier row of a repeated key is the one kept.
    assert names["宝丰县张八桥生猪养殖场"]["products"][0]["product"] == "猪肉"
    assert names["舞钢市垭口肉鸡养殖场"]["products"][0]["product"] == "白条鸡"


def test_unreadable_files_exit_2_with_one_line(db, capsys, tmp_path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (tmp_path / "columns.csv").write_text("名称,类型\n一家,养殖场\n", "utf-8")
    for name, words in (("broken.xlsx", "无法读取"), ("columns.csv", "缺少列：统一社会信用代码"),
                        ("missing.csv", "文件不存在")):
        code, out, err = run(capsys, "suppliers", "import", str(tmp_path / name), *db)
        assert code == 2 and out == "" and len(err.splitlines()) == 1 and words in err


def test_list_by_product_and_region_and_the_xlsx_imports_back(db, capsys, tmp_path) -> None:
    run(capsys, "suppliers", "import", str(SAMPLE), "--apply", *db)
    potatoes = listed(capsys, db, "--product", "洋芋")
    assert [s["name"] for s in potatoes] == ["鲁山县辛集蔬菜种植大户"]
    assert [s["name"] for s in listed(capsys, db, "--region", "湛河区")] == [
        "平顶山市金谷面粉有限公司"]
    assert listed(capsys, db, "--product", "鸡蛋", "--region", "宝丰县") == []
    code, _, err = run(capsys, "suppliers", "list", "--product", "火星果", *db)
    assert code == 2 and len(err.splitlines()) == 1
    code, out, _ = run(capsys, "suppliers", "list", "--format", "xlsx", "--out",
                       str(tmp_path / "r.xlsx"), *db)
    assert code == 0 and out.strip() == str(tmp_path / "r.xlsx")
    sheet = load_workbook(tmp_path / "r.xlsx").worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:9] == ("名称", "类型", "统一社会信用代码", "县区", "乡镇街道", "联系人", "电话",
                           "供应产品", "标记")
    assert len(rows) == 8
    code, out, _ = run(capsys, "suppliers", "import", str(tmp_path / "r.xlsx"), "--format",
                       "json", *db)
    assert (code, json.loads(out)) == (0, {"added": 0, "updated": 7, "rejected": []})


def test_link_a_user_and_users_with_the_registered_phone(db, capsys) -> None:
    assert run(capsys, "users", "add", "--telegram-id", "7001", "--role", "grower", "--name",
               "王秀英", "--phone", "13837510002", *db)[0] == 0
    assert run(capsys, "users", "add", "--telegram-id", "7002", "--role", "grower", "--name",
               "李建国", *db)[0] == 0
    run(capsys, "suppliers", "import", str(SAMPLE), "--apply", *db)
    linked = {s["name"]: s["linked_users"] for s in listed(capsys, db)}
    assert linked["汝州市温泉蛋鸡养殖场"] == [7001]  # signed up with the registered phone
    assert run(capsys, "suppliers", "link", "--supplier", "宝丰县张八桥生猪养殖场", "--user",
               "7002", *db)[0] == 0
    assert {s["name"]: s["linked_users"] for s in listed(capsys, db)}[
        "宝丰县张八桥生猪养殖场"] == [7002]
    code, _, err = run(capsys, "suppliers", "link", "--supplier", "没有这家", "--user", "7002",
                       *db)
    assert code == 2 and err.strip() == "farmdock: 没有这家供应企业：没有这家"
    code, _, err = run(capsys, "suppliers", "link", "--supplier", "1", "--user", "99", *db)
    assert code == 2 and err.strip() == "farmdock: --user 99: no such user"
