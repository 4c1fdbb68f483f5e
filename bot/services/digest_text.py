"""The digest and /short as Telegram HTML: short lines, what is short now first,
everything user-typed escaped."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.matching.model import WEIGHT_UNIT
from bot.services.digest_model import Digest, OpenItem, PriceRange, Totals, Volumes
from bot.texts import deals as deal_texts
from bot.texts import officials as texts
from bot.texts import survey as survey_texts
from bot.texts.figures import figure
from bot.texts.html import esc, split_message

if TYPE_CHECKING:
    from bot.services.survey import SurveySection

# Longer lists go to the workbook; a message should be read on a phone in a minute.
MAX_SHORTAGES = 30
MAX_LINES = 15

_TAG = re.compile(r"<[^>]+>")


def render_digest(digest: Digest, tz: ZoneInfo) -> str:
    """The whole digest as one HTML text (may exceed one message; see ``digest_messages``)."""
    day = digest.day
    lines = [texts.DIGEST_TITLE.format(
        area=esc(digest.area.label), month=day.month, day=day.day,
        weekday=texts.WEEKDAYS[day.weekday()],
    )]
    lines.append(texts.DIGEST_AS_OF.format(time=moment(digest.as_of, tz, day)))
    # What is short right now comes first, whatever the day: it is what an official acts on.
    lines += ["", *open_now_lines(
        digest.open_now[:MAX_SHORTAGES], len(digest.open_now), digest.open_needs_now,
        moment(digest.now, tz), texts.MORE_OPEN_NOW,
    ), ""]
    if digest.as_of < digest.now:
        lines += [_day_end(digest), ""]
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
    lines += [*_deals(digest), ""]
    lines += [*_surplus(digest), ""]
    if digest.prices:
        lines.append(texts.PRICES_HEADING)
        lines += [_price_line(digest.prices, product) for product in _products(digest.prices)]
        lines.append("")
    if digest.survey is not None:
        lines += [*survey_lines(digest.survey), ""]
    lines.append(texts.DIGEST_FOOTER)
    return "\n".join(lines)


def open_now_lines(
    shown: list[OpenItem], unmatched: int, open_needs: int, when: str, more: str
) -> list[str]:
    """The needs unmatched at ``when`` (``shown`` are the oldest of ``unmatched``); when
    there are none, which of two true sentences holds: no open need, or all matched."""
    if unmatched:
        lines = [texts.NOW_HEADING.format(count=unmatched, time=when)]
        lines += [_open_line(i, item) for i, item in enumerate(shown, 1)]
        if unmatched > len(shown):
            lines.append(more.format(count=unmatched - len(shown)))
        return lines
    if open_needs:
        return [texts.NOW_ALL_MATCHED.format(time=when, open=open_needs)]
    return [texts.NOW_NONE_OPEN.format(time=when)]


def render_short(
    area_label: str, shown: list[OpenItem], unmatched: int, open_needs: int, now: float,
    tz: ZoneInfo,
) -> str:
    """/short: an area's needs unmatched now, the oldest ``shown`` of ``unmatched``."""
    return "\n".join([
        texts.SHORT_TITLE.format(area=esc(area_label)), "",
        *open_now_lines(shown, unmatched, open_needs, moment(now, tz), texts.MORE_SHORT),
    ])


def moment(ts: float, tz: ZoneInfo, day: date | None = None) -> str:
    """12月2日 08:00, as every message dates things; the end of ``day`` is its 24:00."""
    local = datetime.fromtimestamp(ts, tz)
    if day is not None and local.date() == day + timedelta(days=1) and local.time() == time(0):
        return texts.DAY_END_MOMENT.format(month=day.month, day=day.day)
    return texts.MOMENT.format(month=local.month, day=local.day, time=f"{local:%H:%M}")


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
    return figure(value, decimals=1, thousands=True)


def change(now: float, before: float) -> str:
    """+5, −3 or 持平 against the previous day, as the figures are shown (one decimal)."""
    diff = round(now, 1) - round(before, 1)
    if abs(diff) < 0.05:
        return texts.UNCHANGED
    return f"+{number(diff)}" if diff > 0 else f"−{number(-diff)}"


def _listed(items: list[OpenItem], shown: int, more: str) -> list[str]:
    """The first ``shown`` open listings, numbered, and how many more there are."""
    lines = [_open_line(i, item) for i, item in enumerate(items[:shown], 1)]
    if len(items) > shown:
        lines.append(more.format(count=len(items) - shown))
    return lines


def _day_end(digest: Digest) -> str:
    """For a past day: how the needs stood when it ended (the list is in the workbook)."""
    if digest.shortages:
        return texts.DAY_END_SHORT.format(count=len(digest.shortages))
    if digest.open_then.needs:
        return texts.DAY_END_ALL_MATCHED.format(open=digest.open_then.needs)
    return texts.DAY_END_NONE_OPEN


def _surplus(digest: Digest) -> list[str]:
    """Offers nobody asked for; else whether there were none or all were matched."""
    if digest.surplus:
        return [texts.SURPLUS_HEADING.format(count=len(digest.surplus)),
                *_listed(digest.surplus, MAX_LINES, texts.MORE_IN_WORKBOOK)]
    if digest.open_then.offers:
        return [texts.ALL_OFFERS_MATCHED.format(open=digest.open_then.offers)]
    return [texts.NO_OPEN_OFFERS]


def _open_line(index: int, item: OpenItem) -> str:
    return texts.OPEN_LINE.format(
        index=index, product=esc(item.product), amount=amount(item.quantity, item.unit),
        place=esc(item.place or texts.NO_PLACE), organisation=esc(item.organisation),
        waited=_waited(item.waited_hours),
    ) + item.registry


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
    states = Counter(m.state for m in digest.matches)
    lines = [texts.MATCHES_HEADING.format(
        count=totals.matches, change=change(totals.matches, previous.matches),
        states=texts.MATCH_STATES.format(
            exchanged=states["exchanged"], one_side=states["one_side"],
            waiting=states["waiting"],
        ) if digest.matches else "",
    )]
    for m in digest.matches[:MAX_LINES]:
        lines.append(texts.MATCH_LINE.format(
            product=esc(m.product), amount=amount(m.quantity, m.unit),
            offer=esc(m.offer_organisation), offer_place=esc(m.offer_place),
            need=esc(m.need_organisation), need_place=esc(m.need_place),
            offer_id=m.offer_id, need_id=m.need_id, status=texts.MATCH_STATUS[m.state],
        ))
    if len(digest.matches) > MAX_LINES:
        lines.append(texts.MORE_IN_WORKBOOK.format(count=len(digest.matches) - MAX_LINES))
    return lines


def _deals(digest: Digest) -> list[str]:
    """成交: deals of the day by product, to date by category, the rate and the price."""
    deals = digest.deals
    lines = [deal_texts.DIGEST_HEADING.format(today=deals.today.count,
                                              to_date=deals.to_date.count)]
    rate = deal_texts.DIGEST_NO_FIGURE if deals.deal_rate_pct is None else (
        f"{figure(deals.deal_rate_pct, decimals=1)}%")
    lines.append(deal_texts.DIGEST_RATE.format(exchanges=deals.exchanges, rate=rate))
    if deals.price_vs_listed_pct is not None:
        lines.append(deal_texts.DIGEST_PRICE.format(
            pct=f"{figure(deals.price_vs_listed_pct, decimals=1)}%"))
    for heading, by_name in ((deal_texts.DIGEST_TODAY, deals.today.by_product),
                             (deal_texts.DIGEST_TO_DATE, deals.to_date.by_category)):
        if by_name:
            lines.append(heading)
            lines += [deal_texts.DIGEST_LINE.format(
                name=esc(name), volumes=volumes(v) or deal_texts.DIGEST_NO_QUANTITY)
                for name, v in list(by_name.items())[:MAX_LINES]]
    return lines


def _products(prices: list[PriceRange]) -> list[str]:
    return list(dict.fromkeys(p.product for p in prices))


def _price_line(prices: list[PriceRange], product: str) -> str:
    parts = []
    for p in prices:
        if p.product != product:
            continue
        label = texts.OFFER_PRICE if p.kind == "offer" else texts.NEED_PRICE
        span = figure(p.low) if p.low == p.high else f"{figure(p.low)}–{figure(p.high)}"
        parts.append(texts.PRICE_PART.format(label=label, span=span, unit=esc(p.unit)))
    return texts.PRICE_LINE.format(product=esc(product), parts="，".join(parts))


def survey_lines(section: SurveySection) -> list[str]:
    """The store survey's part: stores reported, items by status, the worst days of stock,
    the needs the survey opened and how many were matched."""
    lines = [survey_texts.DIGEST_HEADING.format(reported=section.reported,
                                                expected=section.expected)]
    if section.by_status:
        lines.append(survey_texts.DIGEST_STATUSES.format(statuses="，".join(
            f"{status}{count}" for status, count in section.by_status.items())))
    for row in section.worst:
        lines.append(survey_texts.DIGEST_WORST.format(
            store=esc(row.store.label), product=esc(row.stock.product),
            days=number(row.stock.days_of_stock or 0), status=row.stock.status))
    lines.append(survey_texts.DIGEST_NEEDS.format(
        opened=section.needs_opened, published=section.needs_published,
        matched=section.needs_matched))
    return lines
