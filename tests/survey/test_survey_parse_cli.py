"""``farmdock survey parse`` as scripts read it: one JSON line per report line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.cli import main

KEYS = {"ok", "items", "unknown", "errors"}
ITEM_KEYS = {"product", "stock", "stock_unit", "sales", "sales_unit", "sales_basis"}


def test_the_example_of_the_issue(capsys: pytest.CaptureFixture[str]) -> None:
    report = "大米 库存20吨 日销2吨；猪肉 库存3吨 今天卖了1.5吨；鸡蛋 500箱 日销120箱"
    assert main(["survey", "parse", report]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert set(result) == KEYS and result["ok"] is True
    assert all(set(item) == ITEM_KEYS for item in result["items"])
    assert [(i["product"], i["stock"], i["stock_unit"], i["sales"], i["sales_unit"],
             i["sales_basis"]) for i in result["items"]] == [
        ("大米", 20000, "kg", 2000, "kg", "daily_average"),
        ("猪肉", 3000, "kg", 1500, "kg", "today"),
        ("鸡蛋", 500, "箱", 120, "箱", "daily_average"),
    ]


def test_one_line_out_per_line_in_with_unknown_errors_and_null_sales() -> None:
    lines = ["鸡蛋 库存120箱", "", "香蕉 库存1吨；大米 库存20吨 日销2吨", "大米 库存",
             "\ud800大米 20吨"]
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "survey", "parse"],
        input="\n".join(lines).encode("utf-8", errors="surrogatepass") + b"\n",
        capture_output=True, check=True)
    results = [json.loads(x) for x in done.stdout.decode("utf-8").splitlines()]
    assert len(results) == len(lines)
    eggs, empty, banana, no_figure, odd = results
    assert eggs["items"] == [{"product": "鸡蛋", "stock": 120, "stock_unit": "箱", "sales": None,
                              "sales_unit": None, "sales_basis": None}] and eggs["ok"]
    assert empty["ok"] is False and empty["items"] == [] and empty["errors"]
    assert banana["unknown"] == ["香蕉"] and banana["ok"] is True
    assert no_figure["ok"] is False and "大米" in no_figure["errors"][0]
    assert odd["items"][0]["stock"] == 20000
    assert done.stderr == b""
