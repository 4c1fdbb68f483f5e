"""Impossible numbers never become listings: ranges from the policy table, signs, donations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.matching.parser import draft_to_json, parse_post

TODAY = date(2022, 5, 2)


def parsed(text: str) -> dict:
    return draft_to_json(parse_post(text, TODAY))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("出售大白菜99999999999吨", "数量"),
        ("出售大白菜100001吨", "数量"),
        ("出售大白菜0吨", "数量"),
        ("出售土豆1e309斤", "数量"),
        ("出售土豆" + "9" * 400 + "斤", "数量"),
        ("出售土豆" + "九" * 400 + "斤", "数量"),  # too long for a float: infinite
        ("出售土豆 -5斤", "数量"),
        ("-5斤 出售土豆", "数量"),
        ("出售土豆，-5斤", "数量"),
        ("出售鸡蛋1000001箱", "数量"),
        ("出售土豆100斤 0元/斤", "价格"),
        ("出售土豆100斤 0元", "价格"),
        ("出售土豆100斤，-1元/斤", "价格"),
        ("出售土豆100斤 5001元/斤", "价格"),
        ("出售土豆100斤 价格1e309", "价格"),
        ("出售鸡蛋100箱 10001元/箱", "价格"),
    ],
)
def test_a_number_outside_its_range_is_refused_naming_the_field(text: str, field: str) -> None:
    result = parsed(text)
    assert result["ok"] is False
    assert any(e.startswith(field) and "最多" in e for e in result["errors"]), result["errors"]
    key = "quantity" if field == "数量" else "price"
    assert result[key] is None


@pytest.mark.parametrize(
    ("text", "quantity", "unit", "price"),
    [
        ("出售大白菜100000吨", 100_000_000, "kg", None),
        ("出售鸡蛋1000000箱 10000元/箱", 1_000_000, "箱", 10_000),
        ("出售土豆100斤 5000元/斤", 50, "kg", 10_000),
        # 1_000 is one thousand, as 1,000 is; it was read as the 000 after the _.
        ("出售土豆100斤 1_000元/公斤", 50, "kg", 1000),
        # A dash between a word and a figure is a separator, not a sign.
        ("大白菜-5000斤-0.8元/斤", 2500, "kg", 1.6),
        ("出售土豆-5斤", 2.5, "kg", None),
        ("出售土豆100-200斤", 100, "kg", None),
    ],
)
def test_numbers_inside_the_ranges_are_read(
    text: str, quantity: float, unit: str, price: float | None
) -> None:
    result = parsed(text)
    assert result["ok"] is True, result["errors"]
    assert (result["quantity"], result["unit"], result["price"]) == (quantity, unit, price)


@pytest.mark.parametrize(
    "text", ["出售土豆100斤 免费", "捐赠土豆100斤", "无偿提供大白菜1吨", "捐赠土豆100斤 0元/斤"]
)
def test_a_donation_is_a_price_of_0(text: str) -> None:
    result = parsed(text)
    assert result["ok"] is True, result["errors"]
    assert (result["price"], result["price_bound"]) == (0, "free")


def test_free_delivery_is_not_a_donation() -> None:
    result = parsed("出售大白菜5000斤 0.8元/斤 免费送货")
    assert (result["price"], result["price_bound"]) == (1.6, "exact")
    assert parsed("出售大白菜5000斤 免费送货上门")["price_bound"] is None


def test_the_ranges_come_from_the_policy_directory(policy_dir: Path) -> None:
    (policy_dir / "limits.json").write_text(json.dumps({
        "quantity": {"max_weight_tonnes": 10, "max_count": 500},
        "price": {"max_yuan_per_kg": 4, "max_yuan_per_count_unit": 50},
    }))
    # The shipped table allows 100,000 吨; this one 10.
    assert parsed("出售大白菜20吨")["errors"] == ["数量超出范围：要大于0，最多10吨"]
    assert parsed("出售鸡蛋600箱")["errors"] == ["数量超出范围：要大于0，最多500箱"]
    assert parsed("出售大白菜5吨 2.5元/斤")["errors"][0].startswith("价格超出范围")
    # Only the tables the directory holds are overridden: products still come from the
    # shipped catalogue.
    assert parsed("出售大白菜5吨 1.5元/斤")["product"] == "大白菜"


def farmdock_parse(lines: list[str], **env: str) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FARMDOCK_")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "parse"], input="\n".join(lines).encode() + b"\n",
        capture_output=True, env=environ, timeout=120, check=False,
    )


def test_farmdock_parse_answers_impossible_numbers_without_a_traceback() -> None:
    lines = ["出售土豆" + "9" * 400 + "斤", "出售土豆1e309斤", "出售大白菜99999999999吨"]
    done = farmdock_parse(lines)
    assert done.returncode == 0
    assert done.stderr == b""
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["ok"] for r in results] == [False, False, False]
    assert all(r["quantity"] is None and r["errors"] for r in results)


def test_a_bad_policy_directory_stops_the_command_with_one_line(tmp_path: Path) -> None:
    missing = farmdock_parse(["出售大白菜5吨"], FARMDOCK_POLICY_DIR=str(tmp_path / "nowhere"))
    (tmp_path / "limits.json").write_text('{"quantity": {"max_weight_tonnes": -1}}')
    malformed = farmdock_parse(["出售大白菜5吨"], FARMDOCK_POLICY_DIR=str(tmp_path))
    for done in (missing, malformed):
        assert done.returncode == 2 and done.stdout == b""
        [line] = done.stderr.decode().splitlines()
        assert "FARMDOCK_POLICY_DIR" in line
    assert "limits.json" in malformed.stderr.decode()
