"""The rules of 成交了吗 as pure functions: the lesser of two answers, what is left, the
proposal, the price against the listed one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.matching.deals import (
    Amount,
    Price,
    deal_amount,
    listed_price,
    prefill,
    price_ratio,
    remaining,
)
from bot.matching.model import CITY_NAME, Listing, Place

KG = "kg"


def listing(kind: str, quantity: float | None, unit: str | None = KG, price: float | None = 1.6,
            price_unit: str | None = KG, bound: str | None = None) -> Listing:
    return Listing(
        id=1, user_id=1, kind=kind, raw_text="", product="大白菜", category="蔬菜",  # type: ignore[arg-type]
        place=Place(city=CITY_NAME, county="宝丰县"), quantity=quantity, unit=unit,
        price=price, price_unit=price_unit, price_bound=bound, created_at=0.0,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(("need", "offer", "counted"), [
    (Amount(1000, KG), Amount(1200, KG), Amount(1000, KG)),
    (Amount(1300, KG), Amount(1200, KG), Amount(1200, KG)),
    (Amount(1000, KG), None, Amount(1000, KG)),
    (None, Amount(1200, KG), Amount(1200, KG)),
    (None, None, None),
    # Units that differ are not compared: the offer's (who handed the goods over).
    (Amount(40, "箱"), Amount(900, KG), Amount(900, KG)),
])
def test_a_deal_counts_the_lesser_of_two_answers_else_the_one(
    need: Amount | None, offer: Amount | None, counted: Amount | None
) -> None:
    assert deal_amount(need, offer) == counted


def test_what_is_left_never_goes_below_nothing_nor_changes_another_unit() -> None:
    offer = listing("offer", 2500.0)
    assert remaining(offer, Amount(1000, KG)) == 1500.0
    assert remaining(offer, Amount(4000, KG)) == 0.0
    assert remaining(offer, Amount(10, "箱")) is None
    assert remaining(listing("offer", None), Amount(10, KG)) is None


def test_the_proposal_is_the_lesser_listing_in_the_own_unit_and_the_asking_price() -> None:
    need = listing("need", 1500.0, price=2.0, bound="max")
    offer = listing("offer", 2500.0)
    assert prefill(need, offer).amount == Amount(1500.0, KG)
    assert prefill(offer, need).amount == Amount(1500.0, KG)
    assert prefill(offer, need).price == Price(1.6, KG)
    # A standing need (no quantity): the offer's own quantity.
    assert prefill(offer, listing("need", None, None)).amount == Amount(2500.0, KG)
    assert prefill(listing("need", None, None), offer).amount == Amount(2500.0, KG)


def test_the_listed_price_is_the_offers_figure_else_the_needs() -> None:
    need = listing("need", 1500.0, price=2.0, bound="max")
    assert listed_price(need, listing("offer", 1.0)) == Price(1.6, KG)
    negotiable = listing("offer", 1.0, price=None, bound="negotiable")
    assert listed_price(need, negotiable) == Price(2.0, KG)
    free = replace(listing("offer", 1.0, price=0.0), price_bound="free")
    assert listed_price(listing("need", 1.0, price=None), free) is None


def test_price_ratio_compares_only_the_same_unit() -> None:
    assert price_ratio([Price(1.5, KG)], Price(1.6, KG)) == pytest.approx(0.9375)
    assert price_ratio([Price(1.5, KG), Price(1.7, KG)], Price(1.6, KG)) == pytest.approx(1.0)
    assert price_ratio([Price(50, "箱")], Price(1.6, KG)) is None
    assert price_ratio([], Price(1.6, KG)) is None
    assert price_ratio([Price(1.5, KG)], None) is None
