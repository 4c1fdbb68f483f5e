"""Hand-made listings and a small fixed distance table for the matching tests."""

from __future__ import annotations

import itertools
from functools import partial

from hypothesis import strategies as st

from bot.matching.model import Kind, Listing, PackSize, Place, PriceBound

NOW = 1_000_000.0

CITY = "平顶山市"
# Four county-level units on a line, 10 km apart (宝丰县 0, 新华区 10, 卫东区 20, 叶县 30).
COUNTY_POSITION = {"宝丰县": 0.0, "新华区": 10.0, "卫东区": 20.0, "叶县": 30.0}
COUNTIES = tuple(COUNTY_POSITION)
TOWNSHIPS = {
    "宝丰县": ("张八桥镇", "周庄镇"),
    "新华区": ("曙光街街道", "焦店镇"),
    "卫东区": ("东安路街道", "蒲城街道"),
    "叶县": ("昆阳街道", "仙台镇"),
}

_ids = itertools.count(1)


def distance(county_a: str, county_b: str) -> float:
    """County-centre distance on the made-up line above."""
    return abs(COUNTY_POSITION[county_a] - COUNTY_POSITION[county_b])


def place(county: str | None = None, township: str | None = None) -> Place:
    return Place(city=CITY if county or township else None, county=county, township=township)


OUTSIDE = Place(city="洛阳市", outside="汝阳县")


def listing(
    kind: Kind,
    product: str = "大白菜",
    quantity: float | None = 1000.0,
    unit: str | None = "kg",
    price: float | None = 2.0,
    price_unit: str | None = "kg",
    where: Place | None = None,
    created_at: float | None = None,
    expires_at: float | None = None,
    pack: PackSize | None = None,
    price_bound: PriceBound | None = None,
    id: int | None = None,
) -> Listing:
    """A listing with sensible defaults: 1000 kg of 大白菜 at 2 元/kg in 宝丰县张八桥镇."""
    serial = next(_ids)
    return Listing(
        id=id if id is not None else serial,
        kind=kind,
        product=product,
        quantity=quantity,
        unit=unit,
        price=price,
        price_unit=price_unit if price is not None else None,
        place=where or place("宝丰县", "张八桥镇"),
        created_at=float(serial) if created_at is None else created_at,
        expires_at=expires_at,
        pack=pack,
        price_bound=price_bound,
    )


need = partial(listing, "need")
offer = partial(listing, "offer")


# Random listings for property tests: few products, units, packs and places, so that
# pairs are often eligible and ties are common. 鸡蛋 has usual packs in the catalogue
# (箱 of 45 斤 and of 360 枚), 大白菜 none, so every basis occurs; 袋 meets nothing.
places = st.sampled_from(
    [place(c, t) for c in COUNTIES for t in TOWNSHIPS[c]]
    + [place(c) for c in COUNTIES]
    + [place(), OUTSIDE]
)
units = st.sampled_from(["kg", "kg", "kg", "箱", "枚", "袋"])
packs = st.sampled_from(
    [
        None,
        None,
        PackSize("箱", 22.5, "kg"),
        PackSize("箱", 20.0, "kg"),
        PackSize("箱", 360.0, "枚"),
    ]
)
prices = st.one_of(st.none(), st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 150.0]))


@st.composite
def listings(draw: st.DrawFn, kind: str) -> Listing:
    unit = draw(units)
    price = draw(prices)
    price_unit = draw(st.sampled_from([unit, "kg", "箱", "枚"]))
    return listing(
        kind,  # type: ignore[arg-type]
        product=draw(st.sampled_from(["大白菜", "鸡蛋"])),
        quantity=draw(st.one_of(st.none(), st.sampled_from([10.0, 100.0, 1000.0, 5000.0]))),
        unit=unit,
        price=price,
        price_unit=price_unit,
        price_bound="negotiable" if price is None else draw(st.sampled_from(["max", "exact"])),
        where=draw(places),
        created_at=float(draw(st.integers(0, 5))),
        expires_at=draw(st.sampled_from([None, None, NOW - 1, NOW + 1])),
        pack=draw(packs),
    )
