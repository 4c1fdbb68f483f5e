"""The digest's workbook and chart: what a person reads in them."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.matching.area import Area
from bot.services import digest_files
from bot.services.digest import load_bundle, load_digest
from storage.database import Database
from tests.digest.factories import DAY, TZ, at, listing, person, read
from tests.stores import each

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Codes the program uses inside: none of them is a word a person should read.
CODES = {"exact", "negotiable", "max", "min", "approx", "offer", "need", "open", "closed",
         "expired", "withdrawn", "kg", "waiting", "one_side", "exchanged", "None"}


async def test_workbook_cells_are_chinese_words_or_formatted_figures(db: Database) -> None:
    farm = await person(db, 1, organisation="张八桥蔬菜合作社")
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    offer = await listing(db, farm, "offer", "大白菜", 2500, created_at=at(9), price_per_kg=1.6,
                          price_bound="exact")
    await listing(db, farm, "offer", "土豆", 1000, created_at=at(9, 10), price_per_kg=2.0,
                  price_bound="approx")
    need = await listing(db, shop, "need", "大白菜", 1000, created_at=at(10), price_per_kg=2.0,
                         price_bound="max")
    await listing(db, shop, "need", "白萝卜", 500, created_at=at(11), price_bound="negotiable")
    await listing(db, shop, "need", "鸡蛋", 50, unit="箱", category="禽蛋", created_at=at(12),
                  price=120.0, price_unit="箱", price_bound="min")
    await each(db).matches.record([(need.id, offer.id, 0.408, 1)], created_at=at(10))
    found = await read(db, load_bundle, Area(), DAY, TZ)
    book = load_workbook(io.BytesIO(found.workbook), read_only=True)
    rows = list(book["当日供求"].iter_rows(values_only=True))
    bounds = {row[0]: row[rows[0].index("价格说明")] for row in rows[1:]}
    said = {(x.product, x.kind): bounds[x.id] for x in found.digest.listings}
    assert said == {("大白菜", "offer"): "定价", ("土豆", "offer"): "左右",
                    ("大白菜", "need"): "以内", ("白萝卜", "need"): "面议",
                    ("鸡蛋", "need"): "以上"}
    match_rows = list(book["当日匹配"].iter_rows(values_only=True))
    assert match_rows[1][match_rows[0].index("匹配度")] == "41%"
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not CODES & {str(cell) for cell in row if cell is not None}, (sheet.title, row)


async def test_chart_keeps_weights_and_counted_goods_apart(db: Database) -> None:
    farm = await person(db, 1, organisation="张八桥蔬菜合作社")
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    await listing(db, farm, "offer", "大白菜", 2500, created_at=at(9))
    await listing(db, shop, "need", "大白菜", 500, created_at=at(9, 30))
    await listing(db, shop, "need", "大米", 100, unit="袋", category="粮油", created_at=at(10))
    digest = await read(db, load_digest, Area(), DAY, TZ)
    data = digest_files.chart_data(digest)
    assert data.categories == ["蔬菜", "粮油"]
    assert (data.offers, data.needs) == ([1, 0], [1, 1])
    # The weight panel holds the goods sold by weight only; 粮油's bags are noted beside it.
    assert data.weight_categories == ["蔬菜"]
    assert (data.offer_tonnes, data.need_tonnes) == ([2.5], [0.5])
    assert data.counted == ["粮油：求 100袋"]
    texts = [t.get_text() for t in digest_files.chart_figure(digest).texts]
    assert any("粮油：求 100袋" in t for t in texts)


async def test_a_day_sold_only_by_count_has_no_empty_weight_axis(db: Database) -> None:
    shop = await person(db, 3, "buyer", organisation="新华区丹尼斯超市")
    await listing(db, shop, "need", "大米", 100, unit="袋", category="粮油", created_at=at(10))
    digest = await read(db, load_digest, Area(), DAY, TZ)
    figure = digest_files.chart_figure(digest)
    assert len(figure.axes) == 1  # the count panel; no weight axis of zeros
    texts = [t.get_text() for t in figure.texts]
    assert any("当日没有按重量计的信息" in t for t in texts)


async def test_an_empty_days_chart_says_no_data(db: Database) -> None:
    digest = await read(db, load_digest, Area("叶县"), DAY, TZ)
    figure = digest_files.chart_figure(digest)
    assert figure.axes == []  # no axis from −0.04 to 0.04
    assert "暂无数据" in [t.get_text() for t in figure.texts]
    assert digest_files.digest_chart(digest).startswith(PNG_SIGNATURE)
