"""farmdock demo and farmdock digest, offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.demo import sample_posts
from bot.matching.regions import get_gazetteer
from tests.backends import cli_args, run_elsewhere


def test_sample_day_covers_every_county_level_unit() -> None:
    posts = sample_posts()
    assert len(posts) >= 120
    assert {p.county for p in posts} == set(get_gazetteer().county_names())
    assert {p.role for p in posts} == {"grower", "buyer"}


@pytest.fixture(scope="module")
def demo_db(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The sample day, loaded once per module into a new database of each backend."""
    if backend == "sqlite":
        target = str(tmp_path_factory.mktemp("demo") / "demo.db")
    else:
        server = request.getfixturevalue("postgres_server")
        target = run_elsewhere(server.create_database())
    assert main(["demo", *cli_args(target)]) == 0
    yield target
    if backend == "postgresql":
        run_elsewhere(server.drop_database(target))


def test_the_demo_fills_only_a_new_database(
    demo_db: str, capsys: pytest.CaptureFixture
) -> None:
    capsys.readouterr()
    assert main(["demo", *cli_args(demo_db)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("farmdock: ")


def test_demo_prints_a_county_and_the_city(demo_db: str, capsys: pytest.CaptureFixture) -> None:
    # The module fixture ran the demo; run the digest of both areas again to read them.
    assert main(["digest", *cli_args(demo_db), "--region", "宝丰县"]) == 0
    county = capsys.readouterr().out
    assert "宝丰县 生活物资购销日报" in county
    assert "现在仍未匹配的需求" in county or "暂无缺口" in county
    assert "0 公斤" not in county and "条 0" not in county
    assert main(["digest", *cli_args(demo_db)]) == 0
    assert "平顶山市 生活物资购销日报" in capsys.readouterr().out


def test_digest_json_is_the_documented_structure(
    demo_db: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["digest", *cli_args(demo_db), "--format", "json", "--region", "平顶山市"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"area", "day", "as_of", "totals", "previous", "categories",
                         "shortages", "surplus", "matches", "prices", "now", "open_now",
                         "deals"}
    # The sample day has exchanges of no contacts yet, so no deals: the shape, in zeros.
    assert data["deals"] == {
        "today": {"count": 0, "by_product": {}}, "to_date": {"count": 0, "by_product": {}},
        "exchanges": 0, "deal_rate_pct": None, "price_vs_listed_pct": None}
    assert data["area"] == {"label": "平顶山市", "level": "city", "county": None,
                            "township": None}
    assert data["totals"]["offers"] + data["totals"]["needs"] == len(sample_posts())
    created = [s["created_at"] for s in data["shortages"]]
    assert created == sorted(created)
    # Needs in 桶 and 袋 are totalled in their own units, beside the kilograms.
    grain = next(c for c in data["categories"] if c["category"] == "粮油")
    assert {"桶", "袋"} <= set(grain["need_volume"]) and "kg" not in grain["need_volume"]
    assert data["totals"]["need_volume"]["kg"] == data["totals"]["need_kg"] > 0
    assert data["totals"]["need_volume"]["桶"] == sum(
        c["need_volume"].get("桶", 0) for c in data["categories"])
    # Open right now: today's digest is taken now, so they are the shortages.
    assert data["now"] == data["as_of"]
    assert data["open_now"] and all(
        set(item) == {"listing_id", "product", "quantity", "unit", "place", "organisation",
                      "age_hours"} for item in data["open_now"])
    assert [x["listing_id"] for x in data["open_now"]] == [
        s["listing_id"] for s in data["shortages"]]
    ages = [x["age_hours"] for x in data["open_now"]]
    assert ages == sorted(ages, reverse=True)  # oldest first


def test_digest_xlsx(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "day.xlsx"
    assert main(["digest", *cli_args(demo_db), "--format", "xlsx", "--out", str(out)]) == 0
    rows = list(load_workbook(out, read_only=True)["当日供求"].iter_rows(values_only=True))
    assert len(rows) - 1 == len(sample_posts())


@pytest.mark.parametrize("region", ["火星", "马庄", "宝丰县某某镇", "叶县张八桥镇"])
def test_unknown_ambiguous_or_inconsistent_region_exits_2(
    demo_db: str, region: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["digest", *cli_args(demo_db), "--region", region]) == 2
    out, err = capsys.readouterr()
    assert region in err and err.count("\n") == 1 and out == ""
