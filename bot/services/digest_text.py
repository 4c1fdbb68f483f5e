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
                category=esc(c.category), offers=c.offers, needs=c.needs,
                offer_volume=volumes(c.offer_volume), need_volume=volumes(c.need_volume),
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
    """Totals per unit, weights first: 12,000公斤+30箱; nothing → 0."""
    if not by_unit:
        return "0"
    units = sorted(by_unit, key=lambda u: (u != WEIGHT_UNIT, u))
    return "+".join(amount(by_unit[u], u) for u in units)


def number(value: float) -> str:
    """Thousands separated, at most one decimal, no trailing .0."""
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def change(now: float, before: float) -> str:
    """+5, −3 or 持平 against the previous day."""
    diff = now - before
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
            kg=number(totals.offer_kg), kg_change=change(totals.offer_kg, previous.offer_kg),
        ),
        texts.NEW_NEEDS.format(
            count=totals.needs, change=change(totals.needs, previous.needs),
            kg=number(totals.need_kg), kg_change=change(totals.need_kg, previous.need_kg),
        ),
    ]


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
