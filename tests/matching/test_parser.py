"""The parser piece by piece: product sources and threshold, numerals, prices, packs, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from rapidfuzz import fuzz

from bot.cli import main
from bot.matching.model import PackSize
from bot.matching.numerals import parse_number
from bot.matching.parser import FUZZY_THRESHOLD, draft_to_json, parse_listings, parse_post

TODAY = date(2022, 5, 2)


@pytest.mark.parametrize(
    ("text", "product", "source"),
    [
        ("大白菜 1吨", "大白菜", "dictionary"),
        ("西洪柿 1吨", "西红柿", "pinyin"),
        ("马玲薯 1吨", "土豆", "pinyin"),
        ("大冲 1吨", "大葱", "pinyin"),
        ("猕猴挑 1吨", "猕猴桃", "fuzzy"),
        ("小白采 1吨", "小白菜", "pinyin"),
        ("蛋 30箱", "鸡蛋", "dictionary"),
    ],
)
def test_product_sources(text: str, product: str, source: str) -> None:
    draft = parse_post(text, TODAY)
    assert (draft.product, draft.product_source) == (product, source)
    assert 0 < draft.product_confidence <= 1


@pytest.mark.parametrize("text", ["联系老王 5吨", "优质货源 3吨", "面议 5吨", "杨桃 5吨", "你好"])
def test_no_product_is_guessed_from_unrelated_words(text: str) -> None:
    assert parse_post(text, TODAY).product is None


def test_fuzzy_threshold_separates_typos_from_look_alikes() -> None:
    # One wrong character of three passes; a different product named in two characters
    # of three (白菜 vs 小白菜 as typed) is only ever reached through the dictionary.
    assert fuzz.ratio("猕猴挑", "猕猴桃") >= FUZZY_THRESHOLD
    assert fuzz.ratio("大白采", "大白菜") >= FUZZY_THRESHOLD
    assert fuzz.ratio("小白采", "大白菜") < FUZZY_THRESHOLD
    assert fuzz.ratio("香菇", "平菇") < FUZZY_THRESHOLD
    assert parse_post("小白菜 1吨", TODAY).product == "小白菜"
    assert parse_post("大白菜 1吨", TODAY).product == "大白菜"


def test_places_are_taken_out_before_products() -> None:
    assert parse_post("李庄乡 玉米 5吨", TODAY).product == "玉米"
    assert parse_post("枣林镇 小麦 5吨", TODAY).product == "小麦"
    assert parse_post("米庙镇 大蒜 5吨", TODAY).product == "大蒜"


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("五千", 5000), ("两", 2), ("一千五", 1500), ("3万", 30000), ("3.5万", 35000),
        ("1万2", 12000), ("两万五", 25000), ("一百零五", 105), ("十五", 15), ("三点五", 3.5),
        ("５０００", 5000), ("半", 0.5), ("abc", None), ("1.2.3", None),
    ],
)  # fmt: skip
def test_numerals(written: str, value: float | None) -> None:
    assert parse_number(written) == value


@pytest.mark.parametrize(
    ("text", "quantity", "unit"),
    [
        ("白菜 两吨", 2000, "kg"), ("香菜 二两", 0.1, "kg"), ("白菜 5000斤", 2500, "kg"),
        ("白菜 3公斤", 3, "kg"), ("白菜 300克", 0.3, "kg"), ("鸡蛋 30箱", 30, "箱"),
        ("活鸡 500只", 500, "只"), ("生猪 20头", 20, "头"), ("鸡蛋 360枚", 360, "枚"),
        ("土豆 两吨半", 2500, "kg"), ("苹果 一斤半", 0.75, "kg"),
    ],
)  # fmt: skip
def test_quantities(text: str, quantity: float, unit: str) -> None:
    result = draft_to_json(parse_post(text, TODAY))
    assert (result["quantity"], result["unit"]) == (pytest.approx(quantity), unit)


@pytest.mark.parametrize(
    ("text", "price", "price_unit", "bound"),
    [
        ("白菜 1吨 0.8元/斤", 1.6, "kg", "exact"),
        ("白菜 1吨 每斤1.5元", 3.0, "kg", "exact"),
        ("白菜 1吨 一块二一斤", 2.4, "kg", "exact"),
        ("白菜 1吨 八毛一斤", 1.6, "kg", "exact"),
        ("白菜 1吨 3块5", 7.0, "kg", "exact"),
        ("小麦 1吨 1000元/吨", 1.0, "kg", "exact"),
        ("鸡蛋 30箱 每箱45元", 45.0, "箱", "exact"),
        ("白菜 1吨 1.5/斤", 3.0, "kg", "exact"),
        ("求购白菜 1吨 1元以内", 2.0, "kg", "max"),
        ("求购白菜 1吨 不超过1元", 2.0, "kg", "max"),
        ("求购白菜 1吨 1元左右", 2.0, "kg", "approx"),
        ("鸡蛋 30箱 4.5元/斤", 9.0, "kg", "exact"),
    ],
)
def test_prices(text: str, price: float, price_unit: str, bound: str) -> None:
    draft = parse_post(text, TODAY)
    assert (draft.price, draft.price_unit, draft.price_bound) == (
        pytest.approx(price),
        price_unit,
        bound,
    )


@pytest.mark.parametrize("text", ["白菜 1吨 面议", "白菜 1吨 随行就市"])
def test_negotiable_price_has_no_figure(text: str) -> None:
    draft = parse_post(text, TODAY)
    assert (draft.price, draft.price_bound) == (None, "negotiable")


def test_pack_size_is_not_the_quantity() -> None:
    draft = parse_post("鸡蛋 30箱 每箱360枚", TODAY)
    assert (draft.quantity, draft.unit) == (30, "箱")
    assert draft.pack == PackSize("箱", 360, "枚")
    assert parse_post("面粉 100袋 每袋50斤", TODAY).pack == PackSize("袋", 25, "kg")


def test_phone_and_date_are_not_quantities_or_prices() -> None:
    draft = parse_post("白菜 13812345678 5月10日前 2吨", TODAY)
    assert (draft.phone, draft.quantity, draft.price) == ("13812345678", 2000, None)
    assert draft.valid_until == date(2022, 5, 10)


def test_a_date_long_past_means_next_year() -> None:
    assert parse_post("白菜 2吨 1月10日前", TODAY).valid_until == date(2023, 1, 10)


def test_noise_is_not_echoed() -> None:
    draft = parse_post("<b>出售</b>【大白菜】😀 5000斤！！！", TODAY)
    assert (draft.kind, draft.product, draft.quantity) == ("offer", "大白菜", 2500)


def test_cli_prints_one_line_per_input_line_in_order(capsysbinary: pytest.CaptureFixture) -> None:
    assert main(["parse", "出售大白菜5000斤", "", "x" * 5000]) == 0
    lines = capsysbinary.readouterr().out.decode("utf-8").splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["ok"] for r in results] == [True, False, False]
    assert all(r["errors"] for r in results[1:])


def test_cli_reads_stdin_lines() -> None:
    lines = ["求购 黄芽白 2吨", "", "\x00\x01", "<script>x</script>", "地蛋 一千五百斤\u2028鲁山县"]
    stdin = "\n".join(lines).encode()
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "parse"], input=stdin, capture_output=True, check=True
    ).stdout.decode("utf-8")
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 5
    assert results[0]["product"] == "大白菜" and results[0]["kind"] == "need"
    assert [r["ok"] for r in results[1:4]] == [False, False, False]
    assert results[4]["county"] == "鲁山县"


# --- posts as written in groups (issue 15) -------------------------------------------------


def test_several_products_share_place_phone_and_validity_with_their_own_prices():
    drafts = parse_listings(
        "出售：白菜3000斤0.5元，萝卜2000斤0.4元，土豆5吨，宝丰县周庄镇 13812345678 5月10日前",
        TODAY,
    )
    assert [(d.product, d.quantity, d.price) for d in drafts] == [
        ("大白菜", 1500, 1.0), ("白萝卜", 1000, 0.8), ("土豆", 5000, None),
    ]
    for d in drafts:
        assert (d.kind, d.place.township, d.phone) == ("offer", "周庄镇", "13812345678")
        assert d.valid_until == date(2022, 5, 10) and d.ok


def test_a_standing_listing_has_no_quantity_and_is_usable():
    draft = parse_post("长期收购大蒜 随行就市 郏县", TODAY)
    assert (draft.ok, draft.standing, draft.quantity, draft.kind) == (True, True, None, "need")
    # Naming only a product is not yet a listing: the quantity is asked.
    bare = parse_post("出售大白菜", TODAY)
    assert not bare.ok and not bare.standing


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("今天白菜多少钱一斤？", "question"),
        ("请问现在大葱多少钱一斤啊", "question"),
        ("大家好", "greeting"),
        ("谢谢各位老板", "thanks"),
        ("大葱已经卖完了", "sold_out"),
    ],
)
def test_questions_and_chatter_are_refused_with_a_reason(text: str, cls: str):
    draft = parse_post(text, TODAY)
    assert draft.not_listing == cls and not draft.ok and draft.errors
    assert draft.quantity is None


def test_the_role_decides_only_where_the_post_does_not():
    assert parse_post("大白菜 5000斤 新华区", TODAY, "buyer").kind == "need"
    assert parse_post("大白菜 5000斤 新华区", TODAY).kind == "offer"
    assert parse_post("大白菜 5000斤 新华区", TODAY).kind_source == "default"
    assert parse_post("出售大白菜 5000斤", TODAY, "buyer").kind == "offer"
    assert parse_post("自家地里的大葱 3000斤", TODAY, "buyer").kind == "offer"
    assert parse_post("土豆", TODAY).kind is None


def test_free_range_eggs_misspelt_are_eggs_never_chickens():
    for text in ("出售土鸡旦 50箱", "土鸡旦 2000枚 1块一个"):
        assert parse_post(text, TODAY).product == "鸡蛋"


def test_a_figure_with_its_own_basis_is_not_priced_per_the_quantity_before_it():
    draft = parse_post("卖白萝卜一吨0.85元一斤", TODAY)
    assert (draft.quantity, draft.price, draft.price_unit) == (1000, 1.7, "kg")
    assert parse_post("出售小麦50吨，一吨3000元", TODAY).price == 3


def test_what_a_bag_holds_is_no_quantity_but_a_truckload_is():
    bags = parse_post("面粉厂 长期供应面粉 25公斤一袋 90元一袋", TODAY)
    assert (bags.quantity, bags.standing, bags.price, bags.price_unit) == (None, True, 90, "袋")
    assert parse_post("大白菜5000斤一车 0.5元", TODAY).quantity == 2500


def test_whoever_needs_it_is_asked_to_call_an_offer():
    assert parse_post("需要西红柿的联系我 3000斤 两块 湛河区", TODAY).kind == "offer"
    assert parse_post("有没有卖鸡蛋的 需要20箱", TODAY).kind == "need"


def test_pigs_by_the_head_are_priced_by_weight():
    draft = parse_post("卖猪 30头 体重240斤左右 7块3 鲁山", TODAY)
    assert (draft.product, draft.quantity, draft.unit) == ("生猪", 30, "头")
    assert (draft.price, draft.price_unit) == (14.6, "kg")
