"""Building, rendering and attaching the officials' digest."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from bot.matching.area import Area
from bot.matching.model import CITY_NAME, Listing, Place
from bot.services import digest_files
from bot.services.digest import load_bundle, load_digest, load_short
from bot.services.digest_text import digest_messages, render_digest, render_short, to_plain
from bot.texts.html import MESSAGE_LIMIT
from storage.database import Database
from storage.interfaces import UnitOfWork
from tests.digest.factories import DAY, TZ, at, listing, match, person, read, write
from tests.stores import each

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def day(db: Database) -> Database:
    """A day in three places: 宝丰县张八桥镇, 宝丰县周庄镇 and 新华区."""
    zbq = await person(db, 1, organisation="张八桥蔬菜合作社", phone="13812345678")
    zz = await person(db, 2, township="周庄镇", organisation="周庄养殖场")
    market = await person(db, 3, "buyer", county="新华区", township=None,
                          organisation="新华区丹尼斯超市")
    cabbage = await listing(db, zbq, "offer", "大白菜", 2500, created_at=at(9),
                            price_per_kg=1.6, raw_text="出售大白菜5000斤 电话13812345678")
    await listing(db, zz, "offer", "鸡蛋", 300, created_at=at(10), category="禽蛋", unit="箱")
    need = await listing(db, market, "need", "大白菜", 1000, created_at=at(11), price_per_kg=2.0)
    await listing(db, market, "need", "土豆", 5000, created_at=at(7, 30), price_per_kg=2.4)
    await listing(db, zz, "need", "玉米", 800, created_at=at(12), category="粮油")
    # The day before, for the change.
    await listing(db, zbq, "offer", "黄瓜", 400, created_at=at(15, day=DAY - timedelta(days=1)))
    await match(db, need, cabbage, created_at=at(11, 5))
    return db


async def test_township_official_sees_only_their_township(day: Database) -> None:
    digest = await read(day, load_digest, Area("宝丰县", "张八桥镇"), DAY, TZ)
    assert {x.place.township for x in digest.listings} == {"张八桥镇"}
    assert [x.product for x in digest.listings] == ["大白菜"]
    assert digest.shortages == []  # 周庄镇's 玉米 is not theirs
    assert digest.totals.offers == 1 and digest.totals.needs == 0
    text = render_digest(digest, TZ)
    assert "周庄" not in text and "鸡蛋" not in text and "玉米" not in text


async def test_county_and_city_see_more(day: Database) -> None:
    county = await read(day, load_digest, Area("宝丰县"), DAY, TZ)
    assert {x.place.township for x in county.listings} == {"张八桥镇", "周庄镇"}
    assert [s.product for s in county.shortages] == ["玉米"]
    city = await read(day, load_digest, Area(), DAY, TZ)
    assert len(city.listings) == 5
    # Shortages oldest first: 土豆 (07:30) before 玉米 (12:00); 大白菜 was matched.
    assert [s.product for s in city.shortages] == ["土豆", "玉米"]
    assert [s.product for s in city.surplus] == ["黄瓜", "鸡蛋"]
    assert city.totals.matches == 1 and city.totals.offer_kg == 2500
    assert city.previous.offers == 1 and city.previous.offer_kg == 400


async def test_text_puts_shortages_first_names_organisations_never_phones(day: Database) -> None:
    digest = await read(day, load_digest, Area(), DAY, TZ)
    text = render_digest(digest, TZ)
    assert text.index("现在仍未匹配的需求") < text.index("当日新增") < text.index("🤝 当日匹配")
    assert "张八桥蔬菜合作社" in text and "新华区丹尼斯超市" in text
    assert "13812345678" not in text
    assert "5,000公斤" in text  # the 土豆 shortage with its quantity
    assert "宝丰县周庄镇" in text  # ... and places
    assert "0.8 元/斤" in text  # 1.6 元/kg quoted per 斤
    assert "+1" in text  # one offer more than the day before (2 vs 1)


async def test_user_text_is_escaped(db: Database) -> None:
    shop = await person(db, 9, "buyer", organisation="<b>坏</b>&超市")
    await listing(db, shop, "need", "<script>", 10, created_at=at(9))
    text = render_digest(await read(db, load_digest, Area(), DAY, TZ), TZ)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "&lt;b&gt;坏&lt;/b&gt;&amp;超市" in text


async def test_long_digest_is_split_under_the_limit(db: Database) -> None:
    shop = await person(db, 9, "buyer", organisation="平顶山市某某生鲜连锁超市有限公司" * 3)
    for i in range(400):
        await listing(db, shop, "need", f"品种{i}", 100 + i, created_at=at(8) + i)
    digest = await read(db, load_digest, Area(), DAY, TZ)
    parts = digest_messages(digest, TZ)
    assert len(parts) > 1 or len(parts[0]) <= MESSAGE_LIMIT
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert "……另有" in to_plain("".join(parts))


async def test_workbook_holds_every_listing_and_masks_phones(day: Database) -> None:
    found = await read(day, load_bundle, Area(), DAY, TZ)
    book = load_workbook(io.BytesIO(found.workbook), read_only=True)
    assert book.sheetnames == ["当日供求", "当日匹配", "未匹配需求", "无人求购供应",
                               "现在未匹配需求", "成交"]
    rows = list(book["当日供求"].iter_rows(values_only=True))
    assert rows[0][0] == "编号"
    assert sorted(r[0] for r in rows[1:]) == sorted(x.id for x in found.digest.listings)
    assert len(rows) - 1 == 5
    assert not any("13812345678" in str(cell) for row in rows for cell in row)
    matches = list(book["当日匹配"].iter_rows(values_only=True))
    assert matches[1][4] == "张八桥蔬菜合作社" and matches[1][6] == "新华区丹尼斯超市"
    open_now = list(book["现在未匹配需求"].iter_rows(values_only=True))
    assert [r[0] for r in open_now[1:]] == [x.listing_id for x in found.digest.open_now]
    assert [r[1] for r in open_now[1:]] == ["土豆", "玉米"]


async def test_chart_is_a_png_with_a_chinese_font(day: Database) -> None:
    found = await read(day, load_bundle, Area("宝丰县"), DAY, TZ)
    assert found.chart.startswith(PNG_SIGNATURE) and len(found.chart) > 5000
    assert digest_files.cjk_font() is not None


async def test_empty_day(db: Database) -> None:
    digest = await read(db, load_digest, Area("叶县"), DAY, TZ)
    assert digest.is_empty
    text = render_digest(digest, TZ)
    assert "暂无缺口" in text
    assert json.dumps(to_plain(text), ensure_ascii=False)


async def test_goods_in_bags_count_in_bags_never_as_zero_kg(db: Database) -> None:
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    await listing(db, shop, "need", "大米", 100, unit="袋", category="粮油", created_at=at(9))
    digest = await read(db, load_digest, Area(), DAY, TZ)
    text = to_plain(render_digest(digest, TZ))
    assert "需求 1 条（+1）：100袋（+100）" in text
    assert "粮油：供 0 条｜求 1 条 100袋" in text
    assert "0 公斤" not in text and "0公斤" not in text and "条 0" not in text
    assert digest.totals.need_volume == {"袋": 100} and digest.totals.need_kg == 0


async def test_category_totals_keep_each_unit_apart(db: Database) -> None:
    farm = await person(db, 1, organisation="周庄养殖场")
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    await listing(db, farm, "offer", "鸭蛋", 30, unit="箱", category="禽蛋", created_at=at(8))
    await listing(db, shop, "need", "鸡蛋", 50, unit="箱", category="禽蛋", created_at=at(9))
    await listing(db, shop, "need", "鸡蛋", 200, category="禽蛋", created_at=at(10))
    await listing(db, shop, "need", "鸡蛋", None, category="禽蛋", created_at=at(11))
    digest = await read(db, load_digest, Area(), DAY, TZ)
    text = to_plain(render_digest(digest, TZ))
    assert "禽蛋：供 1 条 30箱｜求 3 条 200公斤+50箱" in text
    assert "需求 3 条（+3）：200公斤（+200）、50箱（+50）" in text
    assert digest.totals.offer_volume == {"箱": 30}
    assert digest.totals.need_volume == {"kg": 200, "箱": 50}


async def test_a_category_with_no_stated_quantity_does_not_say_zero(db: Database) -> None:
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    await listing(db, shop, "need", "鸡蛋", None, category="禽蛋", created_at=at(11))
    text = to_plain(render_digest(await read(db, load_digest, Area(), DAY, TZ), TZ))
    assert "禽蛋：供 0 条｜求 1 条 数量未注明" in text


async def test_each_match_line_names_its_own_pair(db: Database) -> None:
    """One buyer re-posts a need at a higher price and one grower has two offers: every
    match is listed once, and no two lines read the same."""
    base = await person(db, 1, county="高新区", township="遵化店镇", organisation="遵化店蔬菜基地")
    shop = await person(db, 3, "buyer", county="高新区", township="遵化店镇",
                        organisation="遵化店惠民超市")
    offer = await listing(db, base, "offer", "莲藕", 1500, created_at=at(8))
    second_offer = await listing(db, base, "offer", "莲藕", 5000, created_at=at(8, 30))
    first = await listing(db, shop, "need", "莲藕", 1000, created_at=at(9), price_per_kg=9.2)
    again = await listing(db, shop, "need", "莲藕", 1000, created_at=at(10), price_per_kg=10.4)
    ids = [
        await match(db, first, offer, created_at=at(9)),
        await match(db, again, offer, created_at=at(10)),
        await match(db, again, second_offer, created_at=at(10)),
    ]
    for area in (Area("高新区"), Area()):
        digest = await read(db, load_digest, area, DAY, TZ)
        assert sorted(m.match_id for m in digest.matches) == ids
        lines = [line for line in to_plain(render_digest(digest, TZ)).splitlines()
                 if line.startswith("· 莲藕")]
        assert len(lines) == 3 and len(set(lines)) == 3
        assert sum(line.endswith(f"#{offer.id}→#{first.id}") for line in lines) == 1


async def test_short_lists_the_oldest_and_counts_the_rest(db: Database) -> None:
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    for minute in range(35):
        await listing(db, shop, "need", f"品种{minute}", 100, created_at=at(8, minute))
    found = await read(db, load_short, Area("宝丰县"), now=at(12), shown=30)
    assert (found.unmatched, found.open_needs, len(found.needs)) == (35, 35, 30)
    assert [x.product for x in found.needs] == [f"品种{m}" for m in range(30)]
    text = to_plain(render_short(found.area.label, found.needs, found.unmatched,
                                 found.open_needs, found.now, TZ))
    assert "现在仍未匹配的需求：35 条（5月9日 12:00" in text
    assert "1. 品种0 100公斤" in text and "已等4小时" in text
    assert "……另有 5 条" in text and "品种30" not in text


async def test_a_day_stored_at_once_reads_back_listing_by_listing(db: Database) -> None:
    """Imports and the benchmark store a day in one go: each id is its own listing's."""
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    place = Place(CITY_NAME, "宝丰县", "张八桥镇")
    # Posted in an order that is not the order of their times.
    minutes = [(7 * m) % 60 for m in range(60)]
    day = [
        Listing(id=0, kind="need", product=f"品种{m}", quantity=100.0 + m, unit="kg", price=None,
                price_unit=None, place=place, created_at=at(9, m), user_id=shop.telegram_id,
                category="蔬菜", raw_text=f"求购品种{m}")
        for m in minutes
    ]

    async def add_day(uow: UnitOfWork) -> list[int]:
        return await uow.listings.add_many(day)

    ids = await write(db, add_day)
    assert len(set(ids)) == len(day)
    stored = await each(db).listings.get_many(ids)
    assert [(stored[i].product, stored[i].created_at) for i in ids] == [
        (x.product, x.created_at) for x in day]
    digest = await read(db, load_digest, Area("宝丰县"), DAY, TZ)
    assert [x.product for x in digest.listings] == [f"品种{m}" for m in range(60)]
    assert [x.id for x in digest.listings] == [ids[minutes.index(m)] for m in range(60)]
