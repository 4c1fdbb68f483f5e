"""The digest as Telegram HTML: short lines, shortages first, everything user-typed escaped."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.matching.model import WEIGHT_UNIT
from bot.render import esc, split_message
from bot.services.digest_model import Digest, OpenItem, PriceRange, Totals, Volumes
from bot.texts import officials as texts

# Longer lists go to the workbook; a message should be read on a phone in a minute.
MAX_SHORTAGES = 30
MAX_LINES = 15

_TAG = re.compile(r"<[^>]+>")


def render_digest(digest: Digest, tz: ZoneInfo) -> str:
    """The whole digest as one HTML text (may exceed one message; see ``digest_messages``)."""
    as_of = datetime.fromtimestamp(digest.as_of, tz)
    day = digest.day
    lines = [texts.DIGEST_TITLE.format(
        area=esc(digest.area.label), month=day.month, day=day.day,
        weekday=texts.WEEKDAYS[day.weekday()],
    )]
    lines.append(texts.DIGEST_AS_OF.format(time=f"{as_of:%m-%d %H:%M}"))
    lines += ["", *_open_items(digest.shortages, texts.NO_SHORTAGES, texts.SHORTAGES_HEADING,
                               MAX_SHORTAGES), ""]
    lines += [*_overview(digest.totals, digest.previous), ""]
    if digest.categories:
        lines.append(texts.CATEGORIES_HEADING)
        for c in digest.categories:
            lines.append(texts.CATEGORY_LINE.format(
                category=esc(c.category), offers=_side(c.offers, c.offer_volume),
                needs=_side(c.needs, c.need_volume),
            ))
        lines.append("")
    lines += [*_matches(digest), ""]
    lines += [*_open_items(digest.surplus, texts.NO_SURPLUS, texts.SURPLUS_HEADING, MAX_LINES), ""]
    if digest.prices:
        lines.append(texts.PRICES_HEADING)
        lines += [_price_line(digest.prices, product) for product in _products(digest.prices)]
        lines.append("")
    lines.append(texts.DIGEST_FOOTER)
    return "\n".join(lines)


def digest_messages(digest: Digest, tz: ZoneInfo) -> list[str]:
    """The digest cut into Telegram messages at section and line boundaries."""
    return split_message(render_digest(digest, tz))


def to_plain(text: str) -> str:
    """HTML parse-mode text as plain text (for the terminal)."""
    return html.unescape(_TAG.sub("", text))


def amount(quantity: float | None, unit: str | None) -> str:
    """2500 kg → 2,500公斤; 30 箱 → 30箱; unknown → 数量未注明."""
    if quantity is None or unit is None:
        return texts.NO_QUANTITY
    shown = texts.KG if unit == WEIGHT_UNIT else unit
    return f"{number(quantity)}{esc(shown)}"


def volumes(by_unit: Volumes) -> str:
    """Totals per unit, weights first: 12,000公斤+30箱."""
    return "+".join(amount(by_unit[u], u) for u in _units(by_unit))


def _units(*by_unit: Volumes) -> list[str]:
    """The units of some totals, weights first, then count units by name."""
    return sorted({u for v in by_unit for u in v}, key=lambda u: (u != WEIGHT_UNIT, u))


def _side(count: int, by_unit: Volumes) -> str:
    """One side of a category line: 3 条 200公斤+50箱; 0 条; 1 条 数量未注明."""
    if not count:
        return texts.SIDE_COUNT.format(count=0)
    return texts.SIDE.format(count=count, volume=volumes(by_unit) if by_unit else
                             texts.NO_QUANTITY)


def number(value: float) -> str:
    """Thousands separated, at most one decimal, no trailing .0."""
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def change(now: float, before: float) -> str:
    """+5, −3 or 持平 against the previous day, as the figures are shown (one decimal)."""
    diff = round(now, 1) - round(before, 1)
    if abs(diff) < 0.05:
        return texts.UNCHANGED
    return f"+{number(diff)}" if diff > 0 else f"−{number(-diff)}"


def _open_items(items: list[OpenItem], empty: str, heading: str, shown: int) -> list[str]:
    """A numbered list of open listings, the first ``shown`` of them, the rest counted."""
    if not items:
        return [empty]
    lines = [heading.format(count=len(items))]
    lines += [_open_line(i, item) for i, item in enumerate(items[:shown], 1)]
    if len(items) > shown:
        lines.append(texts.MORE_IN_WORKBOOK.format(count=len(items) - shown))
    return lines


def _open_line(index: int, item: OpenItem) -> str:
    return texts.OPEN_LINE.format(
        index=index, product=esc(item.product), amount=amount(item.quantity, item.unit),
        place=esc(item.place or texts.NO_PLACE), organisation=esc(item.organisation),
        waited=_waited(item.waited_hours),
    )


def _waited(hours: float) -> str:
    if hours < 1:
        return texts.WAITED_MINUTES.format(minutes=max(1, round(hours * 60)))
    if hours < 48:
        return texts.WAITED_HOURS.format(hours=int(hours))
    return texts.WAITED_DAYS.format(days=int(hours // 24))


def _overview(totals: Totals, previous: Totals) -> list[str]:
    return [
        texts.NEW_HEADING,
        texts.NEW_OFFERS.format(
            count=totals.offers, change=change(totals.offers, previous.offers),
            volumes=_volume_changes(totals.offer_volume, previous.offer_volume),
        ),
        texts.NEW_NEEDS.format(
            count=totals.needs, change=change(totals.needs, previous.needs),
            volumes=_volume_changes(totals.need_volume, previous.need_volume),
        ),
    ]


def _volume_changes(now: Volumes, before: Volumes) -> str:
    """：2,500公斤（+500）、100袋（持平） for each unit of either day; nothing when neither
    day stated a quantity (a count of 0 kg would not be true of goods sold in bags)."""
    units = _units(now, before)
    if not units:
        return ""
    return texts.VOLUMES.format(volumes=texts.VOLUME_SEPARATOR.join(
        texts.VOLUME_CHANGE.format(
            amount=amount(now.get(u, 0.0), u), change=change(now.get(u, 0.0), before.get(u, 0.0))
        )
        for u in units
    ))


def _matches(digest: Digest) -> list[str]:
    totals, previous = digest.totals, digest.previous
    lines = [texts.MATCHES_HEADING.format(
        count=totals.matches, change=change(totals.matches, previous.matches),
        contacts=totals.contacts,
    )]
    for m in digest.matches[:MAX_LINES]:
        lines.append(texts.MATCH_LINE.format(
            product=esc(m.product), amount=amount(m.quantity, m.unit),
            offer=esc(m.offer_organisation), offer_place=esc(m.offer_place),
            need=esc(m.need_organisation), need_place=esc(m.need_place),
            offer_id=m.offer_id, need_id=m.need_id,
            status=texts.CONTACTS_EXCHANGED if m.contacts_exchanged else texts.CONTACTS_PENDING,
        ))
    if len(digest.matches) > MAX_LINES:
        lines.append(texts.MORE_IN_WORKBOOK.format(count=len(digest.matches) - MAX_LINES))
    return lines


def _products(prices: list[PriceRange]) -> list[str]:
    return list(dict.fromkeys(p.product for p in prices))


def _price_line(prices: list[PriceRange], product: str) -> str:
    parts = []
    for p in prices:
        if p.product != product:
            continue
        label = texts.OFFER_PRICE if p.kind == "offer" else texts.NEED_PRICE
        span = _money(p.low) if p.low == p.high else f"{_money(p.low)}–{_money(p.high)}"
        parts.append(texts.PRICE_PART.format(label=label, span=span, unit=esc(p.unit)))
    return texts.PRICE_LINE.format(product=esc(product), parts="，".join(parts))


def _money(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
