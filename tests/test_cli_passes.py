"""``farmdock passes``: the whole life of a pass from the command line, and the contract of
``verify`` (JSON shape, exit 0 valid / 1 invalid / 2 operator error, never a traceback)."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from PIL import Image

from bot.cli import main
from bot.matching.passes import sign
from tests.backends import cli_args

SECRET = "c" * 40
TODAY = date.today()


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_target: str) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("FARMDOCK_TOKEN", "FARMDOCK_DB", "FARMDOCK_DATABASE_URL", "FARMDOCK_TZ"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FARMDOCK_PASS_SECRET", SECRET)
    return database_target


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["passes", *args])
    out, err = capsys.readouterr()
    try:
        parsed = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        parsed = out
    return code, parsed, err


def users(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    for telegram_id, role, region in ((1, "grower", "宝丰县张八桥镇"), (2, "official", "宝丰县"),
                                      (3, "official", "叶县"), (4, "buyer", "新华区")):
        assert main(["users", "add", *cli_args(target), "--telegram-id", str(telegram_id),
                     "--role", role, "--region", region, "--name", f"用户{telegram_id}"]) == 0
    capsys.readouterr()


def applied(target: str, capsys: pytest.CaptureFixture[str], first: date, last: date,
            applicant: str = "1") -> int:
    code, filed, err = run(
        capsys, "apply", *cli_args(target), "--applicant", applicant, "--plate", "豫D 12345",
        "--driver", "张师傅 13812345678", "--crew", "李四 139 1234 5678", "--category", "蔬菜",
        "--origin", "宝丰县", "--destination", "郑州", "--from", first.isoformat(),
        "--until", last.isoformat(), "--format", "json")
    assert code == 0, err
    assert filed["status"] == "pending" and filed["plate"] == "豫D12345"
    return int(filed["id"])


def approved(target: str, capsys: pytest.CaptureFixture[str], pass_id: int,
             *extra: str) -> dict[str, Any]:
    code, issued, err = run(capsys, "approve", str(pass_id), *cli_args(target), "--by", "2",
                            "--bot-username", "farmdock_test_bot", "--format", "json", *extra)
    assert code == 0, err
    return dict(issued)


def verified(target: str, capsys: pytest.CaptureFixture[str], token: str,
             *extra: str) -> tuple[int, Any]:
    code, result, err = run(capsys, "verify", token, *cli_args(target), "--format", "json",
                            *extra)
    assert err == "" and code in (0, 1)
    assert set(result) == {"valid", "reason", "pass"}
    return code, result


def test_a_pass_from_application_to_verification(target: str, capsys, tmp_path: Path) -> None:
    users(target, capsys)
    pass_id = applied(target, capsys, TODAY, TODAY + timedelta(days=7))
    image = tmp_path / "pass.png"
    issued = approved(target, capsys, pass_id, "--image-out", str(image))
    assert re.fullmatch(r"410421\d{6}", issued["number"])
    assert issued["link"] == f"https://t.me/farmdock_test_bot?start=p{issued['token']}"
    decoded = zxingcpp.read_barcodes(Image.open(image))
    assert [d.text for d in decoded] == [issued["link"]]

    code, result = verified(target, capsys, issued["token"])
    assert (code, result["valid"], result["reason"]) == (0, True, None)
    assert result["pass"]["number"] == issued["number"]
    assert result["pass"]["driver"] == {"name": "张师傅"}
    assert "13812345678" not in json.dumps(result) and "13912345678" not in json.dumps(result)
    assert verified(target, capsys, issued["link"])[1]["valid"]  # the whole link, pasted

    last_day = (TODAY + timedelta(days=7)).isoformat()
    assert verified(target, capsys, issued["token"], "--on", last_day)[0] == 0
    for on, reason in (((TODAY + timedelta(days=8)).isoformat(), "已过期"),
                       ((TODAY - timedelta(days=1)).isoformat(), "未生效")):
        code, result = verified(target, capsys, issued["token"], "--on", on)
        assert (code, result["valid"], result["reason"]) == (1, False, reason)
        assert result["pass"]["number"] == issued["number"]

    code, _, err = run(capsys, "revoke", issued["number"], *cli_args(target), "--by", "3",
                       "--reason", "不是本县的")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert run(capsys, "revoke", issued["number"], *cli_args(target), "--by", "2",
               "--reason", "司机信息不实")[0] == 0
    code, result = verified(target, capsys, issued["token"])
    assert (code, result["reason"], result["pass"]["status"]) == (1, "已吊销", "revoked")


def test_tampered_foreign_unknown_and_garbage_tokens_exit_1(target: str, capsys) -> None:
    users(target, capsys)
    issued = approved(target, capsys, applied(target, capsys, TODAY, TODAY))
    token = issued["token"]
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token[:-1], token + "A",
                sign(issued["number"], "f" * 40), "", "p", "垃圾", "<script>", "A" * 52,
                "-" + token[1:], "--" + token[2:], "-",
                "x" * 5000):
        code, result = verified(target, capsys, bad)
        assert (code, result) == (1, {"valid": False, "reason": "签名无效", "pass": None})
    code, result = verified(target, capsys, sign("410421999999", SECRET))
    assert (code, result) == (1, {"valid": False, "reason": "未知", "pass": None})
    code, out, _ = run(capsys, "verify", token[:-1], *cli_args(target))
    assert (code, out.strip()) == (1, "无效：签名无效")


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.text(max_size=70))
def test_any_text_given_to_verify_exits_1_with_json(target: str, capsys, garbage: str) -> None:
    code, result = verified(target, capsys, garbage)
    assert (code, result["valid"], result["pass"]) == (1, False, None)


def test_verify_without_the_secret_is_an_operator_error(target: str, capsys,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FARMDOCK_PASS_SECRET")
    code, out, err = run(capsys, "verify", "A" * 52, *cli_args(target))
    assert (code, out) == (2, None)
    assert err.startswith("farmdock: FARMDOCK_PASS_SECRET") and err.count("\n") == 1


def test_who_may_apply_and_decide_is_checked(target: str, capsys) -> None:
    users(target, capsys)
    code, _, err = run(capsys, "apply", *cli_args(target), "--applicant", "4", "--plate",
                       "豫D12345", "--driver", "张师傅 13812345678", "--category", "蔬菜",
                       "--origin", "新华区", "--destination", "郑州市", "--from",
                       TODAY.isoformat(), "--until", TODAY.isoformat())
    assert code == 2 and "采购方" in err  # a buyer without a match
    pass_id = applied(target, capsys, TODAY, TODAY)
    for by in ("1", "3"):
        code, _, err = run(capsys, "approve", str(pass_id), *cli_args(target), "--by", by,
                           "--bot-username", "b")
        assert code == 2 and "区县的工作人员" in err
    code, _, err = run(capsys, "reject", str(pass_id), *cli_args(target), "--by", "2",
                       "--reason", "货物类别不符", "--format", "json")
    assert code == 0
    code, _, err = run(capsys, "approve", str(pass_id), *cli_args(target), "--by", "2",
                       "--bot-username", "b")
    assert code == 2 and "已经处理过" in err


@pytest.mark.parametrize(("flag", "value", "says"), [
    ("--plate", "12345", "车牌"), ("--origin", "火星", "不是本市"),
    ("--until", "2000-01-01", "结束日"), ("--category", "军火", "物资类别"),
])
def test_a_bad_field_is_one_clear_line(target: str, capsys, flag: str, value: str,
                                       says: str) -> None:
    users(target, capsys)
    fields = {"--plate": "豫D12345", "--driver": "张师傅 13812345678", "--category": "蔬菜",
              "--origin": "宝丰县", "--destination": "郑州市", "--from": TODAY.isoformat(),
              "--until": TODAY.isoformat(), flag: value}
    code, _, err = run(capsys, "apply", *cli_args(target), "--applicant", "1",
                       *(x for pair in fields.items() for x in pair))
    assert code == 2 and says in err and err.count("\n") == 1


def test_the_register_of_an_area(target: str, capsys, tmp_path: Path) -> None:
    users(target, capsys)
    approved(target, capsys, applied(target, capsys, TODAY, TODAY))
    applied(target, capsys, TODAY, TODAY)
    book = tmp_path / "register.xlsx"
    code, rows, _ = run(capsys, "list", *cli_args(target), "--region", "宝丰县", "--xlsx",
                        str(book), "--format", "json")
    assert code == 0 and [r["status"] for r in rows] == ["approved", "pending"]
    assert rows[0]["driver"] == {"name": "张师傅", "phone": "13812345678"}
    assert run(capsys, "list", *cli_args(target), "--region", "叶县", "--format", "json")[1] == []
    sheet = load_workbook(io.BytesIO(book.read_bytes())).active
    assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["已批准", "待审核"]
