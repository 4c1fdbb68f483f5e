"""The gazetteer: county-level units, townships, short, variant and old names, outside places."""

from __future__ import annotations

import pytest

from bot.matching.model import CITY_NAME, Place
from bot.matching.regions import AreaReading, get_gazetteer

G = get_gazetteer()


def test_twelve_county_level_units_and_143_townships() -> None:
    names = G.county_names()
    assert len(names) == 12
    assert {"城乡一体化示范区", "高新区", "汝州市", "舞钢市", "叶县", "郏县"} <= set(names)
    assert sum(len(G.townships(c)) for c in names) == 143


def test_zones_manage_their_townships() -> None:
    assert set(G.townships("城乡一体化示范区")) == {"湖滨路街道", "滍阳镇"}
    assert set(G.townships("高新区")) == {"皇台街道", "遵化店镇"}
    assert G.county_of("遵化店镇") == "高新区"
    assert "湖滨路街道" not in G.townships("新华区")


@pytest.mark.parametrize(
    ("typed", "county", "township"),
    [
        ("宝丰张八桥", "宝丰县", "张八桥镇"),
        ("张八桥", "宝丰县", "张八桥镇"),
        ("宝丰县张八桥镇", "宝丰县", "张八桥镇"),
        ("鲁山 辛集乡", "鲁山县", "辛集镇"),
        ("湛河 北渡镇", "湛河区", "北渡街道"),
        ("滚子营", "鲁山县", "磙子营乡"),
        ("让河乡", "鲁山县", "瀼河乡"),
        ("渣元", "郏县", "渣园乡"),
        ("叶县马庄", "叶县", "马庄回族乡"),
        ("新华区湖滨路街道", "城乡一体化示范区", "湖滨路街道"),
        ("姚孟街道办", "湛河区", "姚孟街道"),
        ("郟縣", "郏县", None),
        ("示范区", "城乡一体化示范区", None),
        ("汝州", "汝州市", None),
    ],
)
def test_resolve_one_place(typed: str, county: str, township: str | None) -> None:
    assert G.resolve(typed) == [Place(city=CITY_NAME, county=county, township=township)]


def test_ambiguous_short_name_gives_every_candidate() -> None:
    places = G.resolve("马庄")
    assert {(p.county, p.township) for p in places} == {
        ("湛河区", "马庄街道"),
        ("叶县", "马庄回族乡"),
    }


def test_old_name_split_in_two_gives_both_successors() -> None:
    places = G.resolve("宝丰 城关镇")
    assert {p.township for p in places} == {"文峰街道", "父城街道"}


def test_outside_places_are_never_forced_onto_the_city() -> None:
    assert G.resolve("汝阳县") == [Place(city="洛阳市", outside="汝阳县")]
    assert not G.resolve("汝阳县")[0].in_city


def test_city_alone_and_unknown_names() -> None:
    assert G.resolve("平顶山") == [Place(city=CITY_NAME)]
    assert G.resolve("火星") == []
    assert G.resolve("") == []


def test_county_of() -> None:
    assert G.county_of("张八桥镇") == "宝丰县"
    assert G.county_of("张八桥") == "宝丰县"
    assert G.county_of("马庄") is None  # ambiguous
    assert G.county_of("不存在镇") is None


def test_distance_km() -> None:
    assert G.distance_km("新华区", "新华区") == 0
    assert G.distance_km("宝丰县", "叶县") == G.distance_km("叶县", "宝丰") > 0
    assert 100 < G.distance_km("舞钢市", "汝州市") < 130
    assert G.distance_km("高新区", "卫东区") < 20
    with pytest.raises(KeyError):
        G.distance_km("新华区", "火星")


@pytest.mark.parametrize(
    ("typed", "county", "township"),
    [
        ("宝丰县", "宝丰县", None),
        ("宝丰县张八桥镇", "宝丰县", "张八桥镇"),
        ("宝丰县 张八桥镇", "宝丰县", "张八桥镇"),
        ("宝丰县，张八桥镇", "宝丰县", "张八桥镇"),
        ("河南省平顶山市宝丰县", "宝丰县", None),
        ("张八桥", "宝丰县", "张八桥镇"),
        ("叶县马庄", "叶县", "马庄回族乡"),
        ("鲁山县辛集乡", "鲁山县", "辛集镇"),  # the old name of today's 辛集镇
        ("新华区湖滨路街道", "城乡一体化示范区", "湖滨路街道"),
        ("平顶山", None, None),
    ],
)
def test_read_area_accepts_one_real_area(typed: str, county: str | None,
                                         township: str | None) -> None:
    reading = G.read_area(typed)
    assert reading.problem is None
    assert reading.place == Place(city=CITY_NAME, county=county, township=township)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # Words that are no township of the county named: not the whole county.
        ("宝丰县某某镇", AreaReading(problem="unknown", part="某某镇", county="宝丰县",
                                 suggestions=("宝丰县周庄镇", "宝丰县闹店镇", "宝丰县石桥镇"))),
        ("宝丰县李庄镇", AreaReading(problem="unknown", part="李庄镇", county="宝丰县",
                                 suggestions=("宝丰县李庄乡",))),
        ("宝封县张八桥镇", AreaReading(problem="unknown", part="宝封县",
                                   suggestions=("宝丰县张八桥镇",))),
        ("张八乔镇", AreaReading(problem="unknown", part="张八乔镇",
                              suggestions=("宝丰县张八桥镇", "鲁山县张良镇", "舞钢市八台镇"))),
        ("火星县", AreaReading(problem="unknown", part="火星县")),
        # A township of another county: not the county named.
        ("叶县张八桥镇", AreaReading(problem="mismatch", part="张八桥镇", county="叶县",
                                 suggestions=("宝丰县张八桥镇",))),
        ("宝丰县马庄", AreaReading(problem="mismatch", part="马庄", county="宝丰县",
                                suggestions=("叶县马庄回族乡", "湛河区马庄街道"))),
        ("宝丰县叶县", AreaReading(problem="several", part="宝丰县、叶县",
                                suggestions=("宝丰县", "叶县"))),
        ("马庄", AreaReading(problem="ambiguous", part="马庄",
                           suggestions=("叶县马庄回族乡", "湛河区马庄街道"))),
        ("宝丰 城关镇", AreaReading(problem="ambiguous", part="城关镇", county="宝丰县",
                                suggestions=("宝丰县文峰街道", "宝丰县父城街道"))),
        ("汝阳县", AreaReading(problem="outside", part="汝阳县")),
        (" ", AreaReading(problem="empty")),
    ],
)
def test_read_area_refuses_what_is_not_one_real_area(typed: str, expected: AreaReading) -> None:
    assert G.read_area(typed) == expected


def test_an_old_name_with_no_township_today_is_not_its_whole_county() -> None:
    assert G.resolve("新华区香山管委会") == [Place(city=CITY_NAME, county="新华区")]  # a post
    reading = G.read_area("新华区香山管委会")  # an area someone is given
    assert reading.place is None and reading.problem == "unknown"
    assert reading.county == "新华区" and len(reading.suggestions) == 3
