"""Transport passes, the pure rules: the number, the signed token, verification's order,
what an application may hold, and who may decide."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.datafiles import load_data
from bot.matching.passes import (
    TOKEN_LENGTH,
    Endpoint,
    PassInputError,
    Validity,
    check_route,
    deep_link,
    issuer_code,
    issuer_codes,
    judge,
    may_decide,
    pass_number,
    read_crew,
    read_endpoint,
    read_plate,
    read_validity,
    sign,
    signed_number,
    token_in,
    token_of_start,
)
from bot.matching.regions import get_gazetteer

SECRET = "k" * 16 + "0123456789abcdef"
FOREIGN = "f" * 16 + "0123456789abcdef"
NUMBER = "410421000007"
ALPHABET = string.ascii_letters + string.digits + "_-"
TODAY = date(2022, 5, 10)


# ---------------------------------------------------------------- the number


def test_every_county_level_unit_of_the_city_issues_under_a_code() -> None:
    assert set(issuer_codes()) == set(get_gazetteer().county_names())


def test_districts_and_counties_use_their_own_administrative_code() -> None:
    for county in load_data("regions.json")["city"]["counties"]:
        if county["code"] is not None:
            assert issuer_code(county["name"]) == county["code"][:6], county["name"]


def test_a_functional_zone_uses_the_code_of_a_district_its_townships_belong_to() -> None:
    codes = {c["name"]: c["code"] for c in load_data("regions.json")["city"]["counties"]}
    issuers = load_data("pass_codes.json")["issuers"]
    for zone in ("城乡一体化示范区", "高新区"):
        statutory = {t["admin_county"] for c in load_data("regions.json")["city"]["counties"]
                     if c["name"] == zone for t in c["townships"]}
        named = issuers[zone]["code_of"]
        assert named in statutory
        assert issuer_code(zone) == codes[named][:6]
    assert issuer_code("城乡一体化示范区") == "410402"  # 新华区
    assert issuer_code("高新区") == "410403"  # 卫东区


def test_a_number_is_the_issuers_code_and_a_six_digit_serial() -> None:
    assert pass_number("410421", 7) == "410421000007"
    assert pass_number("410482", 999999) == "410482999999"
    assert re.fullmatch(r"\d{12}", pass_number(issuer_code("郏县"), 1))
    for code, serial in (("41042", 1), ("4104211", 1), ("410421", 0), ("410421", 10**6)):
        with pytest.raises(ValueError):
            pass_number(code, serial)


# ---------------------------------------------------------------- the token


def test_a_token_fits_a_start_parameter_and_carries_its_number() -> None:
    token = sign(NUMBER, SECRET)
    assert len(token) == TOKEN_LENGTH <= 60
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert signed_number(token, SECRET) == NUMBER
    link = deep_link("@farmdock_bot", token)
    assert link == f"https://t.me/farmdock_bot?start=p{token}"
    start = link.split("start=")[1]
    assert len(start) <= 64 and token_of_start(start) == token


def test_the_token_is_found_in_a_pasted_link_or_start_parameter() -> None:
    token = sign(NUMBER, SECRET)
    for pasted in (token, f" {token} ", "p" + token, deep_link("b", token),
                   deep_link("b", token) + "&x=1"):
        assert token_in(pasted) == token
    assert token_in("garbage") == "garbage"


def test_an_invite_code_is_never_taken_for_a_pass() -> None:
    assert token_of_start("p" + "a" * 15) is None  # invite codes are 16 characters
    assert token_of_start("xyz") is None


def test_a_foreign_secret_never_verifies() -> None:
    assert signed_number(sign(NUMBER, FOREIGN), SECRET) is None


@settings(max_examples=300, deadline=None)
@given(serial=st.integers(1, 999999), position=st.integers(0, TOKEN_LENGTH - 1),
       replacement=st.sampled_from(ALPHABET))
def test_any_one_character_changed_never_verifies(serial: int, position: int,
                                                  replacement: str) -> None:
    token = sign(pass_number("410421", serial), SECRET)
    changed = token[:position] + replacement + token[position + 1:]
    if changed != token:
        assert signed_number(changed, SECRET) is None


@settings(max_examples=200, deadline=None)
@given(serial=st.integers(1, 999999), cut=st.integers(1, TOKEN_LENGTH))
def test_a_truncated_or_lengthened_token_never_verifies(serial: int, cut: int) -> None:
    token = sign(pass_number("410421", serial), SECRET)
    assert signed_number(token[:-cut], SECRET) is None
    assert signed_number(token + token[:cut], SECRET) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80) | st.text(alphabet=ALPHABET, min_size=TOKEN_LENGTH,
                                      max_size=TOKEN_LENGTH))
def test_garbage_never_verifies_and_never_raises(garbage: str) -> None:
    assert signed_number(garbage, SECRET) is None


def test_padding_spaces_or_other_characters_inside_a_token_are_refused() -> None:
    token = sign(NUMBER, SECRET)
    for forged in (token + "=", token[:20] + " " + token[20:], token[:51] + "+",
                   token.replace("-", "+").replace("_", "/") if "-" in token or "_" in token
                   else token + "x"):
        assert signed_number(forged, SECRET) is None


# ---------------------------------------------------------------- verification


@pytest.mark.parametrize(("status", "first", "last", "reason"), [
    ("approved", date(2022, 5, 10), date(2022, 5, 10), None),
    ("approved", date(2022, 5, 1), date(2022, 5, 20), None),
    ("approved", date(2022, 5, 1), date(2022, 5, 9), "expired"),
    ("approved", date(2022, 5, 11), date(2022, 5, 20), "not_yet_valid"),
    ("revoked", date(2022, 5, 1), date(2022, 5, 20), "revoked"),
    ("revoked", date(2022, 5, 1), date(2022, 5, 9), "revoked"),
    ("pending", date(2022, 5, 1), date(2022, 5, 20), "unknown"),
    ("rejected", date(2022, 5, 1), date(2022, 5, 20), "unknown"),
])
def test_verification_reasons_in_their_order(status: str, first: date, last: date,
                                             reason: str | None) -> None:
    assert judge(Validity(status, first, last), TODAY) == reason  # type: ignore[arg-type]


def test_a_number_never_issued_is_unknown() -> None:
    assert judge(None, TODAY) == "unknown"


# ---------------------------------------------------------------- an application


@pytest.mark.parametrize(("typed", "plate"), [
    ("豫D12345", "豫D12345"), ("豫 d·12345", "豫D12345"), ("豫DF12345", "豫DF12345"),
    ("豫Ｄ１２３４５", "豫D12345"), ("豫D1234挂", "豫D1234挂"),
])
def test_plates_are_read_in_one_form(typed: str, plate: str) -> None:
    assert read_plate(typed) == plate


@pytest.mark.parametrize("typed", ["D12345", "豫D123", "豫DI2345", "美D12345", "豫D12345678"])
def test_what_is_no_plate_is_refused(typed: str) -> None:
    with pytest.raises(PassInputError) as caught:
        read_plate(typed)
    assert caught.value.code == "plate"


def test_crew_is_driver_first_with_phones_in_one_form() -> None:
    crew = read_crew("张师傅 13812345678\n李四：139 1234 5678；王五 0375-5678901")
    assert [(m.name, m.phone) for m in crew] == [
        ("张师傅", "13812345678"), ("李四", "13912345678"), ("王五", "0375-5678901")]
    six = "\n".join(f"{n}师傅 1381234567{i}" for i, n in enumerate("甲乙丙丁戊己"))
    for bad, code in (("张师傅", "crew_line"), ("13812345678", "crew_line"), ("", "no_driver"),
                      (six, "too_many")):
        with pytest.raises(PassInputError) as caught:
            read_crew(bad)
        assert caught.value.code == code


@pytest.mark.parametrize(("typed", "end"), [
    ("宝丰县", Endpoint(county="宝丰县")), ("宝丰县张八桥镇", Endpoint(county="宝丰县")),
    ("示范区", Endpoint(county="城乡一体化示范区")), ("郑州", Endpoint(outside="郑州市")),
    ("汝阳县", Endpoint(outside="汝阳县")), ("山东省寿光市", Endpoint(outside="寿光市")),
])
def test_an_end_of_a_route_is_a_county_of_the_city_or_a_place_outside(typed: str,
                                                                    end: Endpoint) -> None:
    assert read_endpoint(typed) == end


@pytest.mark.parametrize(("typed", "code"), [
    ("马庄", "place_ambiguous"), ("随便哪里", "place_unknown"), ("", "no_place"),
])
def test_an_end_that_is_no_place_is_refused(typed: str, code: str) -> None:
    with pytest.raises(PassInputError) as caught:
        read_endpoint(typed)
    assert caught.value.code == code


def test_one_end_of_a_route_lies_in_the_city() -> None:
    check_route(Endpoint(county="宝丰县"), Endpoint(outside="郑州市"))
    check_route(Endpoint(outside="郑州市"), Endpoint(county="叶县"))
    for origin, destination, code in (
        (Endpoint(outside="郑州市"), Endpoint(outside="洛阳市"), "both_outside"),
        (Endpoint(county="叶县"), Endpoint(county="叶县"), "same_place"),
    ):
        with pytest.raises(PassInputError) as caught:
            check_route(origin, destination)
        assert caught.value.code == code


@pytest.mark.parametrize(("typed", "first", "last"), [
    ("5月10日至5月20日", date(2022, 5, 10), date(2022, 5, 20)),
    ("今天到5月20日", date(2022, 5, 10), date(2022, 5, 20)),
    ("5.12-5.20", date(2022, 5, 12), date(2022, 5, 20)),
    ("2022-05-10 - 2022-06-01", date(2022, 5, 10), date(2022, 6, 1)),
    ("12月30日到1月5日", date(2022, 12, 30), date(2023, 1, 5)),
])
def test_validity_is_read_forward_from_today(typed: str, first: date, last: date) -> None:
    assert read_validity(typed, TODAY) == (first, last)


@pytest.mark.parametrize(("typed", "code"), [
    ("5月20日", "no_range"), ("2022-05-01到2022-05-20", "past_start"),
    ("5月20日至5月12日", "end_before_start"), ("明天到后年", "bad_day"),
])
def test_bad_validity_is_refused(typed: str, code: str) -> None:
    with pytest.raises(PassInputError) as caught:
        read_validity(typed, TODAY)
    assert caught.value.code == code


def test_only_an_official_of_an_in_city_end_may_decide() -> None:
    route = (Endpoint(county="宝丰县"), Endpoint(outside="郑州市"))
    assert may_decide("official", "active", "宝丰县", None, *route)
    assert not may_decide("official", "active", "叶县", None, *route)
    assert not may_decide("official", "active", "宝丰县", "张八桥镇", *route)  # a township's
    assert not may_decide("official", "active", None, None, *route)  # the city's
    assert not may_decide("official", "blocked", "宝丰县", None, *route)
    for role in ("grower", "buyer", "admin"):
        assert not may_decide(role, "active", "宝丰县", None, *route)
    assert may_decide("official", "active", "叶县", None,
                      Endpoint(county="宝丰县"), Endpoint(county="叶县"))
