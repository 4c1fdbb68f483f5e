"""Every summary sentence of the digest is true of its figures.

Each test builds a day that would make one sentence false and reads the digest an
official gets at 08:00 the next morning.
"""

from __future__ import annotations

from datetime import timedelta

from bot.matching.area import Area
from bot.services.digest import load_digest
from bot.services.digest_model import Digest
from bot.services.digest_text import render_digest, to_plain
from storage.database import Database
from tests.digest.factories import DAY, TZ, at, consent, listing, match, person, read

NEXT_DAY = DAY + timedelta(days=1)
MORNING = at(8, day=NEXT_DAY)


async def morning_digest(db: Database, area: Area | None = None) -> tuple[Digest, str]:
    """The digest of DAY as built at 08:00 the next day, and its plain text."""
    digest = await read(db, load_digest, area or Area(), DAY, TZ, now=MORNING)
    return digest, to_plain(render_digest(digest, TZ))


async def test_a_day_without_supply_does_not_say_every_offer_has_buyers(db: Database) -> None:
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    await listing(db, shop, "need", "大白菜", 500, created_at=at(9))
    _, text = await morning_digest(db)
    assert "买家意向" not in text
    assert "没有在架的供应信息" in text


async def test_an_unanswered_match_is_not_buyer_intent(db: Database) -> None:
    farm = await person(db, 1, organisation="张八桥蔬菜合作社")
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    offer = await listing(db, farm, "offer", "大白菜", 2500, created_at=at(9))
    need = await listing(db, shop, "need", "大白菜", 500, created_at=at(10))
    await match(db, need, offer, created_at=at(10))
    digest, text = await morning_digest(db)
    assert digest.surplus == []
    assert "买家意向" not in text
    assert "在架的 1 条供应均已匹配到求购信息" in text
    assert "尚无人表态" in text  # the match line says nobody answered yet


async def test_a_day_without_needs_does_not_say_every_need_was_matched(db: Database) -> None:
    farm = await person(db, 1, organisation="张八桥蔬菜合作社")
    await listing(db, farm, "offer", "大白菜", 2500, created_at=at(9))
    _, text = await morning_digest(db)
    assert "所有需求均已匹配" not in text
    assert "没有在架的求购信息" in text
    assert "均已匹配到供应" not in text


async def test_every_need_matched_says_how_many_were_open(db: Database) -> None:
    farm = await person(db, 1, organisation="张八桥蔬菜合作社")
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    offer = await listing(db, farm, "offer", "大白菜", 2500, created_at=at(9))
    for hour in (10, 11):
        need = await listing(db, shop, "need", "大白菜", 500, created_at=at(hour))
        await match(db, need, offer, created_at=at(hour))
    digest, text = await morning_digest(db)
    assert digest.shortages == [] and digest.open_now == []
    assert "在架的 2 条求购均已匹配到供应" in text


async def test_unchanged_only_when_the_figures_are_the_same(db: Database) -> None:
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    await listing(db, shop, "need", "大米", 100, unit="袋", category="粮油",
                  created_at=at(9, day=DAY - timedelta(days=1)))
    await listing(db, shop, "need", "大米", 50, unit="袋", category="粮油", created_at=at(9))
    _, text = await morning_digest(db)
    # One need each day: the count is unchanged, the bags are not.
    assert "需求 1 条（持平）：50袋（−50）" in text
    assert "公斤（持平）" not in text and "0 公斤" not in text


async def test_matches_heading_counts_each_state_as_of_the_day_end(db: Database) -> None:
    farm = await person(db, 1, organisation="张八桥蔬菜合作社")
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    offer = await listing(db, farm, "offer", "大白菜", 25000, created_at=at(8))
    ids = []
    for hour in (9, 10, 11, 12):
        need = await listing(db, shop, "need", "大白菜", 500, created_at=at(hour))
        ids.append(await match(db, need, offer, created_at=at(hour)))
    exchanged, one_side, untouched, answered_next_morning = ids
    await consent(db, exchanged, need_at=at(13), offer_at=at(14), exchanged_at=at(14))
    await consent(db, one_side, need_at=at(15))
    await consent(db, answered_next_morning, need_at=at(7, day=NEXT_DAY))
    digest, text = await morning_digest(db)
    assert "当日匹配 4 对（+4）" in text
    assert "已交换联系方式 1 对" in text
    assert "一方有意向 1 对" in text
    assert "尚无人表态 2 对" in text  # the press after midnight is not the day's
    states = {m.match_id: m.state for m in digest.matches}
    assert states == {exchanged: "exchanged", one_side: "one_side", untouched: "waiting",
                      answered_next_morning: "waiting"}


async def test_needs_posted_after_midnight_are_shown_as_open_now(db: Database) -> None:
    farm = await person(db, 1, organisation="张八桥蔬菜合作社")
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市", phone="13912345678")
    offer = await listing(db, farm, "offer", "大白菜", 2500, created_at=at(9))
    # The day itself had no needs; three came in after midnight, a fourth was matched.
    await listing(db, shop, "need", "土豆", 1000, created_at=at(0, 30, NEXT_DAY))
    await listing(db, shop, "need", "鸡蛋", 20, unit="箱", category="禽蛋",
                  created_at=at(2, day=NEXT_DAY))
    await listing(db, shop, "need", "菠菜", 300, created_at=at(7, day=NEXT_DAY))
    taken = await listing(db, shop, "need", "大白菜", 500, created_at=at(6, day=NEXT_DAY))
    await match(db, taken, offer, created_at=at(6, day=NEXT_DAY))
    digest, text = await morning_digest(db)
    assert digest.shortages == []
    assert [x.product for x in digest.open_now] == ["土豆", "鸡蛋", "菠菜"]
    assert [round(x.waited_hours, 1) for x in digest.open_now] == [7.5, 6.0, 1.0]
    assert "暂无缺口" not in text
    assert "现在仍未匹配的需求：3 条" in text
    assert "当日结束时没有在架的求购信息" in text
    lines = [line for line in text.splitlines() if "已等" in line]
    assert ["土豆" in lines[0], "鸡蛋" in lines[1], "菠菜" in lines[2]] == [True] * 3
    assert "20箱" in lines[1] and "已等7小时" in lines[0]
    assert "13912345678" not in text


async def test_open_now_is_the_officials_area_only(db: Database) -> None:
    here = await person(db, 3, "buyer", organisation="张八桥超市")
    there = await person(db, 4, "buyer", county="叶县", township=None, organisation="叶县超市")
    await listing(db, here, "need", "土豆", 1000, created_at=at(1, day=NEXT_DAY))
    await listing(db, there, "need", "白萝卜", 1000, created_at=at(2, day=NEXT_DAY))
    digest, text = await morning_digest(db, Area("宝丰县"))
    assert [x.product for x in digest.open_now] == ["土豆"]
    assert "白萝卜" not in text and "叶县超市" not in text


async def test_today_so_far_lists_the_open_needs_once(db: Database) -> None:
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    await listing(db, shop, "need", "土豆", 1000, created_at=at(9))
    digest = await read(db, load_digest, Area(), DAY, TZ, now=at(15))
    text = to_plain(render_digest(digest, TZ))
    assert [x.product for x in digest.open_now] == [x.product for x in digest.shortages]
    assert text.count("土豆 1,000公斤") == 1
    assert "现在仍未匹配的需求：1 条" in text and "当日结束时" not in text


async def test_categories_as_busy_as_each_other_come_in_the_same_order_every_time(
    db: Database,
) -> None:
    grower = await person(db, 1)
    # Posted in an order that is not the names' order, one listing a category.
    for hour, (product, category) in enumerate(
        [("猪肉", "肉类"), ("大米", "粮油"), ("鸡蛋", "蛋类"), ("大白菜", "蔬菜")], start=8
    ):
        await listing(db, grower, "offer", product, 100, created_at=at(hour), category=category)
    await listing(db, grower, "offer", "土豆", 100, created_at=at(13))
    digest, _ = await morning_digest(db)
    # The busiest first, then ties by name: not the order of a set, which changes with
    # the hash seed from one process to the next.
    assert [line.category for line in digest.categories] == [
        "蔬菜", *sorted(["肉类", "粮油", "蛋类"])]
