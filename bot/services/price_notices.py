"""What the price monitoring tells people: alerts to officials, reminders to points that
have not reported, and the prices section officials read each morning.

Every message goes through the outbox under a key naming what it is about, so each is
sent once however often the jobs run, on however many workers, across restarts.
"""

from __future__ import annotations

import asyncio
from datetime import date
from zoneinfo import ZoneInfo

from bot.matching.area import Area
from bot.matching.basket import get_alert_policy
from bot.matching.clock import DayWindow
from bot.matching.monitoring import Alert, PriceTable
from bot.services.bulletin import Bulletin, bulletin_png, bulletin_text, load_bulletin
from bot.services.messages import Attachment, Message, outgoing
from bot.services.price_sanity import high_offers_lines
from bot.services.prices import load_table
from bot.services.prices_text import money
from bot.texts import prices as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from storage.records import MonitoringPoint, User

MOVES_SHOWN = 5
MISSING_SHOWN = 30


def _threshold(alert: Alert, category: str) -> float:
    rule = alert.rule.partition(":")[0]
    for r in get_alert_policy().rules_for(category):
        if r.rule == rule:
            return r.threshold_pct
    return 0.0


def alert_text(table: PriceTable, alert: Alert) -> str:
    category = next((i.category for i in table.items if i.product == alert.product), "")
    day = table.day.isoformat()
    if alert.rule.endswith(":counties"):
        count = sum(1 for a in table.alerts if a.product == alert.product
                    and a.county is not None and a.rule == alert.rule.partition(":")[0])
        return texts.ALERT_COUNTIES.format(day=day, product=esc(alert.product), count=count,
                                           rule=texts.rule_label(alert.rule.partition(":")[0]),
                                           pct=alert.change_pct)
    return texts.ALERT.format(day=day, region=esc(alert.region), product=esc(alert.product),
                              rule=texts.rule_label(alert.rule), pct=alert.change_pct,
                              threshold=f"{_threshold(alert, category):g}")


def _officials_of(officials: list[User], county: str | None) -> list[User]:
    """Officials whose area is exactly this county (None: the whole city)."""
    return [o for o in officials if o.county == county and (county is None or o.township is None)]


async def price_alert_rows(uow: UnitOfWork, day: date) -> list[OutgoingMessage]:
    """Each alert of ``day``'s city table for the officials of its area: a county's for
    that county's officials, the city's (and several counties' at once) for the city's.
    Reads only: the rows are enqueued by the caller, in a short write."""
    table = await load_table(uow, day, Area())
    if not table.alerts:
        return []
    officials = await uow.users.active_officials()
    rows = []
    for alert in table.alerts:
        text = alert_text(table, alert)
        for official in _officials_of(officials, alert.county):
            key = (f"{day.isoformat()}|{official.telegram_id}|price_alert|{alert.product}|"
                   f"{alert.region}|{alert.rule}")
            rows.append(outgoing(key, official.telegram_id, "price_alert", Message(text)))
    return rows


async def enqueue_price_alerts(uow: UnitOfWork, day: date) -> int:
    """:func:`price_alert_rows` into the outbox, each once (its key)."""
    return await uow.outbox.enqueue(await price_alert_rows(uow, day))


async def missing_points(uow: UnitOfWork, day: date,
                         area: Area | None = None) -> list[MonitoringPoint]:
    """The live points (in ``area``) with no price on ``day``."""
    reported = await uow.prices.reported_points(day.isoformat())
    return [p for p in await uow.prices.points(area) if p.id not in reported]


async def price_reminder_rows(uow: UnitOfWork, day: date) -> list[OutgoingMessage]:
    """A reminder for each reporter of each point that has not reported ``day``."""
    missing = await missing_points(uow, day)
    reporters = await uow.prices.reporters([p.id for p in missing])
    rows = []
    for point in missing:
        text = texts.REMINDER.format(day=day.isoformat(), point=esc(point.name))
        for chat in reporters.get(point.id, []):
            rows.append(outgoing(f"{day.isoformat()}|{chat}|price_reminder|{point.id}", chat,
                                 "price_reminder", Message(text)))
    return rows


async def enqueue_price_reminders(uow: UnitOfWork, day: date) -> int:
    """One reminder a day to each reporter of each point that has not reported ``day``."""
    return await uow.outbox.enqueue(await price_reminder_rows(uow, day))


async def prices_section(uow: UnitOfWork, day: date, area: Area, *,
                         tz: ZoneInfo | None = None, ratio: float | None = None) -> str:
    """An area's day in prices, for officials: alerts, the biggest moves, missing points,
    and (given the time zone and the sanity ratio) the day's offers priced far above the
    monitored average."""
    table = await load_table(uow, day, area)
    lines = [texts.SECTION_TITLE.format(region=esc(area.label), day=day.isoformat())]
    if table.alerts:
        lines.append(texts.SECTION_ALERTS)
        lines.extend("· " + texts.TABLE_ALERT.format(
            region=esc(a.region), product=esc(a.product), rule=texts.rule_label(a.rule),
            pct=a.change_pct) for a in table.alerts)
    moves = sorted((i for i in table.items if i.change_1d_pct and i.avg is not None),
                   key=lambda i: -abs(i.change_1d_pct or 0))[:MOVES_SHOWN]
    if moves:
        lines.append(texts.SECTION_MOVES)
        lines.extend("· " + texts.SECTION_MOVE.format(
            product=esc(i.product), avg=money(i.avg or 0), unit=texts.unit_label(i.unit),
            d1=texts.signed_pct(i.change_1d_pct)) for i in moves)
    else:
        lines.append(texts.SECTION_NO_MOVES)
    points = await uow.prices.points(area)
    missing = await missing_points(uow, day, area)
    if not points:
        lines.append(texts.SECTION_NO_POINTS)
    elif missing:
        names = "、".join(esc(p.name) for p in missing[:MISSING_SHOWN])
        if len(missing) > MISSING_SHOWN:
            names += "…"
        lines.append(texts.SECTION_MISSING.format(count=len(missing), names=names))
    else:
        lines.append(texts.SECTION_ALL_REPORTED)
    if tz is not None and ratio is not None:
        window = DayWindow.of(day, tz)
        listings = await uow.listings.in_period(window.start, window.end, area)
        lines.extend(await high_offers_lines(uow, day, listings, ratio, area))
    return "\n".join(lines)


async def bulletin_messages(bulletin: Bulletin) -> list[Message]:
    """The bulletin as it is posted: its text, then the image to repost (drawn in a
    thread, off the event loop)."""
    caption = texts.BULLETIN_CAPTION.format(title=bulletin.title, date=bulletin.date_label,
                                            bureau=esc(bulletin.bureau))
    image = await asyncio.to_thread(bulletin_png, bulletin)
    return [Message(esc(bulletin_text(bulletin))),
            Message(caption, attachment=Attachment(
                "photo", f"bulletin-{bulletin.day.isoformat()}.png", image))]


async def morning_price_rows(
    uow: UnitOfWork, day: date, bureau: str, *, tz: ZoneInfo | None = None,
    ratio: float | None = None,
) -> list[list[OutgoingMessage]]:
    """With the morning digest: each official's prices section of ``day`` and the
    bulletin, a group per official (each area's section made once). Reads only."""
    officials = await uow.users.active_officials()
    if not officials or not await uow.prices.points():
        return []
    bulletin = await bulletin_messages(await load_bulletin(uow, day, bureau))
    sections: dict[Area, str] = {}
    groups = []
    for official in officials:
        area = official.area
        if area not in sections:
            sections[area] = await prices_section(uow, day, area, tz=tz, ratio=ratio)
        chat = official.telegram_id
        groups.append([outgoing(f"{day.isoformat()}|{chat}|price_digest|{n}", chat,
                                "price_digest", message)
                       for n, message in enumerate([Message(sections[area]), *bulletin])])
    return groups


async def enqueue_morning_prices(uow: UnitOfWork, day: date, bureau: str, *,
                                 tz: ZoneInfo | None = None, ratio: float | None = None) -> int:
    """:func:`morning_price_rows` into the outbox, each official's group once."""
    return await uow.outbox.enqueue_groups(
        await morning_price_rows(uow, day, bureau, tz=tz, ratio=ratio))


async def bulletin_rows(uow: UnitOfWork, day: date, bureau: str,
                        chat: int) -> list[list[OutgoingMessage]]:
    """``day``'s bulletin for the channel ``chat``; nothing when it is in the outbox
    already (not even drawn again). Reads only."""
    if await uow.outbox.known_keys([f"{day.isoformat()}|{chat}|bulletin|0"]):
        return []
    messages = await bulletin_messages(await load_bulletin(uow, day, bureau))
    return [[outgoing(f"{day.isoformat()}|{chat}|bulletin|{n}", chat, "bulletin", m)
             for n, m in enumerate(messages)]]


async def enqueue_bulletin(uow: UnitOfWork, day: date, bureau: str, chat: int) -> int:
    """``day``'s bulletin to the channel ``chat``, once."""
    return await uow.outbox.enqueue_groups(await bulletin_rows(uow, day, bureau, chat))
