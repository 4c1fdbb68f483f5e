"""The daily price bulletin for the public (日发布): text, JSON, and one PNG to repost.

The basket's city averages and their change since the day before (same points on both
days), and one sentence per category saying how many of its items are on sale with a
price and whether prices are steady or rising (a rise at or above the category's
one-day alert threshold). The PNG is 1080 pixels wide, as WeChat shows an image across
a phone, in the shipped Noto Sans SC, dated and signed with ``FARMDOCK_BUREAU_NAME``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from bot.matching.basket import get_alert_policy, get_basket
from bot.matching.model import CITY_NAME
from bot.matching.monitoring import PriceTable
from bot.matching.text import clean_text
from bot.services.prices_text import money
from bot.texts import prices as texts


@dataclass(frozen=True, slots=True)
class BulletinItem:
    product: str
    category: str
    spec: str
    unit: str
    avg: float | None
    change_1d_pct: float | None


@dataclass(frozen=True, slots=True)
class CategoryStatus:
    category: str
    reported: int
    rises: int
    falls: int
    sentence: str


@dataclass(frozen=True, slots=True)
class Bulletin:
    day: date
    bureau: str
    points: int
    items: tuple[BulletinItem, ...]
    categories: tuple[CategoryStatus, ...]

    @property
    def title(self) -> str:
        return texts.BULLETIN_TITLE.format(city=CITY_NAME)

    @property
    def date_label(self) -> str:
        return texts.BULLETIN_DATE.format(year=self.day.year, month=self.day.month,
                                          day=self.day.day)


def build_bulletin(table: PriceTable, bureau: str, points: int) -> Bulletin:
    """The bulletin of a city table; ``points`` is how many points reported that day."""
    basket = get_basket()
    policy = get_alert_policy()
    items = tuple(
        BulletinItem(i.product, i.category, spec.spec if (spec := basket.get(i.product)) else "",
                     i.unit, i.avg, i.change_1d_pct)
        for i in table.items)
    statuses = []
    for category in basket.categories:
        mine = [i for i in items if i.category == category and i.avg is not None]
        rises = [i for i in mine if (i.change_1d_pct or 0) > 0]
        falls = [i for i in mine if (i.change_1d_pct or 0) < 0]
        limits = [r.threshold_pct for r in policy.rules_for(category) if r.days == 1]
        fast = sorted((i for i in rises if limits and (i.change_1d_pct or 0) >= min(limits)),
                      key=lambda i: -(i.change_1d_pct or 0))
        if not mine:
            sentence = texts.SUPPLY_NO_DATA.format(category=category)
        elif fast:
            sentence = texts.SUPPLY_RISING.format(
                category=category, reported=len(mine), top="、".join(i.product for i in fast[:3]),
                pct=fast[0].change_1d_pct, rises=len(rises), falls=len(falls))
        else:
            sentence = texts.SUPPLY_STEADY.format(category=category, reported=len(mine),
                                                  rises=len(rises), falls=len(falls))
        statuses.append(CategoryStatus(category, len(mine), len(rises), len(falls), sentence))
    return Bulletin(table.day, clean_text(bureau).strip(), points, items, tuple(statuses))


def bulletin_json(bulletin: Bulletin) -> dict[str, Any]:
    return {
        "date": bulletin.day.isoformat(), "bureau": bulletin.bureau, "region": CITY_NAME,
        "points": bulletin.points,
        "items": [{"product": i.product, "category": i.category, "spec": i.spec,
                   "unit": i.unit, "avg": i.avg, "change_1d_pct": i.change_1d_pct}
                  for i in bulletin.items],
        "categories": [{"category": c.category, "reported": c.reported, "rises": c.rises,
                        "falls": c.falls, "sentence": c.sentence} for c in bulletin.categories],
    }


def bulletin_text(bulletin: Bulletin) -> str:
    """Plain text (also the message officials and the channel get with the image)."""
    lines = [f"{bulletin.title} {bulletin.date_label}",
             texts.BULLETIN_PUBLISHER.format(bureau=bulletin.bureau), ""]
    lines.extend(c.sentence for c in bulletin.categories)
    lines.append("")
    reported = [i for i in bulletin.items if i.avg is not None]
    lines.extend(texts.BULLETIN_LINE.format(
        product=i.product, spec=i.spec, avg=money(i.avg or 0), unit=texts.unit_label(i.unit),
        d1=texts.bulletin_change(i.change_1d_pct)) for i in reported)
    if not reported:
        lines.append(texts.BULLETIN_NO_DATA)
    lines.extend(["", texts.BULLETIN_FOOTER.format(points=bulletin.points)])
    return "\n".join(lines)


# The image ---------------------------------------------------------------------------
WIDTH = 1080
MARGIN = 48
ROW = 54
INK = (33, 33, 33)
MUTED = (110, 110, 110)
RISE = (200, 40, 40)  # red for a rise, as Chinese price tables show it
FALL = (20, 130, 60)
BAND = (245, 247, 250)
HEAD = (176, 30, 35)


@cache
def _font_path() -> Path | None:
    try:
        from pylopdf_fonts_zh_cn import sans_path  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = Path(sans_path())
    return path if path.is_file() else None


@cache
def _font(size: int) -> Any:
    from PIL import ImageFont

    path = _font_path()
    if path is None:
        raise RuntimeError("the bulletin needs the Noto Sans SC font of pylopdf-fonts-zh-cn")
    return ImageFont.truetype(str(path), size)


def _wrap(draw: Any, text: str, font: Any, width: int) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if draw.textlength(line + ch, font=font) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines


def bulletin_png(bulletin: Bulletin) -> bytes:
    """The bulletin as one PNG, 1080 pixels wide."""
    from PIL import Image, ImageDraw

    title, big, body, small = _font(60), _font(36), _font(32), _font(26)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    text_width = WIDTH - 2 * MARGIN
    sentences = [_wrap(probe, c.sentence, body, text_width) for c in bulletin.categories]
    footer = _wrap(probe, texts.BULLETIN_FOOTER.format(points=bulletin.points), small,
                   text_width)
    reported = [i for i in bulletin.items if i.avg is not None]
    categories = [c for c in get_basket().categories
                  if any(i.category == c for i in reported)]
    height = (260 + sum(len(s) for s in sentences) * 46 + 40 + ROW
              + len(categories) * ROW + len(reported) * ROW + 60
              + len(footer) * 36 + 60 + (ROW if not reported else 0))
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 200), fill=HEAD)
    draw.text((MARGIN, 36), bulletin.title, font=title, fill="white")
    draw.text((MARGIN, 120), f"{bulletin.date_label}  "
              + texts.BULLETIN_PUBLISHER.format(bureau=bulletin.bureau),
              font=big, fill="white")
    y = 230
    for lines in sentences:
        for line in lines:
            draw.text((MARGIN, y), line, font=body, fill=INK)
            y += 46
    y += 40
    columns = (MARGIN, 250, 630, 920)
    for x, label in zip(columns, texts.BULLETIN_HEADER, strict=True):
        draw.text((x, y + 8), label, font=body, fill=MUTED)
    y += ROW
    if not reported:
        draw.text((MARGIN, y + 8), texts.BULLETIN_NO_DATA, font=big, fill=INK)
        y += ROW
    for category in categories:
        draw.rectangle((0, y, WIDTH, y + ROW), fill=BAND)
        draw.text((MARGIN, y + 8), f"【{category}】", font=body, fill=HEAD)
        y += ROW
        for item in (i for i in reported if i.category == category):
            change = item.change_1d_pct
            colour = RISE if (change or 0) > 0 else FALL if (change or 0) < 0 else INK
            spec = item.spec if draw.textlength(item.spec, font=small) < 360 else \
                item.spec[:12] + "…"
            draw.text((columns[0], y + 8), item.product, font=big, fill=INK)
            draw.text((columns[1], y + 14), spec, font=small, fill=MUTED)
            draw.text((columns[2], y + 8),
                      f"{money(item.avg or 0)}/{texts.unit_label(item.unit)}", font=body,
                      fill=INK)
            draw.text((columns[3], y + 8), texts.bulletin_change(change), font=body, fill=colour)
            y += ROW
    y += 30
    for line in footer:
        draw.text((MARGIN, y), line, font=small, fill=MUTED)
        y += 36
    out = io.BytesIO()
    # 64 colours hold the antialiased text and the few inks; the file is a third the size
    # and written faster than a full-colour one.
    image = image.crop((0, 0, WIDTH, min(height, y + 40)))
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, "PNG")
    return out.getvalue()


async def load_bulletin(uow: Any, day: date, bureau: str) -> Bulletin:
    """``day``'s bulletin from the city's table (``uow``: an open unit of work)."""
    from bot.matching.area import Area
    from bot.services.prices import load_table

    table = await load_table(uow, day, Area())
    points = len(await uow.prices.reported_points(day.isoformat()))
    return build_bulletin(table, bureau, points)
