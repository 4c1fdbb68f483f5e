"""One phone parser: what people type and Telegram shares, and the one form it is stored in."""

from __future__ import annotations

from datetime import date

import pytest

from bot.matching.parser import parse_post
from bot.matching.phones import mask_phones, normalize_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+8613812345678", "13812345678"),  # shared from Telegram
        ("8613812345678", "13812345678"),  # shared from Telegram, without the +
        ("0086 13812345678", "13812345678"),
        ("13700002222", "13700002222"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("1383751 2345", "13837512345"),
        ("138.3751.2222", "13837512222"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0375-5678901", "0375-5678901"),
        ("0375—5678901", "0375-5678901"),  # a long dash
        ("0375 5678901", "0375-5678901"),
        ("03755678901", "0375-5678901"),
        ("(0375)5678901", "0375-5678901"),
        ("+86 375 5678901", "0375-5678901"),
        ("010-62345678", "010-62345678"),  # three-digit area codes: 010, 02x
        ("02152345678", "021-52345678"),
    ],
)
def test_numbers_are_read_into_one_form(typed: str, stored: str) -> None:
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["abc", "", "5678901", "1381234567", "138123456789", "12345678901",
              "+44 20 7946 0958", "0375-567", "138 1234 5678 9"],
)
def test_what_is_not_one_phone_number_is_refused(typed: str) -> None:
    assert normalize_phone(typed) is None


@pytest.mark.parametrize(
    ("post", "phone"),
    [
        ("出售土豆5000斤 联系电话 1383751 2345", "13837512345"),
        ("出售土豆5000斤 138.3751.2222", "13837512222"),
        ("出售土豆5000斤 电话0375—5678901", "0375-5678901"),
        ("出售土豆5000斤 电话5678901", "5678901"),
    ],
)
def test_posts_read_phones_with_the_same_parser(post: str, phone: str) -> None:
    draft = parse_post(post, date(2022, 5, 2))
    assert draft.phone == phone
    assert draft.quantity == 2500  # the number's digits are not taken for the quantity


@pytest.mark.parametrize(
    "text", ["电话1383751 2345", "手机138.3751.2222", "电话0375—5678901", "１３８１２３４５６７８",
             "+86 138 1234 5678"],
)
def test_officials_never_see_a_phone_number_however_it_is_written(text: str) -> None:
    masked = mask_phones(text)
    digits = "".join(ch for ch in masked if ch.isdigit())
    assert len(digits) <= 6 and "*" in masked
