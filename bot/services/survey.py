"""The daily store survey's use cases: storing a store's report, the day's survey table
(days of stock and status per store and item), and its summary per area and item."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.matching.area import Area
from bot.matching.catalogue import get_usual_packs
from bot.matching.model import PackSize
from bot.matching.stock import (
    STATUSES,
    StockDays,
    Target,
    days_of_stock,
    get_targets,
    stock_status,
)
from bot.matching.survey import SurveyItems, SurveyReport, get_survey_items, parse_report
from storage.interfaces import UnitOfWork
from storage.survey import ItemDay, Store


@dataclass(frozen=True, slots=True)
class StoreItem:
    """One row of the day's survey table: a store's item and its days of stock."""

    store: Store
    stock: StockDays

    def to_json(self) -> dict[str, object]:
        return {"store": self.store.name, "store_id": self.store.id, **self.stock.to_json(),
                "reason": self.stock.reason}


@dataclass(frozen=True, slots=True)
class AreaItem:
    """Per county-level unit and item: stores reporting, median days, stores short."""

    county: str
    product: str
    reporting: int
    median_days: float | None
    tight: int  # 偏紧
    emergency: int  # 告急
    out: int  # 断货

    @property
    def short(self) -> int:
        """Stores 偏紧 or worse."""
        return self.tight + self.emergency + self.out

    def to_json(self) -> dict[str, object]:
        return {"county": self.county, "product": self.product, "stores_reporting": self.reporting,
                "median_days": None if self.median_days is None else round(self.median_days, 2),
                "偏紧": self.tight, "告急": self.emergency, "断货": self.out}


@dataclass(frozen=True, slots=True)
class SurveyDay:
    """The day's survey table of an area."""

    day: date
    area: Area
    rows: list[StoreItem]
    areas: list[AreaItem]
    expected: int  # stores of the area
    reported: int  # of them, those that reported the day


async def record_report(uow: UnitOfWork, store: Store, day: date, text: str,
                        reported_by: int | None, now: float,
                        items: SurveyItems | None = None) -> SurveyReport:
    """Read a store's report of ``day`` and store the items it gives (a report with errors
    stores what could be read); the reading, for the reply."""
    report = parse_report(text, items)
    await uow.survey.save_report(store.id, day, report.items, reported_by, now)
    return report


def target_of(product: str, items: SurveyItems, targets: Mapping[str, Target]) -> Target | None:
    item = items.get(product)
    return None if item is None else targets.get(item.category)


def stock_rows(figures: Mapping[tuple[int, str], ItemDay], stores: Mapping[int, Store],
               day: date, items: SurveyItems, targets: Mapping[str, Target],
               packs: Mapping[str, Sequence[PackSize]]) -> list[StoreItem]:
    """Days of stock of every (store, item) reported on ``day``, in the survey's item order
    within each store."""
    order = {p: i for i, p in enumerate(items.products)}
    rows = []
    for (store_id, product), found in figures.items():
        store, target = stores.get(store_id), target_of(product, items, targets)
        if store is None or target is None:
            continue  # an item no longer surveyed
        item_packs = packs.get(product, ())
        if found.sums is not None:
            result: StockDays | None = stock_status(product, day, found.stock, found.stock_unit,
                                                    found.sums, target, item_packs)
        else:
            result = days_of_stock(product, found.history or [], day, target, item_packs)
        if result is not None:
            rows.append(StoreItem(store, result))
    rows.sort(key=lambda r: (r.store.id, order.get(r.stock.product, len(order))))
    return rows


def area_items(rows: Iterable[StoreItem], items: SurveyItems) -> list[AreaItem]:
    """The table summed per county-level unit and item."""
    groups: dict[tuple[str, str], list[StockDays]] = defaultdict(list)
    for row in rows:
        groups[(row.store.county, row.stock.product)].append(row.stock)
    order = {p: i for i, p in enumerate(items.products)}
    found = []
    for (county, product), results in groups.items():
        days = [r.days_of_stock for r in results if r.days_of_stock is not None]
        found.append(AreaItem(
            county, product, len(results), statistics.median(days) if days else None,
            sum(r.status == "偏紧" for r in results), sum(r.status == "告急" for r in results),
            sum(r.status == "断货" for r in results)))
    found.sort(key=lambda a: (a.county, order.get(a.product, len(order))))
    return found


async def survey_day(uow: UnitOfWork, day: date, area: Area) -> SurveyDay:
    """The day's survey table of ``area``: every store's reported items with days of stock
    and status, and the sums per county-level unit and item."""
    items, targets, packs = get_survey_items(), get_targets(), get_usual_packs()
    stores = {s.id: s for s in await uow.survey.stores_in(area)}
    figures = await uow.survey.day_figures(day, None if area.county is None else list(stores))
    rows = stock_rows(figures, stores, day, items, targets, packs)
    reported = len({r.store.id for r in rows})
    return SurveyDay(day, area, rows, area_items(rows, items), len(stores), reported)


@dataclass(frozen=True, slots=True)
class SurveySection:
    """The officials' digest's survey part for an area and day."""

    expected: int  # stores of the area
    reported: int
    by_status: dict[str, int]  # store items per status
    worst: list[StoreItem]  # the fewest days of stock (sold out first)
    needs_opened: int  # drafted by the survey that day
    needs_published: int
    needs_matched: int

    def to_json(self) -> dict[str, object]:
        return {"stores_expected": self.expected, "stores_reported": self.reported,
                "items_by_status": self.by_status,
                "worst": [r.to_json() for r in self.worst],
                "needs_opened": self.needs_opened, "needs_published": self.needs_published,
                "needs_matched": self.needs_matched}


WORST_SHOWN = 5


async def survey_section(uow: UnitOfWork, area: Area, day: date) -> SurveySection | None:
    """The survey's part of ``area``'s digest for ``day``; None when the area has no
    surveyed store."""
    found = await survey_day(uow, day, area)
    if not found.expected:
        return None
    by_status = {s: 0 for s in STATUSES}
    for row in found.rows:
        by_status[row.stock.status] += 1
    ranked = sorted((r for r in found.rows if r.stock.days_of_stock is not None),
                    key=lambda r: (r.stock.days_of_stock, r.store.id))
    needs = await uow.survey.needs_between(day, day, [s.id for s in await uow.survey.stores_in(
        area)])
    published = [n for n in needs if n.listing_id is not None]
    matched = 0
    for need in published:
        assert need.listing_id is not None
        matched += bool(await uow.matches.of_listing(need.listing_id))
    return SurveySection(found.expected, found.reported,
                         {s: n for s, n in by_status.items() if n}, ranked[:WORST_SHOWN],
                         len(needs), len(published), matched)
