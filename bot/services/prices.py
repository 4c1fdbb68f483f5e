"""Use cases of the daily price monitoring: points, reports, imports, the daily table.

Shared by the CLI and the bot; each takes an open unit of work and never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.matching.area import Area
from bot.matching.basket import Basket, get_alert_policy, get_basket
from bot.matching.catalogue import get_catalogue
from bot.matching.model import CITY_NAME
from bot.matching.monitoring import PriceTable, Suspect, offsets_needed, suspects, table_of
from bot.matching.reports import Report, ReportItem, parse_report
from bot.texts import prices as texts
from storage.interfaces import UnitOfWork
from storage.prices import PriceEntry
from storage.records import MonitoringPoint

POINT_TYPES = ("超市", "农贸市场", "批发市场")


class PointError(ValueError):
    """A point that cannot be added or found; the message says why, in Chinese."""


async def add_point(
    uow: UnitOfWork, *, name: str, type: str, area: Area, now: float,
    telegram_id: int | None = None, by: int | None = None,
) -> MonitoringPoint:
    """A new monitoring point in ``area`` (a county-level unit or a township), linked to
    ``telegram_id`` when given."""
    name = " ".join(name.split())
    if not name:
        raise PointError(texts.POINT_NO_NAME)
    if type not in POINT_TYPES:
        raise PointError(texts.POINT_BAD_TYPE.format(type=type, types="、".join(POINT_TYPES)))
    if area.county is None:
        raise PointError(texts.POINT_NEEDS_COUNTY)
    point = await uow.prices.add_point(name=name, type=type, county=area.county,
                                       township=area.township, now=now)
    if point is None:
        taken = await uow.prices.point_named(name)
        raise PointError(texts.POINT_TAKEN.format(name=name, id=taken.id if taken else "?"))
    if telegram_id is not None:
        await uow.prices.link(point.id, telegram_id, now)
    await uow.audit.write(by, "point.add", f"point:{point.id}", name=name, area=area.label)
    return point


async def find_point(uow: UnitOfWork, ref: str) -> MonitoringPoint:
    """The live point whose id or exact name ``ref`` is; PointError otherwise."""
    ref = ref.strip()
    point = None
    if ref.isdigit():
        point = await uow.prices.point(int(ref))
    if point is None:
        point = await uow.prices.point_named(ref)
    if point is None or point.removed_at is not None:
        raise PointError(texts.POINT_UNKNOWN.format(ref=ref))
    return point


async def remove_point(uow: UnitOfWork, point: MonitoringPoint, now: float,
                       by: int | None = None) -> None:
    await uow.prices.remove_point(point.id, now)
    await uow.audit.write(by, "point.remove", f"point:{point.id}")


def point_json(point: MonitoringPoint, reporters: Sequence[int] = ()) -> dict[str, object]:
    return {"id": point.id, "name": point.name, "type": point.type, "county": point.county,
            "township": point.township, "region": point.area.label,
            "telegram_ids": list(reporters)}


@dataclass(slots=True)
class Submission:
    """What became of a report: read, refused with questions, or stored."""

    report: Report
    suspects: list[Suspect] = field(default_factory=list)
    stored: int = 0


async def check_report(
    uow: UnitOfWork, point: MonitoringPoint, day: date, items: Sequence[ReportItem],
    basket: Basket | None = None,
) -> list[Suspect]:
    """The prices to ask about before storing: the 斤/公斤 mix-up against the point's own
    previous price, or outside the plausible range."""
    basket = basket or get_basket()
    previous = await uow.prices.previous_prices(point.id, [i.product for i in items],
                                                day.isoformat())
    return suspects([(i.product, i.price, i.price_unit) for i in items],
                    {p: (r.price, r.price_unit) for p, r in previous.items()}, basket)


async def store_items(
    uow: UnitOfWork, point: MonitoringPoint, day: date, items: Sequence[ReportItem], *,
    reported_by: int | None, source: str, now: float,
) -> int:
    """Store a report's items (each replaces that item's price of the day, history kept)."""
    stored = await uow.prices.record(
        point.id, day.isoformat(),
        [PriceEntry(i.product, i.price, i.price_unit, i.sales, i.sales_unit) for i in items],
        reported_by=reported_by, source=source, now=now)
    await uow.audit.write(reported_by, "prices.report", f"point:{point.id}",
                          day=day.isoformat(), items=stored, source=source)
    return stored


async def submit_report(
    uow: UnitOfWork, point: MonitoringPoint, day: date, text: str, *, now: float,
    reported_by: int | None = None, source: str = "cli", confirmed: bool = False,
) -> Submission:
    """Read ``text`` and store it, unless nothing was read or (not ``confirmed``) a price
    is suspect: then nothing is stored and the suspects are returned to ask about."""
    report = parse_report(text)
    submission = Submission(report)
    if not report.ok:
        return submission
    if not confirmed:
        submission.suspects = await check_report(uow, point, day, report.items)
        if submission.suspects:
            return submission
    submission.stored = await store_items(uow, point, day, report.items,
                                          reported_by=reported_by, source=source, now=now)
    return submission


def suspect_question(suspect: Suspect, basket: Basket | None = None) -> str:
    """The Chinese question about one suspect price."""
    basket = basket or get_basket()
    unit = texts.unit_label(suspect.unit)
    if suspect.reason == "mixup":
        return texts.ASK_MIXUP.format(product=suspect.product, price=_num(suspect.price),
                                      unit=unit, previous=_num(suspect.previous or 0))
    item = basket.get(suspect.product)
    return texts.ASK_RANGE.format(product=suspect.product, price=_num(suspect.price), unit=unit,
                                  low=_num(item.low if item else 0),
                                  high=_num(item.high if item else 0))


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


# Imports ---------------------------------------------------------------------------
IMPORT_COLUMNS = ("日期", "监测点", "品种", "价格", "单位", "销量", "销量单位")


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A row of an import file as read (``number``: its row in the sheet, header = 1)."""

    number: int
    day: date | None
    point: str
    product: str
    price: str
    unit: str
    sales: str
    sales_unit: str


@dataclass(slots=True)
class ImportResult:
    imported: int = 0
    days: list[tuple[int, str, int]] = field(default_factory=list)  # point id, day, prices
    rejected: list[tuple[int, str]] = field(default_factory=list)  # row number, reason


def _row_item(row: ImportRow, basket: Basket) -> ReportItem | str:
    """The row's price as a report item, or why it cannot be taken."""
    catalogue = get_catalogue()
    product = catalogue.lookup(row.product)
    item = basket.get(product.name) if product else None
    if item is None:
        return texts.IMPORT_NOT_IN_BASKET.format(product=row.product)
    price = row.price.strip().removesuffix("元").removesuffix("块").strip()
    try:
        float(price)
    except ValueError:
        return texts.IMPORT_BAD_PRICE.format(price=row.price)
    unit = row.unit.strip().removeprefix("元").removeprefix("/").strip()
    line = f"{item.product} {price}元" + (f"/{unit}" if unit else "")
    if row.sales.strip():
        try:
            float(row.sales)
        except ValueError:
            return texts.IMPORT_BAD_SALES.format(sales=row.sales)
        line += f" 卖了{row.sales.strip()}{row.sales_unit.strip()}"
    report = parse_report(line, basket)
    if len(report.items) != 1 or report.errors:
        return texts.IMPORT_UNREADABLE.format(
            detail="；".join(report.errors) or f"{row.price} {row.unit}")
    read = report.items[0]
    if read.price_unit == item.unit and not item.plausible(read.price):
        return texts.IMPORT_RANGE.format(price=_num(read.price), unit=texts.unit_label(item.unit),
                                         low=_num(item.low), high=_num(item.high))
    if row.sales.strip() and row.sales_unit.strip() and read.sales is None:
        return texts.IMPORT_BAD_SALES.format(sales=f"{row.sales}{row.sales_unit}")
    return read


async def import_rows(uow: UnitOfWork, rows: Sequence[ImportRow], *, now: float,
                      by: int | None = None) -> ImportResult:
    """Store the rows of an import file: each (point, day) with an accepted row is replaced
    whole by the file's rows of it, so importing a file twice stores it once."""
    basket = get_basket()
    result = ImportResult()
    points: dict[str, MonitoringPoint | None] = {}
    accepted: dict[tuple[int, str], dict[str, ReportItem]] = {}
    for row in rows:
        if row.day is None:
            result.rejected.append((row.number, texts.IMPORT_BAD_DATE))
            continue
        if row.point not in points:
            try:
                points[row.point] = await find_point(uow, row.point)
            except PointError:
                points[row.point] = None
        point = points[row.point]
        if point is None:
            result.rejected.append((row.number, texts.POINT_UNKNOWN.format(ref=row.point)))
            continue
        read = _row_item(row, basket)
        if isinstance(read, str):
            result.rejected.append((row.number, read))
            continue
        day_items = accepted.setdefault((point.id, row.day.isoformat()), {})
        if read.product in day_items:
            result.rejected.append((row.number, texts.IMPORT_TWICE.format(product=read.product)))
            continue
        day_items[read.product] = read
    for (point_id, day), items in accepted.items():
        stored = await uow.prices.record(
            point_id, day,
            [PriceEntry(i.product, i.price, i.price_unit, i.sales, i.sales_unit)
             for i in items.values()],
            reported_by=by, source="import", now=now, replace_day=True)
        result.imported += stored
        result.days.append((point_id, day, stored))
    if result.imported:
        await uow.audit.write(by, "prices.import", None, prices=result.imported,
                              rejected=len(result.rejected))
    return result


# The daily table -------------------------------------------------------------------
async def load_table(uow: UnitOfWork, day: date, area: Area,
                     products: Sequence[str] | None = None) -> PriceTable:
    """The day's table of ``area`` with its changes and alerts (of ``products`` only, when
    given)."""
    policy, basket = get_alert_policy(), get_basket()
    offsets = [(k, (day - timedelta(days=k)).isoformat()) for k in offsets_needed(policy)]
    stats, pairs = await uow.prices.day_figures(
        day.isoformat(), offsets, {i.product: i.unit for i in basket.items}, area, products)
    return table_of(day, stats, pairs, basket, policy, area.label or CITY_NAME)
