"""The survey's items and targets are policy tables a city overrides file by file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.matching import survey
from bot.matching.stock import Target, get_targets, read_targets


def test_the_documented_defaults() -> None:
    targets = read_targets(None)
    assert {name: (t.target_days, t.emergency_days) for name, t in targets.items()} == {
        "粮油": (30, 7), "肉类": (20, 5), "蛋类": (6, 2), "奶类": (13, 4), "叶菜": (3, 1),
        "其他蔬菜": (10, 3), "包装食品": (14, 4)}
    items = survey.read_survey_items(None)
    assert items.products == ("大米", "面粉", "大豆油", "花生油", "猪肉", "鸡蛋", "大白菜",
                              "土豆", "牛奶", "方便面", "饮用水")
    assert items.expected_count() == 10  # 大豆油 or 花生油


def test_an_override_directory_changes_items_and_targets(policy_dir: Path) -> None:
    (policy_dir / "survey_targets.json").write_text(json.dumps(
        {"categories": {"粮油": {"target_days": 20, "emergency_days": 5},
                        "叶菜": {"target_days": 4, "emergency_days": 1}}}), "utf-8")
    (policy_dir / "survey_items.json").write_text(json.dumps(
        {"items": [{"product": "菠菜", "category": "叶菜"},
                   {"product": "大米", "category": "粮油"}]}, ensure_ascii=False), "utf-8")
    assert get_targets()["叶菜"] == Target(4, 1)
    items = survey.get_survey_items()
    assert items.products == ("菠菜", "大米")
    report = survey.parse_report("菠菜 库存300斤 日销100斤；大白菜 库存2吨", items)
    assert [i.product for i in report.items] == ["菠菜"] and report.unknown == ["大白菜"]


@pytest.mark.parametrize("name, content, words", [
    ("survey_targets.json", {"categories": {"粮油": {"target_days": 5, "emergency_days": 7}}},
     "emergency_days must be below"),
    ("survey_targets.json", {"categories": {"粮油": {"target_days": -1, "emergency_days": 0}}},
     "positive numbers"),
    ("survey_items.json", {"items": [{"product": "龙肉", "category": "肉类"}]},
     "unknown product"),
    ("survey_items.json", {"items": [{"product": "大米", "category": "干货"}]},
     "unknown category"),
])
def test_a_bad_table_stops_start_up_with_one_line(
        tmp_path: Path, name: str, content: dict, words: str) -> None:
    (tmp_path / name).write_text(json.dumps(content, ensure_ascii=False), "utf-8")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "survey", "parse", "大米 20吨"],
                          capture_output=True, text=True,
                          env={"FARMDOCK_POLICY_DIR": str(tmp_path), "PATH": "/usr/bin"})
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert name in line and words in line
