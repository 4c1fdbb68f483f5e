"""``farmdock areas declare|designate|receiver|lift|list|show`` on both backends: JSON with
the area's ``id``, and one clear line on stderr with exit 2 for every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.backends import cli_args

SAMPLE = Path(__file__).parents[2] / "bot" / "demo" / "suppliers.csv"


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


def test_the_life_of_an_area_on_the_command_line(db, capsys) -> None:
    assert run(capsys, "suppliers", "import", str(SAMPLE), "--apply", *db)[0] == 0
    assert run(capsys, "users", "add", "--role", "buyer", "--telegram-id", "2002",
               "--name", "物业张", "--region", "宝丰县张八桥镇", *db)[0] == 0
    code, out, err = run(capsys, "areas", "declare", "--name", "建设路小区",
                         "--region", "宝丰县张八桥镇", "--level", "封控区",
                         "--compounds", "建设路小区,幸福里", "--start", "2026-05-09", *db)
    assert (code, err) == (0, "")
    area = json.loads(out)
    assert {k: area[k] for k in ("name", "county", "township", "compounds", "level", "start",
                                 "active")} == {
        "name": "建设路小区", "county": "宝丰县", "township": "张八桥镇",
        "compounds": ["建设路小区", "幸福里"], "level": "封控区", "start": "2026-05-09",
        "active": True}
    area_id = str(area["id"])

    code, out, _ = run(capsys, "areas", "designate", "--area", area_id, "--supplier", "1", *db)
    assert code == 0 and [s["id"] for s in json.loads(out)["suppliers"]] == [1]
    code, out, _ = run(capsys, "areas", "receiver", "--area", area_id, "--telegram-id", "2002",
                       "--point", "小区东门", *db)
    assert code == 0
    assert json.loads(out)["receivers"] == [{"telegram_id": 2002, "point": "小区东门"}]

    code, out, _ = run(capsys, "areas", "lift", area_id, *db)
    assert code == 0 and json.loads(out)["active"] is False
    code, out, _ = run(capsys, "areas", "list", "--format", "json", *db)
    assert [(a["id"], a["active"]) for a in json.loads(out)] == [(area["id"], False)]
    code, out, _ = run(capsys, "areas", "show", area_id, "--format", "json", *db)
    assert json.loads(out)["receivers"][0]["point"] == "小区东门"

    # A lifted area takes no more suppliers, and is not lifted twice.
    code, _, err = run(capsys, "areas", "lift", area_id, *db)
    assert (code, err) == (2, "farmdock: 建设路小区已解封\n")


@pytest.mark.parametrize(("args", "error"), [
    (["declare", "--name", "X", "--region", "宝丰县", "--level", "封控区"],
     "封控区要落在一个乡镇街道：宝丰县"),
    (["declare", "--name", "X", "--region", "宝丰县张八桥镇", "--level", "封控区",
      "--start", "5月9日"], "开始日期不对（写成 2022-05-10）：5月9日"),
    (["declare", "--name", "  ", "--region", "宝丰县张八桥镇", "--level", "封控区"],
     "封控区名称是空的"),
    (["designate", "--area", "9", "--supplier", "1"], "没有这个封控区：9"),
    (["receiver", "--area", "x", "--telegram-id", "1", "--point", "门口"], "没有这个封控区：x"),
    (["show", "9"], "没有这个封控区：9"),
])
def test_bad_input_is_one_line_and_exit_2(db, capsys, args, error) -> None:
    code, out, err = run(capsys, "areas", *args, *db)
    assert (code, out, err) == (2, "", f"farmdock: {error}\n")


def test_an_unknown_region_is_refused(db, capsys) -> None:
    code, _, err = run(capsys, "areas", "declare", "--name", "X", "--region", "火星镇",
                       "--level", "封控区", *db)
    assert code == 2 and err.startswith("farmdock: ") and err.count("\n") == 1
