"""``farmdock parse`` as scripts read it: one line per post, ``listings``, ``--role``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.cli import main

TOP_LEVEL = {
    "ok", "kind", "product", "category", "quantity", "unit", "price", "price_unit", "city",
    "county", "township", "phone", "valid_until", "price_bound", "errors", "standing",
    "not_listing",
}  # fmt: skip


def parse(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    assert main(["parse", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_post_with_three_products_is_one_line_with_three_listings(capsys):
    post = "出售：白菜3000斤0.5元、萝卜2000斤、土豆5吨，宝丰县周庄镇 13812345678"
    (result,) = parse(capsys, post)
    assert set(result) == TOP_LEVEL | {"listings"}
    listings = result["listings"]
    assert [(x["product"], x["quantity"], x["price"]) for x in listings] == [
        ("大白菜", 1500, 1), ("白萝卜", 1000, None), ("土豆", 5000, None),
    ]
    for x in listings:
        assert set(x) == TOP_LEVEL
        assert (x["kind"], x["county"], x["township"], x["phone"]) == (
            "offer", "宝丰县", "周庄镇", "13812345678",
        )
    assert {k: result[k] for k in TOP_LEVEL} == listings[0]
    assert result["ok"] is True


def test_top_level_ok_only_when_every_listing_is_ok(capsys):
    (result,) = parse(capsys, "出售白菜3000斤，萝卜，宝丰县")
    assert [x["ok"] for x in result["listings"]] == [True, False]
    assert result["ok"] is False and result["listings"][0]["errors"] == []
    # The second listing's error, naming its product.
    assert result["errors"] and "白萝卜" in result["errors"][0]


def test_one_line_per_input_line_in_order_with_standing_and_not_listing(tmp_path):
    posts = ["长期收购大蒜 随行就市", "今天白菜多少钱一斤？", "", "白菜已经卖完了，谢谢大家"]
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "parse"], input="\n".join(posts) + "\n",
        capture_output=True, text=True, timeout=60, check=True,
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(posts)
    standing, question, empty, sold_out = results
    assert (standing["ok"], standing["standing"], standing["quantity"]) == (True, True, None)
    assert (question["ok"], question["not_listing"], question["quantity"]) == (
        False, "question", None,
    )
    assert question["errors"] and empty["not_listing"] is None and not empty["ok"]
    assert (sold_out["not_listing"], sold_out["product"]) == ("sold_out", "大白菜")


def test_role_decides_the_kind_only_where_the_post_does_not(capsys):
    texts = ["大白菜 5000斤 新华区", "出售大白菜 5000斤", "土豆"]
    assert [r["kind"] for r in parse(capsys, "--role", "buyer", *texts)] == [
        "need", "offer", "need",
    ]
    assert [r["kind"] for r in parse(capsys, "--role", "grower", *texts)] == [
        "offer", "offer", "offer",
    ]
    # Without a role, a post stating what it has is an offer; one stating nothing has no kind.
    assert [r["kind"] for r in parse(capsys, *texts)] == ["offer", "offer", None]


def test_a_bad_role_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["parse", "--role", "official", "土豆"])
    assert exited.value.code == 2
    assert "--role" in capsys.readouterr().err
