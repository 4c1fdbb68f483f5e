"""The pass image: drawn with a Chinese font, large enough for a phone, and its QR code read
back from the PNG (zxing-cpp, as a checkpoint's camera would) to the deep link."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from bot.matching.passes import deep_link, sign
from bot.services.pass_image import PassCard, _drawable, _font_path, render_pass

LINK = deep_link("farmdock_test_bot", sign("410421000001", "q" * 32))


def card(**changes: str) -> PassCard:
    fields = dict(number="410421000001", plate="豫D12345", route="宝丰县 → 郑州市", goods="蔬菜",
                  validity="2022-05-10 至 2022-05-20", driver="张师傅", issuer="平顶山市宝丰县",
                  link=LINK)
    return PassCard(**{**fields, **changes})


def decoded(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_qr_code_reads_back_to_the_deep_link() -> None:
    png = render_pass(card())
    assert png.startswith(b"\x89PNG")
    assert decoded(png) == [LINK]


def test_the_image_is_phone_sized_and_drawn_with_a_chinese_font() -> None:
    path = _font_path()
    assert path is not None and "NotoSansSC" in path  # the shipped font, not boxes
    image = Image.open(io.BytesIO(render_pass(card())))
    assert image.width == 900 and 1200 <= image.height <= 1600


def test_a_photo_of_the_pass_still_scans() -> None:
    """Telegram sends photos as JPEG, scaled down: the code must survive both."""
    image = Image.open(io.BytesIO(render_pass(card()))).convert("RGB")
    small = image.resize((image.width // 2, image.height // 2))
    jpeg = io.BytesIO()
    small.save(jpeg, format="JPEG", quality=60)
    assert [c.text for c in zxingcpp.read_barcodes(Image.open(jpeg))] == [LINK]


def test_hostile_text_never_breaks_the_image() -> None:
    png = render_pass(card(route="<b>宝丰县</b>\u202e → " + "很长的地名" * 40,
                           driver="=HYPERLINK(\"x\")\x00\n张", goods="\u200b蔬菜🥬"))
    assert decoded(png) == [LINK]


def test_characters_the_font_lacks_are_left_out_rather_than_drawn_as_boxes() -> None:
    assert _drawable("王", 38) and _drawable("豫", 38) and _drawable("→", 38)
    assert not _drawable("🚚", 38) and not _drawable("\U0010fffd", 38)
