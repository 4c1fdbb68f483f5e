"""The pass as a PNG a phone shows at a checkpoint: the title, number, plate, route,
goods, validity, driver and issuer in large Chinese type, and the QR code of the deep
link that opens the bot with the answer.

CPU work (tens of milliseconds): callers run it in a worker thread. Text comes from
users, so it is cleaned, put on one line and cut to the width; phone numbers never go
on the image (anyone at a checkpoint sees it).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from functools import cache

import qrcode
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from bot.matching.text import clean_text
from bot.services.digest_files import cjk_font
from bot.texts import passes as texts

WIDTH = 900
MARGIN = 48
GREEN = (27, 94, 32)
INK = (33, 33, 33)
GREY = (97, 97, 97)


@dataclass(frozen=True, slots=True)
class PassCard:
    """What the image shows, as plain text."""

    number: str
    plate: str
    route: str
    goods: str
    validity: str
    driver: str
    issuer: str
    link: str


@cache
def _font_path() -> str | None:
    font = cjk_font()
    return None if font is None else font_manager.findfont(font)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The pass font at ``size`` pixels, loaded once (draw under ``_DRAWING`` only)."""
    path = _font_path()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def qr_image(link: str, side: int) -> Image.Image:
    """The QR code of ``link`` at most ``side`` pixels wide, every module the same whole
    number of pixels: medium error correction, a quiet zone of four modules."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(link)
    code.make(fit=True)
    code.box_size = max(1, side // (code.modules_count + 2 * code.border))
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


_DRAWING = threading.Lock()
# A code point no font draws: its glyph is the font's "missing" box.
_MISSING = "\U0010fffd"


@cache
def _drawable(ch: str, size: int) -> bool:
    """Whether the pass font has a glyph for ``ch`` (else it would print a box)."""
    font = _font(size)
    if not isinstance(font, ImageFont.FreeTypeFont) or ch.isspace():
        return True
    return bytes(font.getmask(ch)) != bytes(font.getmask(_MISSING))


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
         width: int) -> str:
    """``text`` on one line, without characters the font lacks (emoji), cut with … to
    ``width`` pixels."""
    size = int(getattr(font, "size", 0))
    text = "".join(ch for ch in " ".join(clean_text(text).split()) if _drawable(ch, size))
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def render_pass(card: PassCard) -> bytes:
    """The pass as PNG bytes. Safe to call from several threads: one draws at a time, as
    the cached fonts' FreeType faces are not to be shared by threads at once."""
    with _DRAWING:
        return _render(card)


def _render(card: PassCard) -> bytes:
    qr = qr_image(card.link, WIDTH - 2 * MARGIN - 160)
    side = qr.width
    title_font, label_font, value_font, small = _font(52), _font(34), _font(38), _font(26)
    rows = list(zip(texts.IMAGE_LINES, (card.number, card.plate, card.route, card.goods,
                                        card.validity, card.driver, card.issuer), strict=True))
    row_height = 62
    height = 40 + 150 + len(rows) * row_height + 30 + side + 40 + 60
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 150), fill=GREEN)
    draw.text((WIDTH // 2, 75), texts.TITLE, font=title_font, fill="white", anchor="mm")
    y = 190
    label_width = 150
    for label, value in rows:
        draw.text((MARGIN, y), label, font=label_font, fill=GREY)
        font = value_font if label != "编号" else _font(44)
        draw.text((MARGIN + label_width, y - 4), _fit(draw, value, font,
                                                      WIDTH - 2 * MARGIN - label_width),
                  font=font, fill=INK)
        y += row_height
    y += 30
    image.paste(qr, ((WIDTH - side) // 2, y))
    y += side + 30
    draw.text((WIDTH // 2, y), texts.IMAGE_FOOTER, font=small, fill=GREY, anchor="mt")
    draw.rectangle((4, 4, WIDTH - 5, height - 5), outline=GREEN, width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
