"""The incremental index: it must always agree with ranking every open listing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.engine import rank_candidates
from bot.matching.index import MatchIndex
from bot.matching.model import Listing, PackSize
from tests.matching.factories import NOW, distance, listings, need, offer, place


def index_of(*items: Listing) -> MatchIndex:
    index = MatchIndex(distance)
    for item in items:
        index.add(item)
    return index


def pairs(matches: list) -> list[tuple[str, str, int]]:
    return [(m.need_id, m.offer_id, m.rank) for m in matches]


def test_a_new_need_hears_of_offers_of_its_product_only():
    cabbage = offer(product="大白菜", price=1.0)
    bok_choy = offer(product="小白菜", price=0.5)
    index = index_of(cabbage, bok_choy)
    n = need(product="大白菜", price=2.0)
    assert pairs(index.matches_for(n, 5, NOW)) == [(n.id, cabbage.id, 1)]


def test_a_new_offer_hears_of_needs():
    n1 = need(price=2.0, where=place("叶县"))
    n2 = need(price=1.5)
    o = offer(price=1.2)
    index = index_of(n1, n2)
    assert pairs(index.matches_for(o, 5, NOW)) == [(n2.id, o.id, 1), (n1.id, o.id, 2)]


def test_remove_update_and_expire():
    first = offer(id="a", price=1.0)
    second = offer(id="b", price=1.5, expires_at=NOW + 10)
    index = index_of(first, second)
    n = need(price=2.0)
    assert [m.offer_id for m in index.matches_for(n, 5, NOW)] == ["a", "b"]

    index.update(offer(id="a", price=1.8))  # edited: now dearer than b
    assert [m.offer_id for m in index.matches_for(n, 5, NOW)] == ["b", "a"]

    assert [x.id for x in index.expire(NOW + 10)] == ["b"]
    assert "b" not in index
    assert [m.offer_id for m in index.matches_for(n, 5, NOW + 10)] == ["a"]

    assert index.remove("a") is not None
    assert index.remove("a") is None
    assert index.matches_for(n, 5, NOW) == []
    assert len(index) == 0


def test_an_edited_expiry_is_not_expired_by_its_old_date():
    index = index_of(offer(id="a", expires_at=NOW))
    index.update(offer(id="a", expires_at=NOW + 100))
    assert index.expire(NOW) == []
    assert "a" in index


def test_expired_listings_still_in_the_index_are_skipped():
    index = index_of(offer(id="old", expires_at=NOW - 1), offer(id="new"))
    assert [m.offer_id for m in index.matches_for(need(), 5, NOW)] == ["new"]


def test_rebuild_replaces_everything_and_keeps_the_last_of_an_id():
    index = index_of(offer(id="gone"))
    index.rebuild([offer(id="x", price=1.0), offer(id="x", price=3.0), offer(id="y", price=2.0)])
    assert "gone" not in index
    assert [m.offer_id for m in index.matches_for(need(price=5.0), 5, NOW)] == ["y", "x"]
    assert index.get("x").price == 3.0  # type: ignore[union-attr]


def test_every_basis_comes_from_the_index_as_from_ranking_everything():
    n = need(product="鸡蛋", quantity=500.0, price=9.0)
    same = offer(product="鸡蛋", price=8.9, where=place("叶县"))
    packed = offer(product="鸡蛋", unit="箱", quantity=10.0, price=180.0, price_unit="箱",
                   pack=PackSize("箱", 20.0, "kg"), where=place("卫东区"))
    estimated = offer(product="鸡蛋", unit="箱", quantity=10.0, price=150.0, price_unit="箱")
    sacks = offer(product="鸡蛋", unit="袋", quantity=10.0, price=None, price_bound="negotiable")
    too_dear = offer(product="鸡蛋", unit="箱", quantity=10.0, price=300.0, price_unit="箱")
    stored = [same, packed, estimated, sacks, too_dear]
    index = index_of(*stored)
    for top_k in (None, 1, 3, 4):
        found = index.matches_for(n, top_k, NOW)
        assert found == rank_candidates(n, stored, NOW, top_k, distance)
    assert [(m.offer_id, m.basis) for m in index.matches_for(n, None, NOW)] == [
        (estimated.id, "catalogue_pack"),
        (packed.id, "pack"),
        (same.id, "same_unit"),
        (sacks.id, "other_unit"),
    ]
    # Seen from the offers: each finds the need with the same basis.
    needs = index_of(n)
    for o, expected in [(same, "same_unit"), (packed, "pack"), (estimated, "catalogue_pack"),
                        (sacks, "other_unit")]:
        [match] = needs.matches_for(o, 5, NOW)
        assert match.basis == expected
    assert needs.matches_for(too_dear, 5, NOW) == []


def test_other_units_are_looked_for_only_when_too_few_units_meet():
    n = need(price=2.0)
    boxes = offer(unit="箱", quantity=5.0, price=None, price_bound="negotiable")
    loose = [offer(price=1.0 + i / 10) for i in range(3)]
    index = index_of(boxes, *loose)
    assert [m.offer_id for m in index.matches_for(n, 3, NOW)] == [o.id for o in loose]
    assert [m.offer_id for m in index.matches_for(n, 4, NOW)][-1] == boxes.id
    index.remove(loose[0].id)
    assert [m.basis for m in index.matches_for(n, 3, NOW)] == ["same_unit"] * 2 + ["other_unit"]


@settings(max_examples=400, deadline=None)
@given(
    viewer_kind=st.sampled_from(["need", "offer"]),
    top_k=st.sampled_from([1, 2, 5, None]),
    bulk=st.booleans(),
    data=st.data(),
)
def test_index_equals_ranking_everything(
    viewer_kind: str, top_k: int | None, bulk: bool, data: st.DataObject
):
    other = "offer" if viewer_kind == "need" else "need"
    stored = data.draw(st.lists(listings(other), max_size=40))
    removed = data.draw(st.lists(st.sampled_from(stored), max_size=5)) if stored else []
    viewer = data.draw(listings(viewer_kind))

    index = MatchIndex(distance)
    if bulk:
        index.rebuild(stored)
    else:
        for item in stored:
            index.add(item)
    for item in removed:
        index.remove(item.id)
    removed_ids = {item.id for item in removed}
    still_open = [item for item in stored if item.id not in removed_ids]

    expected = rank_candidates(viewer, still_open, NOW, top_k, distance)
    assert index.matches_for(viewer, top_k, NOW) == expected
