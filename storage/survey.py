"""Stores, their managers and officers, their daily survey reports, and the needs the survey
drafts: the only place that speaks SQL about them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from sqlalchemy import and_, case, delete, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from bot.matching.model import CITY_NAME, Place
from bot.matching.stock import WINDOW_DAYS, DayFigures
from bot.matching.survey import ReportedItem
from storage.records import _Record
from storage.schema import (
    store_managers,
    store_officers,
    stores,
    survey_needs,
    survey_reports,
    users,
)
from storage.sql import chunks, in_area, insert_ignoring_duplicates

# How far back the last reported days of an item are looked for.
LOOKBACK_DAYS = 90
NeedStatus = str  # draft, published, dismissed, closed
ACTIVE_NEED = ("draft", "published")


def store_label(chain: str, name: str) -> str:
    """连锁企业 门店 as officials read it (丹尼斯 新华店), the name alone when it says the chain
    already (丹尼斯新华店) or there is none."""
    return name if not chain or name.startswith(chain) else f"{chain} {name}"


@dataclass(frozen=True, slots=True)
class Store(_Record):
    id: int
    chain: str
    name: str
    type: str
    county: str
    township: str | None
    manager_phone: str | None
    created_at: float
    updated_at: float

    @property
    def label(self) -> str:
        return store_label(self.chain, self.name)

    @property
    def area(self) -> Area:
        return Area.of(self.county, self.township)

    @property
    def place(self) -> Place:
        """Where the store is, as a listing's place."""
        return Place(city=CITY_NAME, county=self.county, township=self.township)


@dataclass(frozen=True, slots=True)
class SurveyNeed(_Record):
    id: int
    store_id: int
    product: str
    day: str
    status: NeedStatus
    urgency: str
    quantity: float
    unit: str
    listing_id: int | None
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class ItemDay:
    """An item's figures for its days of stock on a day: the day's stock with the sales
    summed by unit (``sums``), or the reported days themselves (``history``)."""

    stock: float
    stock_unit: str
    sums: dict[str, tuple[float, int]] | None
    history: list[DayFigures] | None


@dataclass(frozen=True, slots=True)
class StoredReport:
    """One stored item of a day's report."""

    store_id: int
    product: str
    figures: DayFigures
    sales_basis: str | None


_STORE = select(*Store.columns(stores))
_NEED = select(*SurveyNeed.columns(survey_needs))
_REPORT_COLUMNS = (survey_reports.c.store_id, survey_reports.c.product, survey_reports.c.day,
                   survey_reports.c.stock, survey_reports.c.stock_unit, survey_reports.c.sales,
                   survey_reports.c.sales_unit)


def _figures(row: Sequence) -> tuple[tuple[int, str], DayFigures]:
    store_id, product, day, stock, stock_unit, sales, sales_unit = row
    return (store_id, product), DayFigures(date.fromisoformat(day), stock, stock_unit, sales,
                                           sales_unit)


_DAY = attrgetter("day")


def _group(rows: Sequence[Sequence], into: dict[tuple[int, str], list[DayFigures]]) -> None:
    """Report rows appended to their (store, item)'s list, in the order given (the hot loop
    of the day's table: each day's date parsed once)."""
    dates: dict[str, date] = {}
    for store_id, product, day, stock, stock_unit, sales, sales_unit in rows:
        when = dates.get(day)
        if when is None:
            when = dates[day] = date.fromisoformat(day)
        figures = DayFigures(when, stock, stock_unit, sales, sales_unit)
        found = into.get((store_id, product))
        if found is None:
            into[(store_id, product)] = [figures]
        else:
            found.append(figures)


class SurveyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    # --- stores ---

    async def upsert_store(
        self, *, chain: str, name: str, type: str, county: str, township: str | None,
        manager_phone: str | None, now: float,
    ) -> tuple[Store, bool]:
        """Add the store, or update the one of this chain and name; (store, added)."""
        found = (await self._conn.execute(
            _STORE.where(stores.c.chain == chain, stores.c.name == name))).first()
        values = {"type": type, "county": county, "township": township,
                  "manager_phone": manager_phone, "updated_at": now}
        if found is None:
            store_id = (await self._conn.execute(insert(stores).values(
                chain=chain, name=name, created_at=now, **values
            ).returning(stores.c.id))).scalar_one()
            added = True
        else:
            store_id = found[0]
            await self._conn.execute(update(stores).where(stores.c.id == store_id)
                                     .values(**values))
            added = False
        store = await self.get_store(store_id)
        assert store is not None
        return store, added

    async def get_store(self, store_id: int) -> Store | None:
        row = (await self._conn.execute(_STORE.where(stores.c.id == store_id))).first()
        return Store.from_row(row) if row else None

    async def stores_named(self, name: str) -> list[Store]:
        """Stores whose 门店 name is exactly ``name`` (several chains may share one)."""
        rows = await self._conn.execute(_STORE.where(stores.c.name == name)
                                        .order_by(stores.c.id))
        return [Store.from_row(r) for r in rows]

    async def stores_in(self, area: Area) -> list[Store]:
        rows = await self._conn.execute(_STORE.where(in_area(stores, area))
                                        .order_by(stores.c.id))
        return [Store.from_row(r) for r in rows]

    async def stores_by_ids(self, ids: Iterable[int]) -> dict[int, Store]:
        found: dict[int, Store] = {}
        for part in chunks(sorted(set(ids))):
            for row in await self._conn.execute(_STORE.where(stores.c.id.in_(part))):
                store = Store.from_row(row)
                found[store.id] = store
        return found

    # --- managers and officers ---

    async def link_manager(self, store_id: int, user_id: int, now: float) -> bool:
        """Link ``user_id`` to the store as a manager; False when already linked."""
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, store_managers).values(
                store_id=store_id, user_id=user_id, created_at=now))
        return added.rowcount == 1

    async def link_managers_by_phone(self, store: Store, now: float) -> list[int]:
        """Link every user signed up with the store's 店长电话; the ids newly linked."""
        if not store.manager_phone:
            return []
        ids = list((await self._conn.execute(
            select(users.c.telegram_id).where(users.c.phone == store.manager_phone)
        )).scalars())
        return [i for i in ids if await self.link_manager(store.id, i, now)]

    async def link_stores_by_phone(self, user_id: int, phone: str, now: float) -> list[int]:
        """Link ``user_id`` to every store whose 店长电话 is ``phone``; the store ids newly
        linked."""
        ids = list((await self._conn.execute(
            select(stores.c.id).where(stores.c.manager_phone == phone))).scalars())
        return [i for i in ids if await self.link_manager(i, user_id, now)]

    async def managers(self, store_id: int) -> list[int]:
        return list((await self._conn.execute(
            select(store_managers.c.user_id).where(store_managers.c.store_id == store_id)
            .order_by(store_managers.c.user_id))).scalars())

    async def managers_of(self, store_ids: Iterable[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for part in chunks(sorted(set(store_ids))):
            for store_id, user_id in await self._conn.execute(
                    select(store_managers.c.store_id, store_managers.c.user_id)
                    .where(store_managers.c.store_id.in_(part))
                    .order_by(store_managers.c.user_id)):
                found[store_id].append(user_id)
        return found

    async def stores_managed_by(self, user_id: int) -> list[Store]:
        rows = await self._conn.execute(
            _STORE.join(store_managers, store_managers.c.store_id == stores.c.id)
            .where(store_managers.c.user_id == user_id).order_by(stores.c.id))
        return [Store.from_row(r) for r in rows]

    async def assign_officer(self, store_id: int, official_id: int, by: int | None,
                             now: float) -> None:
        """Make ``official_id`` the store's officer (replacing any before)."""
        await self._conn.execute(delete(store_officers)
                                 .where(store_officers.c.store_id == store_id))
        await self._conn.execute(insert(store_officers).values(
            store_id=store_id, official_id=official_id, assigned_by=by, assigned_at=now))

    async def officer_of(self, store_id: int) -> int | None:
        return (await self._conn.execute(select(store_officers.c.official_id)
                .where(store_officers.c.store_id == store_id))).scalar_one_or_none()

    async def officers_of(self, store_ids: Iterable[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for part in chunks(sorted(set(store_ids))):
            for store_id, official in await self._conn.execute(
                    select(store_officers.c.store_id, store_officers.c.official_id)
                    .where(store_officers.c.store_id.in_(part))):
                found[store_id] = official
        return found

    async def stores_of_officer(self, official_id: int) -> list[Store]:
        rows = await self._conn.execute(
            _STORE.join(store_officers, store_officers.c.store_id == stores.c.id)
            .where(store_officers.c.official_id == official_id).order_by(stores.c.id))
        return [Store.from_row(r) for r in rows]

    async def officers(self) -> list[int]:
        """Every official assigned to at least one store."""
        return list((await self._conn.execute(
            select(store_officers.c.official_id).distinct()
            .order_by(store_officers.c.official_id))).scalars())

    # --- reports ---

    async def save_report(self, store_id: int, day: date, items: Sequence[ReportedItem],
                          reported_by: int | None, now: float) -> None:
        """Store the items of the store's report of ``day``; an item reported again that day
        replaces what it said before."""
        if not items:
            return
        await self._conn.execute(delete(survey_reports).where(
            survey_reports.c.store_id == store_id, survey_reports.c.day == day.isoformat(),
            survey_reports.c.product.in_([i.product for i in items])))
        await self._conn.execute(insert(survey_reports), [
            {"store_id": store_id, "product": i.product, "day": day.isoformat(),
             "stock": i.stock, "stock_unit": i.stock_unit, "sales": i.sales,
             "sales_unit": i.sales_unit, "sales_basis": i.sales_basis,
             "reported_by": reported_by, "reported_at": now} for i in items])

    async def latest_items(self, store_id: int, before: date) -> dict[str, StoredReport]:
        """Each item's latest report by the store before ``before`` (within LOOKBACK_DAYS):
        what 同昨天 copies."""
        since = (before - timedelta(days=LOOKBACK_DAYS)).isoformat()
        rows = await self._conn.execute(
            select(*_REPORT_COLUMNS, survey_reports.c.sales_basis)
            .where(survey_reports.c.store_id == store_id, survey_reports.c.day >= since,
                   survey_reports.c.day < before.isoformat())
            .order_by(survey_reports.c.day.desc()))
        found: dict[str, StoredReport] = {}
        for row in rows.all():
            (sid, product), figures = _figures(row[:7])
            found.setdefault(product, StoredReport(sid, product, figures, row[7]))
        return found

    async def reported_stores(self, day: date) -> set[int]:
        """The stores that reported anything for ``day``."""
        return set((await self._conn.execute(
            select(survey_reports.c.store_id).distinct()
            .where(survey_reports.c.day == day.isoformat()))).scalars())

    async def reports_of(self, store_id: int, day: date) -> list[StoredReport]:
        rows = await self._conn.execute(
            select(*_REPORT_COLUMNS, survey_reports.c.sales_basis)
            .where(survey_reports.c.store_id == store_id,
                   survey_reports.c.day == day.isoformat())
            .order_by(survey_reports.c.product))
        found = []
        for row in rows:
            (sid, product), figures = _figures(row[:7])
            found.append(StoredReport(sid, product, figures, row[7]))
        return found

    async def day_figures(self, day: date, store_ids: Iterable[int] | None = None
                          ) -> dict[tuple[int, str], ItemDay]:
        """What days of stock on ``day`` rest on, for every (store, item) reported that day
        (of ``store_ids`` when given).

        An item reported on each of the window's 7 calendar days (a store reporting daily)
        comes as the day's stock and the sales the average is taken over, summed by unit
        in the database (the days with stock; all 7 when it was sold out on every one):
        two indexed reads for the whole city. Any other item comes as its reported days
        (:meth:`histories`), for the rule on short histories and gaps.
        """
        iso, first = day.isoformat(), (day - timedelta(days=WINDOW_DAYS - 1)).isoformat()
        r = survey_reports.c
        in_stock = r.stock > 0
        window = select(
            r.store_id, r.product, r.sales_unit, func.count(),
            func.sum(case((in_stock, 1), else_=0)),
            func.sum(case((in_stock, r.sales), else_=None)),
            func.sum(case((and_(in_stock, r.sales.is_not(None)), 1), else_=0)),
            func.sum(r.sales), func.count(r.sales),
        ).where(r.day >= first, r.day <= iso).group_by(r.store_id, r.product, r.sales_unit)
        today = select(r.store_id, r.product, r.stock, r.stock_unit).where(r.day == iso)
        parts: list[Sequence[int] | None] = (
            [None] if store_ids is None else list(chunks(sorted(set(store_ids)))))
        stocks: dict[tuple[int, str], tuple[float, str]] = {}
        groups: dict[tuple[int, str], list[Sequence]] = defaultdict(list)
        for part in parts:
            t = today if part is None else today.where(r.store_id.in_(part))
            for store_id, product, stock, unit in (await self._conn.execute(t)).all():
                stocks[(store_id, product)] = (stock, unit)
            w = window if part is None else window.where(r.store_id.in_(part))
            for row in (await self._conn.execute(w)).all():
                if (row[0], row[1]) in stocks:
                    groups[(row[0], row[1])].append(row)
        found: dict[tuple[int, str], ItemDay] = {}
        uneven: list[int] = []
        for key, (stock, unit) in stocks.items():
            rows = groups[key]
            if sum(g[3] for g in rows) != WINDOW_DAYS:
                uneven.append(key[0])
                continue
            with_stock = sum(g[4] for g in rows) > 0
            sums = {g[2]: ((g[5] or 0.0, g[6]) if with_stock else (g[7] or 0.0, g[8]))
                    for g in rows if g[2] is not None}
            found[key] = ItemDay(stock, unit, {u: v for u, v in sums.items() if v[1]}, None)
        if uneven:
            for key, history in (await self.histories(day, uneven)).items():
                if key not in found:
                    found[key] = ItemDay(history[-1].stock, history[-1].stock_unit, None,
                                         history)
        return found

    async def histories(self, day: date, store_ids: Iterable[int] | None = None
                        ) -> dict[tuple[int, str], list[DayFigures]]:
        """For every (store, item) reported on ``day`` (of ``store_ids`` when given), its
        last reported days up to ``day``: at most the window of days of stock, oldest first.

        A store reporting daily has them all in the window's calendar days, one indexed
        range read; only the items with gaps are looked for further back (up to
        LOOKBACK_DAYS).
        """
        first = (day - timedelta(days=WINDOW_DAYS - 1)).isoformat()
        # No ORDER BY: the rows are grouped here, and each item's days sorted where used.
        query = select(*_REPORT_COLUMNS).where(
            survey_reports.c.day >= first, survey_reports.c.day <= day.isoformat())
        found: dict[tuple[int, str], list[DayFigures]] = {}
        parts: list[Sequence[int] | None] = (
            [None] if store_ids is None else list(chunks(sorted(set(store_ids)))))
        for part in parts:
            q = query if part is None else query.where(survey_reports.c.store_id.in_(part))
            _group((await self._conn.execute(q)).all(), found)
        result = {k: v for k, v in found.items() if any(f.day == day for f in v)}
        for figures in result.values():
            figures.sort(key=_DAY)
        gaps = [k for k, v in result.items() if len(v) < WINDOW_DAYS]
        if gaps:
            await self._older(result, gaps, day)
        return result

    async def _older(self, result: dict[tuple[int, str], list[DayFigures]],
                     keys: list[tuple[int, str]], day: date) -> None:
        """Fill the items of ``keys`` with reported days before the window, newest first up
        to the window's size."""
        before = (day - timedelta(days=WINDOW_DAYS - 1)).isoformat()
        since = (day - timedelta(days=LOOKBACK_DAYS)).isoformat()
        ranked = select(
            *_REPORT_COLUMNS,
            func.row_number().over(
                partition_by=(survey_reports.c.store_id, survey_reports.c.product),
                order_by=survey_reports.c.day.desc()).label("rank"),
        ).where(survey_reports.c.day < before, survey_reports.c.day >= since)
        older: dict[tuple[int, str], list[DayFigures]] = {}
        for part in chunks(keys, 200):
            inner = ranked.where(tuple_(survey_reports.c.store_id, survey_reports.c.product)
                                 .in_(list(part))).subquery()
            rows = await self._conn.execute(
                select(*[inner.c[c.name] for c in _REPORT_COLUMNS])
                .where(inner.c.rank <= WINDOW_DAYS))
            _group(rows.all(), older)
        for key, earlier in older.items():
            result[key] = (sorted(earlier, key=_DAY) + result[key])[-WINDOW_DAYS:]

    async def add_needs(self, drafts: Sequence[dict[str, object]], now: float
                        ) -> list[SurveyNeed]:
        """Add drafted needs (store_id, product, day, urgency, quantity, unit), in order;
        the needs stored, with their ids. One INSERT of many rows, then one read back (an
        INSERT … RETURNING of many rows goes one row a trip on SQLite)."""
        if not drafts:
            return []
        await self._conn.execute(insert(survey_needs), [
            {**d, "status": "draft", "created_at": now, "updated_at": now} for d in drafts])
        stored: dict[tuple[object, object], SurveyNeed] = {}
        for day in sorted({str(d["day"]) for d in drafts}):
            rows = await self._conn.execute(_NEED.where(
                survey_needs.c.day == day, survey_needs.c.status == "draft",
                survey_needs.c.created_at == now))
            for row in rows.all():
                need = SurveyNeed.from_row(row)
                stored[(need.store_id, need.product)] = need
        return [stored[(d["store_id"], d["product"])] for d in drafts]

    async def get_need(self, need_id: int) -> SurveyNeed | None:
        row = (await self._conn.execute(_NEED.where(survey_needs.c.id == need_id))).first()
        return SurveyNeed.from_row(row) if row else None

    async def active_needs(self, store_ids: Iterable[int] | None = None) -> list[SurveyNeed]:
        """Needs drafted or published and not yet closed, of ``store_ids`` or of all."""
        query = _NEED.where(survey_needs.c.status.in_(ACTIVE_NEED))
        if store_ids is None:
            rows = await self._conn.execute(query.order_by(survey_needs.c.id))
            return [SurveyNeed.from_row(r) for r in rows]
        found: list[SurveyNeed] = []
        for part in chunks(sorted(set(store_ids))):
            rows = await self._conn.execute(query.where(survey_needs.c.store_id.in_(part))
                                            .order_by(survey_needs.c.id))
            found.extend(SurveyNeed.from_row(r) for r in rows)
        return found

    async def dismissed_on(self, day: date) -> set[tuple[int, str]]:
        """(store, item) whose drafted need was declined (不需要) on ``day``: not drafted
        again that day."""
        rows = await self._conn.execute(
            select(survey_needs.c.store_id, survey_needs.c.product).where(
                survey_needs.c.status == "dismissed", survey_needs.c.day == day.isoformat()))
        return {(s, p) for s, p in rows}

    async def set_need(self, need_id: int, *, now: float, expect: Sequence[str],
                       **values: object) -> bool:
        """Change a need that is in one of the statuses ``expect``; False when it is not
        (pressed twice, or closed meanwhile)."""
        result = await self._conn.execute(
            update(survey_needs).where(survey_needs.c.id == need_id,
                                       survey_needs.c.status.in_(list(expect)))
            .values(updated_at=now, **values))
        return result.rowcount == 1

    async def needs_between(self, start: date, end: date,
                            store_ids: Iterable[int] | None = None) -> list[SurveyNeed]:
        """Needs drafted on the days [start, end]."""
        query = _NEED.where(and_(survey_needs.c.day >= start.isoformat(),
                                 survey_needs.c.day <= end.isoformat()))
        rows = [SurveyNeed.from_row(r) for r in await self._conn.execute(query)]
        if store_ids is None:
            return rows
        wanted = set(store_ids)
        return [n for n in rows if n.store_id in wanted]
